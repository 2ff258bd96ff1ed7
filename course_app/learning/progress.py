"""Learner progress: reading it in a fixed number of queries, and recording visits and completions."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from ..completion import LearnerState, word_count
from ..content import Course, Lesson, Module
from ..extensions import db
from ..models import Certificate, Evaluation, LessonProgress, QuizAttempt, Reflection, utcnow


def learner_states(user_id: int, modules: list[Module] | tuple[Module, ...]) -> dict[str, LearnerState]:
    """Return each module's LearnerState for one user, in five queries whatever the number of modules."""
    ids = [m.id for m in modules]
    progress = db.session.scalars(select(LessonProgress).where(
        LessonProgress.user_id == user_id, LessonProgress.module_id.in_(ids))).all()
    reflections = db.session.execute(select(Reflection.module_id, Reflection.reflection_id, Reflection.text).where(
        Reflection.user_id == user_id, Reflection.module_id.in_(ids))).all()
    attempts = db.session.execute(
        select(QuizAttempt.module_id, func.count(), func.max(QuizAttempt.score),
               func.max(case((QuizAttempt.passed.is_(True), 1), else_=0)))
        .where(QuizAttempt.user_id == user_id, QuizAttempt.module_id.in_(ids), QuizAttempt.submitted_at.is_not(None))
        .group_by(QuizAttempt.module_id)).all()
    evaluated = set(db.session.scalars(select(Evaluation.module_id).where(
        Evaluation.user_id == user_id, Evaluation.module_id.in_(ids))))
    certificates = dict(db.session.execute(select(Certificate.subject_id, Certificate.code).where(
        Certificate.user_id == user_id, Certificate.kind == "module", Certificate.subject_id.in_(ids),
        Certificate.superseded_at.is_(None), Certificate.revoked_at.is_(None))).all())
    by_module: dict[str, dict] = defaultdict(lambda: {"completed": set(), "opened": set(), "words": {}, "seconds": 0})
    for row in progress:
        entry = by_module[row.module_id]
        entry["opened"].add(row.lesson_id)
        entry["seconds"] += row.active_seconds
        if row.completed_at:
            entry["completed"].add(row.lesson_id)
    for module_id, reflection_id, text in reflections:
        by_module[module_id]["words"][reflection_id] = word_count(text)
    quiz = {module_id: (count, float(best) if best is not None else None, bool(passed))
            for module_id, count, best, passed in attempts}
    states = {}
    for module_id in ids:
        entry = by_module[module_id]
        count, best, passed = quiz.get(module_id, (0, None, False))
        states[module_id] = LearnerState(
            completed_lessons=frozenset(entry["completed"]), opened_lessons=frozenset(entry["opened"]),
            reflection_words=entry["words"], quiz_passed=passed, best_score=best, attempts=count,
            evaluated=module_id in evaluated, active_seconds=entry["seconds"],
            certificate_code=certificates.get(module_id))
    return states


def last_position(user_id: int, course: Course) -> tuple[Module, Lesson, LessonProgress] | None:
    """Return the lesson the learner saw most recently that still exists in the course."""
    rows = db.session.scalars(select(LessonProgress).where(LessonProgress.user_id == user_id)
                              .order_by(LessonProgress.last_seen_at.desc()).limit(20))
    for row in rows:
        module = course.module(row.module_id)
        lesson = module.lesson(row.lesson_id) if module else None
        if lesson:
            return module, lesson, row
    return None


def lesson_progress(user_id: int, module_id: str, lesson_id: str) -> LessonProgress | None:
    return db.session.scalar(select(LessonProgress).where(
        LessonProgress.user_id == user_id, LessonProgress.module_id == module_id,
        LessonProgress.lesson_id == lesson_id))


def record_visit(user_id: int, module_id: str, lesson_id: str, now: datetime | None = None) -> LessonProgress:
    """Note that the learner opened a lesson (first opened once, last seen every time)."""
    now = now or utcnow()
    row = lesson_progress(user_id, module_id, lesson_id)
    if row is None:
        row = LessonProgress(user_id=user_id, module_id=module_id, lesson_id=lesson_id,
                             first_opened_at=now, last_seen_at=now)
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:  # the same lesson opened in two tabs at once
            row = lesson_progress(user_id, module_id, lesson_id)
    row.last_seen_at = now
    return row


def mark_complete(user_id: int, module_id: str, lesson_id: str) -> LessonProgress:
    """Mark a lesson complete; completing it again keeps the first completion time."""
    row = record_visit(user_id, module_id, lesson_id)
    if row.completed_at is None:
        row.completed_at = utcnow()
    return row


HEARTBEAT_SECONDS = 30  # the browser reports every 30 s while the learner is active


def record_activity(user_id: int, module_id: str, lesson_id: str, now: datetime | None = None) -> LessonProgress:
    """Credit active time since the last heartbeat, at most one heartbeat's worth (an idle tab earns nothing)."""
    now = now or utcnow()
    row = record_visit(user_id, module_id, lesson_id, now)
    if row.last_heartbeat_at is not None:
        elapsed = (now - row.last_heartbeat_at).total_seconds()
        row.active_seconds += int(max(0, min(elapsed, HEARTBEAT_SECONDS)))
    row.last_heartbeat_at = now
    return row
