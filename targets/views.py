from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from . import policy


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect(policy.home_url_name(request.user))
