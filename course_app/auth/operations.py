"""Account changes. Each adds or changes rows and flushes; the caller commits."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import User
from .passwords import hash_password, needs_rehash, password_problem, verify_password


class AccountError(ValueError):
    """A change to an account that is refused, with a message for the person making it."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalize_email(email)))


def register(*, email: str, password: str, full_name: str, credential: str, role: str = "learner",
             license_number: str | None = None, license_state: str | None = None) -> User:
    """Create an account; refuse a taken email or a weak password."""
    email = normalize_email(email)
    problem = password_problem(password, email.split("@")[0], *full_name.split())
    if problem:
        raise AccountError(problem, "password")
    if find_by_email(email) is not None:
        raise AccountError("An account with this email already exists. Log in instead, or use another email.",
                           "email")
    user = User(email=email, password_hash=hash_password(password), full_name=" ".join(full_name.split()),
                credential=credential, role=role, license_number=(license_number or "").strip() or None,
                license_state=(license_state or "").strip().upper() or None)
    db.session.add(user)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise AccountError("An account with this email already exists.", "email") from None
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the user whose email and password match, or None (the same for either mistake)."""
    user = find_by_email(email)
    if not verify_password(user.password_hash if user else None, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def password_change_problems(user: User, current: str, new: str) -> list[AccountError]:
    """Return every reason a password change is refused (wrong current password, weak new one), all at once."""
    problems = []
    if current and not verify_password(user.password_hash, current):
        problems.append(AccountError("Your current password is not correct.", "current_password"))
    problem = password_problem(new, user.email.split("@")[0], *user.full_name.split()) if new else None
    if problem:
        problems.append(AccountError(problem, "new_password"))
    return problems


def change_password(user: User, current: str, new: str) -> None:
    """Set a new password after checking the current one; every other session and any reset link end."""
    problems = password_change_problems(user, current, new)
    if problems:
        raise problems[0]
    user.password_hash = hash_password(new)
    user.reset_token_hash, user.reset_sent_at = None, None
    end_all_sessions(user)


def end_all_sessions(user: User) -> None:
    """Void every session and remember-me cookie of this user."""
    user.session_version += 1
