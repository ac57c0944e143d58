"""CSRF on every POST: the URLconf is walked, so a URL added later is checked without a change here.

For each pattern the URL is built from ``KWARGS`` (by kwarg name; ``code`` by the URL's name).
A pattern whose kwargs cannot be filled fails the test: add its kwarg to the table. Each URL is
first POSTed *with* a valid token (inside a rolled-back transaction) as every role in turn, to
learn whether it takes POSTs and as whom; the same POST without a token must then be 403 and
change nothing. Django's admin (its own CSRF) and ``accounts/`` other than login are left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver

from targets import services
from targets.models import Region

pytestmark = pytest.mark.django_db

# Who may POST, tried in this order; None is an anonymous visitor (the login form).
WHO = (None, "clerk", "reviewer", "leader", "auditor", "administrator", "superuser")
CODES = {
    "quota": "rural-transfer",
    "county": "410611",
    "province": "410000",
    "department": "hrss",
    "workitem": "three-matchings",
    "part-targets": "410611",
}
# URL kwarg name → its value in ``world``. Extend this when a URL with a new kwarg is added.
KWARGS: dict[str, Callable[[Any, str], Any]] = {
    "year": lambda world, name: world.plan.year,
    "month": lambda world, name: 3,
    "submission_id": lambda world, name: (
        (_parts_draft(world) if name == "entry-parts" else world.approved).pk
    ),
    "notice_id": lambda world, name: world.notice.pk,
    "job_id": lambda world, name: world.job.pk,
    "department_id": lambda world, name: world.hrss.pk,
    "milestone_id": lambda world, name: world.work_step.milestone_id,
    "report_id": lambda world, name: (
        (world.work_approved if name == "work-correct" else world.work_draft).pk
    ),
    "file_id": lambda world, name: (
        (_project_ledger(world)[2] if name.startswith("project-file") else world.work_file).pk
    ),
    "project_id": lambda world, name: _project_ledger(world)[0].pk,
    "entry_id": lambda world, name: _project_ledger(world)[1].pk,
    "code": lambda world, name: next(
        (code for part, code in CODES.items() if part in (name or "")), None
    ),
    "kind": lambda world, name: "competitions",
    "pk": lambda world, name: (
        _roster(world)[0].pk
        if name.startswith("roster-")
        else registers(world)["rectification" if name == "rectification-act" else "competition"].pk
    ),
    "trainee_id": lambda world, name: _roster(world)[1].pk,
    "action": lambda world, name: "progress",
}


def registers(world: Any) -> dict[str, Any]:
    """Register rows of the HR bureau's city-wide clerk, made once per world: a draft
    competition, a sent annual plan with its file, a 整改事项 (淇滨区) of a sent meeting."""
    if not hasattr(world, "registers"):
        clerk = world.users["clerk"]
        unit = {"actor": clerk, "plan": world.plan, "department": world.hrss, "region": None}
        values = {**COMPETITION, "starts_on": date(2015, 9, 1), "ends_on": date(2015, 9, 2)}
        competition = services.register_save(kind="competitions", values=values, **unit)
        annual = services.register_save(
            kind="annual-plans",
            values={"title": "实施方案", "issued_on": date(2015, 7, 1)},
            upload=SimpleUploadedFile("方案.pdf", b"%PDF-1.4\n%%EOF\n"),
            **unit,
        )
        meeting = services.register_save(
            kind="meetings",
            values={"held_on": date(2015, 7, 1), "kind": "meeting", "title": "推进会"},
            **unit,
        )
        item = services.rectification_add(
            actor=clerk,
            meeting=meeting,
            description="补齐台账",
            department=world.hrss,
            region=Region.objects.get(code="410611"),
            due_on=date(2015, 8, 1),
        )
        for record in (annual, meeting):
            services.register_submit(actor=clerk, record=record)
        world.registers = {"competition": competition, "file": annual.file, "rectification": item}
    return world.registers


COMPETITION = {
    "name": "CSRF 测试竞赛",
    "level": "city",
    "starts_on": "2015-09-01",
    "ends_on": "2015-09-02",
    "organiser": "市人社局",
    "occupations": "焊工",
    "participants": 10,
    "winners": 2,
}
# The POST-taking views known today and who may POST: the walk must find them all, and (but for
# logging in and choosing a language) the body must really write when it carries a token.
WRITE_NOTHING = {"login", "set_language"}
KNOWN_POSTS = {
    "login": None,
    "set_language": None,
    "entry-month": "clerk",
    "entry-correct": "clerk",
    "entry-parts": "clerk",  # breaks 淇滨区's draft down by its parts
    "part-targets": "administrator",  # shares 淇滨区's split among its parts
    "entry-upload": "clerk",
    "entry-withdraw": "clerk",  # takes back the clerk's waiting March figures
    "notice-answer": "clerk",
    "review-month": "reviewer",
    "bulletin-publish": "reviewer",
    "export-job-create": "auditor",
    "register-new": "clerk",
    "register": "clerk",
    "rectification-act": "clerk",
    "work-steps": "clerk",
    "work-month": "clerk",
    "work-evidence-remove": "clerk",
    "work-correct": "clerk",
    "work-review": "reviewer",
    "project-new": "clerk",
    "project-edit": "clerk",
    "project-file-remove": "clerk",
    "roster-class-new": "clerk",
    "roster-grid": "clerk",
    "roster-upload": "clerk",
    "roster-reveal": "auditor",
    "roster-findings": "clerk",
}


def _parts_draft(world: Any) -> Any:
    """淇滨区's March reemployment figure, 10, a draft, and 淇滨区's two parts, made once."""
    if not hasattr(world, "parts_draft"):
        from targets.models import Indicator
        from tests.helpers import parts_for

        parts_for("410611", "示例街道一", "示例街道二")
        world.parts_draft = services.submission_save(
            actor=world.users["clerk"],
            indicator=Indicator.objects.get(plan=world.plan, code="reemployment"),
            region=Region.objects.get(code="410611"),
            month=3,
            value=10,
        )
    return world.parts_draft


def _qibin_split(world: Any) -> Any:
    """淇滨区's parts and a split of rural transfer to it, made once; the quota."""
    from targets.models import Indicator

    _parts_draft(world)
    rural = Indicator.objects.get(plan=world.plan, code="rural-transfer")
    qibin = Region.objects.get(code="410611")
    if not rural.region_targets.filter(region=qibin).exists():
        services.region_target_set(
            actor=None, indicator=rural, region=qibin, target=6000, reason="CSRF 测试"
        )
    return rural


def _roster(world: Any) -> tuple[Any, Any]:
    """A class of hrss's rural transfer in 淇滨区 and its one trainee, made on first use."""
    if not hasattr(world, "roster"):
        from targets.roster_rows import TypedRow
        from tests.targets.rosters import QIBIN_WOMAN, make_class

        made = make_class(world.users["clerk"], region="410611", plan=world.plan)
        # A 残疾人 without a 残疾证号: one finding, for the findings page to take a POST about.
        person = {"name": "甲", "household": "淇滨区", "category": "残疾人"}
        (trainee,) = services.roster_replace(
            actor=world.users["clerk"],
            training_class=made,
            rows=[TypedRow(line=1, id_number=QIBIN_WOMAN, **person)],
        )
        world.roster = (made, trainee)
    return world.roster


def _project_ledger(world: Any) -> tuple[Any, Any, Any]:
    """A project of hrss in 淇滨区, its sent funding row and its file, made on first use."""
    if not hasattr(world, "project_ledger"):
        from targets import services
        from targets.models import Region
        from tests.targets.test_projects_services import VALUES, pdf

        qibin, clerk = Region.objects.get(code="410611"), world.users["clerk"]
        project = services.project_save(
            actor=world.users["administrator"],
            plan=world.plan,
            code="csrf-base",
            name="实训基地（CSRF）",
            department=world.hrss,
            region=qibin,
            county=qibin,
        )
        link = services.project_file_attach(actor=clerk, project=project, upload=pdf(), role="plan")
        row = services.project_entry_save(
            actor=clerk, project=project, kind="funding", values=VALUES["funding"]
        )
        services.project_entry_submit(actor=clerk, entry=row)
        world.project_ledger = (project, row, link)
    return world.project_ledger


_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _walk(
    patterns: list[Any], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, list[str]]]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith("admin/"):
                continue  # Django's admin: CSRF-protected by Django itself
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else ""
            if route.startswith("accounts/") and name != "login":
                continue
            yield route, name, [m["name"] for m in _PARAMETER.finditer(route)]


ROUTES = list(_walk(get_resolver().url_patterns))


def _url(world: Any, route: str, name: str) -> str:
    missing = []

    def fill(match: re.Match[str]) -> str:
        make = KWARGS.get(match["name"])
        value = make(world, name) if make else None
        if value is None:
            missing.append(match["name"])
            return ""
        return str(value)

    url = "/" + _PARAMETER.sub(fill, route)
    if missing:
        pytest.fail(
            f"{route} ({name or 'no name'}): no value for URL kwarg(s) {missing}; "
            "add them to KWARGS in tests/hostile/test_csrf.py"
        )
    # A regex route (re_path) is not a path: refuse it rather than test the wrong URL.
    assert not set(url) & set("^$()[]?*+\\"), f"cannot build a URL from the regex route {route}"
    return url


def _body(world: Any, name: str, url: str, filled_template: Any) -> dict[str, Any]:
    """A POST that writes something when it carries a token."""
    from targets.models import Indicator, Region

    if name == "login":
        return {"username": world.users["clerk"].username, "password": "test-password"}
    if name == "set_language":
        return {"language": "en", "next": "/"}
    if name == "entry-month":
        series = Indicator.objects.get(plan=world.plan, code="reemployment")
        return {f"v-{series.pk}-{Region.objects.get(code='410622').pk}": "5", "action": "save"}
    if name == "entry-correct":
        return {"value": "125", "reason": "补录漏报"}
    if name == "entry-parts":
        return {"p-410611001": "6", "p-410611002": "4"}
    if name == "part-targets":
        rural = _qibin_split(world)
        return {f"share-{rural.pk}-410611001": "6", "reason": "CSRF 测试"}
    if name == "entry-upload":
        template = world.client("clerk").get(url.replace("upload/", "template.xlsx"))
        content = filled_template(template.content, 7)
        return {"file": SimpleUploadedFile("t.xlsx", content), "action": "save"}
    if name == "notice-answer":
        return {"explanation": "开班推迟。", "catch_up_plan": "4月起加开两期。"}
    if name == "review-month":
        return {"action": "approve_all"}
    if name == "export-job-create":
        return {"as_of": "2015-03"}
    if name == "register-new":
        return dict(COMPETITION)
    if name == "register":
        return {"action": "submit"}
    if name == "rectification-act":
        return {"progress": "已整改"}
    if name == "work-steps":
        return {"unit": f"{world.hrss.pk}-0", "title": "召开推进会", "due_on": "2015-09-30"}
    if name == "work-month":
        step = world.work_step.pk
        return {"step": step, "progress": "in-progress", "done": "改", "action": "save"}
    if name == "work-correct":
        return {"progress": "done", "reason": "补录漏报"}
    if name == "work-review":
        return {"report": world.work_sent.pk, "action": "approve"}
    if name in ("project-new", "project-edit"):
        code = "csrf-new" if name == "project-new" else "csrf-base"
        county = Region.objects.get(code="410611").pk
        return {"code": code, "name": "实训基地（CSRF，改）", "county": county}
    if name == "bulletin-publish":
        return {"confirm": "1"}  # reports are missing: publishing them is confirmed
    if name == "roster-class-new":
        rural = Indicator.objects.get(plan=world.plan, code="rural-transfer")
        return {
            **{"indicator": rural.pk, "region": Region.objects.get(code="410611").pk},
            **{"institution": "某学校", "occupation": "电工", "kind": "employment"},
            **{"start_on": "2015-06-01", "end_on": "2015-06-12", "hours": "40"},
        }
    if name == "roster-grid":
        return {"rows": "1"}  # keeps the one person: the roster is saved again
    if name == "roster-upload":
        from tests.targets.rosters import XUN_MAN, filled_template

        row = ["乙", XUN_MAN, "浚县", "农村转移劳动力"]
        content = filled_template(_roster(world)[0], [row]).getvalue()
        return {"file": SimpleUploadedFile("花名册.xlsx", content)}
    if name == "roster-reveal":
        return {"reason": "CSRF 测试核对", "shown": "id_number"}
    if name == "roster-findings":
        from targets.roster_findings import roster_findings

        _roster(world)
        (finding,) = [f for f in roster_findings(world.plan) if f.rule == "no-disability-card"]
        return {"key": finding.key, "action": "explain", "text": "残疾证正在补办"}
    return {}


def _rewind(body: dict[str, Any]) -> dict[str, Any]:
    for value in body.values():
        if hasattr(value, "seek"):
            value.seek(0)
    return body


def _refused(response: Any) -> bool:
    """Refused before the view did anything: not allowed, wrong role, or not logged in."""
    if response.status_code in (401, 403, 405):
        return True
    login = resolve_url(settings.LOGIN_URL)
    return response.status_code == 302 and response["Location"].startswith(login + "?")


def _who_may_post(world: Any, url: str, body: dict[str, Any], snap: Any) -> tuple[Any, bool]:
    """The first user whose POST with a token is taken, and whether it wrote anything.

    Every try is rolled back. ``(False, False)`` when nobody's POST is taken."""
    fallback: tuple[Any, bool] = (False, False)
    for who in WHO:
        before = snap()
        with transaction.atomic():
            response = world.client(who).post(url, _rewind(body))
            wrote = snap() != before
            transaction.set_rollback(True)
        if _refused(response):
            continue
        if response.status_code < 400:
            return who, wrote
        if fallback[0] is False:
            fallback = (who, wrote)  # taken but refused on its merits (400, 404, 409)
    return fallback


@pytest.mark.parametrize(("route", "name", "kwargs"), ROUTES, ids=[r[0] or "/" for r in ROUTES])
def test_a_post_without_a_csrf_token_is_refused_and_changes_nothing(
    world: Any, snap: Any, filled_template: Any, route: str, name: str, kwargs: list[str]
) -> None:
    url = _url(world, route, name)
    body = _body(world, name, url, filled_template)
    who, wrote = _who_may_post(world, url, body, snap)
    if name in KNOWN_POSTS:
        assert who == KNOWN_POSTS[name], f"{url}: a POST with a token should be taken"
        assert wrote or name in WRITE_NOTHING, f"{url}: the POST with a token should write"
    if who is False:
        return  # takes no POST from anyone
    before = snap()

    without = world.client(who, csrf=True).post(url, _rewind(body))
    forged = world.client(who, csrf=True).post(
        url, {**_rewind(body), "csrfmiddlewaretoken": "x" * 64}
    )

    assert without.status_code == 403, f"{url} as {who}: {without.status_code}"
    assert forged.status_code == 403, f"{url} as {who}: {forged.status_code}"
    assert b"CSRF" in without.content
    assert snap() == before


def test_the_walk_finds_every_post_we_know_and_fills_its_kwargs(world: Any) -> None:
    names = {name for _route, name, _kwargs in ROUTES}
    assert set(KNOWN_POSTS) <= names
    assert not any(route.startswith(("admin/", "accounts/logout")) for route, *_ in ROUTES)
    for route, name, _kwargs in ROUTES:
        _url(world, route, name)


def test_a_login_with_a_token_from_the_form_works(world: Any) -> None:
    """The 403s above are the missing token's: the same client with the form's token logs in."""
    client = world.client(None, csrf=True)
    page = client.get("/accounts/login/")
    token = page.cookies[settings.CSRF_COOKIE_NAME].value

    response = client.post(
        "/accounts/login/",
        {
            "username": world.users["clerk"].username,
            "password": "test-password",
            "csrfmiddlewaretoken": token,
        },
    )

    assert response.status_code == 302
