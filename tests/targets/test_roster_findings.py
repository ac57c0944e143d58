"""The auditors' 疑点清单 (``roster_findings``): each rule finds what it names and only that,
with the rows behind it, and names people by their masked numbers only."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from targets import services
from targets.identity import check_character
from targets.models import Department, Plan, TrainingClass
from targets.roster_findings import Rule, roster_findings
from targets.roster_rows import TypedRow
from tests.targets.rosters import make_class

pytestmark = pytest.mark.django_db


def number(born: str, sequence: str = "001", area: str = "410621") -> str:
    first17 = f"{area}{born}{sequence}"
    return first17 + check_character(first17)


MAN = number("19900307")


def enrol(
    actor: Any,
    code: str,
    start: date,
    end: date,
    people: list[str],
    *,
    kind: str = "employment",
    categories: dict[str, str] | None = None,
    at: datetime | None = None,
) -> TrainingClass:
    made = make_class(actor, code=code, start=start, end=end, kind=kind)
    rows = [
        TypedRow(
            line=line,
            name=f"学员{line}",
            id_number=person,
            household="浚县",
            category=(categories or {}).get(person, "农村转移劳动力"),
        )
        for line, person in enumerate(people, 1)
    ]
    services.roster_replace(actor=actor, training_class=made, rows=rows, at=at)
    return made


def found(plan: Plan, rule: str) -> list[Any]:
    return [finding for finding in roster_findings(plan) if finding.rule == rule]


def test_the_same_person_in_overlapping_classes(plan, county_clerk) -> None:
    first = enrol(county_clerk, "rural-transfer", date(2015, 6, 1), date(2015, 6, 12), [MAN])
    second = enrol(
        county_clerk,
        "rural-transfer",
        date(2015, 6, 12),
        date(2015, 6, 20),
        [MAN, number("19880101")],
    )
    enrol(county_clerk, "rural-transfer", date(2015, 6, 21), date(2015, 6, 30), [MAN])  # after
    (overlap,) = found(plan, Rule.OVERLAP)
    assert set(overlap.classes) == {first.pk, second.pk} and len(overlap.trainees) == 2
    assert overlap.detail.startswith("410621********") and MAN not in overlap.detail
    assert overlap.label == "同一人参加时间重叠的两个培训班"
    assert found(plan, Rule.DEPARTMENTS) == []  # one department


def test_the_same_person_counted_by_two_departments_in_the_same_kind(plan, clerk_of) -> None:
    hrss, agri = clerk_of("hrss", "410621"), clerk_of("agri", "410621")
    ours = enrol(hrss, "rural-transfer", date(2015, 3, 1), date(2015, 3, 10), [MAN])
    theirs = enrol(agri, "new-farmers", date(2015, 8, 1), date(2015, 8, 5), [MAN])
    enrol(agri, "new-farmers", date(2015, 9, 1), date(2015, 9, 5), [MAN], kind="upgrade")
    (twice,) = found(plan, Rule.DEPARTMENTS)
    assert set(twice.classes) == {ours.pk, theirs.pk}
    for department in Department.objects.filter(code__in=["hrss", "agri"]):
        assert f"（{department.short_name}）" in twice.detail


def test_a_disabled_trainee_without_a_card(plan, clerk_of) -> None:
    without, card_holder = number("19800101", "011"), number("19800101", "021")
    clerk = clerk_of("disabled", "410621")
    made = make_class(clerk, code="disabled", start=date(2015, 4, 1), end=date(2015, 4, 20))
    rows = [
        TypedRow(line=1, name="甲", id_number=without, household="浚县", category="残疾人"),
        TypedRow(
            line=2,
            name="乙",
            id_number=card_holder,
            household="浚县",
            category="残疾人",
            disability_card=card_holder + "12",
        ),
    ]
    services.roster_replace(actor=clerk, training_class=made, rows=rows)
    (missing,) = found(plan, Rule.NO_DISABILITY_CARD)
    assert missing.detail == without[:6] + "********" + without[14:]


def test_a_person_outside_the_items_category(plan, county_clerk, clerk_of) -> None:
    employee, farmer, founder = (number("19850505", seq) for seq in ("031", "041", "051"))
    rural = enrol(
        county_clerk,
        "rural-transfer",
        date(2015, 5, 4),
        date(2015, 5, 9),
        [MAN, employee],
        categories={employee: "在岗职工"},
    )
    # 创业培训 takes anyone: a 新型职业农民 there is no finding.
    enrol(
        county_clerk,
        "entrepreneurship",
        date(2015, 7, 1),
        date(2015, 7, 5),
        [farmer, founder],
        categories={farmer: "新型职业农民", founder: "其他人员"},
    )
    (outside,) = found(plan, Rule.CATEGORY)
    assert outside.classes == (rural.pk,)
    assert outside.trainees == (rural.trainees.get(row=2).pk,)
    assert outside.detail.startswith(employee[:6] + "********" + employee[14:] + "：在岗职工")
    assert employee not in outside.detail


def test_ages_outside_16_to_60_when_the_class_starts(plan, county_clerk) -> None:
    young, sixteen = number("19990602", "031"), number("19990601", "041")
    sixty, old = number("19540602", "051"), number("19540601", "061")
    enrol(county_clerk, "rural-transfer", date(2015, 6, 1), date(2015, 6, 9), [young, sixteen])
    enrol(county_clerk, "in-service", date(2015, 6, 1), date(2015, 6, 9), [sixty, old])
    ages = sorted(finding.detail for finding in found(plan, Rule.AGE))
    assert ages == sorted(
        [f"{old[:6]}********{old[14:]}：61岁", f"{young[:6]}********{young[14:]}：15岁"]
    )


def test_a_roster_changed_after_its_months_figure_was_approved(plan, county_clerk, figure):
    before = datetime(2015, 6, 25, tzinfo=UTC)
    on_time = enrol(county_clerk, "rural-transfer", date(2015, 6, 1), date(2015, 6, 9), [MAN])
    on_time.roster_changed_at = before  # saved before the approval below
    TrainingClass.objects.filter(pk=on_time.pk).update(roster_changed_at=before)
    figure("rural-transfer", "410621", 6, 2, status="approved")
    late = enrol(county_clerk, "rural-transfer", date(2015, 6, 10), date(2015, 6, 19), [MAN])
    enrol(county_clerk, "rural-transfer", date(2015, 7, 1), date(2015, 7, 9), [MAN])  # no figure
    (after,) = found(plan, Rule.AFTER_APPROVAL)
    assert after.classes == (late.pk,)


def test_two_classes_with_the_same_roster(plan, county_clerk) -> None:
    people = [number("19800101", f"{n:03d}") for n in (71, 81, 91)]
    one = enrol(county_clerk, "rural-transfer", date(2015, 3, 1), date(2015, 3, 9), people)
    two = enrol(county_clerk, "in-service", date(2015, 5, 1), date(2015, 5, 9), people[::-1])
    enrol(county_clerk, "in-service", date(2015, 7, 1), date(2015, 7, 9), people[:2])
    (same,) = found(plan, Rule.SAME_ROSTER)
    assert set(same.classes) == {one.pk, two.pk} and same.detail == "2个培训班，各3人"


def test_a_plan_without_rosters_has_no_findings(plan) -> None:
    assert roster_findings(plan) == []
