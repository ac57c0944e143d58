"""The phone layout (issue #19) at 390×844 and 360×780, on the demo data, each page as the
person who reads it: the leader's dashboard, its drill-downs and the bulletins; a province's
leader's page; the clerk's entry; the reviewer's queue, a month to review and the notices.

On each page: no sideways scroll of the page (a wide table scrolls in its own .table-wrap,
its first column fixed); form fields at 16 px or more (smaller ones make iOS zoom on focus);
buttons, button-like links, selects and the header's links at least 44 px tall; charts no
wider than their box, also after the screen narrows; goal cards in one column."""

from __future__ import annotations

import pytest

from reporting.rollup import rebuild
from targets import services
from targets.models import Membership, Region
from tests.browser.pages import demo_rolled_up, log_in, phone_page, watch_problems
from tests.province import load_province_plan

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("eager"),  # load_demo's rollup in process, as on the demo
]

PASSWORD = "phone-layout-password"
SIZES = {390: 844, 360: 780}
TOUCH = 44  # px: the smallest tap target (Apple's and WCAG 2.5.5's figure)
FIELD_TEXT = 16  # px: below this iOS Safari zooms into a focused field

# What the page measures of itself. Plotly's toolbar (its "modebar", 22 px icons) is not
# shown on a phone (charts.js): "modebars" counts the ones found, which must be none.
MEASURE = """(least) => {
  const root = document.documentElement;
  const shown = (e) => e.checkVisibility({visibilityProperty: true});
  const box = (e) => e.getBoundingClientRect();
  const label = (e) => `${e.tagName.toLowerCase()}.${e.className} "${
    (e.name || e.innerText || e.value || '').trim().slice(0, 20)}"`;
  const fields = [...document.querySelectorAll(
    'input:not([type=hidden]):not([type=checkbox]):not([type=radio])'
    + ':not([type=submit]):not([type=button]):not([type=reset]), select, textarea')]
    .filter(shown);
  const targets = [...document.querySelectorAll(
    'main button, main input[type=submit], main a.button, select, '
    + '.site-header button, .site-nav a')]
    .filter(shown);
  const tables = [...document.querySelectorAll('main table')].filter(shown).map((t) => {
    const wrap = t.closest('.table-wrap');
    const first = [...t.querySelectorAll('tr > :first-child')];
    return {
      table: t.className,
      wrapped: wrap !== null,
      wrapFits: wrap !== null && box(wrap).right <= root.clientWidth + 0.5,
      scrolls: wrap !== null && wrap.scrollWidth > wrap.clientWidth,
      firstSticky: first.every((c) => getComputedStyle(c).position === 'sticky'),
    };
  });
  const charts = [...document.querySelectorAll('.chart')].filter(shown).map((c) => {
    const svg = c.querySelector('.main-svg');
    return {
      box: Math.round(c.clientWidth),
      svg: svg ? Math.round(box(svg).width) : null,
      right: Math.round(box(c).right),
    };
  });
  return {
    scrollWidth: root.scrollWidth,
    clientWidth: root.clientWidth,
    smallFields: fields.filter((e) => parseFloat(getComputedStyle(e).fontSize) < least.text)
      .map((e) => `${label(e)} ${getComputedStyle(e).fontSize}`),
    shortTargets: targets.filter((e) => box(e).height < least.touch - 0.5)
      .map((e) => `${label(e)} ${Math.round(box(e).height)}px`),
    fields: fields.length,
    targets: targets.length,
    tables,
    charts,
    modebars: [...document.querySelectorAll('.modebar')].filter(shown).length,
    cardLefts: [...document.querySelectorAll('.goal-card')].filter(shown)
      .map((c) => Math.round(box(c).left)),
  };
}"""


def _check(page, where: str, *, fields: bool = False, charts: bool = False) -> dict:
    """The page's measures, asserted; ``fields`` and ``charts``: the page must have some."""
    page.wait_for_load_state("networkidle")  # plotly has drawn
    seen = page.evaluate(MEASURE, {"text": FIELD_TEXT, "touch": TOUCH})
    assert seen["scrollWidth"] <= seen["clientWidth"], (where, seen["scrollWidth"])
    assert seen["smallFields"] == [], (where, seen["smallFields"])
    assert seen["shortTargets"] == [], (where, seen["shortTargets"])
    assert seen["targets"] > 0, where  # the header's links at least
    assert not fields or seen["fields"] > 0, (where, "no form field measured")
    for table in seen["tables"]:
        assert table["wrapped"] and table["wrapFits"], (where, table)
        assert not table["scrolls"] or table["firstSticky"], (where, table)
    assert not charts or seen["charts"], (where, "no chart measured")
    for chart in seen["charts"]:
        assert chart["svg"] is not None and chart["svg"] <= chart["box"], (where, chart)
        assert chart["right"] <= seen["clientWidth"], (where, chart)
    assert seen["modebars"] == 0, (where, "plotly's toolbar on a phone")
    assert len(set(seen["cardLefts"])) <= 1, (where, "goal cards side by side", seen["cardLefts"])
    return seen


def _sign_in(browser, live_server, request, username: str, width: int):
    page = phone_page(browser, request, width, SIZES[width])
    log_in(page, live_server, username, PASSWORD)
    return page


def _first_link(page, prefix: str) -> str:
    href = page.locator(f"main a[href^='{prefix}']").first.get_attribute("href")
    assert href, prefix
    return href


@pytest.mark.parametrize("width", [390, 360])
def test_the_leaders_pages_fit_a_phone(live_server, browser, request, width) -> None:
    demo_rolled_up(PASSWORD)
    page = _sign_in(browser, live_server, request, "leader", width)
    problems = watch_problems(page)

    page.goto(f"{live_server.url}/dashboard/?as_of=2015-09")
    seen = _check(page, "dashboard", fields=True, charts=True)
    assert len(seen["cardLefts"]) == 4 and any(t["scrolls"] for t in seen["tables"]), seen
    drill_downs = [
        _first_link(page, prefix)
        for prefix in (
            "/dashboard/quota/",
            "/dashboard/county/",
            "/dashboard/department/",
            "/dashboard/workitem/",
        )
    ]
    for path in drill_downs:
        page.goto(f"{live_server.url}{path}")
        _check(page, path, fields=True, charts=path.startswith("/dashboard/quota/"))

    page.goto(f"{live_server.url}/bulletins/")
    _check(page, "bulletins")
    page.goto(f"{live_server.url}/bulletins/2015/9/")
    _check(page, "bulletin")
    assert not problems, problems


def test_a_chart_follows_the_screen_narrowing(live_server, browser, request) -> None:
    demo_rolled_up(PASSWORD)
    page = _sign_in(browser, live_server, request, "leader", 390)
    page.goto(f"{live_server.url}/dashboard/quota/rural-transfer/?as_of=2015-09")
    _check(page, "quota at 390", charts=True)
    page.set_viewport_size({"width": 360, "height": SIZES[360]})
    # plotly (responsive: true) redraws on the window's resize event, a moment later
    page.wait_for_function(
        "() => [...document.querySelectorAll('.chart')].every((c) =>"
        " c.querySelector('.main-svg').getBoundingClientRect().width <= c.clientWidth)"
    )
    _check(page, "quota at 360", charts=True)


def test_a_province_leaders_page_fits_a_phone(
    live_server, browser, request, django_user_model
) -> None:
    plan = demo_rolled_up(PASSWORD)
    load_province_plan()
    rebuild(plan)
    leader = django_user_model.objects.create_user("leader-henan-layout", password=PASSWORD)
    services.membership_assign(
        user=leader, role=Membership.Role.LEADER, region=Region.objects.get(code="410000")
    )
    page = _sign_in(browser, live_server, request, "leader-henan-layout", 390)
    page.goto(f"{live_server.url}/dashboard/?as_of=2015-10")
    assert "/dashboard/province/410000/" in page.url
    _check(page, "province", fields=True)


@pytest.mark.parametrize("width", [390, 360])
def test_the_clerks_entry_fits_a_phone(live_server, browser, request, width) -> None:
    demo_rolled_up(PASSWORD)
    page = _sign_in(browser, live_server, request, "clerk-hrss", width)
    problems = watch_problems(page)

    page.goto(f"{live_server.url}/entry/")
    _check(page, "entry index")
    page.goto(f"{live_server.url}/entry/2015/11/")  # not sent yet: a grid of inputs
    seen = _check(page, "entry month", fields=True)
    assert seen["fields"] > 20 and any(t["scrolls"] for t in seen["tables"]), seen
    assert not problems, problems


def test_the_reviewers_pages_fit_a_phone(live_server, browser, request) -> None:
    demo_rolled_up(PASSWORD)
    page = _sign_in(browser, live_server, request, "reviewer", 390)
    problems = watch_problems(page)

    page.goto(f"{live_server.url}/review/")
    _check(page, "review queue")
    month = page.locator("main a[href^='/review/'][href$='/10/']").first.get_attribute("href")
    assert month, "no month waiting for review"
    page.goto(f"{live_server.url}{month}")
    _check(page, month, fields=True)
    page.goto(f"{live_server.url}/review/notices/")
    _check(page, "notices", fields=True)
    assert not problems, problems


@pytest.mark.parametrize("username", ["clerk-hrss", "auditor"])
def test_the_rosters_fit_a_phone(live_server, browser, request, username) -> None:
    demo_rolled_up(PASSWORD)
    page = _sign_in(browser, live_server, request, username, 390)
    problems = watch_problems(page)

    page.goto(f"{live_server.url}/rosters/")
    _check(page, "rosters")
    training_class = page.locator("main table a[href^='/rosters/']").first.get_attribute("href")
    assert training_class, "no class listed"
    page.goto(f"{live_server.url}{training_class}")
    seen = _check(page, training_class)
    assert any(t["scrolls"] for t in seen["tables"]), seen  # the roster scrolls in its box
    if username == "clerk-hrss":
        page.goto(f"{live_server.url}{training_class}grid/")
        _check(page, "roster grid", fields=True)
    else:
        reveal = _first_link(page, f"{training_class}reveal/")
        page.goto(f"{live_server.url}{reveal}")
        _check(page, "reveal", fields=True)
    page.goto(f"{live_server.url}/rosters/findings/")
    _check(page, "findings", fields=username == "clerk-hrss")
    assert not problems, problems
