"""Demo accounts and SYNTHETIC monthly figures for January–October 2015.

None of the figures, county splits or milestone statuses made here is real: they are
generated from a fixed seed so that every run gives the same numbers, and every row is marked
``is_demo`` so that the interface can say so. The plan's own targets come from the fixtures.

The story the data tells: training is seasonal (a dip at the Spring Festival, peaks in spring
and autumn); 山城区 and 鹤山区 are behind; city-level units report under 市直; the counties and
市直 together are given nearly all of each quota, a little of two quotas is left unallocated,
and one 市直 split was raised in August, with its reason; 山城区's September report is
missing; October is still partly awaiting approval (one cell returned); enrolment is a level
that jumps with the new school year in September; veterans' rates sit near their targets; one
March figure was corrected after approval. 浚县 splits further into five parts that are
plainly examples (示例镇一 …, 410621100–104: no real township's data is invented), each given
a share of 浚县's splits (a little left 未分解) and of its approved figures. The work items'
steps and monthly reports (工作台账, with generated evidence files) are ``demo_work``'s,
equally synthetic.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from . import demo_projects, demo_registers, demo_rosters, demo_work, services
from .models import (
    Department,
    Indicator,
    Membership,
    Plan,
    Region,
    RegionTarget,
    Submission,
    parts_of,
    places_of,
)

SEED = 20150611
TZ = ZoneInfo(settings.TIME_ZONE)
DEMO_MONTHS = range(1, 11)
MISSING_REGION, MISSING_MONTH = "410603", 9

# County (and 市直, 410601) shares of each target (synthetic; the plan sets none).
REGION_WEIGHTS = {
    "410611": 0.28,
    "410621": 0.24,
    "410622": 0.16,
    "410603": 0.14,
    "410602": 0.12,
    "410601": 0.06,
}
# How far along each county is against the calendar (synthetic): two are behind.
REGION_PACE = {
    "410611": 1.06,
    "410621": 1.02,
    "410622": 1.00,
    "410603": 0.72,
    "410602": 0.84,
    "410601": 0.98,
}
# The share of a quota the city keeps back from the split (synthetic): shown as 未分解.
KEPT_BACK = {"in-service": 0.05, "rural-transfer": 0.03}
# One split changed mid-year (synthetic): 市直's share of in-service training raised.
RAISED_SPLIT = (
    "in-service",
    "410601",
    400,
    "【演示】市属企业新增岗位技能提升培训任务，相应调增市直分解目标。",
)
SPLIT_REASON = "【演示】年初分解县区（含市直）目标（虚构）。"
# 浚县 split further (synthetic: the demo invents no real township's data, so its parts are
# plainly examples): each part's share of 浚县's splits and of its approved figures.
PARTS_OF = "410621"
PARTS = {
    "410621100": ("示例镇一", 0.30),
    "410621101": ("示例镇二", 0.25),
    "410621102": ("示例镇三", 0.20),
    "410621103": ("示例乡一", 0.15),
    "410621104": ("示例街道一", 0.10),
}
PART_WEIGHTS = {code: weight for code, (_name, weight) in PARTS.items()}
# The share of each of 浚县's splits it keeps back from its parts: shown as 未分解.
PARTS_KEPT_BACK = 0.04
# Some quotas run ahead of the calendar, some behind (synthetic).
INDICATOR_PACE = {
    "in-service": 1.10,
    "public-institution": 1.08,
    "disabled": 1.12,
    "rain-dew": 1.05,
    "high-skill-talent": 1.04,
    "entrepreneurship": 0.92,
    "new-farmers": 0.80,
}
# Share of a year's training done in each month (sums to 1 over twelve months).
SEASON = [0.06, 0.04, 0.10, 0.10, 0.10, 0.09, 0.08, 0.08, 0.10, 0.10, 0.08, 0.07]
# Indicators left without a county split, so that the system shows that case too.
UNSPLIT = {"skill-appraisal"}
# Veterans: monthly newly eligible per county, and the chain of shares behind the four rates.
VETERANS_CHAIN = [
    ("veterans-aware", "veterans-eligible", (0.96, 1.0)),
    ("veterans-registered", "veterans-eligible", (0.95, 1.0)),
    ("veterans-trained", "veterans-registered", (0.85, 0.95)),
    ("veterans-passed", "veterans-trained", (0.86, 0.96)),
]

ACCOUNTS = [
    ("admin", Membership.Role.ADMINISTRATOR, None, None, "系统管理员"),
    ("leader", Membership.Role.LEADER, None, None, "人社局领导"),
    ("reviewer", Membership.Role.REVIEWER, None, None, "人社局审核员"),
    ("auditor", Membership.Role.AUDITOR, None, None, "审计员"),
    ("clerk-hrss", Membership.Role.CLERK, "hrss", None, "人社局填报员"),
    ("clerk-edu", Membership.Role.CLERK, "edu", None, "教育局填报员"),
    ("clerk-agri", Membership.Role.CLERK, "agri", None, "农业局填报员"),
    ("clerk-poverty", Membership.Role.CLERK, "poverty", None, "扶贫办填报员"),
    ("clerk-civil", Membership.Role.CLERK, "civil", None, "民政局填报员"),
    ("clerk-disabled", Membership.Role.CLERK, "disabled", None, "残联填报员"),
    ("clerk-hrss-410621", Membership.Role.CLERK, "hrss", "410621", "浚县人社局填报员"),
    # 浚县's own people (县区人社局): they review, read and export 浚县 only.
    ("reviewer-410621", Membership.Role.REVIEWER, None, "410621", "浚县人社局审核员"),
    ("leader-410621", Membership.Role.LEADER, None, "410621", "浚县人社局领导"),
    ("auditor-410621", Membership.Role.AUDITOR, None, "410621", "浚县审计员"),
]

MILESTONE_STATUS = {
    "project-ledger": ("done", "【演示】项目库已建立，12个项目建立台账。"),
    "provincial-training-base": ("in-progress", "【演示】主体工程完工，设备采购招标中。"),
    "heshan-brand-base": ("delayed", "【演示】配套资金未全部到位，工期滞后约两个月。"),
    "skill-competitions": ("in-progress", "【演示】已举办全市焊工、电工竞赛各一场。"),
    "enterprise-evaluation-pilots": ("in-progress", "【演示】新增市级评价试点企业3家。"),
    "school-enterprise": ("in-progress", "【演示】开设订单班5个，现代学徒制试点1个。"),
    "annual-implementation-plans": ("done", "【演示】六个部门年度实施方案均已印发。"),
}


@dataclass
class DemoSummary:
    accounts: int
    submissions: int
    created: bool
    step_reports: int = 0  # the work ledger's reports written by this run


def _at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    if month > 12:
        year, month = year + 1, month - 12
    return datetime.combine(datetime(year, month, day).date(), time(hour), tzinfo=TZ)


def _split(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Largest-remainder split: the parts add up to exactly ``total``."""
    raw = {code: total * weight for code, weight in weights.items()}
    parts = {code: int(value) for code, value in raw.items()}
    leftover = total - sum(parts.values())
    for code in sorted(raw, key=lambda c: raw[c] - parts[c], reverse=True)[:leftover]:
        parts[code] += 1
    return parts


def ensure_accounts(password: str) -> dict[str, object]:
    """The demo accounts of CONTRACT.md, each with its role; the password is (re)set."""
    users = {}
    for username, role, department_code, region_code, full_name in ACCOUNTS:
        user = services.user_ensure(
            username=username,
            full_name=full_name,
            password=password,
            is_superuser=role == Membership.Role.ADMINISTRATOR,
        )
        services.membership_assign(
            user=user,
            role=role,
            department=Department.objects.get(code=department_code) if department_code else None,
            region=Region.objects.get(code=region_code) if region_code else None,
        )
        users[username] = user
    return users


def _monthly_values(plan: Plan, rng: random.Random) -> dict[tuple[str, str, int], int]:
    """Synthetic figures per (indicator code, region code, month)."""
    values: dict[tuple[str, str, int], int] = {}
    indicators = {i.code: i for i in plan.indicators.all()}
    unallocated = indicators["training-total"].target - sum(
        i.target for i in indicators.values() if i.feeds_id == indicators["training-total"].pk
    )
    for indicator in indicators.values():
        if not indicator.accepts_figures or indicator.role == Indicator.Role.COUNT:
            continue
        annual = unallocated * 0.8 if indicator.code == "training-total" else indicator.target
        for region, weight in REGION_WEIGHTS.items():
            county_target = annual * weight
            for month in DEMO_MONTHS:
                if indicator.kind == Indicator.Kind.STOCK:
                    level = 0.93 if month < 9 else 1.0
                    value = county_target * (level + rng.uniform(-0.02, 0.02))
                else:
                    pace = REGION_PACE[region] * INDICATOR_PACE.get(indicator.code, 1.0)
                    pace *= rng.uniform(0.85, 1.15)
                    value = county_target * SEASON[month - 1] * pace
                values[(indicator.code, region, month)] = max(0, round(value))
    for region in REGION_WEIGHTS:
        for month in DEMO_MONTHS:
            eligible = rng.randint(8, 30)
            values[("veterans-eligible", region, month)] = eligible
            for code, base, (low, high) in VETERANS_CHAIN:
                base_value = values[(base, region, month)]
                values[(code, region, month)] = min(
                    base_value, round(base_value * rng.uniform(low, high))
                )
    return values


def _workflow(code: str, department: str, region: str, month: int) -> tuple[str, int]:
    """The status a demo cell reaches and the day of the next month it was submitted."""
    if month <= 9:
        late = (region == "410621" and department == "hrss" and month == 7) or (
            region == "410602" and month in (4, 8) and department != "edu"
        )
        return "approved", 9 if late else 3
    if department in ("agri", "disabled"):
        return "draft", 0
    if code == "rural-transfer" and region == "410603":
        return "returned", 4
    if department in ("civil", "poverty") or region in ("410621", "410622"):
        return "submitted", 4
    return "approved", 3


def _set_region_targets(plan: Plan, admin: object) -> None:
    regions = {r.code: r for r in Region.objects.filter(code__in=REGION_WEIGHTS)}
    for indicator in plan.indicators.filter(target__isnull=False).exclude(code__in=UNSPLIT):
        allocated = round(indicator.target * (1 - KEPT_BACK.get(indicator.code, 0)))
        parts = _split(allocated, REGION_WEIGHTS)
        for code, target in parts.items():
            region_target = services.region_target_set(
                actor=admin,
                indicator=indicator,
                region=regions[code],
                target=target,
                reason=SPLIT_REASON,
                at=_at(plan.year, 6, 25),
            )
            services.region_target_mark_demo(region_target=region_target)
    code, region, more, reason = RAISED_SPLIT
    indicator = plan.indicators.get(code=code)
    split = indicator.region_targets.get(region=regions[region])
    services.region_target_set(
        actor=admin,
        indicator=indicator,
        region=regions[region],
        target=split.target + more,
        reason=reason,
        at=_at(plan.year, 8, 20),
    )


def _set_part_targets(plan: Plan, admin: object) -> None:
    """浚县's example parts, and their shares of each of its splits (a little kept back)."""
    county = Region.objects.get(code=PARTS_OF)
    existing = {part.code: part for part in parts_of(county)}
    parts = {}
    for order, (code, (name, _weight)) in enumerate(PARTS.items(), 1):
        part = existing.get(code)
        if part is None:
            part = Region(
                code=code, name=name, kind=Region.Kind.TOWNSHIP, parent=county, order=order
            )
            part.full_clean()
            services.definition_save(actor=admin, record=part)
        parts[code] = part
    for split in RegionTarget.objects.filter(indicator__plan=plan, region=county):
        services.part_targets_set(
            actor=admin,
            indicator=split.indicator,
            place=county,
            shares=_split(round(split.target * (1 - PARTS_KEPT_BACK)), PART_WEIGHTS),
            reason="演示数据：乡镇（责任单位）分解（虚构）",
            at=_at(plan.year, 6, 26),
            is_demo=True,
        )


@transaction.atomic
def load_demo(plan: Plan, password: str) -> DemoSummary:
    """Accounts always; figures only when the plan has none yet (so reruns change nothing)."""
    users = ensure_accounts(password)
    if Submission.objects.filter(indicator__plan=plan).exists():
        # A database loaded before the work ledger existed gets its demo ledger once.
        reports = 0 if demo_work.has_work(plan) else demo_work.load_work(plan, users)
        count = Submission.objects.filter(is_demo=True).count()
        return DemoSummary(len(users), count, False, reports)

    _set_region_targets(plan, users["admin"])
    _set_part_targets(plan, users["admin"])
    for milestone in plan.milestones.filter(code__in=MILESTONE_STATUS):
        status, evidence = MILESTONE_STATUS[milestone.code]
        services.milestone_update(milestone=milestone, status=status, evidence=evidence)

    rng = random.Random(SEED)
    values = _monthly_values(plan, rng)
    indicators = {i.code: i for i in plan.indicators.select_related("department", "plan")}
    regions = {r.code: r for r in places_of(plan)}
    clerks = {
        m.department.code: m.user
        for m in Membership.objects.filter(
            role=Membership.Role.CLERK, region__isnull=True
        ).select_related("department", "user")
    }
    reviewer = users["reviewer"]
    for (code, region_code, month), value in sorted(values.items(), key=lambda kv: kv[0][2]):
        if (region_code, month) == (MISSING_REGION, MISSING_MONTH):
            continue
        indicator = indicators[code]
        department = indicator.department.code
        clerk = clerks[department]
        status, day = _workflow(code, department, region_code, month)
        entered = _at(plan.year, month + 1, max(day - 1, 1), 9)
        submission = services.submission_save(
            actor=clerk,
            indicator=indicator,
            region=regions[region_code],
            month=month,
            value=value,
            at=entered,
            is_demo=True,
        )
        if region_code == PARTS_OF and status == "approved":
            services.breakdown_save(
                actor=clerk, submission=submission, values=_split(value, PART_WEIGHTS)
            )
        if status == "draft":
            continue
        services.submission_submit(
            actor=clerk, submission=submission, at=_at(plan.year, month + 1, day)
        )
        reviewed = _at(plan.year, month + 1, day + 3, 15)
        if status == "approved":
            services.submission_approve(actor=reviewer, submission=submission, at=reviewed)
        elif status == "returned":
            services.submission_return(
                actor=reviewer,
                submission=submission,
                comment="【演示】本月数字较上月下降明显，请核实后重新报送。",
                at=reviewed,
            )

    # One approved figure corrected later, with its reason, and the correction approved.
    march = Submission.objects.get(
        indicator=indicators["rural-transfer"], region=regions["410622"], month=3, is_current=True
    )
    correction = services.submission_correct(
        actor=clerks["hrss"],
        submission=march,
        value=march.value + 120,
        reason="【演示】补录一期漏报的培训班（120人次）。",
        at=_at(plan.year, 5, 12),
    )
    services.submission_submit(
        actor=clerks["hrss"], submission=correction, at=_at(plan.year, 5, 12, 11)
    )
    services.submission_approve(actor=reviewer, submission=correction, at=_at(plan.year, 5, 14))
    reports = demo_work.load_work(plan, users)
    demo_registers.load_registers(plan, clerks, reviewer)
    demo_rosters.load_rosters(plan, clerks)
    demo_projects.load_projects(plan, users)
    return DemoSummary(len(users), Submission.objects.filter(is_demo=True).count(), True, reports)
