"""The Excel upload's size and type limits, beyond tests/targets/test_excel_entry.py (which
covers random bytes, an .xls, a csv renamed, an empty file, a file over 5 MB, a zip that is not
a workbook, a zip bomb and a truncated sheet): the limit's boundary, other files renamed .xlsx,
a zip whose headers lie about its size, too many parts; each a Chinese message, nothing saved,
and the bombs refused without unpacking them into memory."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from targets import excel

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD = "/entry/2015/3/upload/"
TEMPLATE = "/entry/2015/3/template.xlsx"
NOT_XLSX = "上传的不是Excel（.xlsx）文件"
TOO_BIG = "文件解压后过大"
UNREADABLE = "无法读取该Excel文件"


def _upload(world: Any, content: bytes, name: str = "填报.xlsx") -> tuple[Any, int]:
    """The response and the peak memory the request took, in bytes."""
    # Every file claims to be a workbook: only its content may decide.
    file = SimpleUploadedFile(name, content, content_type=XLSX)
    client = world.client("clerk")
    tracemalloc.start()
    try:
        response = client.post(UPLOAD, {"file": file, "action": "submit"})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return response, peak


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def _parts(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _lying(content: bytes, part: str, size: int) -> bytes:
    """``content`` with ``part`` replaced by ``size`` bytes that its headers say are 100."""
    parts = _parts(content)
    parts[part] = b"<" + b" " * (size - 1)
    data = bytearray(_zip(parts))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo(part)
    # The uncompressed size in the part's local header, then in the central directory.
    struct.pack_into("<I", data, info.header_offset + 22, 100)
    position = 0
    while (position := data.find(b"PK\x01\x02", position)) >= 0:
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if data[position + 46 : position + 46 + name_length].decode() == part:
            struct.pack_into("<I", data, position + 24, 100)
        position += 4
    return bytes(data)


@pytest.fixture
def template(world: Any, filled_template: Any) -> bytes:
    """The clerk's March template with every open figure filled: valid but for the change."""
    return filled_template(world.client("clerk").get(TEMPLATE).content, 6)


def _refused(response: Any, message: str) -> None:
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "Excel文件未导入，本月数据没有任何改动。" in page


def test_the_filled_template_itself_is_taken(world: Any, template: bytes, snap: Any) -> None:
    """The cases below fail because of their change, not the template."""
    before = snap()

    response, _peak = _upload(world, template)

    assert response.status_code == 302
    assert snap() != before


def test_the_limit_is_five_megabytes_and_said_in_chinese(world: Any, snap: Any) -> None:
    before = snap()
    at_limit = b"PK" + b"\0" * (excel.MAX_UPLOAD_BYTES - 2)

    exactly, _peak = _upload(world, at_limit)
    over, _peak = _upload(world, at_limit + b"\0")

    _refused(exactly, NOT_XLSX)  # not too big: refused for what it is
    _refused(over, "文件太大（超过 5 MB）")
    assert snap() == before


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("a PDF", lambda t: b"%PDF-1.7\n" + b"0" * 2000, NOT_XLSX),
        ("a PNG", lambda t: b"\x89PNG\r\n\x1a\n" + b"\0" * 2000, NOT_XLSX),
        ("an HTML page", lambda t: b"<html><script>alert(1)</script></html>", NOT_XLSX),
        (
            "a Word document",
            lambda t: _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}),
            NOT_XLSX,
        ),
        ("a zip's first bytes only", lambda t: t[:200], NOT_XLSX),
        ("an empty zip", lambda t: _zip({}), NOT_XLSX),
        ("a zip of a zip", lambda t: _zip({"inner.xlsx": t}), NOT_XLSX),
        ("too many parts", lambda t: _zip({**_parts(t), **_many(300)}), TOO_BIG),
        ("a sheet that is not XML", lambda t: _replace(t, "xl/worksheets/sheet1.xml"), UNREADABLE),
    ],
)
def test_a_file_that_is_not_our_workbook_is_refused(
    world: Any, template: bytes, snap: Any, name: str, make: Any, message: str
) -> None:
    before = snap()

    response, _peak = _upload(world, make(template))

    _refused(response, message)
    assert snap() == before


def _many(n: int) -> dict[str, bytes]:
    return {f"xl/media/part{i}.bin": b"x" for i in range(n)}


def _replace(content: bytes, part: str) -> bytes:
    return _zip({**_parts(content), part: b"\x00\x01 not xml"})


def test_a_bomb_whose_headers_lie_is_not_unpacked(world: Any, template: bytes, snap: Any) -> None:
    """60 MB of sheet that the zip's headers call 100 bytes: the size checks see 100 bytes, but
    the reader stops at the size declared and the checksum fails; nothing near 60 MB is read."""
    bomb = _lying(template, "xl/worksheets/sheet1.xml", 60 * 1024 * 1024)
    assert len(bomb) < excel.MAX_UPLOAD_BYTES
    before = snap()

    response, peak = _upload(world, bomb)

    _refused(response, UNREADABLE)
    assert peak < 20 * 1024 * 1024
    assert snap() == before


def test_an_honest_bomb_is_refused_before_it_is_unpacked(
    world: Any, template: bytes, snap: Any
) -> None:
    bomb = _zip({**_parts(template), "xl/media/image1.bin": b"\0" * (200 * 1024 * 1024)})
    assert len(bomb) < excel.MAX_UPLOAD_BYTES
    before = snap()

    response, peak = _upload(world, bomb)

    _refused(response, TOO_BIG)
    assert peak < 20 * 1024 * 1024
    assert snap() == before
