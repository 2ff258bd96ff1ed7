"""Certificate and transcript PDFs: reportlab, embedded TrueType fonts, a CJK fallback font."""
from __future__ import annotations

import io
import itertools
import re
import unicodedata
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ..pdf_fonts import (
    CJK,
    SANS,
    SANS_BOLD,
    SERIF,
    SERIF_BOLD,
    font_runs,
    markup,
    registered_fonts,
)

INK, PRIMARY = colors.HexColor("#1f2a30"), colors.HexColor("#1d4e5f")
ACCENT, MUTED, HAIRLINE = colors.HexColor("#a8743a"), colors.HexColor("#56636b"), colors.HexColor("#c9d3d7")
DELIVERY = "Distance learning – independent (self-paced)"
PAGE_W, PAGE_H = landscape(letter)
# One "word" per CJK ideograph/kana/hangul (no spaces between them), else runs of non-space.
IDEOGRAPH = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff"
TOKEN = re.compile(rf"[{IDEOGRAPH}]\s*|[^\s{IDEOGRAPH}]+\s*|\s+")


def _width(text: str, font: str, size: float) -> float:
    """Measure text as drawn with the fallback font where needed."""
    return sum(pdfmetrics.stringWidth(run, name, size) for run, name in font_runs(text, font))


def _draw(c: Canvas, x: float, y: float, text: str, font: str, size: float, align: str = "center",
          color: colors.Color = MUTED) -> None:
    """Draw one line of text at (x, y), aligned left, center or right, switching fonts by run."""
    x -= {"left": 0, "center": 0.5, "right": 1}[align] * _width(text, font, size)
    c.setFillColor(color)
    c.setStrokeColor(color)
    c.setLineWidth(size * 0.035)
    for run, name in font_runs(text, font):
        c.setFont(name, size)
        # The fallback has no bold face: fill and stroke its outline so it keeps the line's weight.
        c.drawString(x, y, run, mode=2 if name == CJK and font.endswith("-Bold") else 0)
        x += pdfmetrics.stringWidth(run, name, size)


def _lines(c: Canvas, lines: list[str], y: float, font: str, size: float, color: colors.Color = MUTED,
           leading: float = 1.25, x: float = PAGE_W / 2, align: str = "center") -> float:
    """Draw lines downward from baseline y and return the baseline after the last."""
    for line in lines:
        _draw(c, x, y, line, font, size, align, color)
        y -= size * leading
    return y


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break text into lines no wider than width, splitting an overlong word between characters."""
    lines, line = [], ""
    for token in TOKEN.findall(" ".join(unicodedata.normalize("NFC", text).split())):
        pieces = [token] if _width(token.rstrip(), font, size) <= width else list(token)
        for piece in pieces:
            if line and _width((line + piece).rstrip(), font, size) > width:
                lines.append(line.rstrip())
                line = piece.lstrip()
            else:
                line += piece
    return lines + [line.rstrip()] if line.strip() else lines


def _fit(text: str, font: str, width: float, largest: float, smallest: float,
         max_lines: int) -> tuple[float, list[str]]:
    """Return the largest size (with its lines) that fits in max_lines, else the smallest size."""
    size = largest
    while True:
        lines = _wrap(text, font, size, width)
        if len(lines) <= max_lines or size <= smallest:
            return size, lines
        size = max(smallest, size - 1)


def _number(value: Decimal | float | int, places: int = 1) -> str:
    """Format a number with at least `places` decimals and no trailing zeros beyond them."""
    whole, _, fraction = format(Decimal(str(value)).normalize(), "f").partition(".")
    return f"{whole}.{fraction.ljust(places, '0')}"


def credit_text(hours: Decimal, ceus: Decimal, ceu_label: str | None = None) -> str:
    """Say the contact hours, and the CEUs only when the certificate claims them (an approved provider).

    For example '1.0 contact hour · 0.1 AOTA CEUs' when approved, '1.0 contact hour' otherwise.
    """
    hour_word = "contact hour" if Decimal(hours) == 1 else "contact hours"
    if not ceu_label:
        return f"{_number(hours)} {hour_word}"
    label = ceu_label[:-1] if Decimal(ceus) == 1 and ceu_label.endswith("CEUs") else ceu_label
    return f"{_number(hours)} {hour_word} · {_number(ceus)} {label}"


def _ceu_label(cert: Any) -> str | None:
    return cert.ceu_label if getattr(cert, "claims_ceus", True) else None


def long_date(day: date) -> str:
    """Format a date the way US boards read it, e.g. 'May 3, 2025'."""
    return f"{day:%B} {day.day}, {day.year}"


def credential_line(credential: str | None, license_number: str | None, license_state: str | None) -> str:
    """Join credential, license number and state into one line, leaving out what is missing."""
    license_text = f"License no. {license_number}" if license_number else ""
    if license_text and license_state:
        license_text += f" ({license_state})"
    return " · ".join(part for part in (credential, license_text) if part)


def certificate_pdf(cert: Any, verify_url: str, signature: bytes | None = None) -> bytes:
    """Render one landscape US-letter certificate of completion."""
    registered_fonts()
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=(PAGE_W, PAGE_H), pageCompression=1, initialFontName=SANS)
    c.setTitle(f"Certificate of Completion – {cert.participant_name}")
    c.setAuthor(cert.provider_name)
    c.setSubject(cert.course_title)
    _frame(c, cert)
    _middle(c, cert, _facts(c, cert, _statement(c, cert.provider_statement)))
    _signature(c, cert, signature)
    _verification(c, cert, verify_url)
    c.showPage()
    c.save()
    return buffer.getvalue()


def _frame(c: Canvas, cert: Any) -> None:
    """Draw the double border, the provider's name and the title."""
    c.setStrokeColor(PRIMARY)
    c.setLineWidth(2.2)
    c.rect(24, 24, PAGE_W - 48, PAGE_H - 48)
    c.setLineWidth(0.6)
    c.rect(31, 31, PAGE_W - 62, PAGE_H - 62)
    _lines(c, _fit(cert.provider_name, SANS, 560, 10, 7, 1)[1], 546, SANS, 10)
    _draw(c, PAGE_W / 2, 503, "Certificate of Completion", SERIF_BOLD, 32, color=PRIMARY)
    c.setStrokeColor(ACCENT)
    c.setLineWidth(1.2)
    c.line(PAGE_W / 2 - 36, 487, PAGE_W / 2 + 36, 487)


def _middle(c: Canvas, cert: Any, floor: float) -> None:
    """Draw who completed what, centred between the title's rule and the facts block at floor."""
    size, names = _fit(cert.participant_name, SERIF_BOLD, 640, 34, 22, 1)
    if len(names) > 1:
        size, names = _fit(cert.participant_name, SERIF_BOLD, 640, 22, 12, 2)
    title_size, titles = _fit(cert.course_title, SERIF_BOLD, 620, 19, 11, 3)
    what = "program" if cert.kind == "program" else "course"
    details = credential_line(cert.participant_credential, cert.license_number, cert.license_state)
    rows = [(["This certifies that"], SERIF, 12, MUTED, 0), (names, SERIF_BOLD, size, INK, 16),
            ([details], SANS, 11, MUTED, 11),
            ([f"has successfully completed the {what}"], SERIF, 12, MUTED, 18),
            (titles, SERIF_BOLD, title_size, PRIMARY, 10), ([DELIVERY], SANS, 10, MUTED, 8)]
    height = 487 - _stack(c, rows, 487, draw=False)
    _stack(c, rows, min(475, (487 + floor + height) / 2), draw=True)


def _stack(c: Canvas, rows: list[tuple[list[str], str, float, colors.Color, float]], y: float,
           draw: bool) -> float:
    """Lay rows of centred lines (lines, font, size, color, gap above) down from y; return the bottom."""
    for lines, font, size, color, gap in rows:
        y -= gap
        for line in lines:
            y -= size
            if draw:
                _draw(c, PAGE_W / 2, y, line, font, size, color=color)
            y -= size * 0.2
    return y


def _statement(c: Canvas, text: str) -> float:
    """Draw the provider statement in small type above the signature; return its top baseline."""
    size, lines = _fit(text, SANS, 620, 7.5, 5.5, 3)
    top = 146 + (len(lines) - 1) * size * 1.3
    _lines(c, lines, top, SANS, size, leading=1.3)
    return top


def _facts(c: Canvas, cert: Any, y: float) -> float:
    """Draw above y the facts a board checks: date, credit, level, provider; return the block's top."""
    if getattr(cert, "claims_ceus", True):
        provider = f"Provider: {cert.provider_name} · Approval number: {cert.provider_number}"
        if getattr(cert, "activity_number", None):
            provider += f" · Activity number: {cert.activity_number}"
    else:
        provider = f"Provider: {cert.provider_name} · {cert.provider_number}"
    size, lines = _fit(provider, SANS, 640, 9, 6.5, 2)
    y += 16 + (len(lines) - 1) * size * 1.3
    _lines(c, lines, y, SANS, size, INK, 1.3)
    facts = [("COMPLETED", long_date(cert.completed_on), 206, 170),
             ("CONTACT HOURS AND CEUS" if _ceu_label(cert) else "CONTACT HOURS",
              credit_text(cert.contact_hours, cert.ceus, _ceu_label(cert)), PAGE_W / 2, 230),
             ("EDUCATIONAL LEVEL", cert.level.capitalize(), PAGE_W - 206, 170)]
    y += 30
    c.setStrokeColor(HAIRLINE)
    c.setLineWidth(0.5)
    c.line(96, y - 12, PAGE_W - 96, y - 12)
    c.line(96, y + 28, PAGE_W - 96, y + 28)
    for label, value, x, width in facts:
        _draw(c, x, y + 15, label, SANS, 7)
        size, lines = _fit(value, SANS_BOLD, width, 11, 7, 1)
        _draw(c, x, y, lines[0] if lines else "", SANS_BOLD, size, color=INK)
    return y + 28


def _signature(c: Canvas, cert: Any, image: bytes | None = None) -> None:
    """Draw the signature line (with the signature image above it, if any), the signer's name and title."""
    if image:
        _signature_image(c, image)
    c.setStrokeColor(INK)
    c.setLineWidth(0.6)
    c.line(86, 106, 316, 106)
    name = ", ".join(part for part in (cert.signer_name, getattr(cert, "signer_credentials", "")) if part)
    size, lines = _fit(name, SERIF_BOLD, 240, 11, 7, 1)
    _draw(c, 201, 92, lines[0] if lines else "", SERIF_BOLD, size, color=INK)
    size, lines = _fit(cert.signer_title, SANS, 250, 8.5, 6, 2)
    _lines(c, lines, 80, SANS, size, x=201)


def _signature_image(c: Canvas, image: bytes) -> None:
    """Draw a signature image scaled into the box above the signature line (at most 200 x 40 points)."""
    from reportlab.lib.utils import ImageReader

    reader = ImageReader(io.BytesIO(image))
    width, height = reader.getSize()
    scale = min(200 / width, 40 / height)
    c.drawImage(reader, 201 - width * scale / 2, 108, width * scale, height * scale, mask="auto")


def _verification(c: Canvas, cert: Any, verify_url: str) -> None:
    """Draw the QR code for verify_url in the lower right corner, the code and URL beside it."""
    side = 84
    _qr(c, verify_url, PAGE_W - 42 - side, 40, side)
    x = PAGE_W - 46 - side
    _draw(c, x, 92, f"Certificate {cert.code}", SANS_BOLD, 8.5, "right", INK)
    size, lines = _fit(f"Verify at {verify_url}", SANS, 320, 7, 5.5, 1)
    if len(lines) > 1:  # a very long URL gets lines of its own rather than vanishing into tiny type
        size, lines = _fit(verify_url, SANS, 320, 6, 4.5, 3)
        lines.insert(0, "Verify at")
    _lines(c, lines, 76, SANS, size, x=x, align="right")


def _qr(c: Canvas, text: str, x: float, y: float, side: float) -> None:
    """Draw text as a QR code with a 4-module quiet zone, encoded by reportlab's QrCodeWidget."""
    qr = QrCodeWidget(text, barLevel="M").qr
    qr.make()
    box = side / (qr.getModuleCount() + 8)
    # One filled path instead of the widget's thousands of Rect shapes: same modules, ~10x faster.
    path = c.beginPath()
    for row_number, row in enumerate(qr.modules):
        column = 0
        for dark, group in itertools.groupby(bool(module) for module in row):
            length = len(list(group))
            if dark:
                path.rect(x + (column + 4) * box, y + side - (row_number + 5) * box, length * box, box)
            column += length
    c.setFillColor(colors.black)
    c.drawPath(path, stroke=0, fill=1)


def transcript_pdf(learner: Any, certificates: Sequence[Any], date_from: date | None, date_to: date | None,
                   generated_at: datetime, *, provider_name: str | None = None,
                   provider_number: str | None = None) -> bytes:
    """Render a portrait transcript of certificates, with totals of valid hours and CEUs."""
    registered_fonts()
    buffer = io.BytesIO()
    provider = _provider(certificates, provider_name, provider_number)
    stamp = generated_at.astimezone(UTC) if generated_at.tzinfo else generated_at
    footer = " · ".join(filter(None, [provider, f"Generated {stamp:%B} {stamp.day}, {stamp:%Y %H:%M} UTC"]))
    doc = SimpleDocTemplate(buffer, pagesize=letter, leftMargin=54, rightMargin=54, topMargin=54,
                            bottomMargin=64, title=f"Transcript – {learner.full_name}", author=provider,
                            initialFontName=SANS)

    def on_page(c: Canvas, page_doc: Any) -> None:
        size, lines = _fit(footer, SANS, 430, 7.5, 5.5, 1)
        _draw(c, 54, 36, lines[0], SANS, size, "left")
        _draw(c, letter[0] - 54, 36, f"Page {page_doc.page}", SANS, 7.5, "right")

    story = [_para("Continuing Education Transcript", 18, SERIF_BOLD, PRIMARY), Spacer(1, 8),
             _para(learner.full_name, 13, SERIF_BOLD),
             _para(" · ".join(filter(None, [credential_line(learner.credential, learner.license_number,
                                                            learner.license_state), learner.email])), 9.5),
             _para(f"Completion dates: {_date_range(date_from, date_to)}", 9.5),
             _para(f"Provider: {provider}" if provider else "", 9.5), Spacer(1, 14),
             _table(certificates), Spacer(1, 6),
             _para("Revoked and superseded certificates are listed but not counted in the totals.", 7.5,
                   color=MUTED)]
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


def _provider(certificates: Sequence[Any], name: str | None, number: str | None) -> str:
    """Name the provider and approval number, given or taken from the certificates."""
    pairs = [(name, number)] if name else [(c.provider_name, c.provider_number) for c in certificates]
    unique = list(dict.fromkeys(pairs))
    return "; ".join(f"{n} (approval number: {num})" if num else n for n, num in unique)


def _date_range(date_from: date | None, date_to: date | None) -> str:
    """Describe the transcript's date range in words."""
    if date_from and date_to:
        return f"{long_date(date_from)} – {long_date(date_to)}"
    if date_from:
        return f"from {long_date(date_from)}"
    return f"through {long_date(date_to)}" if date_to else "All dates"


def _para(text: str, size: float, font: str = SANS, color: colors.Color = INK, align: int = 0,
          note: str = "") -> Paragraph:
    """Make a paragraph of text, with an optional small second line (note) below it."""
    cjk = any(name == CJK for _, name in font_runs(text + note, font))
    style = ParagraphStyle("t", fontName=font, fontSize=size, leading=size * 1.3, textColor=color,
                           alignment=align, wordWrap="CJK" if cjk else None)
    small = f'<br/><font size="{size - 1}" color="#{MUTED.hexval()[2:]}">' if note else ""
    return Paragraph(markup(text, font) + (small + markup(note, font) + "</font>" if note else ""), style)


def _table(certificates: Sequence[Any]) -> Table:
    """Tabulate the certificates in the order given, with a totals row for valid ones.

    The CEUs column appears only when some certificate claims CEUs (issued by an approved provider).
    """
    claims = any(getattr(cert, "claims_ceus", True) for cert in certificates)
    header = ["Course and certificate", "Completed", "Hours"] + (["CEUs"] if claims else []) + ["Level", "Status"]
    rows = [[_para(h, 7.5, SANS_BOLD, colors.white, 2 if h in ("Hours", "CEUs") else 0) for h in header]]
    for cert in certificates:
        tone = INK if cert.status == "valid" else MUTED
        ceus = [_number(cert.ceus) if getattr(cert, "claims_ceus", True) else "–"] if claims else []
        cells = [long_date(cert.completed_on), _number(cert.contact_hours)] + ceus + [
            cert.level.capitalize(), cert.status.capitalize()]
        numeric = (1, 2) if claims else (1,)
        rows.append([_para(cert.course_title, 7.5, SANS, tone, note=f"Certificate {cert.code}")]
                    + [_para(cell, 7.5, SANS, tone, 2 if i in numeric else 0) for i, cell in enumerate(cells)])
    valid = [cert for cert in certificates if cert.status == "valid"]
    hours = sum((Decimal(cert.contact_hours) for cert in valid), Decimal(0))
    ceus = sum((Decimal(cert.ceus) for cert in valid if getattr(cert, "claims_ceus", True)), Decimal(0))
    total_ceus = [_para(_number(ceus), 7.5, SANS_BOLD, align=2)] if claims else []
    rows.append([_para("Total, valid certificates", 7.5, SANS_BOLD), "", _para(_number(hours), 7.5, SANS_BOLD,
                 align=2)] + total_ceus + ["", ""])
    widths = [226, 66, 40, 40, 68, 64] if claims else [246, 66, 60, 68, 64]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), PRIMARY), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -2), [colors.white, colors.HexColor("#f2f6f7")]),
        ("LINEBELOW", (0, 0), (-1, -2), 0.25, HAIRLINE), ("LINEABOVE", (0, -1), (-1, -1), 0.9, INK),
        ("LEFTPADDING", (0, 0), (-1, -1), 5), ("RIGHTPADDING", (0, 0), (-1, -1), 5),
        ("FONTNAME", (0, 0), (-1, -1), SANS), ("SPAN", (0, -1), (1, -1))]))
    return table
