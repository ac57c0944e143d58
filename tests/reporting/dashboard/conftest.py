"""The dashboard's figures: hand-made over three months, rolled up."""

from __future__ import annotations

from typing import Any

import pytest

from reporting.rollup import rebuild
from targets.models import Plan


@pytest.fixture
def figures(plan: Plan, figure: Any, split: Any) -> None:
    """Hand-made figures over three months, a county split, the veterans' counts; rolled up."""
    figure("rural-transfer", "410611", 1, 1000)
    figure("rural-transfer", "410611", 3, 500)
    figure("rural-transfer", "410621", 2, 300)
    figure("rural-transfer", "410622", 4, 900)
    figure("in-service", "410603", 2, 2300)
    figure("training-total", "410602", 2, 2000)
    figure("rain-dew", "410622", 3, 400, status="submitted")  # not counted
    figure("vocational-enrolment", "410611", 1, 10000)
    figure("vocational-enrolment", "410611", 3, 12000)
    figure("vocational-enrolment", "410621", 2, 8000)
    figure("veterans-eligible", "410611", 1, 40)
    figure("veterans-aware", "410611", 1, 38)
    figure("veterans-registered", "410611", 2, 32)
    figure("veterans-trained", "410611", 3, 28)
    figure("veterans-passed", "410611", 3, 21)
    split("rural-transfer", "410611", 6000)
    split("rural-transfer", "410621", 5000)
    rebuild(plan)
