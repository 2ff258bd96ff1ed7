"""Flask-Login glue: load users from the session, refuse stale sessions, keep `next` local."""
from __future__ import annotations

from urllib.parse import urlsplit

from ..extensions import db, login_manager
from ..models import User

login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to continue."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Return the user of a session id 'user:version', or None when the version is outdated."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user


def safe_next(target: str | None, default: str) -> str:
    """Return target when it is a path on this site, otherwise default."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
