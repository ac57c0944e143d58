"""The invariants hold in the database itself, and model validation explains them in Chinese.

The database half bypasses model validation (``create``, ``bulk_create``, ``update``) and
expects an IntegrityError; it runs on whatever database is configured (SQLite locally,
PostgreSQL in CI through DATABASE_URL).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from targets.models import (
    MAX_FIGURE,
    Indicator,
    Plan,
    Region,
    Submission,
)

pytestmark = pytest.mark.django_db


def refused_by_database(write: Callable[[], Any]) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


@pytest.fixture
def clerk(make_user: Callable[..., Any], plan: Plan) -> Any:
    return make_user("clerk", department="hrss")


@pytest.fixture
def reviewer(make_user: Callable[..., Any], plan: Plan) -> Any:
    return make_user("reviewer")


@pytest.fixture
def cell(clerk: Any, rural: Indicator, qibin: Region) -> Callable[..., dict[str, Any]]:
    """The fields of a valid draft figure of 淇滨区, March, with overrides."""

    def fields(**overrides: Any) -> dict[str, Any]:
        values: dict[str, Any] = {
            "indicator": rural,
            "region": qibin,
            "month": 3,
            "revision": 1,
            "is_current": True,
            "value": 100,
            "status": Submission.Status.DRAFT,
            "entered_by": clerk,
            "entered_at": timezone.now(),
        }
        values.update(overrides)
        return values

    return fields


# --- Submissions -------------------------------------------------------------------------------


def test_a_valid_figure_is_accepted(cell: Callable[..., dict[str, Any]]) -> None:
    # The control for every refusal below: only the named field makes the row invalid.
    Submission.objects.create(**cell())
    Submission.objects.create(**cell(month=1, value=0))
    Submission.objects.create(**cell(month=12, value=MAX_FIGURE))
    assert Submission.objects.count() == 3


# What the database refuses on a figure, written as it is inserted and as it is updated.
BAD_FIGURES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "negative-value": ({"value": -1}, {"value": -5}),
    "value-over-the-maximum": ({"value": MAX_FIGURE + 1}, {"value": 2**31}),
    "month-0": ({"month": 0}, {"month": 0}),
    "month-13": ({"month": 13}, {"month": 13}),
    "revision-0": ({"revision": 0}, {"revision": 0}),
    "revision-2-without-reason": ({"revision": 2}, {"revision": 2}),
}


@pytest.mark.parametrize("case", BAD_FIGURES)
def test_database_refuses_bad_figure_on_insert(
    cell: Callable[..., dict[str, Any]], case: str
) -> None:
    overrides = BAD_FIGURES[case][0]
    refused_by_database(lambda: Submission.objects.create(**cell(**overrides)))
    refused_by_database(lambda: Submission.objects.bulk_create([Submission(**cell(**overrides))]))
    assert Submission.objects.count() == 0


@pytest.mark.parametrize("case", BAD_FIGURES)
def test_database_refuses_bad_figure_on_update(
    cell: Callable[..., dict[str, Any]], case: str
) -> None:
    changes = BAD_FIGURES[case][1]
    figure = Submission.objects.create(**cell())
    refused_by_database(lambda: Submission.objects.filter(pk=figure.pk).update(**changes))
    figure.refresh_from_db()
    assert (figure.value, figure.month, figure.revision) == (100, 3, 1)


def test_revision_2_with_a_reason_is_accepted(cell: Callable[..., dict[str, Any]]) -> None:
    Submission.objects.create(**cell(is_current=False))
    Submission.objects.create(**cell(revision=2, correction_reason="统计口径更正"))
    assert Submission.objects.filter(is_current=True).count() == 1


def test_second_current_revision_is_refused(cell: Callable[..., dict[str, Any]]) -> None:
    Submission.objects.create(**cell())
    refused_by_database(
        lambda: Submission.objects.create(**cell(revision=2, correction_reason="更正"))
    )
    # Making the older revision current again while a newer one is current: also refused.
    Submission.objects.filter(revision=1).update(is_current=False)
    Submission.objects.create(**cell(revision=2, correction_reason="更正"))
    refused_by_database(lambda: Submission.objects.filter(revision=1).update(is_current=True))
    assert list(Submission.objects.filter(is_current=True).values_list("revision", flat=True)) == [
        2
    ]


def test_current_revisions_of_different_cells_coexist(
    cell: Callable[..., dict[str, Any]], regions: dict[str, Region]
) -> None:
    Submission.objects.create(**cell())
    Submission.objects.create(**cell(month=4))
    Submission.objects.create(**cell(region=regions["410621"]))
    assert Submission.objects.filter(is_current=True).count() == 3


def test_duplicate_revision_number_is_refused(cell: Callable[..., dict[str, Any]]) -> None:
    Submission.objects.create(**cell(is_current=False))
    refused_by_database(lambda: Submission.objects.create(**cell(is_current=True)))
    refused_by_database(lambda: Submission.objects.create(**cell(is_current=False)))
    assert Submission.objects.count() == 1


def test_approved_without_reviewer_is_refused(
    cell: Callable[..., dict[str, Any]], clerk: Any, reviewer: Any
) -> None:
    now = timezone.now()
    submitted = {"submitted_by": clerk, "submitted_at": now}
    refused_by_database(lambda: Submission.objects.create(**cell(status="approved", **submitted)))
    refused_by_database(
        lambda: Submission.objects.create(
            **cell(status="approved", reviewed_by=reviewer, **submitted)
        )
    )
    figure = Submission.objects.create(**cell(status="submitted", **submitted))
    refused_by_database(lambda: Submission.objects.filter(pk=figure.pk).update(status="approved"))
    Submission.objects.filter(pk=figure.pk).update(
        status="approved", reviewed_by=reviewer, reviewed_at=now
    )
    figure.refresh_from_db()
    assert figure.status == Submission.Status.APPROVED


@pytest.mark.parametrize("status", ["submitted", "approved", "returned"])
def test_beyond_draft_without_submitter_is_refused(
    cell: Callable[..., dict[str, Any]], reviewer: Any, status: str
) -> None:
    reviewed = {"reviewed_by": reviewer, "reviewed_at": timezone.now()}
    refused_by_database(lambda: Submission.objects.create(**cell(status=status, **reviewed)))
    figure = Submission.objects.create(**cell())
    refused_by_database(lambda: Submission.objects.filter(pk=figure.pk).update(status=status))
    assert Submission.objects.get().status == Submission.Status.DRAFT


# --- The same invariants at the model level: a clear Chinese message ---------------------------


def messages(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def full_clean_message(instance: Any) -> str:
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return messages(caught.value)


def test_full_clean_negative_value(cell: Callable[..., dict[str, Any]]) -> None:
    assert "不能为负数" in full_clean_message(Submission(**cell(value=-1)))


@pytest.mark.parametrize("month", [0, 13])
def test_full_clean_month_out_of_range(cell: Callable[..., dict[str, Any]], month: int) -> None:
    assert "1 到 12" in full_clean_message(Submission(**cell(month=month)))


def test_full_clean_revision_2_without_reason(cell: Callable[..., dict[str, Any]]) -> None:
    assert "更正理由" in full_clean_message(Submission(**cell(revision=2)))


def test_full_clean_second_current_revision(cell: Callable[..., dict[str, Any]]) -> None:
    Submission.objects.create(**cell())
    message = full_clean_message(Submission(**cell(revision=2, correction_reason="更正")))
    assert "只能有一个当前版本" in message


def test_full_clean_approved_without_reviewer(
    cell: Callable[..., dict[str, Any]], clerk: Any
) -> None:
    figure = Submission(**cell(status="approved", submitted_by=clerk, submitted_at=timezone.now()))
    assert "审核人" in full_clean_message(figure)
