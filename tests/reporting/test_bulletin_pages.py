"""The bulletin pages: who may read and publish, freezing, changes since, print, 404s."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.test import Client

from reporting.bulletins import numbers as bulletin_numbers
from reporting.bulletins import text as bulletin_text
from reporting.models import Bulletin
from reporting.rollup import rebuild
from reporting.services import bulletins as publishing
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

PAGE = "/bulletins/2015/3/"
PUBLISH = "/bulletins/2015/3/publish/"
CONFIRM = {"confirm": "1"}  # March has reports missing: publishing them needs a confirmation


@pytest.fixture
def march(bulletin_march):
    """March for the pages (``bulletin_march``); its rural figure is kept for correcting."""
    return bulletin_march


# --- who may read ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["leader", "reviewer", "auditor", "administrator"])
def test_readers_see_the_list_and_the_page(march, make_user, role, time_machine) -> None:
    # The list runs to the default as-of month: March once its deadline (5 April) has passed.
    time_machine.move_to("2015-04-07 10:00 +08:00")
    client = client_for(make_user(role))

    listing = client.get("/bulletins/")
    page = client.get(PAGE)

    assert listing.status_code == 200
    assert [m["month"] for m in listing.context["plans"][0]["months"]] == [1, 2, 3]
    assert page.status_code == 200
    assert "关于2015年1—3月全民技能振兴工程目标任务进展情况的通报" in page.content.decode()


def test_it_checks_the_role(march, make_user) -> None:
    clerk = client_for(make_user("clerk", department="hrss"))
    assert clerk.get("/bulletins/").status_code == 403
    assert clerk.get(PAGE).status_code == 403
    assert clerk.post(PUBLISH).status_code == 403
    nobody = client_for(make_user(None))
    assert nobody.get(PAGE).status_code == 403


def test_anonymous_users_are_sent_to_log_in(march) -> None:
    for url in ("/bulletins/", PAGE, PUBLISH):
        response = Client().get(url) if url != PUBLISH else Client().post(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    assert not Bulletin.objects.exists()


@pytest.mark.parametrize(
    "url", ["/bulletins/2014/3/", "/bulletins/2015/13/", "/bulletins/2015/0/", "/bulletins/2016/1/"]
)
def test_an_unknown_year_or_month_is_not_found(march, make_user, url) -> None:
    assert client_for(make_user("leader")).get(url).status_code == 404
    assert client_for(make_user("reviewer")).post(url + "publish/").status_code == 404


def test_before_any_rollup_there_is_nothing_to_publish(plan, make_user) -> None:
    client = client_for(make_user("reviewer"))
    page = client.get(PAGE)
    assert "本月进度汇总尚未生成，暂无通报。" in page.content.decode()
    assert 'id="bulletin-publish"' not in page.content.decode()

    refused = client.post(PUBLISH, CONFIRM)

    assert refused.status_code == 409
    assert "进度汇总尚未生成，暂不能发布通报。" in refused.content.decode()
    assert not Bulletin.objects.exists()


# --- publishing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "may"),
    [("reviewer", True), ("administrator", True), ("leader", False), ("auditor", False)],
)
def test_who_may_publish(march, make_user, role, may) -> None:
    client = client_for(make_user(role))
    assert ('id="bulletin-publish"' in client.get(PAGE).content.decode()) is may

    response = client.post(PUBLISH, CONFIRM)

    assert response.status_code == (302 if may else 403)
    assert Bulletin.objects.filter(month=3).exists() is may


def test_publishing_freezes_the_text_and_numbers(march, make_user) -> None:
    reviewer = make_user("reviewer")
    expected_title, expected_text = bulletin_text.render(
        bulletin_numbers.collect(march.indicator.plan, 3)
    )

    response = client_for(reviewer).post(PUBLISH, CONFIRM)

    assert response.status_code == 302 and response["Location"] == PAGE
    frozen = Bulletin.objects.get(plan__year=2015, month=3)
    assert (frozen.status, frozen.published_by) == ("published", reviewer)
    assert frozen.published_at is not None
    assert (frozen.title, frozen.text) == (expected_title, expected_text)
    rural = next(q for q in frozen.numbers["progress"]["quotas"] if q["code"] == "rural-transfer")
    assert (rural["actual"], rural["completion"]) == (1200, 0.06)
    page = client_for(reviewer).get(PAGE).content.decode()
    assert "已发布" in page and 'id="bulletin-publish"' not in page
    assert "发布以来数据没有变化。" in page


def test_publishing_needs_the_csrf_token(march, make_user) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("reviewer"))

    assert client.post(PUBLISH).status_code == 403
    assert not Bulletin.objects.exists()

    client.get(PAGE)  # sets the cookie the form's token pairs with
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    assert client.post(PUBLISH, {"csrfmiddlewaretoken": token, **CONFIRM}).status_code == 302
    assert Bulletin.objects.count() == 1


def test_publishing_twice_is_refused(march, make_user) -> None:
    first, second = client_for(make_user("reviewer")), client_for(make_user("administrator"))
    first.post(PUBLISH, CONFIRM)
    frozen = Bulletin.objects.get()

    refused = second.post(PUBLISH, CONFIRM)

    assert refused.status_code == 409
    assert "本月通报已发布，不能重复发布。" in refused.content.decode()
    assert list(Bulletin.objects.values_list("pk", "published_by")) == [
        (frozen.pk, frozen.published_by_id)
    ]
    with pytest.raises(publishing.BulletinError):
        publishing.bulletin_publish(
            plan=frozen.plan, month=3, actor=frozen.published_by, confirmed=True
        )


def test_publishing_is_a_post(march, make_user) -> None:
    assert client_for(make_user("reviewer")).get(PUBLISH).status_code == 405
    assert not Bulletin.objects.exists()


def test_the_list_shows_each_months_state(march, make_user) -> None:
    reviewer = client_for(make_user("reviewer", first_name="审核员甲"))
    reviewer.post(PUBLISH, CONFIRM)

    listing = reviewer.get("/bulletins/")

    months = {m["month"]: m["bulletin"] for m in listing.context["plans"][0]["months"]}
    assert months[1] is None and months[2] is None and months[3] is not None
    page = listing.content.decode()
    assert page.count('<span class="badge badge--amber">草稿</span>') == 2
    assert page.count('<span class="badge">已发布</span>') == 1
    assert "审核员甲" in page and 'href="/bulletins/2015/3/"' in page


# --- frozen after corrections ----------------------------------------------------------------


def test_a_published_bulletin_does_not_change_after_a_correction(
    march, make_user, correct, time_machine
) -> None:
    user = make_user("reviewer")
    client_for(user).post(PUBLISH, CONFIRM)
    frozen = Bulletin.objects.get()
    text, numbers = frozen.text, frozen.numbers
    assert "农村劳动力转移就业技能培训完成1200人次" in text

    time_machine.move_to("2015-04-20 10:00 +08:00")
    correct(march, 1500)
    rebuild(march.indicator.plan)

    frozen.refresh_from_db()
    assert (frozen.text, frozen.numbers) == (text, numbers)
    page = client_for(user).get(PAGE)  # a new session: the first one expired meanwhile
    html = page.content.decode()
    assert "农村劳动力转移就业技能培训完成1200人次" in html
    assert "农村劳动力转移就业技能培训完成1500人次" not in html
    # The draft a new publication would make has the new figure; the page lists the change.
    assert "完成1500人次" in bulletin_text.render(bulletin_numbers.collect(frozen.plan, 3))[1]
    changes = {(c["name"], c["place"]): c for c in page.context["changes"]}
    assert set(changes) == {
        ("各类职业技能培训", "全市"),
        ("农村劳动力转移就业技能培训", "全市"),
        ("农村劳动力转移就业技能培训", "淇滨区"),
    }
    # 1200 → 1500 of 20000 city-wide (6% → 7.5%) and of 6000 in 淇滨区 (20% → 25%).
    assert changes[("农村劳动力转移就业技能培训", "全市")]["actual"] == ("1200人次", "1500人次")
    assert changes[("农村劳动力转移就业技能培训", "全市")]["completion"] == ("6.0%", "7.5%")
    assert changes[("农村劳动力转移就业技能培训", "淇滨区")]["completion"] == ("20.0%", "25.0%")
    # training-total: 1200 + 2300 = 3500 → 3800 of 70000 (5.0% → 5.4%).
    assert changes[("各类职业技能培训", "全市")]["actual"] == ("3500人次", "3800人次")
    assert "1200人次 → 1500人次" in html and "5.0% → 5.4%" in html


# --- print -----------------------------------------------------------------------------------


def test_the_page_links_the_print_stylesheet(march, make_user) -> None:
    html = client_for(make_user("leader")).get(PAGE).content.decode()

    assert f'<link rel="stylesheet" href="{static("css/print.css")}" media="print">' in html
    with open(finders.find("css/print.css"), encoding="utf-8") as sheet:
        css = sheet.read()
    assert "size: A4" in css
    for hidden in (".site-header", ".site-nav", "form", "button", ".no-print"):
        assert hidden in css.split("display: none")[0]


def test_readers_find_the_bulletins_in_the_navigation(march, make_user) -> None:
    nav = client_for(make_user("leader")).get("/bulletins/").context["nav"]
    assert "bulletins" in [item["url_name"] for item in nav]
    clerk_nav = client_for(make_user("clerk", department="hrss")).get("/entry/").context["nav"]
    assert "bulletins" not in [item["url_name"] for item in clerk_nav]
