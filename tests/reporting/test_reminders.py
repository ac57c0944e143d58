"""Reminders the day after a month's deadline, and the page that lists reports missing and late."""

from __future__ import annotations

from datetime import date, datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django_celery_beat.models import PeriodicTask

from reporting import reminders
from reporting.models import ReminderRun
from reporting.rollup import rebuild
from targets import services
from targets.completeness import gaps
from targets.models import Department, Indicator, Membership, Region
from tests.helpers import HRSS_CODES, client_for

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def make(username: str, role: str, department: str | None = None, region: str | None = None):
    user = get_user_model().objects.create_user(username, email=f"{username}@hebi.example")
    services.membership_assign(
        user=user,
        role=Membership.Role(role),
        department=Department.objects.get(code=department) if department else None,
        region=Region.objects.get(code=region) if region else None,
    )
    return user


@pytest.fixture
def clerks(plan):
    return {
        "city": make("hrss-city", "clerk", "hrss"),
        "xunxian": make("hrss-xunxian", "clerk", "hrss", "410621"),
        "civil": make("civil-city", "clerk", "civil"),
    }


def report(clerk, region: str, codes: list[str], day: int) -> None:
    for code in codes:
        submission = services.submission_save(
            actor=clerk,
            indicator=Indicator.objects.get(plan__year=2015, code=code),
            region=Region.objects.get(code=region),
            month=3,
            value=1,
        )
        at = datetime(2015, 4, day, 10, tzinfo=SHANGHAI)
        services.submission_submit(actor=clerk, submission=submission, at=at)


HRSS = HRSS_CODES


@pytest.fixture
def march(plan, clerks):
    report(clerks["city"], "410611", HRSS, 3)  # all on time
    report(clerks["xunxian"], "410621", HRSS[:4], 8)  # half, three days late
    return plan


def by_place(found):
    return {(g.department, g.region): (g.expected, g.missing, g.late) for g in found}


def test_gaps_count_missing_and_late_by_department_and_county(march) -> None:
    found = by_place(gaps(march, 3))

    assert ("hrss", "410611") not in found
    assert found[("hrss", "410621")] == (8, 4, 4)
    assert found[("hrss", "410602")] == (8, 8, 0)
    assert found[("civil", "410611")] == (5, 5, 0)  # the five veterans' count series
    assert found[("hrss", "410601")] == (8, 8, 0)  # 市直 owes its reports like a county
    assert len([key for key in found if key[0] == "hrss"]) == 5


def test_each_clerk_is_reminded_of_their_own_gaps_once(march, clerks) -> None:
    run = reminders.send_reminders(march, 3, at=datetime(2015, 4, 6, 8, 30, tzinfo=SHANGHAI))

    assert run is not None
    assert (run.emails, run.missing) == (len(mail.outbox), sum(g["missing"] for g in run.gaps))
    to = {message.to[0]: message for message in mail.outbox}
    assert set(to) >= {"hrss-city@hebi.example", "hrss-xunxian@hebi.example"}
    city, county = to["hrss-city@hebi.example"].body, to["hrss-xunxian@hebi.example"].body
    assert "浚县：未报 4 项，迟报 4 项" in city
    assert "淇滨区" not in city  # reported in full and on time
    assert "鹤山区：未报 8 项" in city
    assert "浚县：未报 4 项" in county and "鹤山区" not in county
    assert "2015-04-05" in county and "【催报】2015年3月" in to["hrss-xunxian@hebi.example"].subject
    assert "民政局" in to["civil-city@hebi.example"].body

    sent = len(mail.outbox)
    assert reminders.send_reminders(march, 3) is None
    assert len(mail.outbox) == sent
    assert ReminderRun.objects.count() == 1


def test_a_mail_server_failure_records_nothing_and_the_next_run_sends(march) -> None:
    with (
        mock.patch("reporting.reminders.get_connection") as connection,
        pytest.raises(OSError),
    ):
        connection.return_value.send_messages.side_effect = OSError("mail server down")
        reminders.send_reminders(march, 3)
    assert not ReminderRun.objects.exists()

    assert reminders.send_reminders(march, 3) is not None
    assert mail.outbox


@pytest.mark.parametrize(
    ("today", "months"),
    [
        (date(2015, 4, 5), []),  # the deadline day itself
        (date(2015, 4, 6), [3]),  # the day after: remind
        (date(2015, 4, 12), [3]),
        (date(2015, 4, 13), []),  # a week on: no longer
        (date(2016, 1, 6), [12]),
    ],
)
def test_reminders_are_due_the_day_after_the_deadline(plan, today, months) -> None:
    assert reminders.due_months(plan, today) == months


def test_the_daily_job_sends_due_months_of_active_plans(march) -> None:
    runs = reminders.send_due_reminders(date(2015, 4, 6))
    assert [(run.plan_id, run.month) for run in runs] == [(march.pk, 3)]
    assert reminders.send_due_reminders(date(2015, 4, 7)) == []  # sent already


def test_the_daily_job_is_on_the_beat_schedule(beat_schedules) -> None:
    task = PeriodicTask.objects.get(task="reporting.tasks.send_due_reminders")
    assert task.enabled
    assert (task.crontab.hour, task.crontab.minute) == ("8", "30")
    assert str(task.crontab.timezone) == "Asia/Shanghai"


# --- the page ------------------------------------------------------------------------------


def test_the_page_lists_gaps_the_reminder_and_rates(march, clerks) -> None:
    reviewer = make("reviewer", "reviewer")
    reminders.send_reminders(march, 3, at=datetime(2015, 4, 6, 8, 30, tzinfo=SHANGHAI))
    rebuild(march)

    response = client_for(reviewer).get("/review/reports/?month=3")

    assert response.status_code == 200
    page = response.content.decode()
    assert "2015年3月 未报与迟报" in page
    assert "已于 2015-04-06 08:30 催报" in page
    gaps = {(g.department, g.region): g for g in response.context["gaps"]}
    assert (gaps[("hrss", "410621")].missing, gaps[("hrss", "410621")].late) == (4, 4)
    hrss = next(r for r in response.context["rates"] if r["department"].code == "hrss")
    march_cell = hrss["cells"][2]
    # 8 series × 6 places (5 counties and 市直) expected; 12 received, 8 of them on time.
    assert (march_cell["reported"], march_cell["on_time"]) == (25, 17)
    assert "25% / 17%" in page


@pytest.mark.parametrize(
    ("role", "status"),
    [("reviewer", 200), ("leader", 200), ("auditor", 200), ("administrator", 200)],
)
def test_who_may_read_the_page(plan, role, status) -> None:
    user = make(f"user-{role}", role)
    assert client_for(user).get("/review/reports/").status_code == status


def test_clerks_and_strangers_may_not(plan, clerks) -> None:
    assert client_for(clerks["city"]).get("/review/reports/").status_code == 403
    anonymous = Client().get("/review/reports/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


@pytest.mark.parametrize("month", ["13", "0", "三月"])
def test_a_bad_month_is_not_found(plan, month) -> None:
    reviewer = make("reviewer", "reviewer")
    assert client_for(reviewer).get(f"/review/reports/?month={month}").status_code == 404


def test_the_review_queue_links_to_the_page(plan) -> None:
    reviewer = make("reviewer", "reviewer")
    assert 'href="/review/reports/' in client_for(reviewer).get("/review/").content.decode()


def test_the_review_queue_shows_the_last_due_months_gaps(march) -> None:
    reviewer = make("reviewer", "reviewer")
    response = client_for(reviewer).get("/review/")
    page = response.content.decode()

    assert response.context["due_month"] == 3  # the last month due with anything sent
    assert "2015年3月 未报与迟报" in page
    # 6 departments × 6 places (5 counties and 市直) owe reports; hrss in 淇滨区 is complete
    # and on time.
    assert len(response.context["due_gaps"]) == 10
    assert response.context["due_gaps_more"] == 35 - 10
    assert response.context["due_late"] == 4
    assert 'href="/review/reports/?month=3"' in page
