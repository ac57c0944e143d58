"""A page whose form writes through one service (a correction, a notice's answer)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .. import services
from ..forms import save_form
from ..models import Plan


def form_page(
    request: HttpRequest,
    form: forms.Form,
    write: Callable[[dict[str, Any]], object],
    *,
    plan: Plan,
    done: str,
    then: str,
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """GET: the page. POST (the plan must be open, else 403): ``write`` with the form's data;
    written, the ``done`` message and a redirect to ``then``; refused, the page again with
    the form's errors (400)."""
    status = 200
    if request.method == "POST":
        services.require_open_plan(plan)
        if save_form(form, write):
            messages.success(request, done)
            return redirect(then)
        status = 400
    context = {**context, "form": form, "closed_reason": services.plan_refusal(plan)}
    return render(request, template, context, status=status)
