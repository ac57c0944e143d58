"""The admin site: Django's, with changelists that answer bad filter values as Django intends.

Django sends a changelist whose query string it cannot use back to the plain list with ``?e=1``
(IncorrectLookupParameters). Some values get past its checks and fail only when the query is
built or run: ``?entered_at__year=99999`` (no such date in Python: ValueError),
``?at__year=100000000000000000000`` or a month of 2**63 in the date hierarchy (OverflowError),
and on PostgreSQL whatever the database refuses (DataError). Those were 500s. Every ModelAdmin
registered on this site (ours, and auth's, axes' and django-celery-beat's) gets the same answer
for them: the redirect to ``?e=1``.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.db import DataError, router, transaction
from django.http import HttpRequest

logger = logging.getLogger(__name__)

BAD_LOOKUP_ERRORS = (ValueError, OverflowError, ValidationError, DataError)


class BadLookupsMixin:
    """A changelist whose filters fail to build or run is a bad lookup (``?e=1``), not a 500."""

    model: Any

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        try:
            # A savepoint: a DataError must not leave the request's transaction broken.
            with transaction.atomic(using=router.db_for_read(self.model)):
                return super().get_changelist_instance(request)  # type: ignore[misc]
        except BAD_LOOKUP_ERRORS as exc:
            logger.info("admin changelist %s: bad lookup %r: %s", request.path, request.GET, exc)
            raise IncorrectLookupParameters(exc) from exc


class AdminSite(admin.AdminSite):
    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, BadLookupsMixin):
            admin_class = type(
                admin_class.__name__,
                (BadLookupsMixin, admin_class),
                {"__module__": admin_class.__module__, "__qualname__": admin_class.__qualname__},
            )
        super().register(model_or_iterable, admin_class, **options)


class SkillsAdminConfig(AdminConfig):
    default_site = "skills_plan.admin_site.AdminSite"
