"""Cloning a plan into a new draft year: every definition field copied, nothing that happened."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from targets import services
from targets.models import (
    Indicator,
    Milestone,
    Plan,
    RegionTarget,
    Submission,
    SubmissionEvent,
    SupervisionNotice,
)
from targets.services.plan_definition import plan_clone, shift_years
from tests.targets.workbooks.plan_book import dump

# What a clone sets itself rather than copying.
PLAN_OWN = {"id", "year", "doc_number", "title", "status"}
PLAN_DATES = ("written_on", "published_on", "starts_on", "ends_on")


def _indicator(plan: Plan, code: str) -> Indicator:
    return Indicator.objects.get(plan=plan, code=code)


@pytest.fixture
def source(plan: Plan, regions: dict[str, Any], make_user: Any) -> Plan:
    """The 2015 plan with county splits, progress on a milestone, a figure and a notice."""
    services.region_target_set(
        reason="测试：县区分解",
        indicator=_indicator(plan, "rural-transfer"),
        region=regions["410611"],
        target=6000,
    )
    services.region_target_set(
        reason="测试：县区分解",
        indicator=_indicator(plan, "rural-transfer"),
        region=regions["410621"],
        target=5000,
    )
    RegionTarget.objects.filter(region__code="410621").update(is_demo=True)
    plan.milestones.filter(code="publicity").update(status="done", evidence="已开展宣传月活动")
    plan.deadline_day = 8
    plan.save()
    clerk = make_user("clerk", department="hrss")
    reviewer = make_user("reviewer")
    figure = services.submission_save(
        actor=clerk,
        indicator=_indicator(plan, "rural-transfer"),
        region=regions["410611"],
        month=3,
        value=1200,
    )
    services.submission_submit(actor=clerk, submission=figure)
    services.submission_approve(actor=reviewer, submission=figure)
    services.notice_raise(plan=plan, indicator=_indicator(plan, "in-service"), region=None, month=3)
    Plan.objects.filter(pk=plan.pk).update(review_levels=2)  # set after the city's approval
    plan.refresh_from_db()
    return plan


def test_it_copies_every_definition_field(source: Plan) -> None:
    before = dump(source)

    new = plan_clone(source=source, year=2016, doc_number="鹤政办〔2016〕12号")

    copied = dump(new)
    expected = dump(source)
    for field in PLAN_OWN - {"id"}:
        expected["plan"].pop(field)
        copied["plan"].pop(field)
    for field in PLAN_DATES:
        assert copied["plan"].pop(field) == shift_years(expected["plan"].pop(field), 1)
    assert copied["plan"] == expected["plan"]  # parent document, issuer, deadline day
    assert copied["plan"]["deadline_day"] == 8
    assert copied["plan"]["review_levels"] == 2
    assert copied["indicators"] == expected["indicators"]
    assert len(copied["indicators"]) == 21
    assert copied["splits"] == expected["splits"]
    assert ("rural-transfer", "410621", 5000, True) in copied["splits"]
    for old, clone in zip(expected["milestones"], copied["milestones"], strict=True):
        assert clone.pop("due_on") == shift_years(old.pop("due_on"), 1)
        assert (clone.pop("status"), clone.pop("evidence")) == ("not-started", "")
        old.pop("status"), old.pop("evidence")
        assert clone == old
    assert dump(source) == before  # the original is untouched


def test_it_makes_a_draft_of_its_own(source: Plan) -> None:
    new = plan_clone(source=source, year=2016, doc_number="鹤政办〔2016〕12号")

    assert (new.year, new.doc_number, new.status) == (2016, "鹤政办〔2016〕12号", "draft")
    assert new.title == "鹤壁市2016年深入实施全民技能振兴工程工作方案"
    assert (new.starts_on, new.ends_on) == (date(2016, 1, 1), date(2016, 12, 31))


def test_references_point_at_the_new_plans_indicators(source: Plan) -> None:
    new = plan_clone(source=source, year=2016, doc_number="鹤政办〔2016〕12号")

    refs = Indicator.objects.filter(plan=new).exclude(numerator=None, denominator=None, feeds=None)
    assert refs.count() == 12  # eight quotas feed the training goal, four rates
    for indicator in refs.select_related("numerator", "denominator", "feeds"):
        for other in (indicator.numerator, indicator.denominator, indicator.feeds):
            assert other is None or other.plan_id == new.pk
    pass_rate = _indicator(new, "veterans-pass")
    assert (pass_rate.numerator.code, pass_rate.denominator.code) == (
        "veterans-passed",
        "veterans-trained",
    )
    assert _indicator(new, "rain-dew").feeds == _indicator(new, "training-total")
    assert RegionTarget.objects.filter(indicator__plan=new).count() == 2
    assert not RegionTarget.objects.filter(indicator__plan=new, indicator__plan__year=2015)


def test_nothing_that_happened_is_copied(source: Plan) -> None:
    assert Submission.objects.filter(indicator__plan=source).exists()
    assert SupervisionNotice.objects.filter(plan=source).exists()
    counts = (Submission.objects.count(), SubmissionEvent.objects.count())

    new = plan_clone(source=source, year=2016, doc_number="鹤政办〔2016〕12号")

    assert not Submission.objects.filter(indicator__plan=new).exists()
    assert not SupervisionNotice.objects.filter(plan=new).exists()
    assert (Submission.objects.count(), SubmissionEvent.objects.count()) == counts
    assert not new.milestones.exclude(status="not-started").exists()
    assert not new.milestones.exclude(evidence="").exists()


def test_29_february_becomes_the_28th(source: Plan) -> None:
    assert shift_years(date(2016, 2, 29), 1) == date(2017, 2, 28)
    assert shift_years(date(2016, 2, 29), 4) == date(2020, 2, 29)
    assert shift_years(date(2015, 3, 1), 1) == date(2016, 3, 1)
    leap = plan_clone(source=source, year=2016, doc_number="鹤政办〔2016〕12号")
    leap.milestones.filter(code="publicity").update(due_on=date(2016, 2, 29))

    common = plan_clone(source=leap, year=2017, doc_number="鹤政办〔2017〕3号")

    assert common.milestones.get(code="publicity").due_on == date(2017, 2, 28)
    assert common.milestones.get(code="skill-competitions").due_on == date(2017, 12, 31)


@pytest.mark.parametrize(
    ("year", "doc_number", "field", "message"),
    [
        (2015, "鹤政办〔2016〕12号", "year", "2015 年度方案已存在"),
        (
            2016,
            "鹤政办〔2015〕39号",
            "doc_number",
            "文号“鹤政办〔2015〕39号”已被 2015 年度方案使用",
        ),
        (1999, "新文号", "year", "年度必须是 2000 到 2100 之间的整数"),
    ],
)
def test_it_refuses_a_taken_year_or_document_number(
    source: Plan, year: int, doc_number: str, field: str, message: str
) -> None:
    before = (Plan.objects.count(), Indicator.objects.count(), Milestone.objects.count())

    with pytest.raises(ValidationError) as refused:
        plan_clone(source=source, year=year, doc_number=doc_number)

    assert message in " ".join(refused.value.message_dict[field])
    assert (Plan.objects.count(), Indicator.objects.count(), Milestone.objects.count()) == before


def test_without_a_document_number_it_says_one_is_pending(source: Plan) -> None:
    new = plan_clone(source=source, year=2016)

    assert new.doc_number == "2016年方案（文号待定）"


def test_the_command_clones(source: Plan, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("clone_plan", "2015", "2016", "--doc-number", "鹤政办〔2016〕12号")

    new = Plan.objects.get(year=2016)
    assert (new.doc_number, new.status) == ("鹤政办〔2016〕12号", "draft")
    assert (
        "2016 鹤政办〔2016〕12号 (draft): 21 indicators, 13 milestones" in capsys.readouterr().out
    )


def test_the_command_says_why_it_refuses(source: Plan) -> None:
    with pytest.raises(CommandError, match="2015 年度方案已存在"):
        call_command("clone_plan", "2015", "2015", "--doc-number", "x")
    with pytest.raises(CommandError, match="没有 2013 年度方案"):
        call_command("clone_plan", "2013", "2016")
    assert Plan.objects.count() == 1
