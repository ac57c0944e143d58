"""The authorization matrix's roster: a class of the HR bureau's rural transfer in 淇滨区,
registered by its city-wide clerk, with one person on it."""

from __future__ import annotations

from typing import Any

from targets import services
from targets.models import Plan
from targets.roster_rows import TypedRow
from tests.targets.rosters import QIBIN_WOMAN, make_class

ROSTER_URLS = (
    *("roster-class", "roster-grid", "roster-template", "roster-upload", "roster-reveal"),
    "roster-export",
)


def roster_of(plan: Plan, clerk: Any) -> dict[str, int]:
    """The class and its one trainee, as the roster URLs name them (``pk``, ``trainee_id``)."""
    training_class = make_class(clerk, region="410611", plan=plan)
    person = {"name": "甲", "household": "淇滨区", "category": "农村转移劳动力"}
    (trainee,) = services.roster_replace(
        actor=clerk,
        training_class=training_class,
        rows=[TypedRow(line=1, id_number=QIBIN_WOMAN, **person)],
    )
    return {"pk": training_class.pk, "trainee_id": trainee.pk}
