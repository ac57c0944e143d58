"""Text people typed, written into a workbook cell as text and never as a formula.

openpyxl turns any ``str`` that starts with ``=`` into a formula cell (``<f>``), so a note
"=1+1" would be evaluated by Excel and, in a template, refused on upload as a formula. Every
workbook we write (the entry template, the plan definition, the auditors' workbook) puts
user text through ``set_text``: the cell's type is forced to string, so the XML holds the exact
text as an inline string. Text Excel would evaluate once a clerk edits the cell (``=``, ``+``,
``-``, ``@``, a leading tab or carriage return) also gets Excel's quote-prefix style, which
keeps it text in Excel without changing a character of it.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def set_text(cell: Any, value: str) -> None:
    """Put ``value`` into ``cell`` (a normal or write-only cell) as a string, exactly."""
    cell.value = value
    cell.data_type = "s"
    if value.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
