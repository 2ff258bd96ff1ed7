"""A learner's transcript: all certificates with hours and CEUs, for a date range such as a renewal cycle."""
from __future__ import annotations

import csv
import io
from datetime import date

from sqlalchemy import select

from ..extensions import db
from ..models import Certificate, User, utcnow
from .pdf import transcript_pdf


def parse_range(start: str, end: str) -> tuple[date | None, date | None, dict[str, str]]:
    """Read optional ISO dates; return them and, for each bad field ("from" or "to"), what is wrong with it."""
    parsed: list[date | None] = []
    problems: dict[str, str] = {}
    for label, value in (("from", start), ("to", end)):
        value = value.strip()
        try:
            parsed.append(date.fromisoformat(value) if value else None)
        except ValueError:
            parsed.append(None)
            problems[label] = f"'{value[:20]}' is not a date like 2026-01-31."
    if parsed[0] and parsed[1] and parsed[0] > parsed[1]:
        problems["to"] = "The end date is before the start date. Choose an end date on or after the start."
    return (None, None, problems) if problems else (parsed[0], parsed[1], problems)


def transcript_rows(user_id: int, date_from: date | None, date_to: date | None) -> list[Certificate]:
    """Return the learner's certificates completed within the range, oldest first."""
    query = select(Certificate).where(Certificate.user_id == user_id)
    if date_from:
        query = query.where(Certificate.completed_on >= date_from)
    if date_to:
        query = query.where(Certificate.completed_on <= date_to)
    return list(db.session.scalars(query.order_by(Certificate.completed_on, Certificate.id)))


def transcript_csv(user: User, date_from: date | None, date_to: date | None) -> str:
    """Write the transcript as CSV, one certificate a row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["participant", "credential", "license_number", "license_state", "course", "kind",
                     "completion_date", "contact_hours", "ceus", "ceu_label", "level", "provider", "provider_number",
                     "certificate_code", "status"])
    for c in transcript_rows(user.id, date_from, date_to):
        writer.writerow([safe_cell(v) for v in (
            c.participant_name, c.participant_credential, c.license_number or "", c.license_state or "",
            c.course_title, c.kind, c.completed_on.isoformat(), f"{c.contact_hours:g}",
            f"{c.ceus:g}" if c.claims_ceus else "", c.ceu_label if c.claims_ceus else "",
            c.level, c.provider_name, c.provider_number, c.code, c.status)])
    return out.getvalue()


def safe_cell(value: str) -> str:
    """Keep a spreadsheet from reading a cell as a formula (a name such as '=cmd')."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def transcript_pdf_for(user: User, date_from: date | None, date_to: date | None) -> bytes:
    return transcript_pdf(user, transcript_rows(user.id, date_from, date_to), date_from, date_to, utcnow())
