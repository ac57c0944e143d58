"""The one shape of a rollup row, from the rollup (Python reference and SQL) through the
selectors to the pages, the API, the bulletin and the auditors' workbook."""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal


@dataclass(frozen=True)
class ProgressRow:
    """One rollup row; its fields are those of ``Rollup`` (without the plan), in its order.

    Read as plain values: a month of a province-sized plan is thousands of rows, and model
    instances with their relations cost more than the query."""

    indicator_id: int
    region_id: int | None
    month: int
    actual: int | None
    numerator: int | None
    denominator: int | None
    target: int | None
    target_rate: Decimal | None
    completion: Decimal | None
    expected: Decimal
    status: str | None
    projected: int | None
    unallocated: int | None

    @property
    def rate(self) -> Decimal | None:
        if not self.denominator:
            return None
        return Decimal(self.numerator or 0) / Decimal(self.denominator)


ROW_FIELDS = tuple(f.name for f in fields(ProgressRow))
