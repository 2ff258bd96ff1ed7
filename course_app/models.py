"""Learner state. Content (modules, lessons, quizzes) lives in files and is referenced by string ids."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, func, types
from sqlalchemy.orm import Mapped, column_property, mapped_column

from .extensions import db

ID = String(80)  # content ids: lowercase words joined by hyphens


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(types.TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = types.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lowercased
    password_hash: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(120))
    credential: Mapped[str] = mapped_column(String(20))
    license_number: Mapped[str | None] = mapped_column(String(40))
    license_state: Mapped[str | None] = mapped_column(String(2))
    role: Mapped[str] = mapped_column(String(20), default="learner")
    # Bumped on logout and password change: every session carrying an older number is void.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Issue 11: certificates go only to a confirmed address; one password-reset link at a time (its hash).
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reset_token_hash: Mapped[str | None] = mapped_column(String(64))
    reset_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # When this login began (epoch seconds), carried in the session id so the server enforces a lifetime.
    login_started = None  # set per instance by start_session and load_user (not a column)

    def get_id(self) -> str:
        started = f":{self.login_started}" if self.login_started else ""
        return f"{self.id}:{self.session_version}{started}"

    @property
    def is_instructor(self) -> bool:
        return self.role in ("instructor", "admin")


class LessonProgress(db.Model):
    __table_args__ = (UniqueConstraint("user_id", "module_id", "lesson_id"),
                      Index("ix_lesson_progress_user_last_seen", "user_id", "last_seen_at"),  # instructor: last activity
                      # instructor funnel: read from the index alone
                      Index("ix_lesson_progress_module_user", "module_id", "user_id", "completed_at", "lesson_id",
                            "active_seconds", "first_opened_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[str] = mapped_column(ID)
    lesson_id: Mapped[str] = mapped_column(ID)
    first_opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active_seconds: Mapped[int] = mapped_column(default=0)
    last_heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Reflection(db.Model):
    __table_args__ = (UniqueConstraint("user_id", "module_id", "reflection_id"),
                      Index("ix_reflection_module_words", "module_id", "user_id", "reflection_id", "words"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[str] = mapped_column(ID)
    reflection_id: Mapped[str] = mapped_column(ID)
    text: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    words: Mapped[int] = mapped_column(default=0, server_default="0")  # word_count(text), kept with every save


class QuizAttempt(db.Model):
    __table_args__ = (UniqueConstraint("user_id", "module_id", "number"),
                      Index("ix_quiz_attempt_module_submitted", "module_id", "submitted_at"))  # item analysis

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[str] = mapped_column(ID)
    number: Mapped[int]
    # The drawn questions and their choice order, frozen at start: [{"id": ..., "order": [...]}].
    layout: Mapped[list] = mapped_column(JSON)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    revision: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    passed: Mapped[bool | None]
    results: Mapped[dict | None] = mapped_column(JSON)
    # Active time on the post-test page (heartbeats), and the rules in force when it was graded.
    active_seconds: Mapped[int] = mapped_column(default=0, server_default="0")
    last_heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rules: Mapped[dict | None] = mapped_column(JSON)
    content_version: Mapped[str | None] = mapped_column(String(80))  # the module's version when the attempt began


class Evaluation(db.Model):
    __table_args__ = (UniqueConstraint("user_id", "module_id"),
                      Index("ix_evaluation_module_submitted", "module_id", "submitted_at"))  # instructor summaries

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[str] = mapped_column(ID)
    answers: Mapped[dict] = mapped_column(JSON)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Certificate(db.Model):
    """What a certificate stated when it was issued; never edited after, except to revoke or supersede."""

    __table_args__ = (UniqueConstraint("user_id", "kind", "subject_id", "generation"),
                      Index("ix_certificate_completed_on", "completed_on"),  # regulator exports by date
                      Index("ix_certificate_kind_subject", "kind", "subject_id"))  # funnel and summaries

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    # None once the learner deleted her account: the certificate stays verifiable for the retention period.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # "module" or "program"
    subject_id: Mapped[str] = mapped_column(ID)  # the module or program id
    generation: Mapped[int] = mapped_column(default=1)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_on: Mapped[date]
    participant_name: Mapped[str] = mapped_column(String(120))
    participant_credential: Mapped[str] = mapped_column(String(20))
    license_number: Mapped[str | None] = mapped_column(String(40))
    license_state: Mapped[str | None] = mapped_column(String(2))
    course_title: Mapped[str] = mapped_column(String(200))
    content_version: Mapped[str] = mapped_column(String(80))
    contact_hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    ceus: Mapped[Decimal] = mapped_column(Numeric(5, 3))
    level: Mapped[str] = mapped_column(String(20))
    provider_name: Mapped[str] = mapped_column(String(200))
    provider_number: Mapped[str] = mapped_column(String(80))
    provider_statement: Mapped[str] = mapped_column(Text)
    signer_name: Mapped[str] = mapped_column(String(120))
    signer_title: Mapped[str] = mapped_column(String(120))
    signer_credentials: Mapped[str] = mapped_column(String(120), default="", server_default="")
    # The approval in force at issue: CEUs are claimed only when ceu_label is set (an approved provider).
    approval_status: Mapped[str] = mapped_column(String(20), default="approved", server_default="approved")
    ceu_label: Mapped[str | None] = mapped_column(String(40))
    activity_number: Mapped[str | None] = mapped_column(String(80))
    delivery_format: Mapped[str] = mapped_column(String(80), default="Distance Learning - Independent",
                                                 server_default="Distance Learning - Independent")
    # How it was earned, frozen at issue (requirements, attempts, minutes, evaluation, content version ...).
    audit: Mapped[dict | None] = mapped_column(JSON)
    # The PDF (about 90 KB) is loaded only where it is sent; pages that list or verify certificates read
    # pdf_saved (below) instead.
    pdf: Mapped[bytes | None] = mapped_column(types.LargeBinary, deferred=True)
    signed_credential: Mapped[str | None] = mapped_column(Text)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id"))

    @property
    def claims_ceus(self) -> bool:
        return self.approval_status == "approved" and bool(self.ceu_label)

    @property
    def status(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.superseded_at:
            return "superseded"
        return "valid"


# Whether the row holds its PDF, read with the row (the length of a stored value, not the value itself).
Certificate.pdf_saved = column_property(func.coalesce(func.length(Certificate.pdf), 0) > 0)


class NewsletterSubscriber(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    consent_text: Mapped[str] = mapped_column(Text)
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(40))
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
