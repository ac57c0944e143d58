"""A class's roster as an Excel template, and its upload read back.

The template is one sheet, 花名册: a title naming the class, a header row, and empty rows whose
cells are formatted as text (an 18-digit number typed into a number cell loses its last
digits in Excel). It carries the class's number, signed, in a document property: a roster is
uploaded to the class it was downloaded for. The upload is bounded before it is parsed
(``upload.check_zip``: bytes, inflated size, rows, cells) and read cell by cell; every value is
read as text, a formula or a number in the ID column refused by its cell.
"""

from __future__ import annotations

import io
from typing import IO, Any

from django.core import signing
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ..models import Trainee, TrainingClass
from ..roster_rows import TYPED_FIELDS, TypedRow
from .entry import PROPERTY_PREFIX
from .text import set_text
from .upload import SheetLimits, UploadRefused, open_upload, stored_cells

SHEET = "花名册"
SIGNING_SALT = "targets.roster.template"
PROPERTY = f"{PROPERTY_PREFIX}roster"
HEADER_ROW = 3
FIRST_ROW = HEADER_ROW + 1
TEMPLATE_ROWS = 200  # rows formatted as text; more may be typed under them
MAX_ROWS = 10_000  # a class of ten thousand is not a class
ROSTER_LIMITS = SheetLimits(
    rows=MAX_ROWS + HEADER_ROW + 10,
    columns=30,
    cells=(MAX_ROWS + HEADER_ROW + 10) * len(TYPED_FIELDS),
    part_bytes=20 * 1024 * 1024,
    what="roster",
)
WIDTHS = (10, 22, 14, 16, 24, 16, 10)


def headers() -> list[str]:
    return [
        _("姓名"),
        _("公民身份号码"),
        _("户籍所在县区"),
        _("人员类别"),
        _("残疾证号（残疾人填写）"),
        _("联系电话（可不填）"),
        _("鉴定结果（合格/不合格/不填）"),
    ]


def roster_template(training_class: TrainingClass) -> bytes:
    """The empty roster template of ``training_class``."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    title = sheet.cell(1, 1)
    set_text(
        title,
        _("培训人员花名册：%(unit)s · %(item)s · %(class)s")
        % {
            "unit": training_class.region.name,
            "item": training_class.indicator.entry_name,
            "class": str(training_class),
        },
    )
    title.font = Font(bold=True, size=13)
    note = sheet.cell(2, 1)
    set_text(
        note,
        _(
            "每行一人，从第%(row)d行起填写；出生日期、性别由公民身份号码得出，不必填写。"
            "人员类别填写：%(categories)s。上传会替换该培训班现有的花名册。"
        )
        % {
            "row": FIRST_ROW,
            "categories": "、".join(str(label) for label in Trainee.Category.labels),
        },
    )
    note.alignment = Alignment(wrap_text=False)
    for column, (header, width) in enumerate(zip(headers(), WIDTHS, strict=True), start=1):
        cell = sheet.cell(HEADER_ROW, column)
        set_text(cell, header)
        cell.font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(column)].width = width
        for row in range(FIRST_ROW, FIRST_ROW + TEMPLATE_ROWS):
            sheet.cell(row, column).number_format = "@"
    sheet.freeze_panes = f"A{FIRST_ROW}"
    signature = signing.dumps({"class": training_class.pk}, salt=SIGNING_SALT)
    workbook.custom_doc_props.append(StringProperty(name=PROPERTY, value=signature))
    workbook.properties.creator = "鹤壁市全民技能振兴工程目标管理"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def read_roster_upload(file: IO[bytes], training_class: TrainingClass) -> list[TypedRow]:
    """The typed rows of an uploaded roster template of ``training_class``, as text.

    Checked whole: raises ``UploadRefused`` with every message found; nothing is written.
    """
    workbook = open_upload(
        file,
        too_large=_("文件太大（超过 %(size)s MB），请上传本系统下载的花名册模板。") % {"size": 5},
        limits=ROSTER_LIMITS,
        too_big=_("文件过大：一个培训班的花名册最多%(rows)d行。") % {"rows": MAX_ROWS},
    )
    try:
        _check_class(workbook, training_class)
        if SHEET not in workbook.sheetnames:
            raise UploadRefused([_("文件中没有“花名册”工作表，请用本系统下载的模板填写。")])
        return _rows(workbook, workbook[SHEET])
    finally:
        workbook.close()


def _check_class(workbook: Any, training_class: TrainingClass) -> None:
    properties = {prop.name: prop.value for prop in workbook.custom_doc_props}
    unsigned = _("文件不是本系统下载的花名册模板，或模板标识已被修改，请重新下载模板后填写。")
    try:
        payload = signing.loads(str(properties.get(PROPERTY) or ""), salt=SIGNING_SALT)
    except (signing.BadSignature, ValueError) as error:
        raise UploadRefused([unsigned]) from error
    if not isinstance(payload, dict) or payload.get("class") != training_class.pk:
        raise UploadRefused([_("这是另一个培训班的花名册模板，请在该培训班的页面下载模板后填写。")])


def _rows(workbook: Any, sheet: Any) -> list[TypedRow]:
    expected = headers()
    found: dict[int, dict[int, str]] = {}
    problems = []
    for row, column, value, is_formula in stored_cells(workbook, sheet):
        if row < HEADER_ROW:
            continue
        where = f"{get_column_letter(column)}{row}"
        if is_formula:
            problems.append(_("%(cell)s：不能使用公式，请填写内容本身。") % {"cell": where})
            continue
        if column > len(expected):
            problems.append(_("%(cell)s：模板之外的列，请删除。") % {"cell": where})
            continue
        if row >= FIRST_ROW and column == 2 and not isinstance(value, str):
            problems.append(
                _("%(cell)s：公民身份号码须以文本填写（数字格式会丢失末几位），请设为文本后重填。")
                % {"cell": where}
            )
            continue
        text = value if isinstance(value, str) else _number_text(value)
        found.setdefault(row, {})[column] = text
    header = found.pop(HEADER_ROW, {})
    if [header.get(column, "").strip() for column in range(1, len(expected) + 1)] != expected:
        problems.insert(0, _("第%(row)d行的表头与模板不同，请勿改动表头。") % {"row": HEADER_ROW})
    if problems:
        raise UploadRefused(problems)
    rows = [
        TypedRow(
            line=row,
            **{name: cells.get(column, "") for column, name in enumerate(TYPED_FIELDS, start=1)},
        )
        for row, cells in sorted(found.items())
    ]
    if len(rows) > MAX_ROWS:
        raise UploadRefused([_("一个培训班的花名册最多%(rows)d行。") % {"rows": MAX_ROWS}])
    return rows


def _number_text(value: Any) -> str:
    """A number typed where text was meant (a phone): its digits, without a ``.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def roster_export(training_class: TrainingClass) -> bytes:
    """The class's roster as a workbook, **masked**: the numbers and phones as pages show them;
    every typed value written as text."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    set_text(
        sheet.cell(1, 1),
        _("培训人员花名册：%(unit)s · %(item)s · %(class)s")
        % {
            "unit": training_class.region.name,
            "item": training_class.indicator.entry_name,
            "class": str(training_class),
        },
    )
    sheet.cell(1, 1).font = Font(bold=True, size=13)
    set_text(sheet.cell(2, 1), _("公民身份号码、联系电话已脱敏。"))
    columns = [
        _("序号"),
        _("姓名"),
        _("公民身份号码"),
        _("性别"),
        _("出生年月"),
        _("户籍所在县区"),
        _("人员类别"),
        _("残疾证"),
        _("联系电话"),
        _("鉴定结果"),
    ]
    for column, title in enumerate(columns, start=1):
        set_text(sheet.cell(HEADER_ROW, column), title)
        sheet.cell(HEADER_ROW, column).font = Font(bold=True)
    for line, trainee in enumerate(training_class.trainees.order_by("row", "pk"), start=FIRST_ROW):
        sheet.cell(line, 1).value = trainee.row
        values = [
            trainee.name,
            trainee.id_masked,
            _("男") if trainee.male else _("女"),
            f"{trainee.birth_date:%Y-%m}",
            trainee.household,
            trainee.get_category_display(),
            _("有") if trainee.disability_card else "",
            trainee.phone_masked,
            trainee.get_appraisal_display(),
        ]
        for column, value in enumerate(values, start=2):
            if value:
                set_text(sheet.cell(line, column), str(value))
    sheet.freeze_panes = f"A{FIRST_ROW}"
    workbook.properties.creator = "鹤壁市全民技能振兴工程目标管理"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
