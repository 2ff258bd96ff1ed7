"""Issuing, reissuing and revoking certificates. A certificate freezes what it states at issue."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, inspect, or_, select
from sqlalchemy.exc import IntegrityError

from ..content import Course, Module
from ..content.schema import DEFAULT_FORMAT, Program
from ..extensions import db
from ..models import Certificate, User, utcnow
from ..security_log import log_event
from .codes import new_code, normalize_code


@dataclass(frozen=True)
class Subject:
    """What a certificate is for: a module, or a program of modules."""

    kind: str
    id: str
    title: str
    content_version: str
    contact_hours: Decimal
    level: str
    activity_number: str | None = None
    delivery_format: str = DEFAULT_FORMAT


def module_subject(module: Module) -> Subject:
    return Subject("module", module.id, module.title, module.version, module.contact_hours, module.level,
                   module.meta.activity_number, module.meta.format)


def program_subject(program: Program, course: Course) -> Subject:
    modules = [course.module(m) for m in program.modules]
    levels = ["introductory", "intermediate", "advanced"]
    level = max((m.level for m in modules), key=levels.index)
    version = hashlib.sha256(" ".join(m.version for m in modules).encode()).hexdigest()[:10]
    return Subject("program", program.id, program.title, version,
                   sum((m.contact_hours for m in modules), Decimal(0)), level)


def local_date(moment: datetime) -> date:
    """Return the calendar date of a moment in the provider's time zone (certificates print dates, not times)."""
    return moment.astimezone(ZoneInfo(current_app.config["PROVIDER_TIMEZONE"])).date()


def find_certificate(typed_code: str) -> Certificate | None:
    """Return the certificate with a code however it was typed (case, dashes, look-alikes), or None."""
    code = normalize_code(typed_code[:100])
    return db.session.scalar(select(Certificate).where(Certificate.code == code)) if code else None


def current_certificate(user_id: int, kind: str, subject_id: str) -> Certificate | None:
    """Return the learner's newest certificate for a module or program (revoked ones included)."""
    return db.session.scalar(select(Certificate).where(
        Certificate.user_id == user_id, Certificate.kind == kind, Certificate.subject_id == subject_id,
        Certificate.superseded_at.is_(None)).order_by(Certificate.generation.desc()).limit(1))


def issue(user: User, subject: Subject, course: Course, completed_on: date, audit: dict | None = None) -> Certificate:
    """Issue the learner's certificate once; a second or parallel call returns the one that exists."""
    existing = current_certificate(user.id, subject.kind, subject.id)
    if existing is not None:
        repair_documents(existing, course)
        return existing
    if user.email_confirmed_at is None:
        raise EmailNotConfirmed()
    provider, signer = course.spec.provider, course.spec.signer
    approval = provider.approval
    certificate = Certificate(
        code=new_code(), user_id=user.id, kind=subject.kind, subject_id=subject.id, generation=1,
        issued_at=utcnow(), completed_on=completed_on, participant_name=user.full_name,
        participant_credential=user.credential, license_number=user.license_number,
        license_state=user.license_state, course_title=subject.title, content_version=subject.content_version,
        contact_hours=subject.contact_hours, ceus=subject.contact_hours / 10, level=subject.level,
        provider_name=provider.name, provider_number=provider.approval_number,
        provider_statement=provider.statement, signer_name=signer.name, signer_title=signer.title,
        signer_credentials=signer.credentials, approval_status=approval.status,
        ceu_label=approval.ceu_label if provider.approved else None,
        activity_number=subject.activity_number if provider.approved else None,
        delivery_format=subject.delivery_format, audit=audit)
    issued = _insert_and_render(certificate, user, course)
    if issued is not None:
        log_event("certificate.issue", code=issued.code, user_id=user.id, kind=subject.kind, subject=subject.id)
    return issued or current_certificate(user.id, subject.kind, subject.id)


class EmailNotConfirmed(Exception):
    """Certificates are issued only to a confirmed email address (issue 11)."""


def reissue(old: Certificate, user: User, course: Course) -> Certificate:
    """Issue a new generation with the learner's current name and credential; the old one is superseded."""
    fields = {column.key: getattr(old, column.key) for column in Certificate.__table__.columns
              if column.key not in {"id", "code", "generation", "issued_at", "pdf", "signed_credential",
                                    "superseded_at", "superseded_by_id", "revoked_at", "revoked_reason"}}
    fields.update(participant_name=user.full_name, participant_credential=user.credential,
                  license_number=user.license_number, license_state=user.license_state)
    new = Certificate(**fields, code=new_code(), generation=old.generation + 1, issued_at=utcnow())
    if _insert_and_render(new, user, course) is None:
        raise ReissueConflict()
    old.superseded_at = new.issued_at
    old.superseded_by_id = new.id
    log_event("certificate.reissue", code=new.code, replaces=old.code, user_id=user.id)
    return new


class ReissueConflict(Exception):
    """Another reissue of the same certificate happened at the same moment."""


def _insert_and_render(certificate: Certificate, user: User, course: Course) -> Certificate | None:
    """Insert the row (the unique constraint decides races), then produce its PDF and signed credential."""
    try:
        with db.session.begin_nested():
            db.session.add(certificate)
    except IntegrityError:
        return None
    from .documents import render_documents

    certificate.pdf, certificate.signed_credential = render_documents(certificate, user, course)
    return certificate


def has_documents(certificate: Certificate) -> bool:
    """Say whether the row holds its PDF and signed credential (without loading the PDF when it is not loaded)."""
    pdf_saved = certificate.pdf_saved if "pdf" in inspect(certificate).unloaded else bool(certificate.pdf)
    return bool(pdf_saved) and bool(certificate.signed_credential)


def repair_documents(certificate: Certificate, course: Course) -> bool:
    """Produce the PDF and signed credential of a row saved without them; True when it did.

    Before requests were atomic on SQLite, a request that died while issuing left such a row behind.
    """
    if has_documents(certificate):
        return False
    from ..database import prepare_to_write
    from .documents import render_documents

    prepare_to_write()
    user = db.session.get(User, certificate.user_id)
    certificate.pdf, certificate.signed_credential = render_documents(certificate, user, course)
    return True


def broken_certificates() -> list[Certificate]:
    """Return every certificate row without its PDF or its signed credential."""
    return list(db.session.scalars(select(Certificate).where(or_(
        Certificate.pdf.is_(None), func.length(Certificate.pdf) == 0,
        Certificate.signed_credential.is_(None), Certificate.signed_credential == "")).order_by(Certificate.id)))


def revoke(certificate: Certificate, reason: str) -> None:
    """Mark a certificate revoked with a reason; verification shows it from now on."""
    if not reason.strip():
        raise ValueError("a reason is required to revoke a certificate")
    certificate.revoked_at = utcnow()
    certificate.revoked_reason = reason.strip()
    log_event("certificate.revoke", code=certificate.code, reason=certificate.revoked_reason)
