"""Official paper in Word (GB/T 9704): A4, margins 37/35/28/26 mm, body in 仿宋 16 pt (三号),
headings in 黑体, titles in 小标宋 22 pt (二号), 28 pt lines. Fonts are named for the East Asian
text (``w:eastAsia``), where Word looks for Chinese fonts. Everything is written as plain text
runs; characters XML 1.0 cannot carry are left out (people type the text)."""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
TITLE_FONT = "方正小标宋简体"
LATIN_FONT = "Times New Roman"
BODY_SIZE = Pt(16)
TABLE_SIZE = Pt(12)
TITLE_SIZE = Pt(22)
A4 = (Mm(210), Mm(297))
NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    return NOT_XML.sub("", text)


def font(run: Any, name: str, size: Pt) -> None:
    run.font.name = LATIN_FONT
    run.font.size = size
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def new_document() -> Any:
    """An empty A4 document with the paper's margins and body font."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = A4
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = section.footer_distance = Cm(1.5)
    normal = document.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = BODY_SIZE
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    return document


def paragraph(
    document: Any,
    text: str,
    *,
    name: str = BODY_FONT,
    size: Pt = BODY_SIZE,
    align: Any = None,
    indent: bool = False,
) -> Any:
    """One paragraph of text; ``indent``: two characters in, as body paragraphs are."""
    added = document.add_paragraph()
    if align is not None:
        added.alignment = align
    fmt = added.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(28)  # 22 lines a page, as GB/T 9704 has it
    if indent:
        fmt.first_line_indent = Pt(32)  # two characters
    font(added.add_run(clean(text)), name, size)
    return added


def table(document: Any, headers: list[str], rows: list[list[str]]) -> Any:
    """A plain grid table, every cell text, in 12 pt."""
    grid = document.add_table(rows=1, cols=len(headers))
    grid.style = "Table Grid"
    for cell, text in zip(grid.rows[0].cells, headers, strict=True):
        font(cell.paragraphs[0].add_run(clean(text)), HEADING_FONT, TABLE_SIZE)
    for values in rows:
        cells = grid.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            font(cell.paragraphs[0].add_run(clean(str(text))), BODY_FONT, TABLE_SIZE)
    return grid


def saved(document: Any) -> bytes:
    out = BytesIO()
    document.save(out)
    return out.getvalue()
