"""Posted figure ids beyond any row's: refused by the form, answered 404, nothing written.

An id past eight bytes made SQLite raise OverflowError (a 500), found by
tests/hostile/test_fuzz.py::test_the_review_form; these pin it without the fuzzer's luck.
"""

from __future__ import annotations

from typing import Any

import pytest

from targets.forms import MAX_ID, ReviewForm, WithdrawForm
from targets.models import Department, Submission
from tests.helpers import client_for
from tests.targets.review_month import url, written

OUT_OF_RANGE = [str(MAX_ID + 1), str(10**20), "0", "-1", str(-(2**63) - 1)]


@pytest.mark.parametrize("pk", OUT_OF_RANGE)
def test_the_forms_refuse_an_id_no_row_can_have(pk: str) -> None:
    review = ReviewForm({"action": "approve", "ids": [pk]})
    withdraw = WithdrawForm({"ids": ["1", pk]})
    assert not review.is_valid()
    assert review.errors["ids"] == ["所选数据不存在，请刷新页面后重试。"]
    assert not withdraw.is_valid()


def test_the_largest_id_is_still_an_id() -> None:
    form = ReviewForm({"action": "approve", "ids": ["1", str(MAX_ID)]})
    assert form.is_valid()
    assert form.cleaned_data["ids"] == {1, MAX_ID}


@pytest.mark.parametrize("action", ["approve", "return"])
@pytest.mark.parametrize("pk", [str(MAX_ID + 1), str(10**20)])
def test_a_review_naming_a_huge_id_is_not_found(
    reviewer: Any, hrss: Department, march: list[Submission], action: str, pk: str
) -> None:
    before = written()
    form = {"action": action, "ids": [str(march[0].pk), pk], "comment": "请核实。"}
    assert client_for(reviewer).post(url(hrss, 3), form).status_code == 404
    assert written() == before


@pytest.mark.parametrize("pk", [str(MAX_ID + 1), str(10**20)])
def test_a_withdrawal_naming_a_huge_id_is_not_found(
    clerk: Any, march: list[Submission], pk: str
) -> None:
    before = written()
    ids = [str(march[0].pk), pk]
    assert client_for(clerk).post("/entry/2015/3/withdraw/", {"ids": ids}).status_code == 404
    assert written() == before
