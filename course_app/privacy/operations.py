"""A learner's data: everything as a ZIP, account deletion, and the end of certificate retention."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select, update

from ..extensions import db
from ..models import (
    Certificate,
    Evaluation,
    LessonProgress,
    NewsletterSubscriber,
    QuizAttempt,
    Reflection,
    User,
    utcnow,
)
from ..security_log import log_event

PROFILE_FIELDS = ("email", "email_confirmed_at", "full_name", "credential", "license_number", "license_state",
                  "role", "created_at")
SKIPPED = {"user_id", "pdf", "signed_credential", "password_hash", "reset_token_hash", "session_version"}


def _row(row: Any) -> dict:
    """Return a row's columns as JSON-ready values (no secrets, no binary)."""
    values = {}
    for column in row.__table__.columns:
        if column.key in SKIPPED:
            continue
        value = getattr(row, column.key)
        values[column.key] = value.isoformat() if hasattr(value, "isoformat") else (
            str(value) if not isinstance(value, str | int | float | bool | dict | list | None) else value)
    return values


def _rows(model, user_id: int) -> list[dict]:
    return [_row(r) for r in db.session.scalars(select(model).where(model.user_id == user_id).order_by(model.id))]


def _attempts(user_id: int) -> list[dict]:
    """Return the learner's attempts; per-question results only for modules she has passed (they reveal the key)."""
    attempts = _rows(QuizAttempt, user_id)
    passed = {a["module_id"] for a in attempts if a["passed"]}
    for attempt in attempts:
        if attempt["module_id"] not in passed:
            attempt.pop("results", None)
    return attempts


def data_export(user: User) -> bytes:
    """Return a ZIP of the learner's profile, progress, reflections, attempts, evaluations and certificates."""
    certificates = list(db.session.scalars(select(Certificate).where(Certificate.user_id == user.id)
                                           .order_by(Certificate.id)))
    data = {
        "exported_at": datetime.now(UTC).isoformat(),
        "profile": {key: _row(user).get(key) for key in PROFILE_FIELDS},
        "lesson_progress": _rows(LessonProgress, user.id),
        "reflections": _rows(Reflection, user.id),
        "quiz_attempts": _attempts(user.id),
        "evaluations": _rows(Evaluation, user.id),
        "certificates": [_row(c) for c in certificates],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("my-data.json", json.dumps(data, indent=2, ensure_ascii=False))
        for certificate in certificates:
            if certificate.pdf:
                archive.writestr(f"certificates/certificate-{certificate.code}.pdf", certificate.pdf)
            if certificate.signed_credential:
                archive.writestr(f"certificates/credential-{certificate.code}.jwt", certificate.signed_credential)
    log_event("privacy.export", user_id=user.id)
    return buffer.getvalue()


def delete_account(user: User) -> int:
    """Remove the account and its learning records; keep its certificates verifiable, detached. Return their number."""
    user_id = user.id
    kept = db.session.execute(update(Certificate).where(Certificate.user_id == user_id)
                              .values(user_id=None)).rowcount
    for model in (LessonProgress, Reflection, QuizAttempt, Evaluation):
        db.session.execute(delete(model).where(model.user_id == user_id))
    db.session.execute(delete(NewsletterSubscriber).where(NewsletterSubscriber.email == user.email))
    db.session.delete(user)
    db.session.flush()
    log_event("privacy.account_deleted", user_id=user_id, certificates_kept=kept)
    return kept


def purge_expired_certificates(years: int, now: datetime | None = None) -> int:
    """Delete certificates of deleted accounts issued more than `years` ago; return how many."""
    now = now or utcnow()
    cutoff = now.replace(year=now.year - years) if not (now.month == 2 and now.day == 29) else \
        now.replace(year=now.year - years, day=28)
    expired = select(Certificate.id).where(Certificate.user_id.is_(None), Certificate.issued_at < cutoff)
    ids = list(db.session.scalars(expired))
    if ids:
        db.session.execute(update(Certificate).where(Certificate.superseded_by_id.in_(ids))
                           .values(superseded_by_id=None))
        db.session.execute(delete(Certificate).where(Certificate.id.in_(ids)))
    log_event("privacy.certificates_purged", count=len(ids), retention_years=years)
    return len(ids)
