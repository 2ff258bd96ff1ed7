"""Quiz attempts: start, save, submit. Each guards against double clicks, stale tabs and other users."""
from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..content import Quiz
from ..extensions import db
from ..models import QuizAttempt, utcnow
from .grading import Answer, draw_layout, grade
from .review import provider_time


class AttemptRefused(Exception):
    """Starting or changing an attempt is not allowed now; the message says why."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.status = status


def attempts_of(user_id: int, module_id: str) -> list[QuizAttempt]:
    return list(db.session.scalars(select(QuizAttempt).where(
        QuizAttempt.user_id == user_id, QuizAttempt.module_id == module_id).order_by(QuizAttempt.number)))


def open_attempt(attempts: list[QuizAttempt]) -> QuizAttempt | None:
    return next((a for a in attempts if a.submitted_at is None), None)


def attempts_left(quiz: Quiz, attempts: list[QuizAttempt]) -> int:
    """Return how many attempts remain in the current cycle (a used-up cycle counts as none left)."""
    finished = sum(1 for a in attempts if a.submitted_at)
    used = finished % quiz.rules.attempts
    return 0 if finished and not used else quiz.rules.attempts - used


def next_start(quiz: Quiz, attempts: list[QuizAttempt], now: datetime | None = None) -> datetime | None:
    """Return when the next cycle of attempts opens if the learner has used up this one, else None."""
    finished = [a for a in attempts if a.submitted_at]
    if not finished or finished[-1].passed or attempts_left(quiz, attempts):
        return None
    ready = finished[-1].submitted_at + timedelta(hours=quiz.rules.wait_hours)
    return ready if ready > (now or utcnow()) else None


def start_attempt(user_id: int, module_id: str, quiz: Quiz, rng: random.Random | None = None,
                  content_version: str | None = None) -> QuizAttempt:
    """Return the open attempt, or start a new one with its questions drawn and frozen."""
    attempts = attempts_of(user_id, module_id)
    current = open_attempt(attempts)
    if current:
        return current
    if any(a.passed for a in attempts):
        raise AttemptRefused("You have already passed this post-test.")
    wait = next_start(quiz, attempts)
    if wait:
        raise AttemptRefused(f"You have used all {quiz.rules.attempts} attempts of this cycle. The next attempt "
                             f"opens {provider_time(wait, current_app.config['PROVIDER_TIMEZONE'])}.", 409)
    previous = frozenset(entry["id"] for entry in attempts[-1].layout) if attempts else frozenset()
    layout = draw_layout(quiz.spec, rng or random.Random(secrets.randbits(64)), previous)
    attempt = QuizAttempt(user_id=user_id, module_id=module_id, number=len(attempts) + 1, layout=layout, answers={},
                          content_version=content_version)
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:  # a double click started the same attempt a moment ago
        current = open_attempt(attempts_of(user_id, module_id))
        if current is None:
            raise AttemptRefused("That attempt was just submitted in another tab.") from None
        return current
    return attempt


def save_answers(attempt: QuizAttempt, answers: dict[str, Answer], base_revision: int) -> QuizAttempt:
    """Store answers on an open attempt if base_revision is still the latest."""
    result = db.session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None), QuizAttempt.revision == base_revision)
        .values(answers=answers, revision=base_revision + 1)
        .execution_options(synchronize_session=False))
    db.session.refresh(attempt)
    if result.rowcount != 1:
        if attempt.submitted_at:
            raise AttemptRefused("This attempt was already submitted; it cannot change.")
        raise AttemptRefused("These answers were changed in another tab. Reload to see the latest.")
    return attempt


def submit_attempt(attempt: QuizAttempt, quiz: Quiz, answers: dict[str, Answer]) -> QuizAttempt:
    """Grade and close an open attempt, once: a second submit (another tab, a double click) is refused."""
    outcome = grade(quiz.spec, attempt.layout, answers, quiz.rules.pass_mark)
    result = db.session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
        .values(answers=answers, submitted_at=utcnow(), score=outcome.score, passed=outcome.passed,
                results=outcome.results, rules=quiz.rules.model_dump(), revision=QuizAttempt.revision + 1)
        .execution_options(synchronize_session=False))
    db.session.refresh(attempt)
    if result.rowcount != 1:
        raise AttemptRefused("This attempt was already submitted. Your result is below.")
    return attempt
