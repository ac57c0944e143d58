"""A county's figure broken down by its parts (``breakdown_save``): saved whole, adding up to
the figure, by the clerk who may enter it, while it is theirs to change; a figure changed
afterwards is not sent; a correction starts without one."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from targets.models import (
    Indicator,
    Plan,
    Region,
    Submission,
    TownshipFigure,
)
from targets.services import (
    breakdown_save,
    check_breakdown,
    submission_approve,
    submission_correct,
    submission_save,
    submission_submit,
)
from tests.helpers import parts_for
from tests.targets.services_flow import Status, message

pytestmark = pytest.mark.django_db

CODES = ("410621001", "410621002", "410621003")


@pytest.fixture
def parts(plan: Plan) -> list[Region]:
    return parts_for("410621", "城关镇", "善堂镇", "屯子镇")


@pytest.fixture
def draft(clerk: Any, rural: Indicator, xun: Region, parts: list[Region]) -> Submission:
    """浚县's March figure of rural-transfer, 100, a draft of the city-wide HR clerk."""
    return submission_save(actor=clerk, indicator=rural, region=xun, month=3, value=100)


def stored(submission: Submission) -> dict[str, int]:
    return dict(
        TownshipFigure.objects.filter(submission=submission).values_list("township__code", "value")
    )


def by_code(*values: int | None) -> dict[str, int | None]:
    return dict(zip(CODES, values, strict=True))


def test_a_breakdown_adding_up_to_the_figure_is_saved(clerk: Any, draft: Submission) -> None:
    saved = breakdown_save(actor=clerk, submission=draft, values=by_code(50, 30, 20))
    assert [(f.township.code, f.value) for f in saved] == list(by_code(50, 30, 20).items())
    assert stored(draft) == by_code(50, 30, 20)
    # Saved again: replaced whole.
    breakdown_save(actor=clerk, submission=draft, values=by_code(0, 60, 40))
    assert stored(draft) == by_code(0, 60, 40)


def test_the_countys_own_clerk_breaks_it_down_too(
    county_clerk: Any, draft: Submission, parts: list[Region]
) -> None:
    breakdown_save(actor=county_clerk, submission=draft, values=by_code(100, 0, 0))
    assert stored(draft) == by_code(100, 0, 0)


def test_a_breakdown_not_adding_up_is_refused_and_changes_nothing(
    clerk: Any, draft: Submission
) -> None:
    breakdown_save(actor=clerk, submission=draft, values=by_code(50, 30, 20))
    with pytest.raises(ValidationError) as caught:
        breakdown_save(actor=clerk, submission=draft, values=by_code(50, 30, 21))
    assert "各乡镇（责任单位）合计 101，与上报数 100 不一致" in message(caught.value)
    assert stored(draft) == by_code(50, 30, 20)


def test_every_part_is_given(clerk: Any, draft: Submission) -> None:
    with pytest.raises(ValidationError) as caught:
        breakdown_save(actor=clerk, submission=draft, values=by_code(50, 50, None))
    assert "没有发生请填 0" in message(caught.value) and "屯子镇" in message(caught.value)
    with pytest.raises(ValidationError):
        breakdown_save(actor=clerk, submission=draft, values={CODES[0]: 100})
    assert not stored(draft)


@pytest.mark.parametrize("code", ["410611001", "410621", "410621009"])
def test_a_code_not_of_the_countys_parts_is_refused(
    clerk: Any, draft: Submission, code: str
) -> None:
    parts_for("410611", "金山街道")  # 淇滨区's: 410611001
    with pytest.raises(ValidationError) as caught:
        breakdown_save(actor=clerk, submission=draft, values={**by_code(50, 30, 20), code: 0})
    assert code in message(caught.value) and "浚县" in message(caught.value)
    # Blank does not hide it.
    with pytest.raises(ValidationError):
        breakdown_save(actor=clerk, submission=draft, values={code: None})
    assert not stored(draft)


@pytest.mark.parametrize(
    ("value", "said"), [(-1, "不能为负数"), (100_000_000, "数值过大"), ("5", "必须是整数")]
)
def test_a_part_takes_a_figure(clerk: Any, draft: Submission, value: Any, said: str) -> None:
    with pytest.raises(ValidationError) as caught:
        breakdown_save(actor=clerk, submission=draft, values=by_code(value, 50, 50))
    assert said in message(caught.value) and "城关镇" in message(caught.value)
    assert not stored(draft)


def test_another_countys_or_departments_clerk_is_refused(clerk_of: Any, draft: Submission) -> None:
    for other in (clerk_of("hrss", "410611"), clerk_of("agri")):
        with pytest.raises(PermissionDenied):
            breakdown_save(actor=other, submission=draft, values=by_code(50, 30, 20))
    assert not stored(draft)


def test_a_reviewer_is_refused(reviewer: Any, draft: Submission) -> None:
    with pytest.raises(PermissionDenied):
        breakdown_save(actor=reviewer, submission=draft, values=by_code(50, 30, 20))


def test_a_figure_sent_or_approved_is_not_broken_down(
    clerk: Any, reviewer: Any, draft: Submission
) -> None:
    submission_submit(actor=clerk, submission=draft)
    with pytest.raises(ValidationError) as caught:
        breakdown_save(actor=clerk, submission=draft, values=by_code(50, 30, 20))
    assert "等待审核" in message(caught.value)
    submission_approve(actor=reviewer, submission=draft)
    with pytest.raises(ValidationError) as caught:
        breakdown_save(actor=clerk, submission=draft, values=by_code(50, 30, 20))
    assert "已审核锁定" in message(caught.value)
    assert not stored(draft)


def test_a_returned_figure_is_broken_down(clerk: Any, reviewer: Any, figure: Any) -> None:
    parts_for("410621", "城关镇", "善堂镇", "屯子镇")
    returned = figure("rural-transfer", "410621", 3, 100, status="returned")
    breakdown_save(actor=clerk, submission=returned, values=by_code(50, 30, 20))
    assert stored(returned) == by_code(50, 30, 20)


def test_an_empty_breakdown_removes_it(clerk: Any, draft: Submission) -> None:
    for empty in ({}, by_code(None, None, None)):
        breakdown_save(actor=clerk, submission=draft, values=by_code(50, 30, 20))
        assert breakdown_save(actor=clerk, submission=draft, values=empty) == []
        assert not stored(draft)


def test_a_figure_changed_after_its_breakdown_is_not_sent(
    clerk: Any, draft: Submission, rural: Indicator, xun: Region
) -> None:
    breakdown_save(actor=clerk, submission=draft, values=by_code(50, 30, 20))
    submission_save(actor=clerk, indicator=rural, region=xun, month=3, value=120)
    with pytest.raises(ValidationError) as caught:
        submission_submit(actor=clerk, submission=draft)
    assert message(caught.value) == "乡镇（责任单位）分解合计与上报数不一致，请先修改分解。"
    draft.refresh_from_db()
    # Nothing lost: the figure is still a draft with its new value, the breakdown kept.
    assert (draft.status, draft.value) == (Status.DRAFT, 120)
    assert stored(draft) == by_code(50, 30, 20)
    breakdown_save(actor=clerk, submission=draft, values=by_code(50, 30, 40))
    submission_submit(actor=clerk, submission=draft)
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED


def test_a_figure_without_a_breakdown_is_sent_as_before(clerk: Any, draft: Submission) -> None:
    check_breakdown(draft)
    submission_submit(actor=clerk, submission=draft)
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED


def test_a_correction_starts_without_a_breakdown(
    clerk: Any, reviewer: Any, draft: Submission
) -> None:
    breakdown_save(actor=clerk, submission=draft, values=by_code(50, 30, 20))
    submission_submit(actor=clerk, submission=draft)
    submission_approve(actor=reviewer, submission=draft)
    correction = submission_correct(actor=clerk, submission=draft, value=130, reason="漏报一期")
    assert not stored(correction)
    assert stored(draft) == by_code(50, 30, 20)  # the approved revision keeps its own
    submission_submit(actor=clerk, submission=correction)  # no breakdown: sent as it is
    # The old revision's breakdown is not changed any more.
    with pytest.raises(ValidationError) as caught:
        breakdown_save(actor=clerk, submission=draft, values=by_code(100, 0, 0))
    assert "旧版本" in message(caught.value)


def test_a_closed_plan_takes_no_breakdown(clerk: Any, draft: Submission, plan: Plan) -> None:
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.CLOSED)
    with pytest.raises(ValidationError) as caught:
        breakdown_save(actor=clerk, submission=draft, values=by_code(50, 30, 20))
    assert "不在执行中" in message(caught.value)
