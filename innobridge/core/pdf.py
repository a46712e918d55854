"""PDF documents with Chinese text (published lists; later agendas and reports).

Uses reportlab's built-in CID font STSong-Light (Adobe-GB1, Unicode encoding): nothing is
downloaded or shipped, PDF readers render it with their Chinese fonts, and the text extracts
back as the same Chinese (tested).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

TITLE = ParagraphStyle("title", fontName=FONT, fontSize=16, leading=22, spaceAfter=4, wordWrap="CJK")  # fmt: skip
NOTE = ParagraphStyle("note", fontName=FONT, fontSize=9, leading=13, textColor=colors.grey, wordWrap="CJK")  # fmt: skip
CELL = ParagraphStyle("cell", fontName=FONT, fontSize=8.5, leading=12, wordWrap="CJK")
HEAD = ParagraphStyle("head", parent=CELL, textColor=colors.white)


def _escape(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def table_pdf(
    title: str, notes: Sequence[str], headers: Sequence[str], rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
) -> bytes:  # fmt: skip
    """A landscape A4 document: a title, a few note lines and a table that repeats its header."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
        topMargin=12 * mm, bottomMargin=12 * mm, title=title,
    )  # fmt: skip
    data = [[Paragraph(_escape(h), HEAD) for h in headers]]
    data += [[Paragraph(_escape(cell), CELL) for cell in row] for row in rows]
    total = sum(widths)
    usable = landscape(A4)[0] - 24 * mm
    table = Table(data, colWidths=[usable * w / total for w in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1F4E79")),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#C8D1DB")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#F5F7FA")]),
            ]
        )
    )
    story = [Paragraph(_escape(title), TITLE)]
    story += [Paragraph(_escape(line), NOTE) for line in notes]
    story += [Spacer(1, 4 * mm), table]
    document.build(story)
    return buffer.getvalue()
