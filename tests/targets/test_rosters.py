"""Training classes and their rosters (``services.rosters``, ``roster_rows``): a class counts in
the month it ends; a roster is checked whole and saved whole or not at all, every refused row
named; the ID numbers, phones and 残疾证号 are stored encrypted (the raw column holds none of
them), masked, with birth date and sex derived; only the clerk of the cell may write."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from targets import services
from targets.models import AuditEntry, Indicator, Plan, Region, Trainee, TrainingClass
from targets.roster_rows import TypedRow, check_roster, check_row
from targets.roster_selectors import roster_checks, roster_items
from targets.services import RosterRefused
from tests.targets.rosters import QIBIN_WOMAN, XUN_MAN, make_class

pytestmark = pytest.mark.django_db

AT = datetime(2015, 6, 20, 2, 0, tzinfo=UTC)
TODAY = date(2015, 6, 20)
# GB 11643's worked example (the helper's XUN_MAN and QIBIN_WOMAN are made up).
WORKED_EXAMPLE = "11010519491231002X"


def row(line: int, number: str, **typed: str) -> TypedRow:
    values = {"name": f"学员{line}", "household": "浚县", "category": "农村转移劳动力"}
    return TypedRow(line=line, id_number=number, **{**values, **typed})


@pytest.fixture
def rural(plan: Any) -> Indicator:
    return Indicator.objects.get(plan=plan, code="rural-transfer")


@pytest.fixture
def xun(plan: Any) -> Region:
    return Region.objects.get(code="410621")


@pytest.fixture
def june_class(county_clerk: Any, rural: Indicator, xun: Region) -> TrainingClass:
    return services.training_class_create(
        actor=county_clerk,
        indicator=rural,
        region=xun,
        institution="浚县职业技能培训学校",
        occupation="电工",
        kind=TrainingClass.Kind.EMPLOYMENT,
        start_on=date(2015, 5, 25),
        end_on=date(2015, 6, 12),
        hours=120,
        at=AT,
    )


def test_the_numbers_used_here_are_valid() -> None:
    for number in (WORKED_EXAMPLE, XUN_MAN, QIBIN_WOMAN):
        assert check_row(row(1, number), today=TODAY)[1] == []


def test_a_class_counts_in_the_month_it_ends(june_class: TrainingClass) -> None:
    assert june_class.month == 6
    entry = AuditEntry.objects.get(action=AuditEntry.Action.TRAINING_CLASS_CREATE)
    assert entry.object_id == june_class.pk and entry.detail["month"] == 6


def test_a_class_that_ends_before_it_starts_is_refused(county_clerk, rural, xun) -> None:
    with pytest.raises(ValidationError, match="结业日期早于开班日期"):
        make_class(county_clerk, start=date(2015, 6, 12), end=date(2015, 5, 25))
    assert not TrainingClass.objects.exists()


def test_a_class_ending_next_year_needs_its_month(county_clerk, rural, xun) -> None:
    made = {"start": date(2015, 12, 20), "end": date(2016, 1, 10)}
    with pytest.raises(ValidationError, match="结业日期不在2015年内"):
        make_class(county_clerk, **made)
    assert make_class(county_clerk, **made, month=12).month == 12


def test_only_the_clerk_of_the_cell_registers_a_class(clerk_of, rural, xun, reviewer) -> None:
    for someone in (clerk_of("edu"), clerk_of("hrss", "410611"), reviewer):
        with pytest.raises(PermissionDenied):
            make_class(someone)
    assert not TrainingClass.objects.exists()


def test_a_roster_is_saved_encrypted_masked_and_derived(county_clerk, june_class) -> None:
    saved = services.roster_replace(
        actor=county_clerk,
        training_class=june_class,
        rows=[
            row(1, XUN_MAN, phone="138 0000 1234", appraisal="合格"),
            row(
                2,
                QIBIN_WOMAN.lower(),
                category="残疾人",
                disability_card=QIBIN_WOMAN + "23",
                household="淇滨区",
            ),
        ],
        at=AT,
    )
    assert len(saved) == 2
    man, woman = Trainee.objects.order_by("row")
    assert (man.id_number, man.id_masked) == (XUN_MAN, "410621********0015")
    assert (man.birth_date, man.male, man.phone, man.appraisal) == (
        date(1990, 3, 7),
        True,
        "13800001234",
        "passed",
    )
    assert (woman.birth_date, woman.male, woman.category) == (date(1985, 11, 30), False, "disabled")
    assert woman.disability_card == QIBIN_WOMAN + "23"
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, disability_card FROM targets_trainee")
        stored = " ".join(" ".join(values) for values in cursor.fetchall())
    for secret in (XUN_MAN, QIBIN_WOMAN, "13800001234", "19900307", "19851130"):
        assert secret not in stored
    june_class.refresh_from_db()
    assert june_class.roster_changed_at == AT
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ROSTER_REPLACE)
    assert entry.detail == {"before": 0, "after": 2, "kept": 0}
    assert XUN_MAN not in str(entry.detail) and XUN_MAN not in entry.object_text


def test_one_refused_row_saves_nothing_and_keeps_the_roster_there(county_clerk, june_class):
    services.roster_replace(actor=county_clerk, training_class=june_class, rows=[row(1, XUN_MAN)])
    with pytest.raises(RosterRefused) as refused:
        services.roster_replace(
            actor=county_clerk,
            training_class=june_class,
            rows=[
                row(1, QIBIN_WOMAN),
                row(2, "410621199003070016"),  # a slip in the check digit
                row(3, WORKED_EXAMPLE, name="", category="学生"),
            ],
        )
    said = [str(problem) for problem in refused.value.problems]
    assert said[0].startswith("第2行：") and "校验码不对" in said[0]
    assert said[1].startswith("第3行：") and "姓名不能为空" in said[1] and "人员类别应为" in said[1]
    assert len(said) == 2
    assert list(Trainee.objects.values_list("id_masked", flat=True)) == ["410621********0015"]


def test_the_same_person_twice_in_a_roster_is_named(county_clerk, june_class) -> None:
    with pytest.raises(RosterRefused) as refused:
        services.roster_replace(
            actor=county_clerk,
            training_class=june_class,
            rows=[row(4, XUN_MAN), row(5, QIBIN_WOMAN), row(9, " " + XUN_MAN)],
        )
    assert [str(p) for p in refused.value.problems] == [
        "第9行：与第4行是同一人（公民身份号码相同）"
    ]
    assert not Trainee.objects.exists()


def test_a_new_roster_replaces_the_old_one_whole(county_clerk, june_class) -> None:
    services.roster_replace(
        actor=county_clerk, training_class=june_class, rows=[row(1, XUN_MAN), row(2, QIBIN_WOMAN)]
    )
    services.roster_replace(
        actor=county_clerk, training_class=june_class, rows=[row(1, WORKED_EXAMPLE)]
    )
    assert list(Trainee.objects.values_list("id_masked", flat=True)) == ["110105********002X"]


def test_another_clerk_cannot_replace_a_roster(clerk_of, june_class) -> None:
    with pytest.raises(PermissionDenied):
        services.roster_replace(
            actor=clerk_of("hrss", "410611"), training_class=june_class, rows=[row(1, XUN_MAN)]
        )


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ({"household": ""}, "户籍所在县区不能为空"),
        ({"category": "学生"}, "人员类别应为：农村转移劳动力、在岗职工"),
        ({"disability_card": XUN_MAN + "8"}, "残疾证号应为本人公民身份号码加两位数字"),
        ({"disability_card": QIBIN_WOMAN + "23"}, "残疾证号的前18位与本人公民身份号码不一致"),
        ({"phone": "1234567"}, "联系电话应为11位手机号码或带区号的固定电话"),
        ({"phone": "12800001234"}, "联系电话应为11位手机号码"),
        ({"appraisal": "优秀"}, "鉴定结果应为“合格”“不合格”或留空"),
        ({"name": "名" * 31}, "姓名不能超过30个字"),
    ],
)
def test_a_row_is_refused_saying_why(typed: dict[str, str], said: str) -> None:
    trainee, reasons = check_row(row(7, XUN_MAN, **typed), today=TODAY)
    assert trainee is None
    assert any(said in reason for reason in reasons), reasons


@pytest.mark.parametrize(
    ("typed", "field", "value"),
    [
        ({"category": "veteran"}, "category", "veteran"),
        ({"category": "退役士兵"}, "category", "veteran"),
        ({"phone": "0392-5551234"}, "phone", "0392-5551234"),
        ({"phone": "（0392）5551234"}, "phone", "03925551234"),
        ({"appraisal": "不合格"}, "appraisal", "failed"),
        ({"appraisal": ""}, "appraisal", ""),
    ],
)
def test_a_row_takes_labels_codes_and_the_usual_ways_of_writing(typed, field, value) -> None:
    trainee, reasons = check_row(row(7, XUN_MAN, **typed), today=TODAY)
    assert reasons == [] and getattr(trainee, field) == value


def test_blank_rows_are_skipped_and_a_born_tomorrow_number_refused() -> None:
    tomorrow = "41062120150621001"
    from targets.identity import check_character

    trainees, problems = check_roster(
        [TypedRow(line=1), row(2, XUN_MAN), row(3, tomorrow + check_character(tomorrow))],
        today=TODAY,
    )
    assert trainees == [] and [p.line for p in problems] == [3]
    assert "不可能" in str(problems[0])


# --- 核对: the approved figure against the roster ------------------------------------------------


def _class_with(actor: Any, code: str, region: Region, end_on: date, numbers: list[str]) -> None:
    made = make_class(actor, code=code, region=region.code, start=end_on.replace(day=1), end=end_on)
    rows = [row(line, number) for line, number in enumerate(numbers, 1)]
    services.roster_replace(actor=actor, training_class=made, rows=rows)


def test_each_approved_figure_against_its_roster(county_clerk, xun, figure) -> None:
    figure("rural-transfer", "410621", 6, 3, status="approved")  # 3 人次
    _class_with(county_clerk, "rural-transfer", xun, date(2015, 6, 12), [XUN_MAN, QIBIN_WOMAN])
    _class_with(county_clerk, "rural-transfer", xun, date(2015, 6, 28), [XUN_MAN])  # again
    figure("entrepreneurship", "410621", 6, 1, status="approved")  # 1 人
    _class_with(county_clerk, "entrepreneurship", xun, date(2015, 6, 5), [XUN_MAN])
    _class_with(county_clerk, "entrepreneurship", xun, date(2015, 6, 25), [XUN_MAN])
    figure("rural-transfer", "410621", 5, 40, status="approved")  # no roster behind it
    _class_with(county_clerk, "rural-transfer", xun, date(2015, 7, 3), [WORKED_EXAMPLE])
    figure("in-service", "410621", 6, 9)  # sent, not approved: not counted

    checks = {(c.indicator.code, c.month): c for c in roster_checks(Plan.objects.get())}
    assert set(checks) == {
        ("rural-transfer", 5),
        ("rural-transfer", 6),
        ("rural-transfer", 7),
        ("entrepreneurship", 6),
    }
    june = checks["rural-transfer", 6]
    assert (june.figure, june.roster, june.classes, june.matches) == (3, 3, 2, True)
    persons = checks["entrepreneurship", 6]  # counted in 人: the same person once
    assert (persons.figure, persons.roster, persons.classes, persons.matches) == (1, 1, 2, True)
    may = checks["rural-transfer", 5]
    assert (may.figure, may.roster, may.difference, may.matches) == (40, 0, -40, False)
    july = checks["rural-transfer", 7]
    assert (july.figure, july.roster, july.difference, july.matches) == (None, 1, None, False)
    assert [c.month for c in roster_checks(Plan.objects.get(), month=6)] == [5, 6, 6]


def test_only_training_quotas_have_rosters(plan) -> None:
    codes = [indicator.code for indicator in roster_items(plan)]
    assert codes[:2] == ["rural-transfer", "in-service"] and "disabled" in codes
    for other in ("training-total", "vocational-enrolment", "veterans-trained", "veterans-pass"):
        assert other not in codes
