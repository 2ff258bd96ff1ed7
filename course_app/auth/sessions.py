"""Flask-Login glue: load users from the session, refuse stale sessions, keep `next` local."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, request
from flask_login.utils import login_url
from sqlalchemy import bindparam, select

from ..database import read_apart
from ..errors import wants_json
from ..extensions import db, login_manager
from ..models import User
from ..request_policy import clock

LOGGED_OUT = "You were logged out. Log in to save; your text is kept on this device."

login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to continue."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"

# Built once: a statement built anew on every page view cost more than running it.
USER_BY_ID = select(User).where(User.id == bindparam("id"))


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Return the user of a session id 'user:version:started', or None when outdated or past its lifetime."""
    parts = session_id.split(":")
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        return None  # sessions from before login times were recorded end here too
    user_id, version, started = (int(part) for part in parts)
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    if clock() - started > lifetime:
        return None
    user = read_apart(lambda: db.session.scalar(USER_BY_ID, {"id": user_id})) if user_id < 2**31 else None
    if user is None or user.session_version != version:
        return None
    user.login_started = started
    return user


@login_manager.unauthorized_handler
def unauthorized():
    """Send people to the login page, but answer scripts (autosave) with 401 JSON they can act on."""
    if wants_json():
        return {"error": LOGGED_OUT, "logged_out": True}, 401
    flash(login_manager.login_message, login_manager.login_message_category)
    return redirect(login_url(login_manager.login_view, next_url=request.url))


def safe_next(target: str | None, default: str) -> str:
    """Return target when it is a path on this site, otherwise default."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
