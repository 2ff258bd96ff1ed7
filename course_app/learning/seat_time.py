"""Reading a heartbeat request, and telling a learner when a module's rules changed since her attempts."""
from __future__ import annotations

from flask import abort, request
from sqlalchemy import select

from ..content import Module
from ..extensions import db
from ..models import QuizAttempt


def heartbeat_visible() -> bool:
    """Read {"visible": true} from a heartbeat; a heartbeat that does not say its tab is visible credits nothing."""
    data = request.get_json(silent=True) if request.is_json else None
    if data is not None and not isinstance(data, dict):
        abort(400, "Send a heartbeat as a JSON object such as {\"visible\": true}.")
    return bool(data and data.get("visible") is True)


def rules_changed(module: Module, user_id: int) -> list[str]:
    """Describe each post-test rule that differs now from the one the learner's last graded attempt had."""
    if module.quiz is None:
        return []
    last = db.session.scalar(select(QuizAttempt.rules).where(
        QuizAttempt.user_id == user_id, QuizAttempt.module_id == module.id, QuizAttempt.rules.is_not(None))
        .order_by(QuizAttempt.number.desc()).limit(1))
    if not isinstance(last, dict):
        return []
    now = module.quiz.rules
    names = {"pass_mark": ("pass mark", "%"), "attempts": ("attempts per cycle", ""),
             "wait_hours": ("wait between cycles", " hours")}
    return [f"The {label} is now {getattr(now, key):g}{unit} (it was {last[key]:g}{unit} at your last attempt)."
            for key, (label, unit) in names.items() if key in last and last[key] != getattr(now, key)]
