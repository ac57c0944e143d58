"""The dashboard pages' figures, rendered once per rollup run and kept in Django's cache.

A page's figures (goal cards, quota tables, charts) come from the rollup tables, which change
only with a rollup run, recorded in the same transaction as its rows: the latest run of the
plan (and of the plan compared with) is in the key, so a new run means a new key and nothing
stale is served. The rest of the key is everything else the fragment depends on: the page and
what it shows (a county, a department), the month, the language, the whole query string
(filters, sort) and the few things of the user's rights that change its content (``variant``).
The page around it (the header with the user's name and plans, the CSRF token, the work
items, which are not rollups) is rendered on every request. A fragment holds no user data:
whoever may open the page sees the same figures.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from targets.models import Plan

from .. import selectors

# A day, as the progress documents: the key changes with every rollup run anyway.
FRAGMENT_CACHE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Fragment:
    """Rendered figures, and the few facts about them the page around them needs (whether
    it has charts, for the scripts in its head)."""

    html: SafeString
    facts: dict[str, Any] = field(default_factory=dict)


# ``render(runs)``: the figures, given the latest run of each plan by id (``latest_runs``).
Render = Callable[[dict[int, int]], tuple[str, dict[str, Any]]]


def fragment_key(
    request: HttpRequest,
    page: str,
    plans: list[Plan],
    runs: dict[int, int],
    month: int,
    variant: str = "",
) -> str:
    """The cache key of a page's figures (see the module's docstring)."""
    versions = ",".join(f"{plan.pk}@{runs.get(plan.pk)}" for plan in plans)
    query = sorted((name, values) for name, values in request.GET.lists())
    digest = hashlib.sha256(repr(query).encode()).hexdigest()[:32]
    language = translation.get_language()
    return f"dashboard-fragment:{page}:{versions}:{month}:{language}:{variant}:{digest}"


def cached_fragment(
    request: HttpRequest,
    page: str,
    plans: tuple[Plan | None, ...],
    month: int,
    render: Render,
    variant: str = "",
) -> Fragment:
    """The page's figures from the cache, else ``render``'s (stored for the next request)."""
    shown = [plan for plan in plans if plan is not None]
    runs = selectors.latest_runs(shown)
    key = fragment_key(request, page, shown, runs, month, variant)
    found = cache.get(key)
    if found is None:
        found = render(runs)
        cache.set(key, found, FRAGMENT_CACHE_SECONDS)
    html, facts = found
    return Fragment(html=mark_safe(html), facts=facts)  # our templates escaped it
