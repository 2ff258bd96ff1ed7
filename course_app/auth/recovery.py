"""Password reset, address confirmation and email change. Each changes rows and flushes; the request commits."""
from __future__ import annotations

import time

from flask import current_app

from ..extensions import db
from ..models import User, utcnow
from ..security_log import log_event
from . import messages
from .operations import AccountError, end_all_sessions, find_by_email, normalize_email, register
from .passwords import hash_password, password_problem, verify_password
from .tokens import clear_reset_token, issue_reset_token, read_signed_token, user_for_reset_token


# Answers that must not reveal whether an address has an account take at least this long (mail servers
# and database writes vary; bench/bench_account_timing.py compares the two cases). Tests shorten it.
EVEN_ANSWER_SECONDS = 0.4


def pad_since(started: float) -> None:
    """Sleep until EVEN_ANSWER_SECONDS have passed since `started` (time.monotonic())."""
    seconds = current_app.config.get("EVEN_ANSWER_SECONDS", EVEN_ANSWER_SECONDS)
    time.sleep(max(0.0, seconds - (time.monotonic() - started)))


def register_or_notify(email: str, password: str, **profile) -> bool:
    """Create an account and send its confirmation, or email the owner of a taken address; return mail sent.

    Both paths do the same work (a password hash, one message) so neither the answer nor its time tells
    whether an address has an account.
    """
    problem = password_problem(password, normalize_email(email).split("@")[0], *profile["full_name"].split())
    if problem:
        raise AccountError(problem, "password")
    owner = find_by_email(email)
    if owner is not None:
        verify_password(None, password)  # the same argon2 work register() does
        log_event("register.existing_address", user_id=owner.id)
        return messages.send_already_registered(owner)
    user = register(email=email, password=password, **profile)
    log_event("register", user_id=user.id)
    return messages.send_confirmation(user)


def request_reset(email: str) -> bool:
    """Email a reset link (or a 'no account' note) to an address; the caller answers the same either way."""
    user = find_by_email(email)
    if user is None:
        log_event("password.reset_requested", known=False)
        return messages.send_no_account(normalize_email(email))
    token = issue_reset_token(user)
    db.session.flush()
    log_event("password.reset_requested", known=True, user_id=user.id)
    return messages.send_reset_link(user, token)


def reset_password(token: str, new_password: str) -> User:
    """Set a new password through a reset link; the link dies and every session of the account ends."""
    user = user_for_reset_token(token)
    if user is None:
        raise AccountError("This reset link has expired or was already used. Ask for a new one.")
    problem = password_problem(new_password, user.email.split("@")[0], *user.full_name.split())
    if problem:
        raise AccountError(problem, "new_password")
    user.password_hash = hash_password(new_password)
    clear_reset_token(user)
    end_all_sessions(user)
    if user.email_confirmed_at is None:  # the link reached this inbox: the address is the owner's
        user.email_confirmed_at = utcnow()
    log_event("password.reset", user_id=user.id)
    return user


def confirm_email(token: str) -> User:
    """Mark an address confirmed from the link sent to it."""
    payload, problem = read_signed_token("confirm", token)
    user = db.session.get(User, payload.get("u")) if payload and isinstance(payload.get("u"), int) else None
    if user is None or user.email != payload.get("e"):
        raise AccountError(problem or "This confirmation link is for an address this account no longer uses.")
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        log_event("email.confirmed", user_id=user.id)
    return user


def request_email_change(user: User, new_email: str, password: str) -> bool:
    """Send a confirmation link to a new address; the account keeps its address until the link is followed."""
    if not verify_password(user.password_hash, password):
        raise AccountError("Your password is not correct.", "password")
    new_email = normalize_email(new_email)
    if new_email == user.email:
        raise AccountError("This is already your account's address.", "email")
    log_event("email.change_requested", user_id=user.id)
    owner = find_by_email(new_email)
    return messages.send_already_registered(owner) if owner else messages.send_email_change(user, new_email)


def apply_email_change(token: str) -> User:
    """Switch the account to the confirmed new address and tell the old one."""
    payload, problem = read_signed_token("change", token)
    user = db.session.get(User, payload.get("u")) if payload and isinstance(payload.get("u"), int) else None
    new_email = payload.get("e") if payload else None
    if user is not None and user.email == new_email:
        return user  # followed twice
    if user is None or not isinstance(new_email, str) or payload.get("old") != user.email:
        raise AccountError(problem or "This link is no longer valid: the account's address changed since it was sent.")
    if find_by_email(new_email) is not None:
        raise AccountError("Another account uses this address now, so it cannot be moved to yours.")
    old = user.email
    user.email, user.email_confirmed_at = new_email, utcnow()
    db.session.flush()
    log_event("email.changed", user_id=user.id)
    messages.send_email_changed_notice(user, old)
    return user
