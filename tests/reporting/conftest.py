"""Figures built through the services, as a clerk and a reviewer would make them."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from django.db import transaction

from reporting.rollup import rebuild
from targets import services
from targets.models import Indicator, Plan, Region, RegionTarget, Submission, places_of
from targets.roster_rows import TypedRow
from tests.demo_snapshot import demo_rolled_up
from tests.targets.rosters import OTHER_XUN, XUN_MAN, make_class
from tests.targets.rosters import person as _person


@pytest.fixture
def correct(clerk_of, reviewer) -> Callable[..., Submission]:
    """Correct an approved figure to ``value``; approve the correction unless told not to."""

    def make(submission: Submission, value: int, approve: bool = True) -> Submission:
        clerk = clerk_of(submission.indicator.department.code)
        correction = services.submission_correct(
            actor=clerk, submission=submission, value=value, reason="补录漏报"
        )
        if approve:
            services.submission_submit(actor=clerk, submission=correction)
            services.submission_approve(actor=reviewer, submission=correction)
        correction.refresh_from_db()
        return correction

    return make


@pytest.fixture
def enter(clerk_of, reviewer) -> Callable[..., None]:
    """An approved figure of (plan, series code, county, month), through the services."""

    def make(plan: Plan, code: str, region: str, month: int, value: int) -> None:
        indicator = Indicator.objects.select_related("department", "plan").get(plan=plan, code=code)
        clerk = clerk_of(indicator.department.code)
        submission = services.submission_save(
            actor=clerk,
            indicator=indicator,
            region=Region.objects.get(code=region),
            month=month,
            value=value,
        )
        services.submission_submit(actor=clerk, submission=submission)
        services.submission_approve(actor=reviewer, submission=submission)

    return make


@pytest.fixture
def split(plan: Plan) -> Callable[..., None]:
    """Give a quota of the plan a county target (年中 or 年初分解), through the service."""

    def make(code: str, region: str, target: int, reason: str = "测试：县区分解") -> None:
        services.region_target_set(
            reason=reason,
            indicator=Indicator.objects.get(plan=plan, code=code),
            region=Region.objects.get(code=region),
            target=target,
        )

    return make


@pytest.fixture
def split_in_two(split) -> Callable[[], None]:
    """Rural transfer (6,000 and 4,000) and in-service training (5,000 each) split to 淇滨区
    and 浚县 at the start of the year, when called."""

    def make() -> None:
        for code, region, target in [
            ("rural-transfer", "410611", 6000),
            ("rural-transfer", "410621", 4000),
            ("in-service", "410611", 5000),
            ("in-service", "410621", 5000),
        ]:
            split(code, region, target, reason="年初分解")

    return make


@pytest.fixture
def bulletin_march(plan, figure, time_machine) -> Submission:
    """March's figures for a bulletin, sent on time (淇滨区's rural transfer, 1,200 of a 6,000
    split, is returned for correcting), and the clock after March's deadline (5 April)."""
    time_machine.move_to("2015-04-02 10:00 +08:00")
    RegionTarget.objects.create(
        indicator=Indicator.objects.get(plan=plan, code="rural-transfer"),
        region=Region.objects.get(code="410611"),
        target=6000,
    )
    rural = figure("rural-transfer", "410611", 3, 1200)
    figure("in-service", "410621", 3, 2300)
    rebuild(plan)
    time_machine.move_to("2015-04-10 10:00 +08:00")
    return rural


@pytest.fixture
def county_march(plan, figure, split, complete, time_machine) -> Plan:
    """March in 浚县 (410621) for its own bulletin and workbook, sent on time, and the clock
    after March's deadline (5 April):

    - rural transfer 1,200 of a 4,000 split (30.0 %, green); in-service 200 of a 5,000 split
      sent but not approved (pending, red once approved); re-employment 700, not split to 浚县;
    - veterans 200 eligible, 180 aware (90 % of 100 %, amber), 150 registered (75 %, red),
      98 trained (participation 65.3 % of 90 %, red), 90 passed (91.8 % of 90 %, green);
    - 淇滨区 (410611): rural transfer 999 of a 6,000 split, which no 浚县 paper may show;
    - every other cell of March approved as 0, so the rows are judged.
    """
    time_machine.move_to("2015-04-02 10:00 +08:00")
    split("rural-transfer", "410621", 4000)
    split("in-service", "410621", 5000)
    split("rural-transfer", "410611", 6000)
    figure("rural-transfer", "410621", 3, 1200)
    figure("in-service", "410621", 3, 200, status="submitted")
    figure("reemployment", "410621", 3, 700)
    for code, value in [
        ("veterans-eligible", 200),
        ("veterans-aware", 180),
        ("veterans-registered", 150),
        ("veterans-trained", 98),
        ("veterans-passed", 90),
    ]:
        figure(code, "410621", 3, value)
    figure("rural-transfer", "410611", 3, 999, note="淇滨区的数")
    complete(3)
    rebuild(plan)
    time_machine.move_to("2015-04-10 10:00 +08:00")
    return plan


@pytest.fixture(scope="module")
def demo_plan(django_db_setup, django_db_blocker) -> Iterator[Plan]:
    """The demo once for a test module, rolled up, in a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_rolled_up("demo-pass-for-tests")
        transaction.set_rollback(True)


@pytest.fixture
def beat_schedules(db) -> None:
    """The beat schedules the data migrations made.

    A transactional test empties every table when it ends; pytest-django runs those last, but
    under pytest-xdist a process takes files in turn, so one may have run here already. Then
    the schedules are made again by the migrations' own functions (it is those the tests read).
    """
    from importlib import import_module

    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    if PeriodicTask.objects.exists():
        return
    for name in ("0002_nightly_rebuild_schedule", "0005_reminder_schedule", "0009_pending_rollup"):
        import_module(f"reporting.migrations.{name}").forward(apps, None)


@pytest.fixture
def complete(plan, clerk_of, reviewer) -> Callable[..., int]:
    """Approve a figure (``value``, default 0) for every cell of ``month`` that has none
    counted yet, except the (series code, region code) pairs in ``leave``: the month is then
    fully reported, and its rows judged. Written directly (services per cell are slow);
    returns how many cells were filled."""
    from django.utils import timezone

    def make(month: int, value: int = 0, leave: tuple[tuple[str, str], ...] = ()) -> int:
        counted = set(
            Submission.objects.filter(
                indicator__plan=plan, month=month, is_counted=True
            ).values_list("indicator_id", "region_id")
        )
        current = set(
            Submission.objects.filter(
                indicator__plan=plan, month=month, is_current=True
            ).values_list("indicator_id", "region_id")
        )
        now = timezone.now()
        rows = []
        for indicator in (
            Indicator.objects.filter(plan=plan, accepts_figures=True)
            .exclude(kind=Indicator.Kind.RATE)
            .select_related("department")
        ):
            for region in places_of(plan):
                key = (indicator.pk, region.pk)
                if key in counted or key in current or (indicator.code, region.code) in leave:
                    continue
                clerk = clerk_of(indicator.department.code)
                rows.append(
                    Submission(
                        indicator=indicator,
                        region=region,
                        month=month,
                        value=value,
                        status=Submission.Status.APPROVED,
                        is_counted=True,
                        entered_by=clerk,
                        entered_at=now,
                        submitted_by=clerk,
                        submitted_at=now,
                        first_submitted_at=now,
                        reviewed_by=reviewer,
                        reviewed_at=now,
                    )
                )
        Submission.objects.bulk_create(rows)
        return len(rows)

    return make


@pytest.fixture
def require_broker() -> None:
    """A real Redis broker (``CELERY_BROKER_URL``): skipped without one, failed in CI."""
    if os.environ.get("CELERY_BROKER_URL"):
        return
    message = "needs Redis: set CELERY_BROKER_URL"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true: {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture
def xun_figures(plan, figure, split) -> None:
    """浚县 (410621) over two months, with its split targets, beside 淇滨区's figures; rolled
    up. As of February 浚县 has: rural transfer 400 + 300 of 5,000; in-service 1,000 of 4,000;
    200 reported against training-total itself; an enrolment level of 3,500 (3,000 in
    January); veterans 18 aware of 20 eligible."""
    split("rural-transfer", "410621", 5000)
    split("in-service", "410621", 4000)
    split("rural-transfer", "410611", 6000)
    figure("rural-transfer", "410621", 1, 400)
    figure("rural-transfer", "410621", 2, 300)
    figure("in-service", "410621", 2, 1000)
    figure("training-total", "410621", 2, 200)
    figure("vocational-enrolment", "410621", 1, 3000)
    figure("vocational-enrolment", "410621", 2, 3500)
    figure("veterans-eligible", "410621", 1, 20)
    figure("veterans-aware", "410621", 1, 18)
    # 淇滨区's: never on 浚县's page or in its document.
    figure("rural-transfer", "410611", 1, 1000)
    figure("rural-transfer", "410611", 2, 2500)
    figure("vocational-enrolment", "410611", 2, 9000)
    figure("veterans-eligible", "410611", 1, 40)
    figure("veterans-aware", "410611", 1, 10)
    rebuild(plan)


@pytest.fixture
def rosters(plan: Any, county_clerk: Any, figure: Any) -> None:
    """浚县, June: two classes of rural transfer whose dates overlap, the same man in both, and a
    disabled woman without a card; the approved June figure says 3 人次 (the rosters: 3)."""
    june = make_class(county_clerk, plan=plan)
    overlapping = make_class(
        county_clerk, plan=plan, occupation="焊工", start=date(2015, 6, 10), end=date(2015, 6, 20)
    )
    disabled = _person(OTHER_XUN, name="李四", category="残疾人")
    services.roster_replace(
        actor=county_clerk,
        training_class=june,
        rows=[TypedRow(line=1, **_person(XUN_MAN)), TypedRow(line=2, **disabled)],
    )
    services.roster_replace(
        actor=county_clerk, training_class=overlapping, rows=[TypedRow(line=1, **_person(XUN_MAN))]
    )
    figure("rural-transfer", "410621", 6, 4)  # approved: one more than the rosters hold
