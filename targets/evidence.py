"""Evidence files (佐证材料) of the work items: checked, stored and sent back as downloads.

``check_evidence`` accepts PDF, PNG, JPEG and GIF images, Word (.docx, .doc) and Excel (.xlsx,
.xls), and nothing else. The size is decided from ``upload.size`` before anything is read
(``EVIDENCE_MAX_BYTES``, 20 MB unless set); the type from the content, never the name: the
first bytes (``%PDF-``, the PNG signature, JPEG's SOI, ``GIF8…``), a zip's central directory
(``[Content_Types].xml`` with ``word/document.xml`` or ``xl/workbook.xml``; members counted,
encryption and VBA/XLM macros refused, the declared unpacked size bounded by
``EVIDENCE_MAX_INFLATED_BYTES``, nothing inflated) or an OLE2 compound file's directory (a
``WordDocument`` or ``Workbook`` stream; VBA storages and encrypted packages refused). The
name's extension must agree with the content. Anything not recognised (programs, scripts, web
pages, SVG, …) is refused; every refusal is an ``EvidenceRefused`` (a ``ValidationError``)
with a Chinese message naming the file. Only after acceptance is the file hashed, in chunks.

``store_evidence`` saves an accepted file through Django's storage (``EVIDENCE_STORAGE``, an
entry of ``STORAGES``: the default file system storage under ``MEDIA_ROOT`` unless set) under a
generated name, never the user's. ``evidence_response`` sends it back as an attachment that no
browser renders or sniffs; the caller's view asks the policy first. ``check_total`` bounds a
plan's total (``EVIDENCE_PLAN_TOTAL_BYTES``; a per-plan figure will be passed by the caller).
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage, storages
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

HEADER_BYTES = 512  # an OLE2 header; every other signature is within its first bytes
HASH_CHUNK_BYTES = 1024 * 1024
MAX_ZIP_MEMBERS = 1000  # a Word file with a few hundred pictures has a few hundred members
DOWNLOAD_STEM_CHARS = 80
DOWNLOAD_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"


@dataclass(frozen=True)
class EvidenceKind:
    """One accepted kind of file: how it is stored (extension) and sent (content type)."""

    code: str
    extension: str  # the stored file's extension
    content_type: str
    label: Promise  # what it is, for messages


_WORD_DOCX = gettext_lazy("Word 文档（.docx）")
_EXCEL_XLSX = gettext_lazy("Excel 工作簿（.xlsx）")
_OOXML = "application/vnd.openxmlformats-officedocument."
PDF = EvidenceKind("pdf", ".pdf", "application/pdf", gettext_lazy("PDF 文件"))
PNG = EvidenceKind("png", ".png", "image/png", gettext_lazy("PNG 图片"))
JPEG = EvidenceKind("jpeg", ".jpg", "image/jpeg", gettext_lazy("JPEG 图片"))
GIF = EvidenceKind("gif", ".gif", "image/gif", gettext_lazy("GIF 图片"))
DOCX = EvidenceKind("docx", ".docx", f"{_OOXML}wordprocessingml.document", _WORD_DOCX)
DOC = EvidenceKind("doc", ".doc", "application/msword", gettext_lazy("旧版 Word 文档（.doc）"))
XLSX = EvidenceKind("xlsx", ".xlsx", f"{_OOXML}spreadsheetml.sheet", _EXCEL_XLSX)
XLS = EvidenceKind(
    "xls", ".xls", "application/vnd.ms-excel", gettext_lazy("旧版 Excel 工作簿（.xls）")
)
KINDS = (PDF, PNG, JPEG, GIF, DOCX, DOC, XLSX, XLS)
_CONTENT_TYPES = {kind.content_type for kind in KINDS}
# The extensions a name may end with, and the kind its content must then be.
EXTENSIONS = {kind.extension: kind for kind in KINDS} | {".jpeg": JPEG}


@dataclass(frozen=True)
class CheckedEvidence:
    """An accepted upload: what it is, the name it is downloaded as, its size and SHA-256."""

    kind: EvidenceKind
    download_name: str
    size: int
    sha256: str

    @property
    def content_type(self) -> str:
        return self.kind.content_type


class EvidenceRefused(ValidationError):
    """The file was not accepted; the message (Chinese) names it and says why."""


class _Unreadable(Exception):
    """A zip or compound file whose structure does not hold together."""


_SIGNATURES = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
)
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Programs and scripts: refused like anything unknown, with a message that says what they are.
_PROGRAMS = (
    b"MZ",  # Windows .exe/.dll
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",  # Mach-O, both byte orders, 32 and 64 bits, and universal
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",
)
# Web pages and SVG carry scripts; both start with "<" once a BOM and blanks are skipped.
_MARKUP = re.compile(rb"^(?:\xef\xbb\xbf|\xff\xfe|\xfe\xff)?[\s\x00]*<")
# Members of a .docx/.xlsx that hold macros or controls (VBA, Excel 4.0 macro sheets, ActiveX).
_MACRO_PARTS = re.compile(r"(^|/)(vbaproject\.bin|vbadata\.xml)$|^xl/macrosheets/|(^|/)activex/")
_OLE_MACRO_STORAGES = {"macros", "_vba_project_cur", "vba"}
_OLE_ENCRYPTED = {"encryptedpackage", "encryptioninfo"}
_UNSAFE_NAME_CHARS = re.compile(r'[<>:"/\\|?*;%]')
_FOLDER = re.compile(r"[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*")


def check_evidence(upload: UploadedFile) -> CheckedEvidence:
    """Accept ``upload`` as evidence or raise ``EvidenceRefused``, reading as little as needed.

    Decided in this order: the size from ``upload.size`` (nothing read), the extension from the
    name, the kind from the first bytes and the zip's central directory or the OLE2 directory,
    then the kind against the extension. Last, the accepted file is hashed in chunks, and
    refused if it holds more bytes than its size said.
    """
    display = _display_name(upload.name or "")
    size = upload.size
    if size is None:
        raise _refused(_("无法读取文件“%(name)s”，请重新上传。"), display)
    if size <= 0:
        raise _refused(_("文件“%(name)s”是空文件，请检查后重新选择。"), display)
    limit = settings.EVIDENCE_MAX_BYTES
    if size > limit:
        raise _refused(
            _("文件“%(name)s”有 %(size)s，超过了每个文件 %(limit)s 的上限，请压缩或拆分后再上传。"),
            display,
            size=file_size_label(size),
            limit=file_size_label(limit),
        )
    extension = _extension(display)
    expected = EXTENSIONS.get(extension)
    if expected is None:
        raise _refused(_allowed_kinds_message(), display)
    try:
        upload.seek(0)
        header = upload.read(HEADER_BYTES)
        kind = _kind_of(upload, header, display)
    except _Unreadable as error:
        raise _refused(_broken_message(), display) from error
    if kind != expected:
        raise _refused(
            _(
                "文件“%(name)s”的扩展名是 %(extension)s，但内容是%(actual)s。"
                "请用正确的扩展名保存后再上传。"
            ),
            display,
            extension=extension,
            actual=kind.label,
        )
    return CheckedEvidence(
        kind=kind,
        download_name=safe_download_name(display, kind),
        size=size,
        sha256=_sha256(upload, size, display),
    )


def check_total(used_bytes: int, new_bytes: int, limit: int | None = None) -> None:
    """Refuse a new file that would take a plan's evidence over its total.

    ``limit`` is the plan's total; None reads ``EVIDENCE_PLAN_TOTAL_BYTES``, the default for
    every plan (a per-plan override, kept on the plan, is passed here by the caller).
    """
    if limit is None:
        limit = settings.EVIDENCE_PLAN_TOTAL_BYTES
    if used_bytes + new_bytes > limit:
        raise EvidenceRefused(
            _(
                "本方案的佐证材料已有 %(used)s，再上传 %(new)s 将超过总量上限 %(limit)s。"
                "请删除不需要的文件，或请管理员调整上限。"
            )
            % {
                "used": file_size_label(used_bytes),
                "new": file_size_label(new_bytes),
                "limit": file_size_label(limit),
            },
            code="evidence_total",
        )


def file_size_label(size: int) -> str:
    """A size as people read it: 820 KB, 20 MB, 2 GB."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} B"


def safe_download_name(name: str, kind: EvidenceKind) -> str:
    """The name a file is downloaded as: no folders, controls, reserved characters or leading
    dots, at most ``DOWNLOAD_STEM_CHARS`` before the extension, which is the kind's own unless
    the name's agrees with it (``.jpeg`` stays ``.jpeg``)."""
    base = _display_name(name)
    extension = _extension(base)
    stem = base[: -len(extension)] if extension else base
    if EXTENSIONS.get(extension) != kind:
        extension = kind.extension
    stem = stem.strip(" .")[:DOWNLOAD_STEM_CHARS].strip(" .") or _("佐证材料")
    return f"{stem}{extension}"


def evidence_storage() -> Storage:
    """The storage evidence files are kept in (``EVIDENCE_STORAGE``, an entry of STORAGES)."""
    return storages[settings.EVIDENCE_STORAGE]


def store_evidence(upload: UploadedFile, checked: CheckedEvidence, *, folder: str) -> str:
    """Save an accepted upload under ``folder`` with a generated name; return the stored name.

    The name is a random UUID and the kind's extension: the user's name is only ever the
    download name, never a path. ``folder`` is ours (letters, digits, ``_``, ``-``, ``/``).
    """
    if not _FOLDER.fullmatch(folder):
        raise ValueError(f"evidence folder must be a plain relative path, got {folder!r}")
    upload.seek(0)
    storage = evidence_storage()
    return storage.save(f"{folder}/{uuid.uuid4().hex}{checked.kind.extension}", upload)


def evidence_response(name_in_storage: str, download_name: str, content_type: str) -> FileResponse:
    """A stored evidence file as a download that browsers neither render nor sniff.

    The caller's view has asked the access policy already; this only sends the file.
    """
    storage = evidence_storage()
    try:
        handle = storage.open(name_in_storage, "rb")
    except FileNotFoundError as error:
        raise Http404(_("佐证材料文件不存在。")) from error
    if content_type not in _CONTENT_TYPES:
        content_type = "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = attachment_disposition(download_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_POLICY
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    patch_cache_control(response, private=True)
    return response


def attachment_disposition(download_name: str) -> str:
    """``attachment`` with an ASCII ``filename`` for old browsers and RFC 5987 ``filename*``."""
    name = _display_name(download_name)
    fallback = name if name.isascii() else "evidence" + _extension(name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


# --- reading the content ------------------------------------------------------------------


def _kind_of(upload: UploadedFile, header: bytes, display: str) -> EvidenceKind:
    for signature, kind in _SIGNATURES:
        if header.startswith(signature):
            return kind
    if header.startswith(_ZIP):
        return _zip_kind(upload, display)
    if header.startswith(_OLE):
        return _ole_kind(upload, header, display)
    if header.startswith(_PROGRAMS) or _MARKUP.match(header):
        raise _refused(_("文件“%(name)s”是程序、脚本或网页，不能作为佐证材料上传。"), display)
    raise _refused(
        _(
            "文件“%(name)s”的内容不是 PDF、图片、Word 或 Excel 文件"
            "（可能已损坏或改过扩展名），不能上传。"
        ),
        display,
    )


def _zip_kind(upload: UploadedFile, display: str) -> EvidenceKind:
    """DOCX or XLSX from the zip's central directory alone; nothing is inflated."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:  # reads the end record and central directory
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as error:
        raise _Unreadable from error
    if len(members) > MAX_ZIP_MEMBERS:
        raise _refused(_("文件“%(name)s”内部的部件过多，可能已损坏，不能上传。"), display)
    if any(member.flag_bits & 0x1 for member in members):
        raise _refused(_encrypted_message(), display)
    inflated_limit = settings.EVIDENCE_MAX_INFLATED_BYTES
    if sum(member.file_size for member in members) > inflated_limit:
        raise _refused(
            _("文件“%(name)s”解压后超过 %(limit)s，可能已损坏或是恶意文件，不能上传。"),
            display,
            limit=file_size_label(inflated_limit),
        )
    names = {member.filename for member in members}
    if any(_MACRO_PARTS.search(name.lower()) for name in names):
        raise _refused(_macros_message(), display)
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
    raise _refused(
        _("文件“%(name)s”是压缩包，不是 Word（.docx）或 Excel（.xlsx）文件，不能上传。"), display
    )


def _ole_kind(upload: UploadedFile, header: bytes, display: str) -> EvidenceKind:
    """DOC or XLS from the compound file's directory (its stream and storage names)."""
    names = _ole_names(upload, header)
    if names & _OLE_ENCRYPTED:
        raise _refused(_encrypted_message(), display)
    if names & _OLE_MACRO_STORAGES:
        raise _refused(_macros_message(), display)
    if "worddocument" in names:
        return DOC
    if names & {"workbook", "book"}:
        return XLS
    raise _refused(
        _("文件“%(name)s”不是 Word 或 Excel 文件（可能是其他程序的文件），不能上传。"), display
    )


def _ole_names(upload: UploadedFile, header: bytes) -> set[str]:
    """The lower-cased names in an OLE2 (MS-CFB) directory, read sector by sector.

    Reads the header, the FAT entries along the directory's chain and the directory sectors;
    every sector number is checked against the file's size and every chain against loops.
    """
    if len(header) < HEADER_BYTES or header[28:30] != b"\xfe\xff":
        raise _Unreadable
    shift = struct.unpack_from("<H", header, 30)[0]
    if shift not in (9, 12):
        raise _Unreadable
    sector = 1 << shift
    sectors = upload.size // sector  # sector n starts at (n + 1) * sector
    fat_count, directory_start = struct.unpack_from("<II", header, 44)
    difat_start, difat_count = struct.unpack_from("<II", header, 68)
    fat_sectors = list(struct.unpack_from("<109I", header, 76))
    per_sector = sector // 4
    for _step in range(min(difat_count, sectors)):
        if difat_start == 0xFFFFFFFE:
            break
        if difat_start >= sectors:
            raise _Unreadable
        entries = struct.unpack(f"<{per_sector}I", _read_sector(upload, difat_start, sector))
        fat_sectors += entries[:-1]
        difat_start = entries[-1]
    fat_sectors = fat_sectors[: min(fat_count, sectors)]

    names: set[str] = set()
    seen: set[int] = set()
    current = directory_start
    while current != 0xFFFFFFFE:  # end of chain
        if current >= sectors or current in seen:
            raise _Unreadable
        seen.add(current)
        directory = _read_sector(upload, current, sector)
        for start in range(0, sector, 128):
            length, kind = struct.unpack_from("<HB", directory, start + 64)
            if kind in (1, 2) and 2 <= length <= 64:
                names.add(directory[start : start + length - 2].decode("utf-16-le", "replace"))
        fat_index, slot = divmod(current, per_sector)
        if fat_index >= len(fat_sectors) or fat_sectors[fat_index] >= sectors:
            raise _Unreadable
        upload.seek((fat_sectors[fat_index] + 1) * sector + slot * 4)
        current = struct.unpack("<I", _read_exactly(upload, 4))[0]
    return {name.lower() for name in names}


def _read_sector(upload: UploadedFile, number: int, sector: int) -> bytes:
    upload.seek((number + 1) * sector)
    return _read_exactly(upload, sector)


def _read_exactly(upload: UploadedFile, count: int) -> bytes:
    data = upload.read(count)
    if len(data) != count:
        raise _Unreadable
    return data


def _sha256(upload: UploadedFile, size: int, display: str) -> str:
    """Hash the accepted file; more bytes than ``size`` said is a file that lied."""
    digest = hashlib.sha256()
    read = 0
    upload.seek(0)
    while chunk := upload.read(HASH_CHUNK_BYTES):
        read += len(chunk)
        if read > size:
            break
        digest.update(chunk)
    if read != size:
        raise _refused(_broken_message(), display)
    upload.seek(0)
    return digest.hexdigest()


# --- names and messages -------------------------------------------------------------------


def _display_name(name: str) -> str:
    """The file's own name without folders, control or format characters (e.g. a right-to-left
    override that shows ``exe.pdf`` as ``fdp.exe``), reserved characters or extra blanks."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", name))[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = _UNSAFE_NAME_CHARS.sub("_", base)
    return " ".join(base.split()).lstrip(" .")


def _extension(name: str) -> str:
    stem, dot, extension = name.rpartition(".")
    return f".{extension.lower()}" if dot and stem else ""


def _refused(message: str, display: str, **values: object) -> EvidenceRefused:
    return EvidenceRefused(message % {"name": display, **values}, code="evidence_refused")


def _allowed_kinds_message() -> str:
    return _(
        "文件“%(name)s”不能上传：佐证材料只能是 PDF、图片（.jpg、.png、.gif）、"
        "Word（.docx、.doc）或 Excel（.xlsx、.xls）文件。"
    )


def _encrypted_message() -> str:
    return _("文件“%(name)s”设置了密码（已加密），无法检查内容，请取消密码后再上传。")


def _macros_message() -> str:
    return _("文件“%(name)s”含有宏或控件，不能上传。请另存为不含宏的 .docx 或 .xlsx 文件后再上传。")


def _broken_message() -> str:
    return _("文件“%(name)s”已损坏或无法读取，请检查后重新上传。")
