"""Over-long user names at both login forms: a Chinese message, no 500, nothing recorded.

django-axes records each failed login with its user name in a 255-character column; a longer
name used to reach it and fail on PostgreSQL (found by tests/hostile/test_fuzz.py).
"""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
@pytest.mark.parametrize("length", [151, 300, 5000])
def test_a_name_longer_than_any_account_is_refused_before_authenticating(url, length) -> None:
    response = Client().post(url, {"username": "0" * length, "password": "x"})
    assert response.status_code == 200
    assert "用户名不能超过 150 个字符。" in response.content.decode()
    assert not AccessAttempt.objects.exists()


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_a_wrong_password_with_a_name_of_full_length_is_still_counted(url) -> None:
    response = Client().post(url, {"username": "0" * 150, "password": "x"})
    assert response.status_code == 200
    assert AccessAttempt.objects.get().username == "0" * 150
