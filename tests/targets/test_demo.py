"""The demo data: deterministic, marked synthetic, and telling the story the README promises."""

from __future__ import annotations

import hashlib
import json
import random

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Sum

from targets import demo, demo_work
from targets.models import (
    EvidenceFile,
    Indicator,
    Membership,
    Region,
    RegionTarget,
    StepReport,
    Submission,
    TargetChange,
    TownshipFigure,
    TownshipTarget,
    WorkStep,
)
from targets.services.plan_definition import DEFAULT_PLAN_FILE, load_plan_file
from targets.work_selectors import status_counts, work_items

pytestmark = pytest.mark.django_db

PASSWORD = "demo-pass-for-tests"


@pytest.fixture(scope="module")
def demo_plan(django_db_setup, django_db_blocker):
    """Load the demo once for this module, inside a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        plan = load_plan_file()
        summary = demo.load_demo(plan, PASSWORD)
        assert summary.created
        yield plan
        transaction.set_rollback(True)


def test_figures_are_deterministic(demo_plan) -> None:
    first = demo._monthly_values(demo_plan, random.Random(demo.SEED))
    second = demo._monthly_values(demo_plan, random.Random(demo.SEED))
    assert first == second
    stored = {
        (s.indicator.code, s.region.code, s.month): s.value
        for s in Submission.objects.filter(revision=1).select_related("indicator", "region")
    }
    assert all(first[key] == value for key, value in stored.items())


def test_every_account_of_the_contract_logs_in_with_its_role(demo_plan) -> None:
    expected = {
        "admin": ("administrator", None, None),
        "leader": ("leader", None, None),
        "reviewer": ("reviewer", None, None),
        "auditor": ("auditor", None, None),
        "clerk-hrss": ("clerk", "人力资源社会保障局", None),
        "clerk-edu": ("clerk", "教育局", None),
        "clerk-agri": ("clerk", "农业局", None),
        "clerk-poverty": ("clerk", "扶贫办", None),
        "clerk-civil": ("clerk", "民政局", None),
        "clerk-disabled": ("clerk", "残联", None),
        "clerk-hrss-410621": ("clerk", "人力资源社会保障局", "浚县"),
    }
    for username, (role, department, region) in expected.items():
        user = authenticate(username=username, password=PASSWORD)
        assert user is not None, username
        membership = Membership.objects.get(user=user)
        assert membership.role == role
        assert (membership.department.name if membership.department else None) == department
        assert (membership.region.name if membership.region else None) == region
    assert authenticate(username="admin", password=PASSWORD).is_superuser


def test_everything_is_marked_synthetic(demo_plan) -> None:
    assert not Submission.objects.filter(is_demo=False).exists()
    assert not RegionTarget.objects.filter(is_demo=False).exists()
    assert not TownshipTarget.objects.filter(is_demo=False).exists()


def test_the_story(demo_plan) -> None:
    cells = Submission.objects.filter(is_current=True)
    # January to October only.
    assert set(cells.values_list("month", flat=True)) == set(range(1, 11))
    # 山城区's September report is missing, every other county's is there.
    september = cells.filter(month=9).values("region__code").annotate(n=Count("id"))
    assert {row["region__code"] for row in september} == {
        "410602",
        "410611",
        "410621",
        "410622",
        "410601",
    }
    # Some figures await approval, one was returned with a comment, some are drafts.
    assert cells.filter(status="submitted").exists()
    assert cells.filter(status="draft").exists()
    returned = cells.get(status="returned")
    assert returned.review_comment
    # September and earlier are approved.
    assert not cells.filter(month__lte=9).exclude(status="approved").exists()
    # Some earlier figures were submitted after the 5th of the next month (late).
    assert any(s.submitted_at.day > 5 for s in cells.filter(month__lte=9))
    # One correction, approved, with its reason; the first revision is kept.
    correction = Submission.objects.get(revision=2)
    assert correction.status == "approved" and correction.correction_reason
    first = Submission.objects.get(
        indicator=correction.indicator, region=correction.region, month=correction.month, revision=1
    )
    assert first.status == "approved" and not first.is_counted and not first.is_current
    assert correction.is_counted and correction.is_current
    # Exactly the approved cells count.
    approved = cells.filter(status="approved").count()
    assert Submission.objects.filter(is_counted=True).count() == approved


def test_some_counties_are_behind(demo_plan) -> None:
    def done(region_code: str) -> float:
        actual = Submission.objects.filter(
            indicator__code="rural-transfer", region__code=region_code, is_current=True
        ).aggregate(total=Sum("value"))["total"]
        target = RegionTarget.objects.get(
            indicator__code="rural-transfer", region__code=region_code
        ).target
        return actual / target

    assert done("410603") < done("410611") - 0.15  # 山城区 well behind 淇滨区


def test_splits_and_city_level_add_up_to_city_targets_but_two(demo_plan) -> None:
    unallocated = {}
    for indicator in Indicator.objects.filter(region_targets__isnull=False).distinct():
        assert indicator.region_targets.filter(region__code="410601").exists(), indicator.code
        total = indicator.region_targets.aggregate(total=Sum("target"))["total"]
        assert total <= indicator.target, indicator.code
        if total < indicator.target:
            unallocated[indicator.code] = indicator.target - total
    # 5 % of 23,000 kept back, less the 400 given to 市直 in August; 3 % of 20,000.
    assert unallocated == {"in-service": 1150 - 400, "rural-transfer": 600}
    assert not RegionTarget.objects.filter(indicator__code="skill-appraisal").exists()


def test_one_split_changed_mid_year_with_its_reason(demo_plan) -> None:
    raised = TargetChange.objects.filter(at__month=8).select_related("indicator", "region")
    assert [(c.indicator.code, c.region.code, c.new_value - c.old_value) for c in raised] == [
        ("in-service", "410601", 400)
    ]
    assert "市属企业" in raised[0].reason and raised[0].actor.username == "admin"
    # The first splits are kept too, each with the demo's reason: the counties' and the
    # parts' shares of 浚县's (a part's change names the part).
    first = TargetChange.objects.filter(old_value__isnull=True)
    assert first.exclude(region__kind="township").count() == RegionTarget.objects.count()
    assert first.filter(region__kind="township").count() == TownshipTarget.objects.count() > 0


def test_city_level_reports_figures(demo_plan) -> None:
    city_level = Submission.objects.filter(region__code="410601", is_counted=True)
    # Approved January to October (the city's own units are not among the late or pending).
    assert city_level.filter(indicator__code="in-service").count() == 10


def test_veterans_rates_are_near_their_targets(demo_plan) -> None:
    def total(code: str) -> int:
        return Submission.objects.filter(indicator__code=code, is_current=True).aggregate(
            total=Sum("value")
        )["total"]

    for rate in Indicator.objects.filter(kind="rate"):
        ratio = total(rate.numerator.code) / total(rate.denominator.code)
        assert float(rate.target_rate) - 0.1 <= ratio <= 1.0, rate.code


def test_enrolment_is_a_level_not_a_flow(demo_plan) -> None:
    enrolment = Submission.objects.filter(
        indicator__code="vocational-enrolment", region__code="410611"
    )
    levels = dict(enrolment.values_list("month", "value"))
    target = RegionTarget.objects.get(
        indicator__code="vocational-enrolment", region__code="410611"
    ).target
    assert all(0.85 * target <= level <= 1.05 * target for level in levels.values())
    assert levels[9] > levels[8]


def test_running_it_again_changes_nothing(demo_plan) -> None:
    before = list(Submission.objects.order_by("pk").values_list("pk", "value", "status"))
    reports = list(StepReport.objects.order_by("pk").values_list("pk", "status"))
    call_command("load_demo")
    assert list(Submission.objects.order_by("pk").values_list("pk", "value", "status")) == before
    assert list(StepReport.objects.order_by("pk").values_list("pk", "status")) == reports


def test_xunxian_splits_into_parts_that_are_plainly_examples(demo_plan) -> None:
    parts = Region.objects.filter(kind=Region.Kind.TOWNSHIP)
    assert list(parts.values_list("code", flat=True)) == [f"41062110{n}" for n in range(5)]
    assert all(part.name.startswith("示例") for part in parts)
    assert {part.parent.code for part in parts} == {"410621"}


def test_the_parts_share_xunxians_splits_leaving_a_little_unsplit(demo_plan) -> None:
    splits = RegionTarget.objects.filter(region__code="410621").prefetch_related("parts")
    assert splits.exists()
    for split in splits:
        shares = [share.target for share in split.parts.all()]
        assert len(shares) == 5, split
        assert 0 < split.target - sum(shares) <= 0.05 * split.target + 1, split


def test_xunxians_approved_figures_are_broken_down_exactly(demo_plan) -> None:
    xunxian = Submission.objects.filter(region__code="410621", is_current=True)
    totals = {
        row["submission"]: (row["n"], row["total"])
        for row in TownshipFigure.objects.values("submission")
        .annotate(n=Count("id"), total=Sum("value"))
        .order_by()
    }
    approved = xunxian.filter(status="approved")
    assert approved.count() > 100
    assert {s.pk: (5, s.value) for s in approved} == totals
    # Nothing else is broken down: not another county, not a figure still under way.
    assert not xunxian.exclude(status="approved").filter(parts__isnull=False).exists()


# The work ledger (工作台账) ---------------------------------------------------------------------


def test_every_work_item_has_two_or_three_steps_per_responsible_unit(demo_plan) -> None:
    per_unit = Count("id")
    units = WorkStep.objects.values("milestone__code", "department__code", "region__code")
    counted = units.annotate(n=per_unit)
    assert {row["milestone__code"] for row in counted} == set(
        demo_plan.milestones.values_list("code", flat=True)
    )
    assert len({row["milestone__code"] for row in counted}) == 13
    assert {row["n"] for row in counted} <= {2, 3}
    assert WorkStep.objects.count() == 44
    # Co-operating units report too: 教育局 on 三个对接行动, 浚县's HR bureau on the pilots.
    assert WorkStep.objects.filter(region__code="410621").count() == 2
    assert WorkStep.objects.filter(milestone__code="three-matchings", department__code="edu")


def test_the_work_reports_are_reviewed_and_marked_synthetic(demo_plan) -> None:
    reports = StepReport.objects.all()
    assert reports.count() == 158
    assert dict(reports.values_list("status").annotate(n=Count("id"))) == {
        "approved": 155,
        "submitted": 2,
        "returned": 1,
    }
    returned = reports.get(status="returned")
    assert returned.month == 10 and returned.review_comment.startswith("【演示】")
    assert all(report.done.startswith("【演示】") for report in reports)
    # The items keep the plan's own 工作要求 (real words, from the plan file).
    with open(DEFAULT_PLAN_FILE, encoding="utf-8") as handle:
        real = {row["code"]: row["requirement"] for row in json.load(handle)["milestones"]}
    assert dict(demo_plan.milestones.values_list("code", "requirement")) == real


def test_evidence_files_are_small_generated_pdfs_and_images(demo_plan) -> None:
    files = EvidenceFile.objects.filter(report_links__isnull=False).distinct()
    assert files.count() == 18
    assert set(files.values_list("kind", flat=True)) == {"pdf", "png"}
    assert all(name.startswith("演示-") for name in files.values_list("download_name", flat=True))
    assert all(size < 4096 for size in files.values_list("size", flat=True))
    # Each is one the demo generated: its stored hash is that of the generator's bytes.
    generated = {
        hashlib.sha256(maker(n)).hexdigest()
        for n in range(1, 19)
        for maker in (lambda n: demo_work.demo_pdf(f"demo-{n}"), demo_work.demo_png)
    }
    assert set(files.values_list("sha256", flat=True)) <= generated
    content = demo_work.demo_pdf("demo-1")
    assert content.startswith(b"%PDF-") and b"SYNTHETIC DEMO" in content
    assert content.rstrip().endswith(b"%%EOF")
    assert demo_work.demo_png(1).startswith(b"\x89PNG\r\n\x1a\n")


def test_the_work_ledger_in_october_some_late_and_overdue(demo_plan) -> None:
    items = work_items(demo_plan, 10)
    assert status_counts(items) == {"not-started": 0, "in-progress": 6, "done": 4, "delayed": 3}
    overdue = sorted(state.step.title for item in items for state in item.overdue_steps)
    assert overdue == ["完成实训设备采购招标", "报请省教育厅审批", "落实项目配套资金"]
    assert sum(item.evidence_count for item in items) == 18
    # In March nothing was overdue yet and nothing finished as a whole.
    march = work_items(demo_plan, 3)
    assert not any(item.overdue_steps for item in march)
