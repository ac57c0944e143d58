"""A roster row's personal data shown in clear only to an auditor with a reason, every reveal
recorded (who, when, why) with the masked number only; the rosters of a plan closed longer than
the retention period removed, the removal recorded, and nothing else touched."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from targets import services
from targets.models import (
    PersonalDataReveal,
    Plan,
    RosterPurge,
    Trainee,
    TrainingClass,
)
from targets.roster_rows import TypedRow
from tests.targets.rosters import make_class

pytestmark = pytest.mark.django_db

NUMBER = "410621199003070015"  # synthetic: a man of 浚县 born 1990-03-07
PHONE = "13800001234"


@pytest.fixture
def trainee(county_clerk: Any) -> Trainee:
    made = make_class(county_clerk)
    typed = TypedRow(
        line=1,
        name="张三",
        id_number=NUMBER,
        household="浚县",
        category="农村转移劳动力",
        phone=PHONE,
    )
    services.roster_replace(actor=county_clerk, training_class=made, rows=[typed])
    return Trainee.objects.get()


def test_an_auditor_sees_a_number_with_a_reason_and_the_reveal_is_recorded(trainee, auditor):
    at = datetime(2015, 11, 3, 2, tzinfo=UTC)
    shown = services.personal_data_reveal(
        actor=auditor, trainee=trainee, shown="id_number", reason="核对重复参训名单", at=at
    )
    assert shown == NUMBER
    assert (
        services.personal_data_reveal(
            actor=auditor, trainee=trainee, shown="phone", reason="电话回访核实"
        )
        == PHONE
    )
    first = PersonalDataReveal.objects.order_by("at").first()
    assert (first.actor, first.at, first.reason, first.shown) == (
        auditor,
        at,
        "核对重复参训名单",
        "id_number",
    )
    assert "410621********0015" in first.trainee_text and NUMBER not in first.trainee_text


@pytest.mark.parametrize("reason", ["", "   ", "核对"])
def test_no_reason_no_reveal(trainee, auditor, reason: str) -> None:
    with pytest.raises(ValidationError, match="请写明查看理由"):
        services.personal_data_reveal(
            actor=auditor, trainee=trainee, shown="id_number", reason=reason
        )
    assert not PersonalDataReveal.objects.exists()


def test_only_auditors_of_that_county_see_numbers(
    trainee, leader, reviewer, administrator, county_clerk, county_people, make_user
) -> None:
    other_county_auditor = make_user("auditor", region="410611", username="auditor-410611")
    for someone in (leader, reviewer, administrator, county_clerk, other_county_auditor):
        with pytest.raises(PermissionDenied):
            services.personal_data_reveal(
                actor=someone, trainee=trainee, shown="id_number", reason="核对重复参训名单"
            )
    assert not PersonalDataReveal.objects.exists()
    own = services.personal_data_reveal(
        actor=county_people["auditor"], trainee=trainee, shown="id_number", reason="本县区核查"
    )
    assert own == NUMBER


def test_a_field_that_is_not_personal_data_is_refused(trainee, auditor) -> None:
    with pytest.raises(ValidationError):
        services.personal_data_reveal(
            actor=auditor, trainee=trainee, shown="name", reason="核对重复参训名单"
        )


def _close(plan: Plan, ends_on: date) -> None:
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.CLOSED, ends_on=ends_on)


def test_rosters_of_a_plan_closed_past_the_retention_are_removed_once(
    plan, trainee, auditor, settings
) -> None:
    services.personal_data_reveal(
        actor=auditor, trainee=trainee, shown="id_number", reason="核对重复参训名单"
    )
    settings.ROSTER_RETENTION_DAYS = 365
    at = datetime(2017, 3, 1, 2, tzinfo=UTC)
    assert services.rosters_purge(at=at) == []  # still active
    _close(plan, date(2016, 3, 1))
    assert services.rosters_purge(at=at) == []  # within the retention: 2017-03-01 - 365 days
    _close(plan, date(2016, 2, 28))
    (purge,) = services.rosters_purge(at=at)
    assert (purge.plan, purge.classes, purge.trainees, purge.at) == (plan, 1, 1, at)
    assert not Trainee.objects.exists() and TrainingClass.objects.count() == 1
    (reveal,) = PersonalDataReveal.objects.all()
    assert reveal.trainee is None and "410621********0015" in reveal.trainee_text
    assert services.rosters_purge(at=at) == []  # again: nothing more
    assert RosterPurge.objects.count() == 1


def test_the_purge_command_says_what_it_removed(plan, trainee, settings) -> None:
    from io import StringIO

    settings.ROSTER_RETENTION_DAYS = 0
    out = StringIO()
    call_command("purge_rosters", stdout=out)
    assert "nothing to remove" in out.getvalue()
    _close(plan, date(2016, 1, 1))
    out = StringIO()
    call_command("purge_rosters", stdout=out)
    assert "1 roster rows of 1 classes removed" in out.getvalue()


def test_administrators_list_the_reveals_with_masked_numbers_only(trainee, auditor, superuser):
    from django.test import Client

    services.personal_data_reveal(
        actor=auditor, trainee=trainee, shown="id_number", reason="核对重复参训名单"
    )
    client = Client()
    client.force_login(superuser)
    page = client.get("/admin/targets/personaldatareveal/").content.decode()
    assert "核对重复参训名单" in page and "410621********0015" in page
    assert NUMBER not in page
    reveal = PersonalDataReveal.objects.get()
    detail = client.get(f"/admin/targets/personaldatareveal/{reveal.pk}/change/").content.decode()
    assert "核对重复参训名单" in detail and NUMBER not in detail


def test_rotation_rewrites_every_value_under_the_new_key(trainee, settings) -> None:
    from io import StringIO

    from django.db import connection

    def stored() -> tuple[str, str, str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT id_number, phone, disability_card FROM targets_trainee")
            return cursor.fetchone()

    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = "vRZMu8M8G4RaGlsA45rMH_YsOJuaP8RvdgQfJtRJGy0="
    before = stored()
    hash_before = trainee.id_hash
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    out = StringIO()
    call_command("rotate_personal_data", stdout=out)
    assert "1 roster rows re-encrypted" in out.getvalue()
    after = stored()
    assert after[0] != before[0] and after[1] != before[1] and after[2] == ""  # no card typed
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key dropped
    again = Trainee.objects.get()
    assert (again.id_number, again.phone, again.id_hash) == (NUMBER, PHONE, hash_before)
