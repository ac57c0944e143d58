"""Password-reset requests are limited per client address and per e-mail address.

Beyond the limit the answer is 429 with a Chinese page and no mail is sent; the counts do not
depend on whether an account has the address, so the answer does not tell. Limits are the
settings' defaults (5 an hour per address, 3 an hour per e-mail address).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client

pytestmark = pytest.mark.django_db

URL = "/accounts/password_reset/"


@pytest.fixture
def accounts(make_user: Any) -> list[Any]:
    return [make_user(None, email=f"clerk{i}@hebi.example", username=f"clerk{i}") for i in range(8)]


def _ask(email: str, address: str = "10.0.0.1") -> Any:
    return Client(REMOTE_ADDR=address).post(URL, {"email": email})


def test_the_sixth_request_from_one_address_is_refused_and_sends_nothing(accounts) -> None:
    for account in accounts[:5]:
        response = _ask(account.email)
        assert response.status_code == 302, response.status_code
    assert len(mail.outbox) == 5
    response = _ask(accounts[5].email)
    assert response.status_code == 429
    assert "重置密码请求过于频繁" in response.content.decode()
    assert len(mail.outbox) == 5
    # Another client still gets its mail.
    assert _ask(accounts[5].email, "10.0.0.2").status_code == 302
    assert len(mail.outbox) == 6
    assert mail.outbox[-1].to == [accounts[5].email]


def test_an_email_address_is_limited_across_client_addresses(accounts) -> None:
    email = accounts[0].email
    for i in range(3):
        assert _ask(email, f"10.0.1.{i}").status_code == 302
    assert len(mail.outbox) == 3
    # Same address in other letters, from a fourth machine: still the same mailbox.
    response = _ask(email.upper(), "10.0.1.9")
    assert response.status_code == 429
    assert len(mail.outbox) == 3
    assert _ask(accounts[1].email, "10.0.1.9").status_code == 302
    assert len(mail.outbox) == 4


def test_the_answer_does_not_tell_whether_the_address_has_an_account(accounts) -> None:
    known, unknown = accounts[0].email, "nobody@hebi.example"
    answers = {
        email: [_ask(email, f"10.0.2.{i}").status_code for i in range(4)]
        for email in (known, unknown)
    }
    assert answers[known] == answers[unknown] == [302, 302, 302, 429]
    assert len(mail.outbox) == 3
    assert {message.to[0] for message in mail.outbox} == {known}


def test_the_limits_are_settings(accounts, settings) -> None:
    settings.PASSWORD_RESET_ADDRESS_LIMIT = 1
    assert _ask(accounts[0].email).status_code == 302
    assert _ask(accounts[1].email).status_code == 429
    assert len(mail.outbox) == 1


def test_the_refusal_in_english(accounts) -> None:
    client = Client(REMOTE_ADDR="10.0.3.1")
    client.cookies["django_language"] = "en"
    for _ in range(5):
        client.post(URL, {"email": "nobody@hebi.example"})
    response = client.post(URL, {"email": "nobody@hebi.example"})
    assert response.status_code == 429
    assert "Too many password reset requests" in response.content.decode()


COUNT_ONCE = (
    "from skills_plan.password_reset import over_limit; "
    "print(over_limit('address', 'shared-test-{}', 1))"
)


def test_with_cache_url_every_process_counts_in_the_same_place() -> None:
    """gunicorn runs several workers: with CACHE_URL (Redis) the second request is refused
    whichever process answers it; each process's own memory would allow one per worker."""
    import os
    import secrets
    import subprocess
    import sys

    broker = os.environ.get("CELERY_BROKER_URL")
    if not broker:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true: needs Redis: set CELERY_BROKER_URL", pytrace=False)
        pytest.skip("needs Redis: set CELERY_BROKER_URL")
    code = COUNT_ONCE.format(secrets.token_hex(8))
    env = {**os.environ, "CACHE_URL": broker, "DJANGO_SETTINGS_MODULE": "skills_plan.settings_test"}
    answers = [
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            env=env,
            cwd=Path(__file__).resolve().parent.parent,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()[-1]
        for _ in range(2)
    ]
    assert answers == ["False", "True"]
