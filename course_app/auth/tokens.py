"""Links sent by email: password reset (random, stored hashed, single use) and signed address confirmations."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from ..extensions import db
from ..models import User, utcnow

RESET_LIFETIME = timedelta(hours=1)
CONFIRM_LIFETIME = timedelta(days=7)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_reset_token(user: User) -> str:
    """Return a new reset token (256 random bits); only its hash is stored, and it replaces any older one."""
    token = secrets.token_urlsafe(32)
    user.reset_token_hash, user.reset_sent_at = _digest(token), utcnow()
    return token


def user_for_reset_token(token: str) -> User | None:
    """Return the account a reset token belongs to while it is unused, the newest, and under an hour old."""
    if not token or len(token) > 100:
        return None
    user = db.session.scalar(select(User).where(User.reset_token_hash == _digest(token)))
    if user is None or not hmac.compare_digest(user.reset_token_hash or "", _digest(token)):
        return None
    if user.reset_sent_at is None or utcnow() - user.reset_sent_at > RESET_LIFETIME:
        return None
    return user


def clear_reset_token(user: User) -> None:
    """Void the account's reset link (used, or the password changed)."""
    user.reset_token_hash, user.reset_sent_at = None, None


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"email-{purpose}")


def signed_token(purpose: str, payload: dict) -> str:
    """Return a signed, timestamped token for a confirmation link ('confirm', 'change', 'newsletter')."""
    return _serializer(purpose).dumps(payload)


def read_signed_token(purpose: str, token: str) -> tuple[dict | None, str | None]:
    """Return (payload, None), or (None, why the link does not work)."""
    try:
        payload = _serializer(purpose).loads(token[:500], max_age=int(CONFIRM_LIFETIME.total_seconds()))
    except SignatureExpired:
        return None, "This link has expired (links work for 7 days). Ask for a new one."
    except BadSignature:
        return None, "This link is not valid. Copy the whole link from the email and try again."
    return (payload, None) if isinstance(payload, dict) else (None, "This link is not valid.")
