"""Newsletter consent: opt-in only, recorded with its exact wording and time; unsubscribe by signed link."""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import NewsletterSubscriber, utcnow

CONSENT_TEXT = ("Yes, send me the program's occasional newsletter about coaching in occupational therapy and "
                "new continuing-education modules. I can unsubscribe at any time with the link in every email.")


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="newsletter-unsubscribe")


def unsubscribe_token(email: str) -> str:
    """Return the signed token that lets whoever holds it unsubscribe this address (and nothing else)."""
    return _serializer().dumps(email)


def email_from_token(token: str) -> str | None:
    try:
        email = _serializer().loads(token)
    except BadSignature:
        return None
    return email if isinstance(email, str) else None


def _subscriber(email: str) -> NewsletterSubscriber | None:
    return db.session.scalar(select(NewsletterSubscriber).where(NewsletterSubscriber.email == email))


def subscribe(email: str, source: str) -> NewsletterSubscriber:
    """Record consent for an address (again, if it had unsubscribed), with the wording shown and the time."""
    email = email.strip().lower()
    row = _subscriber(email)
    if row is None:
        row = NewsletterSubscriber(email=email, consent_text=CONSENT_TEXT, consented_at=utcnow(), source=source)
        try:
            with db.session.begin_nested():
                db.session.add(row)
            return row
        except IntegrityError:  # the same address signed up twice at once
            row = _subscriber(email)
    if row.unsubscribed_at is not None:
        row.consent_text, row.consented_at, row.source, row.unsubscribed_at = CONSENT_TEXT, utcnow(), source, None
    return row


def consent_version() -> str:
    """A short digest of the consent wording, carried in the confirmation link."""
    import hashlib

    return hashlib.sha256(CONSENT_TEXT.encode()).hexdigest()[:16]


def request_subscription(email: str, source: str) -> bool:
    """Double opt-in: email a confirmation link; nothing is recorded until it is followed. Return mail sent."""
    from ..auth.messages import send_newsletter_confirmation
    from ..auth.tokens import signed_token

    token = signed_token("newsletter", {"e": email.strip().lower(), "s": source, "c": consent_version()})
    return send_newsletter_confirmation(email.strip().lower(), token)


def confirm_subscription(token: str) -> tuple[NewsletterSubscriber | None, str | None]:
    """Record consent, with its wording and the time the link is followed; or say why the link does not work."""
    from ..auth.tokens import read_signed_token
    from ..security_log import log_event

    payload, problem = read_signed_token("newsletter", token)
    if payload is None or not isinstance(payload.get("e"), str):
        return None, problem or "This link is not valid."
    if payload.get("c") != consent_version():
        return None, "The sign-up wording changed since this link was sent. Please sign up again."
    log_event("newsletter.confirmed")
    return subscribe(payload["e"], str(payload.get("s", "guide"))[:40]), None


def unsubscribe(email: str) -> bool:
    """Stop sending to an address; return False when the address is not subscribed."""
    row = _subscriber(email)
    if row is None or row.unsubscribed_at is not None:
        return False
    row.unsubscribed_at = utcnow()
    return True


def subscribers() -> list[NewsletterSubscriber]:
    return list(db.session.scalars(select(NewsletterSubscriber).order_by(NewsletterSubscriber.consented_at)))
