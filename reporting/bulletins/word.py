"""The month's bulletin as a Word file, for leaders who edit it before sending.

The same content as the page (``bulletins.text.content``: 期号, issuer, 成文日期, title, body,
抄送), laid out on official paper (``reporting.paper``, GB/T 9704).
"""

from __future__ import annotations

from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from ..paper import HEADING_FONT, TITLE_FONT, TITLE_SIZE, new_document, paragraph, saved


def build(content: dict[str, Any]) -> bytes:
    """The .docx file's bytes for a bulletin's ``content`` (``bulletins.text.content``)."""
    document = new_document()
    center, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    paragraph(document, content["number"], align=center)
    paragraph(document, f"{content['issuer']}　　{content['date']}", align=center)
    paragraph(document, "")
    paragraph(document, content["title"], name=TITLE_FONT, size=TITLE_SIZE, align=center)
    paragraph(document, "")
    first = True
    for is_heading, line in content["blocks"]:
        if is_heading:
            paragraph(document, line, name=HEADING_FONT, indent=True)
        else:
            # The salutation (主送) starts at the margin; every other paragraph is indented.
            paragraph(document, line, indent=not first)
        first = False
    paragraph(document, "")
    paragraph(document, content["issuer"], align=right)
    paragraph(document, content["date"], align=right)
    if content["cc"]:
        paragraph(document, "")
        paragraph(document, content["cc"], size=Pt(14))
    return saved(document)
