"""Any workbook is saved whole or refused, never a 500: generated figures and edits, XML entity
attacks, text that looks like a formula, and rates above 100 per cent.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date
from typing import Any
from xml.etree import ElementTree

import pytest
from django.contrib.auth.models import AbstractBaseUser as User
from hypothesis import given
from hypothesis import strategies as st

from targets import services
from targets.models import Plan, Submission
from targets.workbooks import entry as entry_workbook
from tests.helpers import client_for, examples, no_figures_yet
from tests.targets.entry_upload import (
    HRSS_SERIES,
    REGIONS,
    Role,
    cell,
    counts,
    download,
    filled,
    indicator,
    messages_of,
    nothing_changed,
    region,
    saved,
    upload,
    where,
    workbook_of,
)

pytestmark = pytest.mark.django_db

# --- hypothesis: any workbook is saved whole or refused, never a 500 -----------------------

ODD_VALUES = st.one_of(
    st.none(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=date(1901, 1, 1), max_value=date(2100, 1, 1)),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
    st.sampled_from(["=1+1", "=SUM(C4:C5)", '=HYPERLINK("x")', "1,200", "３５", "3.5", " 7 "]),
)


def _has_figure(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


@examples(40)
@given(values=st.lists(ODD_VALUES, min_size=4, max_size=4), submit=st.booleans())
def test_any_figures_in_the_template_save_whole_or_not_at_all(
    clerk: User, values: list[Any], submit: bool
) -> None:
    no_figures_yet()
    client = client_for(clerk)
    workbook = workbook_of(filled(download(client), 3))
    sheet = workbook["填报"]
    targets = [sheet["C4"], sheet["D5"], sheet["E6"], sheet["I4"]]  # three figures, a note
    for target, value in zip(targets, values, strict=True):
        target.value = value

    response = upload(client, saved(workbook), "submit" if submit else "save")

    assert response.status_code in (302, 400)
    stored = Submission.objects.count()
    if response.status_code == 400:
        assert stored == 0
        assert "Excel文件未导入" in messages_of(response)
    else:
        figures = [*([3] * (HRSS_SERIES * REGIONS - 3)), *values[:3]]
        assert stored == sum(1 for value in figures if _has_figure(value))


@examples(30)
@given(
    edits=st.lists(
        st.tuples(st.integers(1, 14), st.integers(1, 14), ODD_VALUES), min_size=1, max_size=4
    )
)
def test_any_cell_of_the_sheet_edited_never_fails_and_never_half_saves(
    clerk: User, edits: list[tuple[int, int, Any]]
) -> None:
    no_figures_yet()
    client = client_for(clerk)
    workbook = workbook_of(filled(download(client), 2))
    sheet = workbook["填报"]
    for row, column, value in edits:
        target = sheet.cell(row, column)
        if type(target).__name__ == "MergedCell":
            continue
        target.value = value

    response = upload(client, saved(workbook))

    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert not Submission.objects.exists()


def _with_doctype(content: bytes, part: str, doctype: str, replace: tuple[str, str]) -> bytes:
    """The workbook with a DOCTYPE put into one of its XML parts and an entity used there."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == part:
                text = data.decode("utf-8")
                assert replace[0] in text, (part, replace[0])  # the entity is really used
                head, _sep, body = text.partition("?>")
                text = f"{head}?>{doctype}{body}".replace(*replace, 1)
                data = text.encode("utf-8")
            target.writestr(item, data)
    return out.getvalue()


LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
        for n in range(1, 10)
    )
    + "]>"
)
EXTERNAL = '<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize(
    ("doctype", "entity"), [(LAUGHS, "&lol9;"), (EXTERNAL, "&secret;")], ids=["laughs", "xxe"]
)
@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/worksheets/sheet1.xml"])
def test_xml_entity_attacks_are_refused_and_read_nothing(
    clerk: User, doctype: str, entity: str, part: str
) -> None:
    client = client_for(clerk)
    content = filled(download(client), 10)
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert part in names
    marker = (
        ("<sheetData>", f"<sheetData>{entity}")
        if "worksheets" in part
        else ('name="填报"', f'name="填报{entity}"')
    )
    attack = _with_doctype(content, part, doctype, marker)

    response = upload(client, attack)

    assert response.status_code == 400
    page = response.content.decode()
    assert "root:" not in page and "lollol" not in page
    assert not Submission.objects.exists()


# --- typed text that looks like a formula --------------------------------------------------

# (Notes are stripped when saved, so no leading tab: tests/reporting/test_exports.py has those.)
NOTES_LIKE_FORMULAS = ["=1+1", "@SUM(A1)", "+86 123", "-5 人", "=cmd|' /C calc'!A0"]
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@pytest.mark.parametrize("note", NOTES_LIKE_FORMULAS)
def test_a_note_like_a_formula_is_text_in_the_template_and_uploads_again(
    clerk: User, county_clerk: User, note: str
) -> None:
    """A county clerk's note "=1+1" is text in the city clerk's template (no <f> in its XML,
    the exact text), and that template, and the county clerk's own, upload again."""
    services.submission_save(
        actor=county_clerk,
        indicator=indicator("rural-transfer"),
        region=region("410621"),
        month=3,
        value=5,
        note=note,
    )
    for user, other_cell in ((clerk, "in-service__410611"), (county_clerk, "in-service__410621")):
        client = client_for(user)
        content = download(client)
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            xml = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
        assert xml.find(f".//{MAIN}f") is None
        assert note in [text.text for text in xml.iter(f"{MAIN}t")]
        sheet = workbook_of(content)[entry_workbook.SHEET]
        noted = sheet[where(sheet, "rural-transfer", "410621", note=True)]
        assert (noted.value, noted.data_type, noted.quotePrefix) == (note, "s", True)

        response = upload(client, filled(content, None, **{other_cell: 3}))

        assert response.status_code == 302, messages_of(response)
        code, county = other_cell.split("__")
        assert cell(code, county).value == 3
        assert cell("rural-transfer", "410621").note == note


def test_a_note_the_clerk_types_like_a_formula_is_saved_as_typed(clerk: User) -> None:
    client = client_for(clerk)
    workbook = workbook_of(download(client))
    sheet = workbook[entry_workbook.SHEET]
    typed = sheet[where(sheet, "rural-transfer", "410611", note=True)]
    typed.value, typed.data_type = "=A1*2 人次", "s"  # what Excel stores for '=A1*2 人次
    sheet[where(sheet, "rural-transfer", "410611")] = 4

    assert upload(client, saved(workbook)).status_code == 302
    assert cell("rural-transfer", "410611").note == "=A1*2 人次"


def test_a_real_formula_in_a_note_is_still_refused(clerk: User) -> None:
    client = client_for(clerk)
    workbook = workbook_of(download(client))
    sheet = workbook[entry_workbook.SHEET]
    coordinate = where(sheet, "rural-transfer", "410611", note=True)
    sheet[coordinate] = "=1+1"  # openpyxl writes this as a formula, as Excel would
    before = counts()

    response = upload(client, saved(workbook))

    assert response.status_code == 400
    assert f"填报!{coordinate}：不能使用公式" in messages_of(response)
    assert nothing_changed(before)


# --- rates: a numerator's year to date never above its denominator's --------------------------


def test_a_rate_above_100_percent_is_named_by_sheet_and_cell_and_saves_nothing(
    plan: Plan, make_user: Any
) -> None:
    client = client_for(make_user(Role.CLERK, "civil"))
    content = filled(
        download(client),
        None,
        **{"veterans-eligible__410621": 17, "veterans-aware__410621": 26},
    )
    before = counts()

    response = upload(client, content)

    assert response.status_code == 400
    sheet = workbook_of(content)[entry_workbook.SHEET]
    assert (
        f"填报!{where(sheet, 'veterans-aware', '410621')}："
        "知晓培训政策的退役士兵人数（浚县）1—3月累计 26 超过退役士兵人数累计 17。"
    ) in messages_of(response)
    assert nothing_changed(before)
