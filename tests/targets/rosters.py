"""What the roster tests share: a training class made through the service, with defaults."""

from __future__ import annotations

from datetime import date
from typing import Any

from targets import services
from targets.models import Indicator, Region, TrainingClass


def make_class(
    actor: Any,
    *,
    code: str = "rural-transfer",
    region: str = "410621",
    start: date = date(2015, 6, 1),
    end: date = date(2015, 6, 12),
    plan: Any = None,
    **more: Any,
) -> TrainingClass:
    """A class of the quota ``code`` in the county ``region``, registered by ``actor``;
    ``plan`` when more than one plan has the code; ``more`` overrides the rest (institution,
    occupation, kind, hours, month, at)."""
    return services.training_class_create(
        actor=actor,
        indicator=Indicator.objects.get(code=code, **({"plan": plan} if plan else {})),
        region=Region.objects.get(code=region),
        **{
            "institution": "某培训学校",
            "occupation": "电工",
            "kind": "employment",
            "start_on": start,
            "end_on": end,
            "hours": 40,
            **more,
        },
    )
