"""The Excel upload's size and type limits, beyond tests/targets/test_excel_entry.py (which
covers random bytes, an .xls, a csv renamed, an empty file, a file over 5 MB, a zip that is not
a workbook, a zip bomb and a truncated sheet): the limit's boundary, other files renamed .xlsx,
a zip whose headers lie about its size, too many parts; each a Chinese message, nothing saved,
and the bombs refused without unpacking them into memory."""

from __future__ import annotations

import io
import random
import struct
import tracemalloc
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from targets.workbooks import upload
from tests.helpers import zip_of, zip_parts

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


def _lying(content: bytes, part: str, size: int) -> bytes:
    """``content`` with ``part`` replaced by ``size`` bytes that its headers say are 100."""
    parts = zip_parts(content)
    parts[part] = b"<" + b" " * (size - 1)
    data = bytearray(zip_of(parts))
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
    at_limit = b"PK" + b"\0" * (upload.MAX_UPLOAD_BYTES - 2)

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
            lambda t: zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}),
            NOT_XLSX,
        ),
        ("a zip's first bytes only", lambda t: t[:200], NOT_XLSX),
        ("an empty zip", lambda t: zip_of({}), NOT_XLSX),
        ("a zip of a zip", lambda t: zip_of({"inner.xlsx": t}), NOT_XLSX),
        ("too many parts", lambda t: zip_of({**zip_parts(t), **_many(300)}), TOO_BIG),
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


def _refused_in_little_memory(world: Any, snap: Any, bomb: bytes, message: str) -> None:
    """``bomb`` refused with ``message`` and nothing saved, in far less memory than unpacked."""
    before = snap()

    response, peak = _upload(world, bomb)

    _refused(response, message)
    assert peak < 20 * 1024 * 1024
    assert snap() == before


def _many(n: int) -> dict[str, bytes]:
    return {f"xl/media/part{i}.bin": b"x" for i in range(n)}


def _replace(content: bytes, part: str) -> bytes:
    return zip_of({**zip_parts(content), part: b"\x00\x01 not xml"})


def test_a_bomb_whose_headers_lie_is_not_unpacked(world: Any, template: bytes, snap: Any) -> None:
    """60 MB of sheet that the zip's headers call 100 bytes: the size checks see 100 bytes, but
    the reader stops at the size declared and the checksum fails; nothing near 60 MB is read."""
    bomb = _lying(template, "xl/worksheets/sheet1.xml", 60 * 1024 * 1024)
    assert len(bomb) < upload.MAX_UPLOAD_BYTES
    _refused_in_little_memory(world, snap, bomb, UNREADABLE)


def test_an_honest_bomb_is_refused_before_it_is_unpacked(
    world: Any, template: bytes, snap: Any
) -> None:
    bomb = zip_of({**zip_parts(template), "xl/media/image1.bin": b"\0" * (200 * 1024 * 1024)})
    assert len(bomb) < upload.MAX_UPLOAD_BYTES
    _refused_in_little_memory(world, snap, bomb, TOO_BIG)


MAIN = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
SHEET = "xl/worksheets/sheet1.xml"
TOO_LARGE = "工作表过大（超过 1,000 行、100 列或 20,000 个单元格），不是填报模板的大小"


def _sheet(content: bytes, body: bytes, dimension: bytes = b"A1:P12") -> bytes:
    sheet = MAIN + b'<dimension ref="' + dimension + b'"/><sheetData>' + body + b"</sheetData>"
    return zip_of({**zip_parts(content), SHEET: sheet + b"</worksheet>"})


def _one_row_of_cells(size: int) -> bytes:
    """One row of ``size`` bytes of cells, all at C4 (a figure of the table), one random digit
    each: 26:1, under the ratio check, and two million cells openpyxl would build at once."""
    digits = random.Random(15).choices(range(10), k=size // len(b'<c r="C4"><v>0</v></c>'))
    cells = b"".join(b'<c r="C4"><v>%d</v></c>' % digit for digit in digits)
    return b'<row r="4">' + cells + b"</row>"


def test_a_small_file_with_a_47_megabyte_sheet_is_refused_before_parsing(
    world: Any, template: bytes, snap: Any
) -> None:
    bomb = _sheet(template, _one_row_of_cells(47 * 1024 * 1024))
    assert len(bomb) < 2 * 1024 * 1024
    _refused_in_little_memory(world, snap, bomb, TOO_BIG)


def test_a_sheet_of_too_many_cells_under_the_size_limit_is_refused(
    world: Any, template: bytes, snap: Any
) -> None:
    bomb = _sheet(template, _one_row_of_cells(4 * 1024 * 1024))
    before = snap()

    response, _peak = _upload(world, bomb)

    _refused(response, TOO_LARGE)
    assert snap() == before


@pytest.mark.parametrize(
    ("case", "body", "dimension"),
    [
        ("a dimension of the whole sheet", b"", b"A1:XFD1048576"),
        ("a dimension of one far cell", b"", b"A1048576"),
        ("a cell far down", b'<row r="900000"><c r="C900000"><v>1</v></c></row>', b"C4"),
        ("a row far down", b'<row r="900000"><c><v>1</v></c></row>', b"C4"),
        ("a cell far right", b'<row r="4"><c r="XFD4"><v>1</v></c></row>', b"C4"),
    ],
)
def test_a_sheet_larger_than_the_template_is_refused_before_parsing(
    world: Any, template: bytes, snap: Any, case: str, body: bytes, dimension: bytes
) -> None:
    before = snap()

    response, _peak = _upload(world, _sheet(template, body, dimension))

    _refused(response, TOO_LARGE)
    assert snap() == before
