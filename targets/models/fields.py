"""The fields several models share: a link to another row, who did something, a county; and
the database checks they state as constraints."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def link(
    to: type[models.Model] | str,
    related_name: str,
    verbose_name: str,
    *,
    on_delete: Any = models.PROTECT,
    optional: bool = False,
    **options: Any,
) -> models.ForeignKey:
    """A foreign key; by default the row it names cannot be deleted from under it (PROTECT),
    and it is required (``optional``: it may be empty)."""
    if optional:
        options.update(null=True, blank=True)
    return models.ForeignKey(
        to, on_delete=on_delete, related_name=related_name, verbose_name=verbose_name, **options
    )


def user_field(verbose_name: str, *, optional: bool = True, **options: Any) -> models.ForeignKey:
    """The user who did something, kept for the record; ``None`` (where ``optional``) is the
    system, or a step not taken yet."""
    return link(settings.AUTH_USER_MODEL, "+", verbose_name, optional=optional, **options)


def optional_region(related_name: str, **options: Any) -> models.ForeignKey:
    """A county (or 市直); empty for the city as a whole."""
    return link("targets.Region", related_name, _("县区"), optional=True, **options)


def check(condition: Q, name: str, message: str) -> models.CheckConstraint:
    """A database check, with the message a form shows when a row breaks it."""
    return models.CheckConstraint(condition=condition, name=name, violation_error_message=message)
