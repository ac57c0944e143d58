"""The work items' responsibility as part of the plan's definition: the plan file's
requirements and co-operating units, steps loaded with an actor, refusals that save nothing,
prune, and what a clone copies (units, never steps)."""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from targets import services
from targets.models import AuditEntry, Department, Milestone, Plan, WorkStep, WorkUnit
from targets.services.plan_definition import DEFAULT_PLAN_FILE, load_plan_definition, plan_clone
from tests.targets.work_flow import report, step

pytestmark = pytest.mark.django_db

DOC_2016 = "鹤政办〔2016〕12号"


def definition() -> dict[str, Any]:
    with open(DEFAULT_PLAN_FILE, encoding="utf-8") as handle:
        return json.load(handle)


def units(plan: Plan) -> list[tuple[str, str, str | None]]:
    return sorted(
        (u.milestone.code, u.department.code, u.region.code if u.region else None)
        for u in WorkUnit.objects.filter(milestone__plan=plan).select_related(
            "milestone", "department", "region"
        )
    )


def test_the_plan_file_names_the_departments_the_plan_names(plan: Plan) -> None:
    named = ["agri", "civil", "disabled", "edu", "poverty"]
    assert units(plan) == [("annual-implementation-plans", code, None) for code in named] + [
        ("target-responsibility", code, None) for code in named
    ]
    base = plan.milestones.get(code="provincial-training-base")
    assert base.requirement.startswith("落实配套、加强监管、有序推进，严格按照项目申报书和建设方案")
    assert plan.milestones.filter(requirement="").count() == 0


def test_loading_the_same_file_again_writes_nothing(plan: Plan) -> None:
    before = AuditEntry.objects.count()
    load_plan_definition(definition())
    assert AuditEntry.objects.count() == before


def steps_data(*rows: tuple[str, str, str | None, str, str]) -> list[dict[str, Any]]:
    return [
        {"milestone": m, "department": d, "region": r, "title": t, "due_on": due, "order": 0}
        for m, d, r, t, due in rows
    ]


def test_steps_are_loaded_with_who_set_them_and_matched_by_title(plan: Plan, admin_user: Any):
    data = definition()
    data["work_steps"] = steps_data(
        ("annual-implementation-plans", "edu", None, "印发教育局年度实施方案", "2015-07-31")
    )
    load_plan_definition(data, actor=admin_user)
    made = WorkStep.objects.get(milestone__plan=plan)
    assert (made.title, made.due_on, made.created_by) == (
        "印发教育局年度实施方案",
        date(2015, 7, 31),
        admin_user,
    )
    data["work_steps"][0]["due_on"] = "2015-08-31"
    load_plan_definition(data, actor=admin_user)
    assert WorkStep.objects.get(pk=made.pk).due_on == date(2015, 8, 31)
    assert WorkStep.objects.count() == 1


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (
            lambda d: d["work_steps"].extend(
                steps_data(("brand-majors", "agri", None, "农业局措施", "2015-07-31"))
            ),
            "不是“创建省级品牌示范专业点和特色专业点”的责任单位",
        ),
        (
            lambda d: d["work_steps"].extend(
                steps_data(("brand-majors", "edu", None, "跨年措施", "2016-01-31"))
            ),
            "完成时限必须在 2015 年度方案的期限内",
        ),
        (
            lambda d: d["work_units"].append(
                {"milestone": "brand-majors", "department": "edu", "region": None}
            ),
            "是“创建省级品牌示范专业点和特色专业点”的牵头单位",
        ),
        (
            lambda d: d["work_units"].append(copy.deepcopy(d["work_units"][0])),
            "配合单位重复",
        ),
        (
            lambda d: d["work_units"].append(
                {"milestone": "no-such-item", "department": "edu", "region": None}
            ),
            "引用了不存在的重点工作：no-such-item",
        ),
    ],
)
def test_a_bad_unit_or_step_refuses_the_whole_load(
    plan: Plan, admin_user: Any, spoil: Any, message: str
) -> None:
    data = definition()
    data["work_steps"] = steps_data(
        ("brand-majors", "edu", None, "申报省级品牌示范专业点", "2015-09-30")
    )
    data["milestones"][0]["requirement"] = "改过的要求"
    spoil(data)
    with pytest.raises(ValidationError, match=message):
        load_plan_definition(data, actor=admin_user)
    assert not WorkStep.objects.exists()
    assert plan.milestones.get(code=data["milestones"][0]["code"]).requirement != "改过的要求"


def test_without_an_actor_new_steps_are_refused(plan: Plan) -> None:
    data = definition()
    data["work_steps"] = steps_data(("brand-majors", "edu", None, "措施", "2015-09-30"))
    with pytest.raises(ValidationError, match="需要记录设定人"):
        load_plan_definition(data)
    assert not WorkStep.objects.exists()


def test_prune_drops_what_the_data_no_longer_names_but_never_a_reported_step(
    plan: Plan, clerk: Any, reviewer: Any, admin_user: Any
) -> None:
    item = plan.milestones.get(code="three-matchings")
    kept = step(clerk, item, title="召开对接会")
    step(clerk, item, title="搭建信息化平台")
    data = definition()
    data["work_steps"] = steps_data(("three-matchings", "hrss", None, "召开对接会", "2015-06-30"))
    data["work_units"] = data["work_units"][:5]
    plan.status = Plan.Status.DRAFT  # prune replaces a draft's definition whole
    plan.save()
    load_plan_definition(data, prune=True, actor=admin_user)
    assert list(WorkStep.objects.values_list("pk", flat=True)) == [kept.pk]
    assert len(units(plan)) == 5

    plan.status = Plan.Status.ACTIVE
    plan.save()
    report(clerk, reviewer, kept, 3)
    plan.status = Plan.Status.DRAFT
    plan.save()
    data["work_steps"] = []
    with pytest.raises(ValidationError, match="已有台账，不能删除"):
        load_plan_definition(data, prune=True, actor=admin_user)
    assert WorkStep.objects.filter(pk=kept.pk).exists()


def test_data_without_the_lists_leaves_units_and_steps_alone(
    plan: Plan, clerk: Any, admin_user: Any
) -> None:
    step(clerk, plan.milestones.get(code="three-matchings"))
    data = definition()
    del data["work_units"]
    plan.status = Plan.Status.DRAFT
    plan.save()
    load_plan_definition(data, prune=True, actor=admin_user)
    assert len(units(plan)) == 10 and WorkStep.objects.count() == 1


def test_a_clone_copies_units_and_requirements_never_steps(plan: Plan, clerk: Any) -> None:
    step(clerk, plan.milestones.get(code="three-matchings"))
    WorkUnit.objects.filter(milestone__plan=plan).update(requirement="按季度报送")
    new = plan_clone(source=plan, year=2016, doc_number=DOC_2016)
    assert units(new) == units(plan)
    assert set(
        WorkUnit.objects.filter(milestone__plan=new).values_list("requirement", flat=True)
    ) == {"按季度报送"}
    copied = Milestone.objects.get(plan=new, code="provincial-training-base")
    assert copied.requirement == plan.milestones.get(code=copied.code).requirement
    assert not WorkStep.objects.filter(milestone__plan=new).exists()
    # Units work in the new plan: a clerk of a co-operating unit sets a step there.
    services.work_step_set(
        actor=clerk,
        milestone=Milestone.objects.get(plan=new, code="three-matchings"),
        department=Department.objects.get(code="hrss"),
        title="召开对接会",
        due_on=date(2016, 6, 30),
    )
