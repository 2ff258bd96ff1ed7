"""Turn the guide's Markdown into a PDF: headings, paragraphs, lists and tables, in embedded fonts."""
from __future__ import annotations

import functools
import io
import xml.etree.ElementTree as etree
from pathlib import Path

import markdown
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import (
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from ..content.render import sanitize
from ..pdf_fonts import SANS, SANS_BOLD, markup, registered_fonts

TEAL = colors.HexColor("#0b5561")
BODY = ParagraphStyle("body", fontName=SANS, fontSize=10.5, leading=15, spaceAfter=6)
STYLES = {
    "h1": ParagraphStyle("h1", parent=BODY, fontName=SANS_BOLD, fontSize=20, leading=25, textColor=TEAL, spaceAfter=10),
    "h2": ParagraphStyle("h2", parent=BODY, fontName=SANS_BOLD, fontSize=14, leading=18, textColor=TEAL,
                         spaceBefore=12),
    "h3": ParagraphStyle("h3", parent=BODY, fontName=SANS_BOLD, fontSize=11.5, leading=15, spaceBefore=8),
    "p": BODY,
    "cell": ParagraphStyle("cell", parent=BODY, fontSize=9, leading=12, spaceAfter=0),
}
INLINE = {"strong": "b", "b": "b", "em": "i", "i": "i", "code": None, "a": None}


@functools.cache
def _cached(path: str, mtime_ns: int, title: str) -> bytes:
    return markdown_pdf(Path(path).read_text(encoding="utf-8"), title)


def guide_pdf(path: Path, title: str) -> bytes:
    """Return the PDF of a Markdown file, built once per version of the file."""
    return _cached(str(path), path.stat().st_mtime_ns, title)


def markdown_pdf(source: str, title: str) -> bytes:
    """Lay out Markdown as a letter-size PDF."""
    registered_fonts()
    html = sanitize(markdown.markdown(source, extensions=["tables", "sane_lists"]))
    root = etree.fromstring(f"<root>{html.replace('&nbsp;', ' ')}</root>")
    story = [flowable for element in root for flowable in _block(element)]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=LETTER, leftMargin=0.9 * inch, rightMargin=0.9 * inch,
                            topMargin=0.8 * inch, bottomMargin=0.8 * inch, title=title)
    doc.build(story, onFirstPage=_footer(title), onLaterPages=_footer(title))
    return buffer.getvalue()


def _footer(title: str):
    def draw(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(SANS, 8)
        canvas.setFillColor(colors.HexColor("#4f5b62"))
        canvas.drawString(0.9 * inch, 0.5 * inch, title)
        canvas.drawRightString(LETTER[0] - 0.9 * inch, 0.5 * inch, f"Page {doc.page}")
        canvas.restoreState()
    return draw


def _block(element: etree.Element) -> list:
    tag = element.tag
    if tag in ("h1", "h2", "h3", "h4", "p"):
        return [Paragraph(_inline(element), STYLES.get(tag, STYLES["h3"]))]
    if tag in ("ul", "ol"):
        items = [ListItem([Paragraph(_inline(li), BODY)], leftIndent=14) for li in element.findall("li")]
        kind = "bullet" if tag == "ul" else "1"
        return [ListFlowable(items, bulletType=kind, start="•" if tag == "ul" else 1, leftIndent=14,
                             bulletFontName=SANS, bulletFontSize=9), Spacer(1, 4)]
    if tag == "table":
        return [_table(element), Spacer(1, 8)]
    if tag == "hr":
        return [Spacer(1, 10)]
    return [Paragraph(_inline(element), BODY)] if (element.text or len(element)) else []


def _table(element: etree.Element) -> Table:
    rows = [[Paragraph(_inline(cell), STYLES["cell"]) for cell in row] for row in element.iter("tr")]
    table = Table(rows, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#c9d2d6")),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6f1f2")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _inline(element: etree.Element) -> str:
    """Paragraph markup for an element's text and inline children (bold, italic), fonts falling back for CJK."""
    parts = [_text(element.text)]
    for child in element:
        if child.tag in ("ul", "ol"):
            parts.append("<br/>" + "<br/>".join("• " + _inline(li) for li in child.findall("li")))
        else:
            tag = INLINE.get(child.tag)
            inner = _inline(child)
            parts.append(f"<{tag}>{inner}</{tag}>" if tag else inner)
        parts.append(_text(child.tail))
    return "".join(parts).strip()


def _text(text: str | None) -> str:
    return markup(text) if text else ""
