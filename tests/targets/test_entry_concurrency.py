"""The grid never fails with a 500 and never half-saves; two clerks at once lose nothing."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser as User
from django.db import connection, connections
from hypothesis import given
from hypothesis import strategies as st

from targets import services
from targets.forms import MonthEntryForm
from targets.grid import Grid, cell_keys
from targets.models import Plan, Region, Submission, SubmissionEvent
from targets.services import entry as entry_service
from tests.helpers import client_for, examples, no_figures_yet
from tests.targets.entry_grid import MARCH, Role, cell, fill, indicator

pytestmark = pytest.mark.django_db

# --- hypothesis: the form never fails with a 500 and never half-saves ----------------------


# Each example starts from an empty month (the clerk fixture is shared, the figures are not).
@examples(40)
@given(values=st.lists(st.text(max_size=12), min_size=3, max_size=3), submit=st.booleans())
def test_any_posted_form_saves_whole_or_not_at_all(
    clerk: User, values: list[str], submit: bool
) -> None:
    no_figures_yet()
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
