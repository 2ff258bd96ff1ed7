"""Who may open the instructor workspace: instructors and admins read; only admins change certificates."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def instructor_required(view):
    """Let only instructors and admins through; others get 403."""
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_instructor:
            abort(403, "This page is for instructors.")
        return view(*args, **kwargs)
    return wrapper


def admin_required(view):
    """Let only admins through (revoking and reissuing certificates); others get 403."""
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if current_user.role != "admin":
            abort(403, "Only an administrator can change certificates.")
        return view(*args, **kwargs)
    return wrapper
