"""The rosters' pages: a clerk registers a class, fills its roster in the grid or uploads the
Excel template (checked whole, saved whole or not at all), reviewers and auditors read it
masked beside the approved figure, an auditor reveals one row with a reason."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from targets import services
from targets.models import AuditEntry, PersonalDataReveal, Trainee, TrainingClass
from targets.roster_rows import TypedRow
from targets.workbooks import rosters as roster_workbook
from tests.targets.rosters import OTHER_XUN, QIBIN_WOMAN, XUN_MAN, filled_template, make_class
from tests.targets.rosters import person as _person

pytestmark = pytest.mark.django_db


def _grid(rows: list[dict[str, str]], **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"rows": str(max(len(rows), 1)), **extra}
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"r{index}-{name}"] = value
    return data


@pytest.fixture
def xun_class(county_clerk: Any) -> TrainingClass:
    return make_class(county_clerk)


def test_a_clerk_registers_a_class_of_their_own_item_and_county(client, county_clerk, plan):
    client.force_login(county_clerk)
    page = client.get(reverse("roster-class-new"))
    assert page.status_code == 200
    items = [str(i) for i in page.context["form"].fields["indicator"].queryset]
    assert items and all("率" not in item for item in items)  # training flows only
    regions = list(page.context["form"].fields["region"].queryset.values_list("code", flat=True))
    assert regions == ["410621"]
    indicator = page.context["form"].fields["indicator"].queryset.get(code="rural-transfer")
    form = {
        "indicator": indicator.pk,
        "region": page.context["form"].fields["region"].queryset.get().pk,
        "institution": "浚县职业培训学校",
        "occupation": "电工",
        "kind": "employment",
        "start_on": "2015-06-01",
        "end_on": "2015-06-12",
        "hours": "40",
    }
    response = client.post(reverse("roster-class-new"), form)
    made = TrainingClass.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/rosters/{made.pk}/"
    assert (made.month, made.created_by) == (6, county_clerk)
    refused = client.post(reverse("roster-class-new"), form | {"end_on": "2015-05-01"})
    assert refused.status_code == 400 and TrainingClass.objects.count() == 1


def test_the_grid_saves_a_whole_roster_or_nothing_and_names_each_refused_row(
    client, county_clerk, xun_class
):
    client.force_login(county_clerk)
    url = reverse("roster-grid", args=[xun_class.pk])
    bad = _person("410621199003070016", name="李四")  # a slip in the check character
    response = client.post(url, _grid([_person(XUN_MAN), bad]))
    assert response.status_code == 400
    assert not Trainee.objects.exists()
    assert "第2行" in response.content.decode() and "no-store" in response["Cache-Control"]
    response = client.post(url, _grid([_person(XUN_MAN), _person(OTHER_XUN, name="李四")]))
    assert response.status_code == 302
    assert list(Trainee.objects.order_by("row").values_list("row", "name")) == [
        (1, "张三"),
        (2, "李四"),
    ]
    page = client.get(reverse("roster-class", args=[xun_class.pk])).content.decode()
    assert "410621********0015" in page and XUN_MAN not in page and OTHER_XUN not in page


def test_the_grid_keeps_the_rows_left_and_refuses_a_person_already_on_it(
    client, county_clerk, xun_class
):
    services.roster_replace(
        actor=county_clerk,
        training_class=xun_class,
        rows=[TypedRow(line=1, **_person(XUN_MAN)), TypedRow(line=2, **_person(OTHER_XUN))],
    )
    first, second = Trainee.objects.order_by("row")
    client.force_login(county_clerk)
    url = reverse("roster-grid", args=[xun_class.pk])
    grid = client.get(url).content.decode()
    assert "410621********0015" in grid and XUN_MAN not in grid
    again = client.post(url, _grid([_person(OTHER_XUN, name="王五")]))
    assert again.status_code == 400 and "与保留的第2行是同一人" in again.content.decode()
    woman = _person(QIBIN_WOMAN, name="赵六", household="淇滨区")
    response = client.post(url, _grid([woman], remove=[str(first.pk)]))
    assert response.status_code == 302
    assert list(Trainee.objects.order_by("row").values_list("row", "name", "pk")) == [
        (1, second.name, second.pk),
        (2, "赵六", Trainee.objects.get(name="赵六").pk),
    ]
    replace = AuditEntry.objects.filter(action=AuditEntry.Action.ROSTER_REPLACE).last()
    assert replace.detail == {"before": 2, "after": 2, "kept": 1}


def test_the_template_round_trip_replaces_the_roster(client, county_clerk, xun_class):
    client.force_login(county_clerk)
    download = client.get(reverse("roster-template", args=[xun_class.pk]))
    assert download.status_code == 200 and download["Content-Type"].startswith("application/vnd")
    upload = filled_template(
        xun_class,
        [
            ["张三", XUN_MAN, "浚县", "农村转移劳动力", None, "13800001234", "合格"],
            ["李四", OTHER_XUN, "浚县", "在岗职工"],
        ],
    )
    url = reverse("roster-upload", args=[xun_class.pk])
    response = client.post(url, {"file": upload})
    assert response.status_code == 302
    rows = list(Trainee.objects.order_by("row"))
    assert [(t.row, t.name, t.category, t.appraisal) for t in rows] == [
        (1, "张三", "rural", "passed"),
        (2, "李四", "employee", ""),
    ]
    assert rows[0].phone == "13800001234" and rows[0].phone_masked == "138****1234"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [["张三", XUN_MAN, "浚县", "农村转移劳动力"], ["李四", "4106211", "浚县", "在岗职工"]],
            "第5行",
        ),
        ([["张三", 410621199003070015, "浚县", "农村转移劳动力"]], "须以文本填写"),
        ([["张三", XUN_MAN, "浚县", "=A1"]], "不能使用公式"),
        ([["张三", XUN_MAN, "浚县", "农村转移劳动力", None, None, None, "多余"]], "模板之外的列"),
    ],
)
def test_an_upload_with_any_fault_saves_nothing_and_leaves_the_roster(
    client, county_clerk, xun_class, rows, message
):
    services.roster_replace(
        actor=county_clerk,
        training_class=xun_class,
        rows=[TypedRow(line=1, **_person(QIBIN_WOMAN, household="淇滨区"))],
    )
    before = list(Trainee.objects.values_list("pk", "name"))
    client.force_login(county_clerk)
    response = client.post(
        reverse("roster-upload", args=[xun_class.pk]), {"file": filled_template(xun_class, rows)}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert list(Trainee.objects.values_list("pk", "name")) == before


def test_an_upload_for_another_class_or_not_a_workbook_is_refused(client, county_clerk, xun_class):
    other = make_class(county_clerk, occupation="焊工")
    client.force_login(county_clerk)
    url = reverse("roster-upload", args=[xun_class.pk])
    wrong = filled_template(other, [["张三", XUN_MAN, "浚县", "农村转移劳动力"]])
    response = client.post(url, {"file": wrong})
    assert response.status_code == 400 and "另一个培训班" in response.content.decode()
    text = io.BytesIO(b"name,id\n")
    text.name = "roster.xlsx"
    response = client.post(url, {"file": text})
    assert response.status_code == 400 and "不是Excel" in response.content.decode()
    assert not Trainee.objects.exists()


def test_an_upload_larger_than_a_class_is_refused_before_it_is_parsed(
    client, county_clerk, xun_class, monkeypatch
):
    small = roster_workbook.SheetLimits(
        rows=8, columns=30, cells=200, part_bytes=10**6, what="roster"
    )
    monkeypatch.setattr(roster_workbook, "ROSTER_LIMITS", small)
    parsed = []
    monkeypatch.setattr(roster_workbook, "_rows", lambda *args: parsed.append(args) or [])
    rows = [[f"学员{n}", XUN_MAN, "浚县", "农村转移劳动力"] for n in range(10)]
    client.force_login(county_clerk)
    response = client.post(
        reverse("roster-upload", args=[xun_class.pk]), {"file": filled_template(xun_class, rows)}
    )
    assert response.status_code == 400 and not parsed
    assert "花名册模板的大小" in response.content.decode()


def test_others_cannot_reach_a_class_by_its_url(client, clerk_of, xun_class, leader):
    for user in (clerk_of("edu"), leader):
        client.force_login(user)
        assert client.get(reverse("roster-class", args=[xun_class.pk])).status_code in (403, 404)
    client.force_login(clerk_of("hrss", region="410611"))
    assert client.get(reverse("roster-class", args=[xun_class.pk])).status_code == 404
    assert client.get(reverse("roster-grid", args=[xun_class.pk])).status_code == 404
    assert client.get(reverse("rosters")).context["page"].paginator.count == 0


def test_an_auditor_reveals_one_number_with_a_reason_recorded_never_cached(
    client, county_clerk, xun_class, auditor, reviewer
):
    services.roster_replace(
        actor=county_clerk, training_class=xun_class, rows=[TypedRow(line=1, **_person(XUN_MAN))]
    )
    trainee = Trainee.objects.get()
    url = reverse("roster-reveal", args=[xun_class.pk, trainee.pk])
    client.force_login(reviewer)
    assert client.get(url).status_code == 403
    client.force_login(auditor)
    page = client.get(reverse("roster-class", args=[xun_class.pk])).content.decode()
    assert url in page and XUN_MAN not in page
    short = client.post(url, {"reason": "看", "shown": "id_number"})
    assert short.status_code == 400 and XUN_MAN not in short.content.decode()
    assert not PersonalDataReveal.objects.exists()
    shown = client.post(url, {"reason": "核对重复参训", "shown": "id_number"})
    assert shown.status_code == 200 and XUN_MAN in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]
    reveal = PersonalDataReveal.objects.get()
    assert (reveal.actor, reveal.reason, reveal.shown) == (auditor, "核对重复参训", "id_number")
    assert XUN_MAN not in url


def test_the_class_page_shows_the_figure_beside_the_roster(
    client, county_clerk, xun_class, figure, reviewer
):
    services.roster_replace(
        actor=county_clerk,
        training_class=xun_class,
        rows=[TypedRow(line=1, **_person(XUN_MAN)), TypedRow(line=2, **_person(OTHER_XUN))],
    )
    client.force_login(reviewer)
    url = reverse("roster-class", args=[xun_class.pk])
    assert "还没有审核通过" in client.get(url).content.decode()
    figure("rural-transfer", "410621", 6, 3, status="approved")
    page = client.get(url).content.decode()
    assert "不一致" in page and "相差 -1" in page


def test_the_roster_export_is_masked_and_all_text(client, county_clerk, xun_class, reviewer):
    services.roster_replace(
        actor=county_clerk,
        training_class=xun_class,
        rows=[TypedRow(line=1, **_person(XUN_MAN, name="=HYPERLINK(1)", phone="13800001234"))],
    )
    client.force_login(reviewer)
    response = client.get(reverse("roster-export", args=[xun_class.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))[roster_workbook.SHEET]
    row = [c.value for c in sheet[roster_workbook.FIRST_ROW]]
    assert row[:3] == [1, "=HYPERLINK(1)", "410621********0015"]
    assert sheet.cell(roster_workbook.FIRST_ROW, 2).data_type == "s"  # text, not a formula
    assert "138****1234" in row and XUN_MAN.encode() not in response.content
