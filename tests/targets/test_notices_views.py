"""The notice pages: the reviewer's list (/review/notices/), a clerk's own notices
(/entry/notices/) and answering one (/entry/notices/<id>/answer/)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from targets import services
from targets.models import Indicator, Plan, Region, SupervisionNotice
from tests.helpers import assert_sent_to_log_in, client_for

pytestmark = pytest.mark.django_db

Status = SupervisionNotice.Status
LIST = "/review/notices/"
MINE = "/entry/notices/"
EXPLANATION = "春节后外出务工人员返乡较晚，培训开班推迟。"
CATCH_UP = "4月起每县区加开两期培训班，6月底前补齐进度。"
READERS = ("reviewer", "leader", "auditor", "administrator", "superuser")
CLERKS = ("clerk", "xunxian_clerk", "qibin_clerk", "agri_clerk")


def answer_url(notice: SupervisionNotice) -> str:
    return f"/entry/notices/{notice.pk}/answer/"


def raise_notice(plan: Plan, code: str, region: str | None = None, month: int = 3):
    return services.notice_raise(
        plan=plan,
        indicator=Indicator.objects.get(plan=plan, code=code),
        region=Region.objects.get(code=region) if region else None,
        month=month,
    )


@pytest.fixture
def notices(plan: Plan, users: dict[str, Any]) -> dict[str, SupervisionNotice]:
    """Rural transfer behind city-wide and in 浚县 (answered), in-service in 淇滨区 (closed),
    new farmers (农业局) city-wide."""
    made = {
        "city": raise_notice(plan, "rural-transfer"),
        "xunxian": raise_notice(plan, "rural-transfer", "410621"),
        "qibin": raise_notice(plan, "in-service", "410611"),
        "agri": raise_notice(plan, "new-farmers"),
    }
    services.notice_answer(
        actor=users["xunxian_clerk"],
        notice=made["xunxian"],
        explanation=EXPLANATION,
        catch_up_plan=CATCH_UP,
    )
    services.notice_close(notice=made["qibin"], reason="已不再滞后")
    for notice in made.values():
        notice.refresh_from_db()
    return made


def shown(response: Any) -> set[int]:
    return {notice.pk for notice in response.context["notices"]}


# --- who may open which page -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [*((w, 200) for w in READERS), *((w, 403) for w in (*CLERKS, "nobody"))],
)
def test_who_may_read_the_reviewers_list(users, who: str, status: int) -> None:
    assert client_for(users[who]).get(LIST).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [*((w, 200) for w in CLERKS), *((w, 403) for w in (*READERS, "nobody"))],
)
def test_who_may_open_a_clerks_notices(users, who: str, status: int) -> None:
    assert client_for(users[who]).get(MINE).status_code == status


@pytest.mark.parametrize("url", [LIST, MINE, "/entry/notices/1/answer/"])
def test_anonymous_users_are_sent_to_log_in(plan, url: str) -> None:
    response = client_for(None).get(url)
    assert_sent_to_log_in(response)


def test_the_lists_take_no_posts(users) -> None:
    assert client_for(users["reviewer"]).post(LIST).status_code == 405
    assert client_for(users["clerk"]).post(MINE).status_code == 405


# --- the reviewer's list ---------------------------------------------------------------------


def test_the_reviewer_sees_every_notice_open_first(users, notices) -> None:
    response = client_for(users["reviewer"]).get(LIST)

    order = [notice.pk for notice in response.context["notices"]]
    assert {order[0], order[1]} == {notices["city"].pk, notices["agri"].pk}
    assert order[2:] == [notices["xunxian"].pk, notices["qibin"].pk]
    page = response.content.decode()
    assert "农村劳动力转移就业技能培训" in page and "新型职业农民教育培训" in page
    assert EXPLANATION in page and CATCH_UP in page  # the clerk's answer
    assert "已不再滞后" in page  # why it closed
    assert "全部（4）" in page and "待反馈（2）" in page and "已反馈（1）" in page
    assert "/answer/" not in page  # reviewers do not answer


@pytest.mark.parametrize(
    ("status", "expected"),
    [("open", {"city", "agri"}), ("answered", {"xunxian"}), ("closed", {"qibin"})],
)
def test_the_reviewers_list_filters_by_status(users, notices, status, expected) -> None:
    response = client_for(users["reviewer"]).get(LIST, {"status": status})

    assert shown(response) == {notices[name].pk for name in expected}
    assert response.context["status"] == status


def test_an_unknown_status_shows_every_notice(users, notices) -> None:
    response = client_for(users["leader"]).get(LIST, {"status": "<script>"})

    assert response.status_code == 200
    assert shown(response) == {notice.pk for notice in notices.values()}


def test_the_list_reads_a_fixed_number_of_queries(
    plan, users, notices, django_assert_max_num_queries
) -> None:
    for code in ("reemployment", "entrepreneurship", "public-institution", "rain-dew"):
        for region in ("410611", "410621", "410622"):
            raise_notice(plan, code, region)
    client = client_for(users["reviewer"])
    with django_assert_max_num_queries(12):
        response = client.get(LIST)
    assert len(response.context["notices"]) == 16


def test_the_review_queue_links_to_the_notices(users) -> None:
    page = client_for(users["reviewer"]).get("/review/").content.decode()
    assert f'href="{LIST}"' in page


# --- a clerk's notices -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("clerk", {"city", "xunxian", "qibin"}),
        ("xunxian_clerk", {"xunxian"}),
        ("qibin_clerk", {"qibin"}),
        ("agri_clerk", {"agri"}),
    ],
)
def test_a_clerk_sees_their_department_and_county(users, notices, who, expected) -> None:
    response = client_for(users[who]).get(MINE)

    assert shown(response) == {notices[name].pk for name in expected}


def test_only_open_notices_link_to_an_answer(users, notices) -> None:
    page = client_for(users["clerk"]).get(MINE).content.decode()

    assert answer_url(notices["city"]) in page
    assert answer_url(notices["xunxian"]) not in page  # answered already
    assert answer_url(notices["qibin"]) not in page  # closed


def test_the_entry_page_links_to_the_clerks_notices(users) -> None:
    page = client_for(users["clerk"]).get("/entry/").content.decode()
    assert f'href="{MINE}"' in page


# --- answering -------------------------------------------------------------------------------


def test_the_clerk_answers_an_open_notice(users, notices) -> None:
    client = client_for(users["clerk"])
    notice = notices["city"]
    assert client.get(answer_url(notice)).status_code == 200

    response = client.post(
        answer_url(notice), {"explanation": EXPLANATION, "catch_up_plan": CATCH_UP}
    )

    assert response.status_code == 302
    assert response["Location"] == MINE
    notice.refresh_from_db()
    assert notice.status == Status.ANSWERED
    assert (notice.explanation, notice.catch_up_plan) == (EXPLANATION, CATCH_UP)
    assert notice.answered_by == users["clerk"]
    assert "督办单已反馈。" in client.get(MINE).content.decode()


def test_a_county_clerk_answers_their_countys_notice(plan, users) -> None:
    notice = raise_notice(plan, "reemployment", "410621")

    response = client_for(users["xunxian_clerk"]).post(
        answer_url(notice), {"explanation": EXPLANATION, "catch_up_plan": CATCH_UP}
    )

    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.answered_by == users["xunxian_clerk"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"explanation": "", "catch_up_plan": CATCH_UP}, "请填写情况说明（滞后原因）。"),
        (
            {"explanation": EXPLANATION, "catch_up_plan": "   "},
            "请填写赶进度计划（措施和时间安排）。",
        ),
        ({}, "请填写赶进度计划（措施和时间安排）。"),
    ],
)
def test_an_answer_without_both_texts_is_refused(users, notices, data, message) -> None:
    notice = notices["city"]

    response = client_for(users["clerk"]).post(answer_url(notice), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    notice.refresh_from_db()
    assert notice.status == Status.OPEN
    assert notice.explanation == "" and notice.answered_by is None


@pytest.mark.parametrize(
    ("who", "name"),
    [
        ("agri_clerk", "city"),  # another department's
        ("xunxian_clerk", "city"),  # the city's, not the county's
        ("qibin_clerk", "xunxian"),  # another county's
        ("clerk", "agri"),  # another department's
    ],
)
def test_it_checks_ownership(users, notices, who: str, name: str) -> None:
    notice = notices[name]
    before = SupervisionNotice.objects.values().get(pk=notice.pk)
    client = client_for(users[who])

    assert client.get(answer_url(notice)).status_code == 404
    response = client.post(
        answer_url(notice), {"explanation": EXPLANATION, "catch_up_plan": CATCH_UP}
    )

    assert response.status_code == 404
    assert SupervisionNotice.objects.values().get(pk=notice.pk) == before


@pytest.mark.parametrize("who", [*READERS, "nobody"])
def test_only_clerks_answer(users, notices, who: str) -> None:
    notice = notices["city"]

    response = client_for(users[who]).post(
        answer_url(notice), {"explanation": EXPLANATION, "catch_up_plan": CATCH_UP}
    )

    assert response.status_code == 403
    notice.refresh_from_db()
    assert notice.status == Status.OPEN and notice.explanation == ""


def test_an_unknown_notice_is_not_found(users, notices) -> None:
    missing = max(n.pk for n in notices.values()) + 1
    assert client_for(users["clerk"]).get(f"/entry/notices/{missing}/answer/").status_code == 404


@pytest.mark.parametrize("name", ["xunxian", "qibin"])
def test_an_answered_or_closed_notice_takes_no_answer(users, notices, name: str) -> None:
    notice = notices[name]
    who = "xunxian_clerk" if name == "xunxian" else "qibin_clerk"
    before = SupervisionNotice.objects.values().get(pk=notice.pk)
    client = client_for(users[who])

    page = client.get(answer_url(notice))
    assert page.status_code == 200
    assert "<textarea" not in page.content.decode()
    response = client.post(answer_url(notice), {"explanation": "再说一遍", "catch_up_plan": "再改"})

    assert response.status_code == 400
    assert "该督办单已反馈或已关闭，不能再次反馈。" in response.content.decode()
    assert SupervisionNotice.objects.values().get(pk=notice.pk) == before


@pytest.mark.parametrize(
    ("who", "link"),
    [("leader", "/review/notices/"), ("auditor", "/review/notices/"), ("clerk", "/entry/notices/")],
)
def test_the_notices_are_in_the_navigation(users, who: str, link: str) -> None:
    client = client_for(users[who])
    landing = client.get("/")["Location"]  # each role's own start page
    assert f'href="{link}"' in client.get(landing).content.decode()


def test_notices_are_read_only_in_the_admin(plan, notices, make_user) -> None:
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", password="x")
    client = client_for(root)
    listing = client.get("/admin/targets/supervisionnotice/")
    assert listing.status_code == 200
    notice = next(iter(notices.values()))
    assert client.get(f"/admin/targets/supervisionnotice/{notice.pk}/change/").status_code == 200
    assert client.get("/admin/targets/supervisionnotice/add/").status_code == 403
    assert client.post(f"/admin/targets/supervisionnotice/{notice.pk}/delete/").status_code == 403


# --- 办理时限, 逾期, 销号 and 催报 on the reviewer's list ------------------------------


def close_url(notice: SupervisionNotice) -> str:
    return f"/review/notices/{notice.pk}/close/"


def test_the_list_shows_the_due_date_and_overdue(plan, users) -> None:
    from datetime import timedelta

    from django.utils import timezone

    late = raise_notice(plan, "rural-transfer")
    SupervisionNotice.objects.filter(pk=late.pk).update(
        due_on=timezone.localdate() - timedelta(days=1)
    )
    fresh = raise_notice(plan, "in-service")
    page = client_for(users["reviewer"]).get(LIST).content.decode()
    late_row = page[page.index(f'id="notice-{late.pk}"') :].split("</tr>")[0]
    fresh_row = page[page.index(f'id="notice-{fresh.pk}"') :].split("</tr>")[0]
    assert "逾期" in late_row and "逾期" not in fresh_row
    assert fresh.due_on.isoformat() in fresh_row
    assert "1 份督办单已逾期未反馈" in page


def test_a_reviewer_closes_a_notice_on_the_list(plan, users) -> None:
    notice = raise_notice(plan, "rural-transfer")
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["reviewer"])
    page = client.get(LIST).content.decode()
    assert f'action="{close_url(notice)}"' in page
    # Without the CSRF token: refused, nothing changed.
    assert client.post(close_url(notice), {"reason": "已核实"}).status_code == 403
    token = client.cookies["csrftoken"].value
    response = client.post(
        close_url(notice), {"reason": "已召开推进会，核实后销号", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert (notice.status, notice.closed_by) == (Status.CLOSED, users["reviewer"])
    page = client.get(LIST).content.decode()
    assert "已召开推进会，核实后销号" in page and "办理记录" in page


def test_closing_without_a_reason_is_a_chinese_400(plan, users) -> None:
    notice = raise_notice(plan, "rural-transfer")
    response = client_for(users["reviewer"]).post(close_url(notice), {"reason": " "})
    assert response.status_code == 400
    assert "请填写销号原因" in response.content.decode()
    notice.refresh_from_db()
    assert notice.status == Status.OPEN


@pytest.mark.parametrize("who", ["leader", "auditor", "clerk"])
def test_others_cannot_close(plan, users, who) -> None:
    notice = raise_notice(plan, "rural-transfer")
    response = client_for(users[who]).post(close_url(notice), {"reason": "销号"})
    assert response.status_code == 403
    notice.refresh_from_db()
    assert notice.status == Status.OPEN
    page = client_for(users["leader"]).get(LIST).content.decode()
    assert close_url(notice) not in page  # no close form for those who may not close


def test_the_list_names_the_reports_to_chase(plan, users) -> None:
    for region, value, approve in (("410611", 1000, True), ("410621", 500, False)):
        submission = services.submission_save(
            actor=users["clerk"],
            indicator=Indicator.objects.get(plan=plan, code="rural-transfer"),
            region=Region.objects.get(code=region),
            month=3,
            value=value,
        )
        services.submission_submit(actor=users["clerk"], submission=submission)
        if approve:
            services.submission_approve(actor=users["reviewer"], submission=submission)
    page = client_for(users["reviewer"]).get(LIST).content.decode()
    assert "催报：2015年3月报表未全部审核" in page
    chase = page[page.index('id="reminders"') :]
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</th><td>(.*?)</td>(.*?)</tr>", chase)
    cells = {(dept, county): re.findall(r">(.*?)</td>", rest) for dept, county, rest in rows}
    # 人社局 owes 8 series a county (5 quotas, 3 goals' own figures): 淇滨区 1 approved,
    # 浚县 1 waiting for review, 7 not sent.
    assert cells["人社局", "淇滨区"] == ["1/8", "0", "7"]
    assert cells["人社局", "浚县"] == ["0/8", "1", "7"]
    assert ("残联", "淇县") in cells  # every department × county with nothing in yet
