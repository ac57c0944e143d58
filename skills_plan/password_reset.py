"""Password-reset requests, limited per client address and per e-mail address.

Django's PasswordResetView mails a link to every account of the given address, as often as it
is asked: a script could flood a colleague's mailbox, or the mail server's quota, from one
machine. A client address may ask PASSWORD_RESET_ADDRESS_LIMIT times and an e-mail address
PASSWORD_RESET_EMAIL_LIMIT times (from any client) per PASSWORD_RESET_WINDOW_MINUTES; beyond,
the request is answered 429 and nothing is sent. The counts are kept in Django's cache and are
the same whether or not an account has that address, so the answer tells nothing about it.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import PasswordResetView
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .auth import client_ip


def over_limit(kind: str, value: str, limit: int) -> bool:
    """Count one more request for ``value``; True once there were more than ``limit``."""
    digest = hashlib.sha256(value.encode()).hexdigest()  # no addresses in the cache
    key = f"password-reset:{kind}:{digest}"
    window = settings.PASSWORD_RESET_WINDOW_MINUTES * 60
    # add() starts the window with the first request; incr() keeps its expiry.
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls: a new window
        cache.add(key, 1, window)
        count = 1
    return count > limit


def _refused(request: HttpRequest) -> HttpResponse:
    context = {"window_minutes": settings.PASSWORD_RESET_WINDOW_MINUTES}
    return render(request, "registration/password_reset_limited.html", context, status=429)


class LimitedPasswordResetView(PasswordResetView):
    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if over_limit("address", client_ip(request), settings.PASSWORD_RESET_ADDRESS_LIMIT):
            return _refused(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        email = form.cleaned_data["email"].strip().lower()
        if over_limit("email", email, settings.PASSWORD_RESET_EMAIL_LIMIT):
            return _refused(self.request)
        return super().form_valid(form)
