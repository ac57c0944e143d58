"""The month's bulletin as a Word file, for leaders who edit it before sending.

The same content as the page (``bulletins.text.content``: 期号, issuer, 成文日期, title, body,
抄送), laid out the way official papers are (GB/T 9704): A4, margins 37/35/28/26 mm, body in
仿宋 16 pt (三号), headings in 黑体, the title in 小标宋 22 pt (二号). Fonts are named for the
East Asian text (``w:eastAsia``), where Word looks for Chinese fonts. Everything is written as
plain text runs.
"""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
TITLE_FONT = "方正小标宋简体"
LATIN_FONT = "Times New Roman"
BODY_SIZE = Pt(16)
TITLE_SIZE = Pt(22)
A4 = (Mm(210), Mm(297))
# Characters XML 1.0 cannot carry (a plan's settings are typed by people): left out.
NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _font(run: Any, name: str, size: Pt) -> None:
    run.font.name = LATIN_FONT
    run.font.size = size
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def _paragraph(
    document: Any,
    text: str,
    *,
    font: str = BODY_FONT,
    size: Pt = BODY_SIZE,
    align: Any = None,
    indent: bool = False,
) -> Any:
    paragraph = document.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(28)  # 22 lines a page, as GB/T 9704 has it
    if indent:
        fmt.first_line_indent = Pt(32)  # two characters
    _font(paragraph.add_run(NOT_XML.sub("", text)), font, size)
    return paragraph


def build(content: dict[str, Any]) -> bytes:
    """The .docx file's bytes for a bulletin's ``content`` (``bulletins.text.content``)."""
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

    center, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    _paragraph(document, content["number"], align=center)
    _paragraph(document, f"{content['issuer']}　　{content['date']}", align=center)
    _paragraph(document, "")
    _paragraph(document, content["title"], font=TITLE_FONT, size=TITLE_SIZE, align=center)
    _paragraph(document, "")
    first = True
    for is_heading, line in content["blocks"]:
        if is_heading:
            _paragraph(document, line, font=HEADING_FONT, indent=True)
        else:
            # The salutation (主送) starts at the margin; every other paragraph is indented.
            _paragraph(document, line, indent=not first)
        first = False
    _paragraph(document, "")
    _paragraph(document, content["issuer"], align=right)
    _paragraph(document, content["date"], align=right)
    if content["cc"]:
        _paragraph(document, "")
        _paragraph(document, content["cc"], size=Pt(14))
    out = BytesIO()
    document.save(out)
    return out.getvalue()
