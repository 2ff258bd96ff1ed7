"""The audit packet: the certificate PDF followed by the record of how it was earned, as one PDF."""
from __future__ import annotations

import io
from typing import Any

from pypdf import PdfWriter
from reportlab.lib.pagesizes import letter
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from ..pdf_fonts import SANS, SANS_BOLD, SERIF_BOLD, registered_fonts
from .pdf import HAIRLINE, PRIMARY, _para, long_date


def audit_packet(cert: Any) -> bytes:
    """Join the stored certificate PDF and the audit record pages into one document."""
    writer = PdfWriter()
    writer.append(io.BytesIO(cert.pdf))
    writer.append(io.BytesIO(record_pdf(cert)))
    writer.add_metadata({"/Title": f"Audit packet – certificate {cert.code}", "/Author": cert.provider_name})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def record_pdf(cert: Any) -> bytes:
    """Render the frozen audit record as portrait pages."""
    registered_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=letter, leftMargin=54, rightMargin=54, topMargin=54, bottomMargin=54,
                            title=f"How certificate {cert.code} was earned", initialFontName=SANS)
    doc.build(record_story(cert))
    return buffer.getvalue()


def record_story(cert: Any) -> list:
    """The record's paragraphs and tables, from the certificate's frozen audit data."""
    audit = cert.audit or {}
    story = [_para("How this certificate was earned", 16, SERIF_BOLD, PRIMARY), Spacer(1, 6),
             _para(f"{cert.participant_name}, {cert.participant_credential} · {cert.course_title} · completed "
                   f"{long_date(cert.completed_on)} · certificate {cert.code}", 9.5), Spacer(1, 10)]
    story += _section("Requirements in force at issue", _requirement_rows(audit.get("requirements", {})))
    if audit.get("attempts") is not None:
        rows = [["Attempt", "Started", "Submitted", "Score", "Result"]] + [
            [str(a["number"]), a["started_at"][:16].replace("T", " "), a["submitted_at"][:16].replace("T", " "),
             f"{a['score']:g}%", "Passed" if a["passed"] else "Not passed"] for a in audit["attempts"]]
        story += _section("Post-test attempts (times in UTC)", rows, header=True)
    facts = [["Active learning time", f"{audit.get('active_minutes', 0):g} minutes"],
             ["Evaluation submitted", (audit.get("evaluation_submitted_at") or "–")[:16].replace("T", " ") + " UTC"]]
    version = audit.get("content_version", {})
    facts += [[f"Content version ({key.replace('_', ' ')})", str(value)] for key, value in version.items()]
    story += _section("Time, evaluation and content", facts)
    module = audit.get("module")
    if module:
        story += _section("Module", [["Title", module["title"]], ["Level", module["level"].capitalize()],
                                     ["Format", module["format"]], ["Contact hours", module["contact_hours"]]]
                          + ([["Activity number", module["activity_number"]]] if module.get("activity_number") else []))
        story += [_para("Objectives", 10, SANS_BOLD)] + [_para(f"• {o}", 8.5) for o in module["objectives"]]
        story += [Spacer(1, 8), _para("Outline", 10, SANS_BOLD)] + [
            _para(f"{i}. {lesson['title']} ({lesson['minutes']} min)"
                  + (f" – completed {lesson['completed_at'][:10]}" if lesson.get("completed_at") else ""), 8.5)
            for i, lesson in enumerate(audit.get("lessons", []), 1)]
    if audit.get("module_certificates"):
        story += _section("Module certificates", [[k, v] for k, v in audit["module_certificates"].items()])
    provider = audit.get("provider", {})
    story += [Spacer(1, 10), _para("Provider statement", 10, SANS_BOLD),
              _para(provider.get("statement", cert.provider_statement), 8.5)]
    for author in audit.get("authors", []):
        story += [Spacer(1, 8), _para(f"{author['name']}, {author['credentials']}", 10, SANS_BOLD),
                  _para(author["bio"], 8.5), _para(f"Financial disclosure: {author['financial_disclosure']}", 8.5),
                  _para(f"Non-financial disclosure: {author['non_financial_disclosure']}", 8.5)]
    return story


def _requirement_rows(requirements: dict) -> list[list[str]]:
    labels = {"lessons": "Lessons", "required_reflections": "Required reflections",
              "declared_minutes": "Declared minutes", "seat_time_share": "Seat-time share",
              "required_active_minutes": "Active minutes required", "pass_mark": "Pass mark (%)",
              "attempts_per_cycle": "Attempts per cycle", "wait_hours": "Wait between cycles (hours)",
              "evaluation": "Evaluation required", "module_certificates": "Module certificates"}
    return [[labels.get(key, key), "Yes" if value is True else f"{value:g}" if isinstance(value, float) else str(value)]
            for key, value in requirements.items() if value is not None]


def _section(title: str, rows: list[list[str]], header: bool = False) -> list:
    if not rows:
        return []
    cells = [[_para(cell, 8.5, SANS_BOLD if header and i == 0 else SANS) for cell in row] for i, row in enumerate(rows)]
    widths = None if header else [190, 314]
    table = Table(cells, colWidths=widths, hAlign="LEFT")
    table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.25, HAIRLINE), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [Spacer(1, 8), _para(title, 10, SANS_BOLD), Spacer(1, 3), table]
