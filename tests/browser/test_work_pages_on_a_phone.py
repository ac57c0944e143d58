"""The plan's other half on a 360 px phone, on the demo data: the 工作台账, the registers, the
project library and ledgers, and the 年中督导/年底总结 pages, each for the people who use it,
with no sideways scroll of the page, no console error and no refused request."""

from __future__ import annotations

import pytest

from targets.models import Project, RegisterRecord
from targets.models.registers import REGISTER_MODELS
from tests.browser.pages import demo_rolled_up, log_in, phone_page, watch_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "phone-pages-password"
WIDTH = 360


def _fits(page, url: str) -> None:
    width, inner = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width <= inner, (url, width, inner)


def _pages_of(role: str) -> list[str]:
    projects = list(Project.objects.order_by("code").values_list("pk", flat=True))
    assert len(projects) == 2  # the plan's two named projects
    registers = [f"/registers/{kind}/" for kind in REGISTER_MODELS]
    record = REGISTER_MODELS["meetings"].objects.exclude(status=RegisterRecord.Status.DRAFT)
    common = [
        "/projects/",
        *[f"/projects/{pk}/" for pk in projects],
        "/registers/",
        *registers,
        f"/registers/meetings/{record.order_by('pk').first().pk}/",
        "/registers/rectifications/",
    ]
    if role == "clerk-hrss":
        return [
            "/work/",
            *common,
            f"/projects/{projects[0]}/rows/new/?kind=funding",
            "/registers/competitions/new/",
        ]
    if role == "reviewer":
        return ["/review/work/", *common]
    return [*common, "/summaries/", "/summaries/2015/6/", "/summaries/2015/12/"]


@pytest.mark.usefixtures("eager")
def test_the_work_registers_projects_and_summaries_fit_a_phone(
    live_server, browser, request
) -> None:
    demo_rolled_up(PASSWORD)
    page = phone_page(browser, request, WIDTH)
    problems = watch_problems(page)
    for role in ("clerk-hrss", "reviewer", "leader"):
        log_in(page, live_server, role, PASSWORD)
        for url in _pages_of(role):
            answer = page.goto(f"{live_server.url}{url}")
            assert answer is not None and answer.status == 200, (role, url)
            assert page.locator("main h1, main h2").count() > 0, (role, url)
            _fits(page, f"{role} {url}")
    assert not problems, problems
