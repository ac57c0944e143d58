"""The demo's rosters: synthetic people whose numbers pass every check, marked as demo, equal
to 浚县's figures but for the one planted mismatch, and each planted fault found exactly once."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from django.db.models import Count

from targets import identity
from targets.models import Trainee, TrainingClass
from targets.roster_findings import Rule, roster_findings
from targets.roster_selectors import roster_checks
from tests.targets.test_demo import demo_plan  # noqa: F401 (the module's demo, loaded once)

pytestmark = pytest.mark.django_db


def test_every_class_is_marked_and_every_number_is_well_formed(demo_plan):  # noqa: F811
    classes = TrainingClass.objects.filter(indicator__plan=demo_plan)
    assert classes.count() > 100
    assert not classes.filter(is_demo=False).exists()
    assert not classes.exclude(institution__startswith="【演示】").exists()
    for trainee in Trainee.objects.all()[:500]:
        person = identity.read(trainee.id_number, today=date(2015, 12, 31))
        assert trainee.id_masked == person.masked and trainee.birth_date == person.birth_date
    repeated = Trainee.objects.values("id_hash").annotate(n=Count("pk")).filter(n__gt=1)
    assert repeated.count() == 40 + 2  # the twin class's roster; the overlap; two departments


def test_the_rosters_equal_the_figures_but_the_planted_mismatch(demo_plan):  # noqa: F811
    checks = [c for c in roster_checks(demo_plan, month=9) if c.roster or c.classes]
    assert {c.region.code for c in checks} == {"410621"}
    mismatched = [(c.indicator.code, c.month, c.figure, c.roster) for c in checks if not c.matches]
    assert mismatched == [("rural-transfer", 9, 521, 515)]


def test_each_planted_fault_is_found_once(demo_plan):  # noqa: F811
    found = Counter(finding.rule for finding in roster_findings(demo_plan))
    assert found == {rule: 1 for rule in Rule.LABELS}
