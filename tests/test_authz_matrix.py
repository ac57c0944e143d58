"""The authorization matrix, generated from the URLconf.

Every URL pattern of the site (Django's admin aside, which is checked by its own walk below) must
have a rule in ``RULES``: which roles get through by GET and by POST. The test walks the
resolver, so a new view without a rule fails the build. Each role then asks for each URL, with
real objects in the URL's ids: those a rule lets through must not be refused; everyone else must
be sent to the login (anonymous) or refused (403, or 404 where even the object's existence is
not theirs to know), and a refused POST must change nothing.

Objects in the URLs belong to the city-wide clerk of the HR bureau in 淇滨区 (410611): the same
bureau's 浚县 clerk and the education bureau's clerk must not reach them (no IDOR).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from reporting.exports import jobs as export_jobs
from reporting.models import Bulletin, ExportJob, ExportLog
from reporting.rollup import rebuild
from targets import services
from targets.models import (
    Department,
    EvidenceFile,
    Indicator,
    PersonalDataReveal,
    Plan,
    ProjectEntry,
    ProjectEvent,
    ProjectFile,
    Region,
    StepReport,
    StepReportEvent,
    Submission,
    SubmissionEvent,
    SupervisionNotice,
    TownshipTarget,
    Trainee,
    TrainingClass,
    WorkStep,
)
from tests.authz_registers import registers_of
from tests.authz_roles import (
    CLERKS,
    COUNTY,
    EVERYONE,
    EXPORTERS,
    NOBODY,
    READERS,
    ROLES,
    SIGNED_IN,
    Rule,
)
from tests.authz_rosters import ROSTER_URLS, roster_of
from tests.helpers import parts_for
from tests.targets.test_evidence import PDF
from tests.targets.test_projects_services import VALUES, pdf
from tests.targets.work_flow import item, step

pytestmark = pytest.mark.django_db

RULES: dict[str, Rule] = {
    # Django's sign-in pages.
    "login": Rule(EVERYONE, EVERYONE, "the sign-in form"),
    "logout": Rule(NOBODY, EVERYONE, "POST only"),
    "password_change": Rule(SIGNED_IN, SIGNED_IN),
    "password_change_done": Rule(SIGNED_IN),
    "password_reset": Rule(EVERYONE, EVERYONE, "sends mail only to a known address"),
    "password_reset_done": Rule(EVERYONE),
    "password_reset_confirm": Rule(EVERYONE, EVERYONE, "needs the mailed token"),
    "password_reset_complete": Rule(EVERYONE),
    "set_language": Rule(EVERYONE, EVERYONE),
    # Pages.
    "home": Rule(SIGNED_IN, why="sends each role to its page"),
    "no-role": Rule(SIGNED_IN),
    "entry": Rule(CLERKS),
    "entry-month": Rule(CLERKS, CLERKS, "each clerk sees and saves only their own cells"),
    "entry-correct": Rule(frozenset({"clerk"}), frozenset({"clerk"}), "the cell's own clerk"),
    "entry-parts": Rule(
        frozenset({"clerk"}), frozenset({"clerk"}), "the cell's own clerk (others 404)"
    ),
    "entry-template": Rule(CLERKS, why="each clerk's own cells"),
    "entry-upload": Rule(NOBODY, CLERKS, "each clerk's own cells"),
    "entry-withdraw": Rule(NOBODY, CLERKS, "each clerk's own waiting figures (others: 404)"),
    "my-notices": Rule(CLERKS),
    "notice-answer": Rule(frozenset({"clerk"}), frozenset({"clerk"}), "the notice's clerks"),
    "review": Rule(frozenset({"reviewer", "county_reviewer"}), why="a county's, its own figures"),
    "part-targets": Rule(
        frozenset({"administrator"}),
        frozenset({"administrator"}),
        "a county's own reviewer: its county's (浚县's, not 淇滨区's), and administrators",
    ),
    "review-month": Rule(
        frozenset({"reviewer", "county_reviewer"}),
        frozenset({"reviewer", "county_reviewer"}),
        "a county's reviewer sees and reviews its own county's figures only",
    ),
    "cell-history": Rule(READERS | {"clerk"}, why="readers, and the cell's own clerk"),
    "notices": Rule(READERS),
    "notice-close": Rule(
        NOBODY, frozenset({"reviewer", "administrator"}), "销号: reviewers, POST only"
    ),
    "report-status": Rule(READERS),
    "dashboard": Rule(
        READERS | COUNTY | {"province_leader"}, why="a county's, a province's people: sent on"
    ),
    "dashboard-quota": Rule(READERS),
    "dashboard-county": Rule(READERS),
    "dashboard-province": Rule(READERS | {"province_leader"}, why="how the city ranks"),
    "dashboard-department": Rule(READERS),
    "dashboard-workitem": Rule(READERS),
    "progress-api": Rule(
        READERS | COUNTY, why="clerks not at all (README); a county's people, their county's"
    ),
    "workitems-api": Rule(READERS, why="as the progress API"),
    "rosters-api": Rule(READERS | COUNTY, why="counts only; as the progress API"),
    # A county's people get their county's bulletin and workbook (no ?unit=: their own).
    "bulletins": Rule(READERS | COUNTY),
    "bulletin": Rule(READERS | COUNTY),
    "bulletin-docx": Rule(READERS | COUNTY),
    "bulletin-publish": Rule(
        NOBODY, frozenset({"reviewer", "administrator", "county_reviewer"}), "its own county's"
    ),
    "exports": Rule(EXPORTERS | {"county_auditor"}),
    "export-summary": Rule(EXPORTERS | {"county_auditor"}, why="a county's auditor: its own"),
    "export-job-create": Rule(NOBODY, EXPORTERS | {"county_auditor"}),
    "export-job": Rule(frozenset({"auditor"}), why="the job's own requester"),
    "export-job-status": Rule(frozenset({"auditor"}), why="the job's own requester"),
    "export-job-download": Rule(frozenset({"auditor"}), why="the job's own requester"),
    "summaries": Rule(READERS),
    "summary": Rule(READERS),
    "summary-docx": Rule(READERS),
    "registers": Rule(CLERKS | READERS),
    "register-list": Rule(CLERKS | READERS, why="each clerk sees only their units' rows"),
    "register-export": Rule(CLERKS | READERS, why="each clerk exports only their units' rows"),
    "register-new": Rule(
        frozenset({"clerk", "county_clerk"}),
        frozenset({"clerk", "county_clerk"}),
        "competitions are the lead department's (人社局), city-wide or a county's",
    ),
    "register": Rule(
        READERS | {"clerk"}, frozenset({"reviewer"}), "the row's own clerk; reviewers approve"
    ),
    "rectifications": Rule(CLERKS | READERS, why="each clerk sees only their units' 整改事项"),
    "rectification-act": Rule(
        NOBODY, frozenset({"clerk"}), "progress: the responsible unit's clerks, POST only"
    ),
    # 工作台账: the step, report and file belong to the hrss city-wide unit.
    "work": Rule(CLERKS, why="each clerk's own unit's items"),
    "work-steps": Rule(frozenset({"clerk"}), frozenset({"clerk"}), "the item's unit's clerks"),
    "work-month": Rule(CLERKS, CLERKS, "each clerk sees and saves only their own unit's steps"),
    "work-evidence-remove": Rule(NOBODY, frozenset({"clerk"}), "the report's unit's clerks"),
    "work-correct": Rule(frozenset({"clerk"}), frozenset({"clerk"}), "the report's unit's clerks"),
    "work-history": Rule(READERS | {"clerk"}, why="readers (sent reports), the unit's clerks"),
    "work-review": Rule(
        frozenset({"reviewer", "county_reviewer"}),
        frozenset({"reviewer", "county_reviewer"}),
        "a county's reviewer sees and reviews its own county's steps' reports only",
    ),
    "evidence-download": Rule(READERS | {"clerk"}, why="whoever may read a report citing it"),
    # 项目库 and 一项目一台账: the project is of hrss in 淇滨区; its clerks keep its ledger.
    "projects": Rule(
        CLERKS | READERS | COUNTY, why="a clerk and a county's people see their units' only"
    ),
    "project-ledger": Rule(READERS | {"clerk"}, why="readers, and the project's unit (others 404)"),
    "project-ledger-xlsx": Rule(READERS | {"clerk"}, why="as the ledger page"),
    "project-file": Rule(READERS | {"clerk"}, why="who reads the project downloads its files"),
    "project-file-attach": Rule(NOBODY, frozenset({"clerk"}), "the project's unit, POST only"),
    "project-file-remove": Rule(NOBODY, frozenset({"clerk"}), "the project's unit, POST only"),
    "project-new": Rule(
        CLERKS | {"administrator"},
        CLERKS | {"administrator"},
        "administrators for any unit, each clerk for their own",
    ),
    "project-edit": Rule(
        frozenset({"clerk", "administrator"}),
        frozenset({"clerk", "administrator"}),
        "administrators, and the project's unit (readers 403, other clerks 404)",
    ),
    "project-entry-new": Rule(frozenset({"clerk"}), frozenset({"clerk"}), "the project's unit"),
    "project-entry-edit": Rule(frozenset({"clerk"}), frozenset({"clerk"}), "the row's unit"),
    "project-entry-submit": Rule(NOBODY, frozenset({"clerk"}), "the row's unit, POST only"),
    "project-entry-review": Rule(NOBODY, frozenset({"reviewer"}), "reviewers, POST only"),
    # 花名册: the class is of hrss's rural-transfer item in 淇滨区, its roster of one person.
    "rosters": Rule(
        CLERKS | {"reviewer", "auditor", "county_reviewer", "county_auditor"},
        why="masked rosters: clerks (their units'), reviewers and auditors; not leaders",
    ),
    "roster-class-new": Rule(CLERKS, CLERKS, "each clerk for their own items and counties"),
    "roster-findings": Rule(
        CLERKS | {"reviewer", "auditor", "county_reviewer", "county_auditor"},
        why="each the findings of the classes they read; a POST names a finding (none: 404)",
    ),
    "roster-class": Rule(
        frozenset({"clerk", "reviewer", "auditor"}), why="the class's unit and county (others 404)"
    ),
    "roster-grid": Rule(frozenset({"clerk"}), frozenset({"clerk"}), "the class's own clerk"),
    "roster-template": Rule(frozenset({"clerk"}), why="the class's own clerk"),
    "roster-export": Rule(frozenset({"clerk", "reviewer", "auditor"}), why="masked; as the class"),
    "roster-upload": Rule(NOBODY, frozenset({"clerk"}), "the class's own clerk, POST only"),
    "roster-reveal": Rule(
        frozenset({"auditor"}), frozenset({"auditor"}), "auditors of the class's county, recorded"
    ),
}


def _patterns(resolvers: list[Any], prefix: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for entry in resolvers:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith("admin/"):
                continue
            found += _patterns(entry.url_patterns, route)
        else:
            found.append((route, entry))
    return found


def site_patterns() -> list[tuple[str, URLPattern]]:
    return _patterns(get_resolver().url_patterns)


def test_every_url_has_a_rule() -> None:
    names = [pattern.name for _route, pattern in site_patterns()]
    unnamed = [route for route, pattern in site_patterns() if not pattern.name]
    assert not unnamed, f"URL patterns without a name (give them one and a rule): {unnamed}"
    missing = sorted(set(names) - set(RULES))
    assert not missing, (
        f"views without an authorization rule in tests/test_authz_matrix.py: {missing}"
    )
    stale = sorted(set(RULES) - set(names))
    assert not stale, f"rules for URLs that no longer exist: {stale}"


# The world the URLs point into ---------------------------------------------------------------


@pytest.fixture
def world(
    plan: Plan,
    people: dict[str, Any],
    county_people: dict[str, Any],
    province_plan: Plan,
    province_leader: Any,
    clerk_of: Any,
    settings: Any,
    tmp_path: Any,
) -> dict[str, Any]:
    settings.EXPORT_ROOT = tmp_path
    users = {**people, "other_clerk": clerk_of("edu"), "nobody": people["outsider"]}
    users |= {f"county_{role}": user for role, user in county_people.items()}
    users["province_leader"] = province_leader
    indicator = Indicator.objects.get(plan=plan, code="rural-transfer")
    qibin = Region.objects.get(code="410611")
    parts_for("410611", "示例街道一", "示例街道二")  # its figures break down (entry-parts)
    submission = services.submission_save(
        actor=users["clerk"], indicator=indicator, region=qibin, month=2, value=120
    )
    services.submission_submit(actor=users["clerk"], submission=submission)
    services.submission_approve(actor=users["reviewer"], submission=submission)
    notice = services.notice_raise(plan=plan, indicator=indicator, region=qibin, month=3)
    work_step = step(users["clerk"], item(plan))
    report = services.step_report_save(
        actor=users["clerk"], step=work_step, month=2, progress="in-progress", done="对接会"
    )
    upload = SimpleUploadedFile("纪要.pdf", PDF, content_type="application/pdf")
    file = services.evidence_attach(actor=users["clerk"], report=report, upload=upload)
    services.step_report_submit(actor=users["clerk"], report=report)
    services.step_report_approve(actor=users["reviewer"], report=report)
    rebuild(plan)
    registers = registers_of(plan, users, qibin)
    job = ExportJob.objects.create(plan=plan, month=2, requested_by=users["auditor"])
    export_jobs.run(job.pk)
    project = services.project_save(
        actor=users["administrator"],
        plan=plan,
        code="qibin-base",
        name="淇滨区实训基地（权限矩阵）",
        department=indicator.department,
        region=qibin,
        county=qibin,
    )
    project_file = services.project_file_attach(
        actor=users["clerk"], project=project, upload=pdf(), role="application"
    )
    entry = services.project_entry_save(
        actor=users["clerk"], project=project, kind="funding", values=VALUES["funding"]
    )
    services.project_entry_submit(actor=users["clerk"], entry=entry)
    roster_ids = roster_of(plan, users["clerk"])
    return {
        "plan": plan,
        "users": users,
        "kwargs": {
            "year": plan.year,
            "month": 2,
            "submission_id": submission.pk,
            "notice_id": notice.pk,
            "job_id": job.pk,
            "department_id": Department.objects.get(code="hrss").pk,
            "milestone_id": work_step.milestone_id,
            "report_id": report.pk,
            "file_id": file.pk,
            "project_id": project.pk,
            "entry_id": entry.pk,
            "uidb64": "MQ",
            "kind": "competitions",
            "pk": registers["competition"].pk,
            "action": "progress",
            "token": "set-password",
        },
        # Keyword values that differ from one URL to another.
        "per_url": {
            "rectification-act": {"pk": registers["rectification"].pk},
            "project-file": {"file_id": project_file.pk},
            "project-file-remove": {"file_id": project_file.pk},
            "summary": {"month": 6},
            "summary-docx": {"month": 6},
            **{name: roster_ids for name in ROSTER_URLS},
        },
        "codes": {
            "dashboard-quota": "rural-transfer",
            "dashboard-county": "410611",
            "part-targets": "410611",
            "dashboard-province": "410000",
            "dashboard-department": "hrss",
            "dashboard-workitem": "three-matchings",
        },
    }


def url_of(route: str, pattern: URLPattern, world: dict[str, Any]) -> str:
    """The URL of ``pattern`` with the world's objects filled in (test_large_ids uses it too)."""
    kwargs = dict(world["kwargs"])
    kwargs.update(world.get("per_url", {}).get(pattern.name, {}))
    if pattern.name in world["codes"]:
        kwargs["code"] = world["codes"][pattern.name]
    needed = set(pattern.pattern.converters)
    unknown = needed - set(kwargs)
    assert not unknown, f"{route}: no value for {sorted(unknown)}: add one to the world fixture"
    return reverse(pattern.name, kwargs={name: kwargs[name] for name in needed})


def _client(world: dict[str, Any], role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


def _state() -> tuple[Any, ...]:
    """What a refused request must not change."""
    return (
        list(Submission.objects.order_by("pk").values_list("pk", "value", "status", "note")),
        SubmissionEvent.objects.count(),
        list(SupervisionNotice.objects.order_by("pk").values_list("pk", "status", "explanation")),
        Bulletin.objects.count(),
        ExportJob.objects.count(),
        ExportLog.objects.count(),
        get_user_model().objects.count(),
        list(WorkStep.objects.order_by("pk").values_list("pk", "title", "due_on")),
        list(
            StepReport.objects.order_by("pk").values_list(
                "pk", "status", "progress", "done", "is_current"
            )
        ),
        StepReportEvent.objects.count(),
        EvidenceFile.objects.count(),
        list(TownshipTarget.objects.order_by("pk").values_list("pk", "target")),
        list(ProjectEntry.objects.order_by("pk").values_list("pk", "status", "source")),
        ProjectEvent.objects.count(),
        ProjectFile.objects.count(),
        list(Trainee.objects.order_by("pk").values_list("pk", "row", "name")),
        TrainingClass.objects.count(),
        PersonalDataReveal.objects.count(),
    )


def _refused(response: Any, role: str) -> bool:
    if role == "anonymous" and response.status_code == 302:
        return response["Location"].startswith("/accounts/login/")
    return response.status_code in (401, 403, 404, 405)


def _through(response: Any) -> bool:
    if response.status_code >= 500:
        return False
    if response.status_code == 302:
        return not response["Location"].startswith("/accounts/login/")
    return response.status_code not in (401, 403, 404, 405)


# POST bodies that pass the forms' first look, so that "let through" is tested by more than
# the absence of a 403 (bad input may still be answered 400; a refused role never gets there).
POST_DATA: dict[str, dict[str, str]] = {
    "entry-correct": {"value": "130", "reason": "权限矩阵测试"},
    "entry-parts": {"p-410611001": "100", "p-410611002": "20"},
    "part-targets": {"reason": "权限矩阵测试"},
    "notice-answer": {"explanation": "权限矩阵测试", "catch_up_plan": "权限矩阵测试"},
    "notice-close": {"reason": "权限矩阵测试"},
    "review-month": {"action": "approve"},
    "export-job-create": {"as_of": "2015-02"},
    "register": {"action": "approve"},
    "rectification-act": {"progress": "已整改"},
    "work-correct": {"progress": "done", "reason": "权限矩阵测试"},
    "work-steps": {"title": "权限矩阵测试", "due_on": "2015-06-30"},
    "work-review": {"action": "approve"},
    "project-entry-review": {"action": "approve"},
    "project-entry-new": {"name": "权限矩阵测试", "planned_on": "2015-06-30"},
    "roster-reveal": {"reason": "权限矩阵测试"},
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_what_its_rules_allow(world, role) -> None:
    client = _client(world, role)
    wrong = []
    for route, pattern in site_patterns():
        rule = RULES[pattern.name]
        url = url_of(route, pattern, world)
        response = client.get(url)
        allowed = role in rule.get
        if not (_through(response) if allowed else _refused(response, role)):
            wrong.append(f"GET {url}: {response.status_code} (allowed: {allowed})")
        if role not in rule.post:
            before = _state()
            response = client.post(url, POST_DATA.get(pattern.name, {}))
            if not _refused(response, role):
                wrong.append(f"POST {url}: {response.status_code} (not allowed)")
            if _state() != before:
                wrong.append(f"POST {url}: a refused POST changed data")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_allowed_posts_get_through(world, role) -> None:
    """The POSTs a role may make are not refused (their outcome is each view's own tests')."""
    client = _client(world, role)
    wrong = []
    for route, pattern in site_patterns():
        if role not in RULES[pattern.name].post:
            continue
        url = url_of(route, pattern, world)
        response = client.post(url, POST_DATA.get(pattern.name, {}))
        if pattern.name == "logout":  # sent to the sign-in page, signed out: then sign in again
            assert response.status_code == 302 and "_auth_user_id" not in client.session
            client = _client(world, role)
        elif not _through(response):
            wrong.append(f"POST {url}: {response.status_code}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


# Django's admin ------------------------------------------------------------------------------


def _admin_urls() -> list[str]:
    urls = ["/admin/"]
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
    return urls


@pytest.mark.parametrize(
    "role", ["anonymous", "nobody", "clerk", "reviewer", "leader", *sorted(COUNTY)]
)
def test_the_admin_is_closed_to_all_but_auditors_and_administrators(world, role) -> None:
    """The city's auditors and administrators only: the admin shows every county's rows, so a
    county's auditor is not let in."""
    client = _client(world, role)
    for url in _admin_urls():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url


def test_auditors_read_the_admin_and_change_nothing(world) -> None:
    client = _client(world, "auditor")
    for url in _admin_urls():
        assert client.get(url).status_code in (200, 403), url
    assert client.get("/admin/targets/plan/add/").status_code == 403
    before = _state()
    plan = world["plan"]
    response = client.post(f"/admin/targets/plan/{plan.pk}/change/", {"title": "改"})
    assert response.status_code == 403
    assert _state() == before
    assert Plan.objects.get(pk=plan.pk).title == plan.title
