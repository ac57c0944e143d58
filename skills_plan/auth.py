"""django-axes for web logins: the lockout backend and the Chinese lockout page.

``AxesBackend`` refuses any ``authenticate()`` call without the request (it needs the client
to count failures). Logins on the site always pass it (Django's ``LoginView``, the admin); a
call without one comes from code (Django's test client ``login()``, a shell) and is not a
login attempt over the network, so it is left to the model backend that follows.
"""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.backends import AxesBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


class LockoutBackend(AxesBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


class LoginAttempts(AxesDatabaseHandler):
    """django-axes' database handler with two rules of ours.

    A user name is locked after AXES_FAILURE_LIMIT failures, from wherever they come
    (AXES_LOCKOUT_PARAMETERS = ["username"]). An address is locked only once it has failed with
    LOGIN_ADDRESS_NAMES_LIMIT different user names: one office behind one NAT address is not
    locked out because one of its clerks forgot a password. And a successful login clears only
    that name's failures from that address: with axes' own reset, a clerk's own login wiped every
    failure of the address, including the guesses at a colleague's password just made.
    """

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        failures = super().get_failures(request, credentials)
        if self.names_failed_from(request) >= settings.LOGIN_ADDRESS_NAMES_LIMIT:
            return max(failures, get_failure_limit(request, credentials))
        return failures

    def names_failed_from(self, request: HttpRequest) -> int:
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.values("username").distinct().count()

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        username = get_client_username(request, credentials)
        attempts = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        )
        # django-axes' own table, cleared inside axes' handler hook: not one of our records, so
        # not a service's write (the architecture test lists this receiver as an exception).
        count, _deleted = attempts.delete()
        return count


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """The page a locked-out user name gets (429), even with the right password."""
    cooloff = settings.AXES_COOLOFF_TIME
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": round(cooloff.total_seconds() / 60) if cooloff else None,
    }
    return render(request, "registration/locked_out.html", context, status=429)


def client_ip(request: HttpRequest) -> str:
    """The client's address: nginx's X-Real-IP behind the proxy, else the socket's."""
    if settings.BEHIND_PROXY and request.META.get("HTTP_X_REAL_IP"):
        return request.META["HTTP_X_REAL_IP"].strip()
    return request.META.get("REMOTE_ADDR", "")


class _UserNameLength:
    """Refuse a user name longer than any account's before ``authenticate`` is called.

    Django's login form gives the field a max_length but no validator, so a long name reached
    ``authenticate``, failed, and django-axes then could not record the failure (its column
    holds 255 characters): a 500 on PostgreSQL, found by tests/hostile/test_fuzz.py.
    """

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        limit = self.fields["username"].max_length
        if limit and len(username) > limit:
            raise ValidationError(
                _("用户名不能超过 %(max)s 个字符。") % {"max": limit}, code="max_length"
            )
        return username


class LoginForm(_UserNameLength, AuthenticationForm):
    """The site's login form (``/accounts/login/``)."""


class AdminLoginForm(_UserNameLength, AdminAuthenticationForm):
    """The admin's login form (``/admin/login/``)."""
