"""The 工作台账 pages: the clerk's (items, steps, a month's reports), the reviewer's queue and a
report's history, and the evidence download."""

from .clerk import work_correct, work_evidence_remove, work_index, work_month, work_steps
from .files import evidence_download
from .review import work_history, work_review

__all__ = [
    "evidence_download",
    "work_correct",
    "work_evidence_remove",
    "work_history",
    "work_index",
    "work_month",
    "work_review",
    "work_steps",
]
