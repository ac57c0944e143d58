"""The rollup by hand: each kind of indicator, and the traps DESIGN.md warns of."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client, override_settings

from reporting.models import CompletenessRollup, PendingRollup, Rollup
from reporting.rollup import compute, compute_completeness, expected_share, rebuild, status_for
from reporting.tasks import rollup_plan
from targets import services
from targets.models import Department, Indicator, Region, Submission, places_of
from targets.periods import deadline

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def row(plan, code: str, region: str | None, month: int) -> Rollup:
    rebuild(plan)
    return Rollup.objects.get(plan=plan, indicator__code=code, region__code=region, month=month)


def split(plan, code: str, region: str, target: int) -> None:
    services.region_target_set(
        reason="测试：县区分解",
        indicator=Indicator.objects.get(plan=plan, code=code),
        region=Region.objects.get(code=region),
        target=target,
    )


class TestFlow:
    def test_sum_of_months_to_date(self, plan, figure) -> None:
        figure("rural-transfer", "410611", 1, 100)
        figure("rural-transfer", "410611", 2, 150)
        figure("rural-transfer", "410611", 3, 200)
        figure("rural-transfer", "410621", 2, 50)
        assert row(plan, "rural-transfer", "410611", 2).actual == 250
        march = row(plan, "rural-transfer", None, 3)
        assert march.actual == 500
        assert march.target == 20000
        assert march.completion == Decimal("0.025")
        assert march.expected == Decimal("0.25")
        assert march.status == "red"
        assert march.projected == 2000  # 500 × 12 / 3

    def test_figures_after_the_as_of_month_are_ignored(self, plan, figure) -> None:
        figure("rural-transfer", "410611", 3, 200)
        figure("rural-transfer", "410611", 5, 999)
        assert row(plan, "rural-transfer", "410611", 4).actual == 200
        assert row(plan, "rural-transfer", "410611", 5).actual == 1199

    def test_nothing_reported_is_zero_done(self, plan) -> None:
        nothing = row(plan, "disabled", None, 6)
        assert nothing.actual == 0
        assert nothing.completion == 0
        assert nothing.status == "red"

    @pytest.mark.parametrize("status", ["draft", "submitted", "returned"])
    def test_unapproved_figures_do_not_count(self, plan, figure, status) -> None:
        figure("rural-transfer", "410611", 1, 100)
        figure("rural-transfer", "410611", 2, 70, status=status)
        assert row(plan, "rural-transfer", "410611", 2).actual == 100

    def test_a_correction_replaces_never_adds(self, plan, figure, correct) -> None:
        january = figure("rural-transfer", "410611", 1, 100)
        correction = correct(january, 130, approve=False)
        # Until the correction is approved, the approved figure goes on counting.
        assert row(plan, "rural-transfer", "410611", 1).actual == 100
        services.submission_submit(actor=correction.entered_by, submission=correction)
        reviewer = january.reviewed_by
        services.submission_approve(actor=reviewer, submission=correction)
        assert row(plan, "rural-transfer", "410611", 1).actual == 130
        assert row(plan, "rural-transfer", None, 12).actual == 130

    def test_county_with_and_without_a_split_target(self, plan, figure) -> None:
        split(plan, "rural-transfer", "410611", 6000)
        figure("rural-transfer", "410611", 1, 600)
        figure("rural-transfer", "410621", 1, 300)
        with_split = row(plan, "rural-transfer", "410611", 1)
        assert with_split.target == 6000
        assert with_split.completion == Decimal("0.1")
        assert with_split.status == "green"  # 0.1 ≥ 1/12
        without = row(plan, "rural-transfer", "410621", 1)
        assert without.actual == 300
        assert without.target is None
        assert without.completion is None and without.status is None


class TestStock:
    def test_latest_level_never_a_sum(self, plan, figure) -> None:
        figure("vocational-enrolment", "410611", 1, 8000)
        figure("vocational-enrolment", "410611", 2, 8100)
        figure("vocational-enrolment", "410611", 4, 8050)
        figure("vocational-enrolment", "410621", 1, 5000)
        assert row(plan, "vocational-enrolment", "410611", 2).actual == 8100
        # No report in March: the level stays at February's.
        assert row(plan, "vocational-enrolment", "410611", 3).actual == 8100
        city_april = row(plan, "vocational-enrolment", None, 4)
        assert city_april.actual == 8050 + 5000
        assert city_april.completion == Decimal("0.32625")  # 13050 / 40000
        # A level is judged against its whole target, whatever the month.
        assert city_april.expected == 1
        assert city_april.status == "red"
        assert city_april.projected == 13050

    def test_no_level_yet_is_no_data(self, plan) -> None:
        empty = row(plan, "vocational-enrolment", None, 3)
        assert empty.actual is None
        assert empty.completion is None and empty.status is None


class TestRate:
    def test_ratio_of_year_to_date_sums(self, plan, figure) -> None:
        figure("veterans-eligible", "410611", 1, 10)
        figure("veterans-aware", "410611", 1, 9)
        figure("veterans-eligible", "410611", 2, 10)
        figure("veterans-aware", "410611", 2, 5)
        awareness = row(plan, "veterans-awareness", "410611", 2)
        assert (awareness.numerator, awareness.denominator) == (14, 20)
        assert awareness.rate == Decimal("0.7")
        assert awareness.target_rate == Decimal("1")
        assert awareness.completion == Decimal("0.7")
        assert awareness.status == "red"

    def test_participation_against_ninety_percent(self, plan, figure) -> None:
        figure("veterans-registered", "410621", 1, 8)
        figure("veterans-trained", "410621", 1, 7)
        participation = row(plan, "veterans-participation", None, 1)
        assert participation.rate == Decimal("0.875")
        assert participation.completion == Decimal("0.972222")  # 0.875 / 0.9
        assert participation.status == "amber"

    def test_zero_denominator_is_no_data(self, plan, figure) -> None:
        # (A numerator above a zero denominator is refused on entry: see test_services_rates.)
        figure("veterans-aware", "410611", 1, 0)
        figure("veterans-eligible", "410611", 1, 0)
        awareness = row(plan, "veterans-awareness", "410611", 1)
        assert awareness.denominator == 0
        assert awareness.rate is None
        assert awareness.completion is None and awareness.status is None


class TestGoal:
    def test_goal_is_its_own_figures_plus_the_quotas_feeding_it(self, plan, figure) -> None:
        figure("training-total", "410611", 1, 50)
        figure("rural-transfer", "410611", 1, 100)
        figure("disabled", "410621", 1, 30)
        figure("high-skill-talent", "410611", 1, 999)  # another goal: not training
        total = row(plan, "training-total", None, 1)
        assert total.actual == 180
        assert total.target == 70000
        assert total.unallocated == 70000 - 61450
        assert row(plan, "training-total", "410611", 1).actual == 150
        assert row(plan, "training-total", "410611", 1).unallocated is None
        assert row(plan, "high-skill-talent", None, 1).unallocated is None


class TestStatus:
    @pytest.mark.parametrize(
        ("completion", "expected", "margin", "status"),
        [
            ("0.75", "0.75", 10, "green"),
            ("0.7499", "0.75", 10, "amber"),
            ("0.65", "0.75", 10, "amber"),
            ("0.6499", "0.75", 10, "red"),
            ("0.70", "0.75", 5, "amber"),
            ("0.69", "0.75", 5, "red"),
            (None, "0.75", 10, None),
        ],
    )
    def test_thresholds(self, completion, expected, margin, status) -> None:
        with override_settings(AMBER_MARGIN_POINTS=margin):
            value = None if completion is None else Decimal(completion)
            assert status_for(value, Decimal(expected)) == status

    def test_expected_share(self) -> None:
        assert expected_share("flow", 9) == Decimal("0.75")
        assert expected_share("flow", 1) == Decimal("0.083333")
        assert expected_share("stock", 1) == 1
        assert expected_share("rate", 1) == 1


class TestCompleteness:
    def test_expected_received_on_time(self, plan, clerk_of) -> None:
        civil = Department.objects.get(code="civil")
        clerk = clerk_of("civil")
        eligible = Indicator.objects.get(plan=plan, code="veterans-eligible")
        aware = Indicator.objects.get(plan=plan, code="veterans-aware")
        qibin, xunxian = Region.objects.get(code="410611"), Region.objects.get(code="410621")

        def report(indicator, region, day: int) -> None:
            submission = services.submission_save(
                actor=clerk, indicator=indicator, region=region, month=3, value=1
            )
            at = datetime(2015, 4, day, 16, tzinfo=SHANGHAI)
            services.submission_submit(actor=clerk, submission=submission, at=at)

        report(eligible, qibin, 5)  # on the deadline day: on time
        report(aware, qibin, 6)  # a day late
        report(eligible, xunxian, 2)
        services.submission_save(  # a draft is not received
            actor=clerk, indicator=aware, region=xunxian, month=3, value=1
        )
        rows = {r.month: r for r in compute_completeness(plan, department_ids=[civil.pk])}
        # Five count series × six places (five counties and 市直) are expected each month.
        assert (rows[3].expected, rows[3].received, rows[3].on_time) == (30, 3, 2)
        assert (rows[4].expected, rows[4].received, rows[4].on_time) == (30, 0, 0)
        rebuild(plan)
        stored = CompletenessRollup.objects.get(plan=plan, department=civil, month=3)
        assert (stored.expected, stored.received, stored.on_time) == (30, 3, 2)


def test_rebuild_is_idempotent_and_complete(plan, figure) -> None:
    figure("rural-transfer", "410611", 1, 100)
    figure("vocational-enrolment", "410621", 2, 4000)
    rebuild(plan)
    first = list(Rollup.objects.order_by("indicator", "region", "month").values_list())
    first = [r[1:] for r in first]  # without the id
    rebuild(plan)
    again = [r[1:] for r in Rollup.objects.order_by("indicator", "region", "month").values_list()]
    assert again == first
    indicators = Indicator.objects.filter(plan=plan).count()
    assert len(first) == indicators * (places_of(plan).count() + 1) * 12


def test_compute_makes_a_bounded_number_of_queries(plan, figure, django_assert_max_num_queries):
    for month in range(1, 13):
        for region in ("410611", "410621", "410622"):
            figure("rural-transfer", region, month, month * 10)
    with django_assert_max_num_queries(6):
        rows = compute(plan)
    # Each indicator in five counties, 市直 and the city, twelve months.
    assert len(rows) == Indicator.objects.filter(plan=plan).count() * 7 * 12
    assert Submission.objects.filter(is_counted=True).count() == 36


def test_a_deadline_day_set_in_the_admin_moves_on_time_and_rebuilds(
    plan, clerk_of, django_capture_on_commit_callbacks
) -> None:
    civil = Department.objects.get(code="civil")
    clerk = clerk_of("civil")
    eligible = Indicator.objects.get(plan=plan, code="veterans-eligible")
    submission = services.submission_save(
        actor=clerk, indicator=eligible, region=Region.objects.get(code="410611"), month=3, value=1
    )
    at = datetime(2015, 4, 8, 16, tzinfo=SHANGHAI)  # three days after the default 5th
    services.submission_submit(actor=clerk, submission=submission, at=at)
    rebuild(plan)
    assert CompletenessRollup.objects.get(plan=plan, department=civil, month=3).on_time == 0
    admin = get_user_model().objects.create_superuser("root", password="x")
    client = Client()
    client.force_login(admin)
    page = client.get(f"/admin/targets/plan/{plan.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["deadline_day"] = "10"

    # The task runs here as a worker would run it (with a broker configured, .delay would only
    # queue it in Redis).
    with (
        mock.patch("reporting.tasks.rollup_plan.delay", side_effect=rollup_plan) as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(f"/admin/targets/plan/{plan.pk}/change/", data)
    delay.assert_called_once_with(plan.pk, pending=[mock.ANY])
    settled = delay.call_args.kwargs["pending"]
    assert not PendingRollup.objects.filter(pk__in=settled).exists()  # the rebuild settled it

    assert response.status_code == 302, response.content.decode()[:2000]
    plan.refresh_from_db()
    assert plan.deadline_day == 10
    assert deadline(plan, 3) == datetime(2015, 4, 11, tzinfo=SHANGHAI)
    assert CompletenessRollup.objects.get(plan=plan, department=civil, month=3).on_time == 1


def test_a_deadline_day_outside_1_28_is_refused(plan) -> None:
    plan.deadline_day = 31
    with pytest.raises(ValidationError):
        plan.full_clean()


def test_a_report_returned_and_sent_again_late_stays_on_time(plan, clerk_of, reviewer) -> None:
    civil = Department.objects.get(code="civil")
    clerk = clerk_of("civil")
    eligible = Indicator.objects.get(plan=plan, code="veterans-eligible")
    submission = services.submission_save(
        actor=clerk, indicator=eligible, region=Region.objects.get(code="410611"), month=3, value=1
    )
    first = datetime(2015, 4, 3, 9, tzinfo=SHANGHAI)
    services.submission_submit(actor=clerk, submission=submission, at=first)
    services.submission_return(actor=reviewer, submission=submission, comment="请核实")
    again = datetime(2015, 4, 20, 9, tzinfo=SHANGHAI)  # after the deadline of the 5th
    services.submission_submit(actor=clerk, submission=submission, at=again)

    submission.refresh_from_db()
    assert (submission.first_submitted_at, submission.submitted_at) == (first, again)
    rows = {r.month: r for r in compute_completeness(plan, department_ids=[civil.pk])}
    assert (rows[3].received, rows[3].on_time) == (1, 1)
