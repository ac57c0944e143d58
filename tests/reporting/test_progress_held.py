"""The progress a process has read is held while the cache holds its key: no fresh unpickled
copy per request, and never one the cache has dropped or a new rollup run replaced."""

from __future__ import annotations

from django.core.cache import cache

from reporting import selectors
from reporting.rollup import rebuild
from targets.models import Submission


def test_a_second_read_is_the_same_progress(plan, figure) -> None:
    figure("rural-transfer", "410611", 1, 1000)
    rebuild(plan)
    first = selectors.progress(plan, 1)
    assert first is not None
    assert selectors.progress(plan, 1) is first


def test_a_cleared_cache_reads_the_rows_again(plan, figure) -> None:
    figure("rural-transfer", "410611", 1, 1000)
    rebuild(plan)
    first = selectors.progress(plan, 1)
    cache.clear()
    second = selectors.progress(plan, 1)
    assert second is not first and second == first


def test_a_new_run_is_read_with_its_new_figures(plan, figure) -> None:
    submission = figure("rural-transfer", "410611", 1, 1000)
    rebuild(plan)
    before = selectors.progress(plan, 1)
    Submission.objects.filter(pk=submission.pk).update(value=1500)  # as a correction would
    rebuild(plan)
    after = selectors.progress(plan, 1)
    quota = {quota.code: quota for quota in after.quotas}["rural-transfer"]
    assert {quota.code: quota for quota in before.quotas}["rural-transfer"].actual == 1000
    assert quota.actual == 1500


def test_it_holds_a_bounded_number(plan, figure, monkeypatch) -> None:
    monkeypatch.setattr(selectors, "PROGRESS_HELD", 2)
    figure("rural-transfer", "410611", 1, 1000)
    rebuild(plan)
    read = {month: selectors.progress(plan, month) for month in (1, 2, 3)}
    assert selectors.progress(plan, 3) is read[3]  # held
    assert selectors.progress(plan, 1) is not read[1]  # the oldest, let go
    assert selectors.progress(plan, 1) == read[1]
