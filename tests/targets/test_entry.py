"""Clerks' monthly entry: the grid, its validation, saving whole, submitting, corrections."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser as User
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from targets import services
from targets.forms import MonthEntryForm, parse_figure
from targets.grid import Grid, cell_keys, checks
from targets.models import Indicator, Membership, Plan, Region, Submission, SubmissionEvent
from targets.services import entry as entry_service

pytestmark = pytest.mark.django_db

Role = Membership.Role
MARCH = "/entry/2015/3/"


@pytest.fixture
def clerk(plan: Plan, make_user: Any) -> User:
    return make_user(Role.CLERK, "hrss", username="clerk-hrss")


@pytest.fixture
def county_clerk(plan: Plan, make_user: Any) -> User:
    return make_user(Role.CLERK, "hrss", "410621", username="clerk-hrss-xunxian")


@pytest.fixture
def reviewer(plan: Plan, make_user: Any) -> User:
    return make_user(Role.REVIEWER, username="reviewer")


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_of(response: Any, **values: str) -> dict[str, str]:
    """The posted form of a grid page: every editable cell as shown, with some changed.

    ``values`` are keyed ``<series code>__<region code>``; a value of None leaves it empty.
    """
    data: dict[str, str] = {}
    for cell in response.context["grid"].cells:
        data[f"t-{cell.key}"] = cell.token
        if cell.editable:
            data[f"v-{cell.key}"] = cell.raw
            data[f"n-{cell.key}"] = cell.note
    for name, value in values.items():
        code, region = name.split("__")
        key = f"{indicator(code).pk}-{Region.objects.get(code=region).pk}"
        data[f"v-{key}"] = value
    return data


def indicator(code: str) -> Indicator:
    return Indicator.objects.get(plan__year=2015, code=code)


def cell(code: str, region: str, month: int = 3) -> Submission | None:
    return Submission.objects.filter(
        indicator=indicator(code), region__code=region, month=month, is_current=True
    ).first()


def fill(response: Any, value: str = "10") -> dict[str, str]:
    """Every editable cell filled with ``value``."""
    data = form_of(response)
    for name in list(data):
        if name.startswith("v-") and not data[name]:
            data[name] = value
    return data


# --- parsing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("0", 0),
        ("1200", 1200),
        ("1,200", 1200),
        ("１２３", 123),
        ("１，２００", 1200),
        (" 45 ", 45),
        ("+7", 7),
        ("12.0", 12),
        ("0" * 5000 + "7", 7),
        ("", None),
        ("   ", None),
    ],
)
def test_figures_are_normalised(typed: str, value: int | None) -> None:
    assert parse_figure(typed) == value


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "请填写数字"),
        ("-5", "不能为负数"),
        ("3.5", "不能有小数"),
        ("1e9", "科学计数法"),
        ("1E3", "科学计数法"),
        ("12,00", "千分位分隔符位置不对"),
        ("1,2,3", "千分位分隔符位置不对"),
        ("100000000", "数值过大"),
        ("十二", "请填写数字"),
        ("12人", "请填写数字"),
        ("=1+1", "请填写数字"),
        # Beyond what int() reads (4300 digits): too large, never a ValueError (a 500).
        ("9" * 5000, "数值过大"),
        ("1" + "0" * 5000 + ".0", "数值过大"),
        ("1" + ",000" * 1500, "数值过大"),
    ],
)
def test_bad_figures_are_refused_with_a_message(typed: str, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_figure(typed)
    assert message in refused.value.messages[0]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=20))
def test_parsing_any_text_gives_a_figure_or_a_message(typed: str) -> None:
    try:
        value = parse_figure(typed)
    except ValidationError as refused:
        assert refused.messages and all(refused.messages)
    else:
        assert value is None or 0 <= value <= services.MAX_VALUE


# --- checks that need a note ---------------------------------------------------------------


def test_a_month_above_the_counties_annual_target_needs_a_note(plan: Plan) -> None:
    rural = indicator("rural-transfer")
    assert checks(rural, 5001, 3, {}, target=5000)
    assert not checks(rural, 5000, 3, {}, target=5000)
    assert not checks(rural, 5001, 3, {}, target=None)  # a county without a split


def test_far_above_the_cells_own_history_needs_a_note(plan: Plan) -> None:
    rural = indicator("rural-transfer")
    history = {1: 100, 2: 120}
    assert any("远高于" in r for r in checks(rural, 500, 3, history, None))
    assert not checks(rural, 180, 3, history, None)
    assert not checks(rural, 500, 3, {2: 120}, None)  # one month is no history


def test_a_running_total_typed_as_a_monthly_figure_is_flagged(plan: Plan) -> None:
    rural = indicator("rural-transfer")
    history = {1: 100, 2: 120, 3: 90}
    assert any("累计数" in r for r in checks(rural, 310, 4, history, None))
    assert any("累计数" in r for r in checks(rural, 400, 4, history, None))
    assert not checks(rural, 110, 4, history, None)
    enrolment = indicator("vocational-enrolment")  # a level: the same figure every month is fine
    assert not checks(enrolment, 310, 4, {1: 300, 2: 305, 3: 310}, None)


# --- the pages -----------------------------------------------------------------------------


def test_saving_a_draft_keeps_every_figure_with_its_audit_trail(clerk: User) -> None:
    client = client_for(clerk)
    page = client.get(MARCH)
    data = form_of(page, **{"rural-transfer__410611": "1,200", "in-service__410621": "３５"})

    response = client.post(MARCH, {**data, "action": "save"})

    assert response.status_code == 302
    assert cell("rural-transfer", "410611").value == 1200
    assert cell("in-service", "410621").value == 35
    assert cell("rural-transfer", "410611").status == Submission.Status.DRAFT
    assert Submission.objects.count() == 2
    events = SubmissionEvent.objects.filter(submission=cell("rural-transfer", "410611"))
    assert [(e.action, e.actor, e.new_value) for e in events] == [("create", clerk, 1200)]
    again = client.get(MARCH)
    assert "已保存 3月草稿。" in again.content.decode()
    assert 'value="1200"' in again.content.decode()


def test_one_bad_figure_saves_nothing_and_says_where(clerk: User) -> None:
    client = client_for(clerk)
    data = form_of(
        client.get(MARCH), **{"rural-transfer__410611": "1200", "in-service__410621": "3.5"}
    )

    response = client.post(MARCH, {**data, "action": "save"})

    assert response.status_code == 400
    assert not Submission.objects.exists()
    page = response.content.decode()
    assert "本月数据未保存" in page
    assert "人数、人次不能有小数" in page
    assert 'value="3.5"' in page  # what was typed stays on the page to be fixed
    assert 'value="1200"' in page


def test_a_refused_page_fixed_and_sent_again_is_saved(clerk: User) -> None:
    client = client_for(clerk)
    data = fill(client.get(MARCH), "10")
    bad = sorted(name for name in data if name.startswith("v-"))[5]
    data[bad] = "abc"
    refused = client.post(MARCH, {**data, "action": "submit"})
    assert refused.status_code == 400

    again = fill(refused, "10")  # the page as the clerk sees it, with the bad cell fixed
    again[bad] = "10"
    response = client.post(MARCH, {**again, "action": "submit"})

    assert response.status_code == 302
    # 8 series × 6 places (five counties and 市直).
    assert Submission.objects.filter(status="submitted").count() == 48


def test_submitting_needs_every_cell(clerk: User) -> None:
    client = client_for(clerk)
    data = form_of(client.get(MARCH), **{"rural-transfer__410611": "12"})

    response = client.post(MARCH, {**data, "action": "submit"})

    assert response.status_code == 400
    assert "请填写本月数据（没有发生请填 0）" in response.content.decode()
    assert not Submission.objects.exists()


def test_submitting_a_full_month_sends_it_for_review(clerk: User) -> None:
    client = client_for(clerk)
    data = fill(client.get(MARCH), "10")

    response = client.post(MARCH, {**data, "action": "submit"})

    assert response.status_code == 302
    submitted = Submission.objects.filter(month=3)
    assert submitted.count() == 48  # 8 series × 6 places
    assert set(submitted.values_list("status", flat=True)) == {"submitted"}
    assert all(s.submitted_by == clerk for s in submitted)
    page = client.get(MARCH).content.decode()
    assert "保存并报送审核" not in page  # nothing left to send
    assert 'name="v-' not in page  # submitted figures are not editable


def test_a_figure_that_needs_a_note_is_accepted_with_one(clerk: User, plan: Plan) -> None:
    client = client_for(clerk)
    rural, xunxian = indicator("rural-transfer"), Region.objects.get(code="410621")
    services.region_target_set(
        reason="测试：县区分解", indicator=rural, region=xunxian, target=2000
    )
    data = form_of(client.get(MARCH), **{"rural-transfer__410621": "2500"})

    refused = client.post(MARCH, {**data, "action": "save"})

    assert refused.status_code == 400
    page = refused.content.decode()
    assert "超过了该县区全年目标（2,000）" in page
    assert "请在备注中说明原因后再保存" in page
    assert not Submission.objects.exists()

    data[f"n-{rural.pk}-{xunxian.pk}"] = "集中开展春季培训"
    accepted = client.post(MARCH, {**data, "action": "save"})

    assert accepted.status_code == 302
    saved = cell("rural-transfer", "410621")
    assert (saved.value, saved.note) == (2500, "集中开展春季培训")


def test_returned_figures_show_the_comment_and_can_be_sent_again(
    clerk: User, reviewer: User
) -> None:
    client = client_for(clerk)
    client.post(MARCH, {**fill(client.get(MARCH), "10"), "action": "submit"})
    returned = cell("rural-transfer", "410611")
    services.submission_return(actor=reviewer, submission=returned, comment="与台账不符，请核实")

    page = client.get(MARCH)
    assert "退回意见：与台账不符，请核实" in page.content.decode()
    data = form_of(page, **{"rural-transfer__410611": "12"})
    response = client.post(MARCH, {**data, "action": "submit"})

    assert response.status_code == 302
    again = cell("rural-transfer", "410611")
    assert (again.pk, again.value, again.status) == (returned.pk, 12, "submitted")
    actions = list(
        SubmissionEvent.objects.filter(submission=again).values_list("action", flat=True)
    )
    assert actions == ["create", "submit", "return", "change", "submit"]


def test_approved_figures_are_locked_and_corrected_with_a_reason(
    clerk: User, reviewer: User
) -> None:
    client = client_for(clerk)
    client.post(MARCH, {**fill(client.get(MARCH), "10"), "action": "submit"})
    approved = cell("rural-transfer", "410611")
    services.submission_approve(actor=reviewer, submission=approved)
    page = client.get(MARCH)
    key = f"{approved.indicator_id}-{approved.region_id}"
    assert f'name="v-{key}"' not in page.content.decode()

    forged = {**form_of(page), f"v-{key}": "99", "action": "save"}
    assert client.post(MARCH, forged).status_code == 400
    assert cell("rural-transfer", "410611").value == 10

    url = f"/entry/cell/{approved.pk}/correct/"
    assert client.get(url).status_code == 200
    no_reason = client.post(url, {"value": "11", "reason": ""})
    assert no_reason.status_code == 400
    assert "必须填写更正理由" in no_reason.content.decode()
    assert client.post(url, {"value": "11", "reason": "漏报一个培训班"}).status_code == 302

    correction = cell("rural-transfer", "410611")
    assert (correction.revision, correction.value, correction.status) == (2, 11, "draft")
    assert correction.correction_reason == "漏报一个培训班"
    approved.refresh_from_db()
    assert approved.is_counted and not approved.is_current


def test_a_stale_page_is_a_conflict_not_a_lost_update(clerk: User, make_user: Any) -> None:
    other = make_user(Role.CLERK, "hrss", username="clerk-hrss-2")
    mine, theirs = client_for(clerk), client_for(other)
    my_page = mine.get(MARCH)
    their_page = theirs.get(MARCH)
    theirs.post(MARCH, {**form_of(their_page, **{"rural-transfer__410611": "7"}), "action": "save"})

    response = mine.post(
        MARCH, {**form_of(my_page, **{"rural-transfer__410611": "8"}), "action": "save"}
    )

    assert response.status_code == 400
    assert "clerk-hrss-2" in response.content.decode()
    assert "您的修改未保存" in response.content.decode()
    assert cell("rural-transfer", "410611").value == 7


def test_a_month_not_yet_begun_takes_nothing(clerk: User, time_machine: Any) -> None:
    time_machine.move_to("2015-03-20 10:00 +08:00")
    client = client_for(clerk)
    assert 'href="/entry/2015/4/"' not in client.get("/entry/").content.decode()
    april = "/entry/2015/4/"
    data = form_of(client.get(april), **{"rural-transfer__410611": "5"})

    response = client.post(april, {**data, "action": "save"})

    assert response.status_code == 400
    assert "4月尚未开始" in response.content.decode()
    assert not Submission.objects.exists()


def test_a_closed_plan_takes_nothing(clerk: User, plan: Plan) -> None:
    client = client_for(clerk)
    data = form_of(client.get(MARCH), **{"rural-transfer__410611": "5"})
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.CLOSED)

    response = client.post(MARCH, {**data, "action": "save"})

    assert response.status_code == 403
    assert "2015年度方案已结束，数据只读" in response.content.decode()
    assert not Submission.objects.exists()


# --- permissions ---------------------------------------------------------------------------


def test_a_posted_cell_of_another_county_is_refused_whole(county_clerk: User) -> None:
    client = client_for(county_clerk)
    data = form_of(client.get(MARCH))
    own = next(name for name in data if name.startswith("v-"))
    data[own] = "5"
    qibin = Region.objects.get(code="410611")
    data[f"v-{indicator('rural-transfer').pk}-{qibin.pk}"] = "9"

    response = client.post(MARCH, {**data, "action": "save"})

    assert response.status_code == 403
    assert not Submission.objects.exists()


def test_a_posted_cell_of_another_department_is_refused_whole(clerk: User) -> None:
    client = client_for(clerk)
    data = form_of(client.get(MARCH), **{"rural-transfer__410611": "5"})
    qibin = Region.objects.get(code="410611")
    data[f"v-{indicator('new-farmers').pk}-{qibin.pk}"] = "9"

    response = client.post(MARCH, {**data, "action": "save"})

    assert response.status_code == 403
    assert not Submission.objects.exists()


def test_another_departments_correction_page_does_not_exist(
    clerk: User, make_user: Any, reviewer: User
) -> None:
    agri = make_user(Role.CLERK, "agri", username="clerk-agri")
    farmer = services.submission_save(
        actor=agri,
        indicator=indicator("new-farmers"),
        region=Region.objects.get(code="410611"),
        month=3,
        value=5,
    )
    services.submission_submit(actor=agri, submission=farmer)
    services.submission_approve(actor=reviewer, submission=farmer)

    url = f"/entry/cell/{farmer.pk}/correct/"
    assert client_for(clerk).get(url).status_code == 404
    response = client_for(clerk).post(url, {"value": "1", "reason": "x"})
    assert response.status_code == 404
    assert Submission.objects.count() == 1


@pytest.mark.parametrize(
    "role", [Role.REVIEWER, Role.LEADER, Role.AUDITOR, Role.ADMINISTRATOR, None]
)
@pytest.mark.parametrize("url", ["/entry/", MARCH])
def test_only_clerks_may_enter(plan: Plan, make_user: Any, role: Any, url: str) -> None:
    department = "hrss" if role == Role.CLERK else None
    user = make_user(role, department)
    client = client_for(user)
    assert client.get(url).status_code == 403
    key = f"{indicator('rural-transfer').pk}-{Region.objects.get(code='410611').pk}"
    response = client.post(url, {f"v-{key}": "5", f"t-{key}": "new", "action": "save"})
    assert response.status_code in (403, 405)
    assert not Submission.objects.exists()


def test_anonymous_users_are_sent_to_log_in(plan: Plan) -> None:
    response = Client().get(MARCH)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_unknown_year_or_month_is_not_found(clerk: User) -> None:
    client = client_for(clerk)
    assert client.get("/entry/2099/3/").status_code == 404
    assert client.get("/entry/2015/13/").status_code == 404


# --- hypothesis: the form never fails with a 500 and never half-saves ----------------------


# Each example starts from an empty month (the clerk fixture is shared, the figures are not).
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=st.lists(st.text(max_size=12), min_size=3, max_size=3), submit=st.booleans())
def test_any_posted_form_saves_whole_or_not_at_all(
    clerk: User, values: list[str], submit: bool
) -> None:
    SubmissionEvent.objects.all().delete()
    Submission.objects.all().delete()
    client = client_for(clerk)
    data = fill(client.get(MARCH), "3")
    names = sorted(name for name in data if name.startswith("v-"))[:3]
    for name, value in zip(names, values, strict=True):
        data[name] = value

    response = client.post(MARCH, {**data, "action": "submit" if submit else "save"})

    assert response.status_code in (302, 400)
    saved = Submission.objects.count()
    if response.status_code == 400:
        assert saved == 0
    else:
        assert saved == sum(1 for name in data if name.startswith("v-") and data[name].strip())


# --- two clerks at once, on PostgreSQL -----------------------------------------------------


def month_save(user: User, plan: Plan, data: dict[str, str]) -> Grid:
    """March saved as a draft from posted ``data``, read by the page's form."""
    form = MonthEntryForm(data, keys=cell_keys(user, plan))
    return services.month_save(actor=user, plan=plan, month=3, cells=form.cells(), submit=False)


@pytest.mark.django_db(transaction=True)
def test_two_clerks_saving_one_cell_at_once_lose_nothing(
    require_postgres: None, plan: Plan, make_user: Any
) -> None:
    clerks = [make_user(Role.CLERK, "hrss", username=f"clerk-{n}") for n in (1, 2)]
    rural = indicator("rural-transfer")
    qibin = Region.objects.get(code="410611")
    key = f"{rural.pk}-{qibin.pk}"
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(user: User, value: str) -> None:
        try:
            barrier.wait(timeout=120)  # generous: CI machines are sometimes busy
            try:
                month_save(user, plan, {f"v-{key}": value, f"t-{key}": "new"})
                outcomes[value] = "saved"
            except services.EntryRefused as refused:
                messages = [m for c in refused.grid.cells for m in c.errors] + refused.grid.errors
                outcomes[value] = " ".join(messages)
        except Exception as error:  # reported by the assertions below, not lost in the thread
            outcomes[value] = f"unexpected {error!r}"
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=(user, value))
        for user, value in zip(clerks, ("7", "8"), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)

    assert sorted(outcomes) == ["7", "8"]
    winners = [value for value, outcome in outcomes.items() if outcome == "saved"]
    assert len(winners) == 1, outcomes
    loser = ({"7", "8"} - set(winners)).pop()
    assert "刷新" in outcomes[loser]
    stored = Submission.objects.get(indicator=rural, region=qibin, month=3)
    assert str(stored.value) == winners[0]
    assert SubmissionEvent.objects.filter(submission=stored).count() == 1
    assert connection.vendor == "postgresql"


@pytest.fixture
def approved_qibin(clerk: User, reviewer: User) -> Submission:
    figure = services.submission_save(
        actor=clerk,
        indicator=indicator("rural-transfer"),
        region=Region.objects.get(code="410611"),
        month=3,
        value=5,
    )
    services.submission_submit(actor=clerk, submission=figure)
    return services.submission_approve(actor=reviewer, submission=figure)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("clerk", 200),  # own department, every county
        ("county_clerk", 404),  # own department, another county
        ("agri_clerk", 404),  # another department
        ("reviewer", 403),
        ("leader", 403),
        ("auditor", 403),
        ("administrator", 403),
    ],
)
def test_who_may_correct_a_figure(
    approved_qibin: Submission,
    clerk: User,
    county_clerk: User,
    reviewer: User,
    make_user: Any,
    who: str,
    status: int,
) -> None:
    users = {
        "clerk": clerk,
        "county_clerk": county_clerk,
        "reviewer": reviewer,
        "agri_clerk": lambda: make_user(Role.CLERK, "agri"),
        "leader": lambda: make_user(Role.LEADER),
        "auditor": lambda: make_user(Role.AUDITOR),
        "administrator": lambda: make_user(Role.ADMINISTRATOR),
    }
    user = users[who]() if callable(users[who]) else users[who]
    url = f"/entry/cell/{approved_qibin.pk}/correct/"
    client = client_for(user)

    assert client.get(url).status_code == status
    posted = client.post(url, {"value": "6", "reason": "核对台账后更正"})

    if status == 200:
        assert posted.status_code == 302
        assert Submission.objects.filter(revision=2, value=6).count() == 1
    else:
        assert posted.status_code == status
        assert Submission.objects.count() == 1


def test_the_deadline_shown_is_the_last_day_on_time(clerk: User, plan: Plan) -> None:
    client = client_for(clerk)
    assert "报送截止：2015-04-05（含当天）" in client.get(MARCH).content.decode()
    Plan.objects.filter(pk=plan.pk).update(deadline_day=10)
    assert "报送截止：2015-04-10（含当天）" in client.get(MARCH).content.decode()
    index = client.get("/entry/").content.decode()
    assert "<td>2015-04-10" in index and "<td>2016-01-10" in index


@pytest.mark.django_db(transaction=True)
def test_a_save_that_read_the_grid_before_another_committed_is_a_conflict(
    require_postgres: None, plan: Plan, make_user: Any, monkeypatch: Any
) -> None:
    """The interleaving that once lost an update, forced: the second clerk reads the month,
    the first saves the cell and commits, then the second saves."""
    first, second = (make_user(Role.CLERK, "hrss", username=f"clerk-{n}") for n in (1, 2))
    rural, qibin = indicator("rural-transfer"), Region.objects.get(code="410611")
    key = f"{rural.pk}-{qibin.pk}"
    has_read, has_committed = threading.Event(), threading.Event()
    read = entry_service.month_grid

    def read_then_wait(*args: Any, **kwargs: Any) -> Grid:
        grid = read(*args, **kwargs)
        if threading.current_thread().name == "second":
            has_read.set()
            assert has_committed.wait(timeout=120)
        return grid

    monkeypatch.setattr(entry_service, "month_grid", read_then_wait)
    outcome: list[str] = []

    def second_saves() -> None:
        try:
            month_save(second, plan, {f"v-{key}": "8", f"t-{key}": "new"})
            outcome.append("saved")
        except services.EntryRefused as refused:
            outcome.extend(m for c in refused.grid.cells for m in c.errors)
        finally:
            connections.close_all()

    thread = threading.Thread(target=second_saves, name="second")
    thread.start()
    assert has_read.wait(timeout=120)
    month_save(first, plan, {f"v-{key}": "7", f"t-{key}": "new"})
    has_committed.set()
    thread.join(timeout=180)

    assert outcome and "clerk-1" in outcome[0] and "您的修改未保存" in outcome[0], outcome
    stored = Submission.objects.get(indicator=rural, region=qibin, month=3)
    assert stored.value == 7
    assert SubmissionEvent.objects.filter(submission=stored).count() == 1


def test_the_service_refuses_a_save_from_a_state_that_is_gone(clerk: User) -> None:
    rural, qibin = indicator("rural-transfer"), Region.objects.get(code="410611")

    def save(value: int, expected: str) -> Submission:
        return services.submission_save(
            actor=clerk, indicator=rural, region=qibin, month=3, value=value, expected=expected
        )

    first = save(5, "new")
    with pytest.raises(services.Conflict) as conflict:
        save(6, "new")  # the page was read before the first save
    assert conflict.value.current == first
    seen = services.state_token(first)
    second = save(7, seen)
    assert second.value == 7
    with pytest.raises(services.Conflict):
        save(8, seen)  # that state is gone too now
    assert cell("rural-transfer", "410611").value == 7
    assert SubmissionEvent.objects.filter(submission=first).count() == 2


# --- rates: a numerator's year to date never above its denominator's --------------------------


@pytest.fixture
def civil_clerk(plan: Plan, make_user: Any) -> User:
    return make_user(Role.CLERK, "civil", username="clerk-civil")


def test_a_rate_above_100_percent_is_refused_beside_its_cell(civil_clerk: User) -> None:
    client = client_for(civil_clerk)
    page = client.get(MARCH)
    data = form_of(page, **{"veterans-eligible__410621": "17", "veterans-aware__410621": "26"})

    response = client.post(MARCH, {**data, "action": "save"})

    assert response.status_code == 400
    aware = next(
        c
        for c in response.context["grid"].cells
        if c.indicator.code == "veterans-aware" and c.region.code == "410621"
    )
    assert aware.errors == [
        "知晓培训政策的退役士兵人数（浚县）1—3月累计 26 超过退役士兵人数累计 17。"
    ]
    assert "1—3月累计 26 超过退役士兵人数累计 17" in response.content.decode()
    assert not Submission.objects.exists()


def test_a_grid_lowering_a_denominator_and_its_numerator_together_saves(
    civil_clerk: User,
) -> None:
    # The denominator comes first in the grid: checked alone, 20 would be below 28.
    client = client_for(civil_clerk)
    client.post(
        MARCH,
        {
            **form_of(
                client.get(MARCH),
                **{"veterans-eligible__410621": "30", "veterans-aware__410621": "28"},
            ),
            "action": "save",
        },
    )
    data = form_of(
        client.get(MARCH), **{"veterans-eligible__410621": "20", "veterans-aware__410621": "18"}
    )

    response = client.post(MARCH, {**data, "action": "save"})

    assert response.status_code == 302
    assert (cell("veterans-eligible", "410621").value, cell("veterans-aware", "410621").value) == (
        20,
        18,
    )


def test_lowering_a_denominator_below_a_later_months_sum_is_refused(civil_clerk: User) -> None:
    for month, eligible, aware in ((3, "30", "20"), (4, "10", "20")):
        url = f"/entry/2015/{month}/"
        client = client_for(civil_clerk)
        data = form_of(
            client.get(url),
            **{"veterans-eligible__410621": eligible, "veterans-aware__410621": aware},
        )
        assert client.post(url, {**data, "action": "save"}).status_code == 302
    data = form_of(client.get(MARCH), **{"veterans-eligible__410621": "25"})

    response = client.post(MARCH, {**data, "action": "save"})

    assert response.status_code == 400
    assert "知晓培训政策的退役士兵人数（浚县）1—4月累计 40 超过退役士兵人数累计 35。" in (
        response.content.decode()
    )
    assert cell("veterans-eligible", "410621").value == 30
    assert not Submission.objects.filter(status=Submission.Status.SUBMITTED).exists()


# --- the clerk's context: returned figures, a month fully sent, withdrawal, late badges -------


def send_march(clerk: User, value: str = "10") -> Client:
    client = client_for(clerk)
    response = client.post(MARCH, {**fill(client.get(MARCH), value), "action": "submit"})
    assert response.status_code == 302
    return client


def test_a_month_fully_sent_is_read_only_with_a_withdraw_button(clerk: User) -> None:
    client = send_march(clerk)

    page = client.get(MARCH)
    html = page.content.decode()

    assert page.context["fully_sent"]
    assert 'id="sent-state"' in html and "撤回</button>" in html
    assert "保存草稿" not in html and "保存并报送审核" not in html and "上传并报送" not in html
    assert html.count('name="ids"') == 48


def test_saving_a_month_with_nothing_to_save_does_not_say_saved(clerk: User) -> None:
    # Before: "已保存 3月草稿。" although nothing was written.
    client = send_march(clerk)
    events = SubmissionEvent.objects.count()

    response = client.post(MARCH, {**form_of(client.get(MARCH)), "action": "save"}, follow=True)

    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["没有修改，本月数据未作任何改动。"]
    assert SubmissionEvent.objects.count() == events


def test_withdrawing_makes_the_month_editable_again(clerk: User) -> None:
    client = send_march(clerk)
    ids = [c.current.pk for c in client.get(MARCH).context["grid"].cells]

    response = client.post("/entry/2015/3/withdraw/", {"ids": ids}, follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "已撤回 48 个数据，现为草稿，可修改后重新报送。"
    ]
    assert not response.context["fully_sent"]
    assert response.content.decode().count('class="entry-input') == 48
    assert Submission.objects.filter(status=Submission.Status.DRAFT).count() == 48


def test_withdrawing_after_a_review_is_refused_and_changes_nothing(
    clerk: User, reviewer: User
) -> None:
    client = send_march(clerk)
    ids = [c.current.pk for c in client.get(MARCH).context["grid"].cells]
    services.submission_approve(actor=reviewer, submission=Submission.objects.get(pk=ids[0]))

    response = client.post("/entry/2015/3/withdraw/", {"ids": ids}, follow=True)

    assert "本月已有数据被审核（或已撤回），不能撤回。" in response.content.decode()
    assert Submission.objects.filter(status=Submission.Status.SUBMITTED).count() == 47


def test_withdrawing_another_countys_figures_is_not_found(clerk: User, county_clerk: User) -> None:
    client = send_march(clerk)
    ids = [c.current.pk for c in client.get(MARCH).context["grid"].cells]
    other = client_for(county_clerk)

    assert other.post("/entry/2015/3/withdraw/", {"ids": ids}).status_code == 404
    assert other.post("/entry/2015/3/withdraw/", {"ids": "x"}).status_code == 404
    assert other.get("/entry/2015/3/withdraw/").status_code == 405
    assert Submission.objects.filter(status=Submission.Status.SUBMITTED).count() == 48


def test_a_returned_figure_is_a_banner_on_the_month_and_the_index(
    clerk: User, reviewer: User
) -> None:
    client = send_march(clerk)
    figure = cell("rural-transfer", "410621")
    services.submission_return(actor=reviewer, submission=figure, comment="与台账不符")

    month = client.get(MARCH).content.decode()
    index = client.get("/entry/").content.decode()

    assert 'id="returned-banner"' in month
    assert "本月有 1 个数据被审核员退回，请按退回意见修改后重新报送" in month
    assert "农村劳动力转移就业技能培训 · 浚县</a>：与台账不符" in month
    assert 'id="returned-banner"' in index and "2015年3月：退回 1 个" in index
    assert 'badge--returned">退回 1</span>' in index


def test_late_badges_follow_the_first_sending(clerk: User, time_machine: Any) -> None:
    # March is due by 5 April. Sent on 7 April: late ("迟报"), though nothing is missing.
    time_machine.move_to("2015-04-07 10:00 +08:00")
    client = send_march(clerk)
    time_machine.move_to("2015-05-10 10:00 +08:00")
    client.force_login(clerk)  # the session of April has expired

    rows = {row["month"]: row for row in client.get("/entry/").context["months"]}

    assert (rows[3]["late"], rows[3]["overdue"], rows[3]["nothing_sent"]) == (48, False, False)
    # April is past its deadline (5 May) with nothing sent: 逾期未报. May is not due yet.
    assert (rows[4]["overdue"], rows[4]["nothing_sent"]) == (True, True)
    assert (rows[5]["overdue"], rows[5]["late"]) == (False, 0)
    html = client.get("/entry/").content.decode()
    assert "迟报 48 个" in html and "逾期未报</span>" in html


def test_a_correction_draft_does_not_make_an_old_month_overdue(
    clerk: User, reviewer: User, time_machine: Any
) -> None:
    # Before: any draft past the deadline marked the month 已逾期, a correction too.
    time_machine.move_to("2015-04-02 10:00 +08:00")
    client = send_march(clerk)
    for figure in Submission.objects.all():
        services.submission_approve(actor=reviewer, submission=figure)
    time_machine.move_to("2015-06-01 10:00 +08:00")
    services.submission_correct(
        actor=clerk, submission=cell("rural-transfer", "410621"), value=12, reason="补录"
    )
    client.force_login(clerk)

    row = next(r for r in client.get("/entry/").context["months"] if r["month"] == 3)
    page = client.get(MARCH)

    assert (row["overdue"], row["late"], row["draft"]) == (False, 0, 1)
    # Sending the correction now is not late either.
    assert not page.context["late"]
