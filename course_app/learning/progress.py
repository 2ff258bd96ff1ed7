"""Learner progress: reading it in a fixed number of queries, and recording visits and completions."""
from __future__ import annotations

import functools
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from sqlalchemy import Integer, Numeric, Select, and_, bindparam, case, cast, func, literal, null, select, union_all
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError

from ..assessment.reflections import reflections_for
from ..completion import LearnerState
from ..content import Course, Lesson, Module
from ..database import prepare_to_write
from ..extensions import db
from ..models import (
    Certificate,
    Evaluation,
    LessonProgress,
    QuizAttempt,
    Reflection,
    utcnow,
)


def _one_learners_rows():
    """Everything a learner's states are made of, in one statement: (kind, module, item, number, score, flag,
    seen).

    lesson: lesson id, active seconds, flag 1 when completed, seen when last opened; reflection: reflection id, words;
    attempt: active seconds, score, flag 2 passed, 1 submitted, 0 open; evaluation; certificate: its code.
    Built once; the learner is its only parameter.
    """
    learner = bindparam("user_id", type_=Integer)
    return union_all(
        select(literal("lesson").label("kind"), LessonProgress.module_id.label("module"),
               LessonProgress.lesson_id.label("item"), LessonProgress.active_seconds.label("number"),
               cast(null(), Numeric(5, 2)).label("score"),
               case((LessonProgress.completed_at.is_not(None), 1), else_=0).label("flag"),
               LessonProgress.last_seen_at.label("seen"))
        .where(LessonProgress.user_id == learner),
        select(literal("reflection"), Reflection.module_id, Reflection.reflection_id, Reflection.words, null(), null(),
               null())
        .where(Reflection.user_id == learner),
        select(literal("attempt"), QuizAttempt.module_id, null(), QuizAttempt.active_seconds, QuizAttempt.score,
               case((QuizAttempt.passed.is_(True), 2), (QuizAttempt.submitted_at.is_not(None), 1), else_=0), null())
        .where(QuizAttempt.user_id == learner),
        select(literal("evaluation"), Evaluation.module_id, null(), literal(0), null(), null(), null())
        .where(Evaluation.user_id == learner),
        select(literal("certificate"), Certificate.subject_id, Certificate.code, literal(0), null(), null(), null())
        .where(Certificate.user_id == learner, Certificate.kind == "module", Certificate.superseded_at.is_(None),
               Certificate.revoked_at.is_(None)))


ONE_LEARNERS_ROWS = _one_learners_rows()


def learner_states(user_id: int, modules: list[Module] | tuple[Module, ...]) -> dict[str, LearnerState]:
    """Return each module's LearnerState for one user, in one query whatever the number of modules.

    (The learner's own rows are few, so all are read and those of other modules left aside.)"""
    return _learner_records(user_id, modules)[0]


def states_and_position(user_id: int, course: Course) -> tuple[dict[str, LearnerState],
                                                                 tuple[Module, Lesson, datetime] | None]:
    """Her state in every module and where she left off (the lesson of the course she opened last, and
    when), in one query."""
    states, seen = _learner_records(user_id, course.modules)
    for last_seen_at, module_id, lesson_id in sorted(seen, key=lambda row: row[0], reverse=True):
        lesson = course.module(module_id).lesson(lesson_id)
        if lesson:
            return states, (course.module(module_id), lesson, last_seen_at)
    return states, None


def _learner_records(user_id: int, modules) -> tuple[dict[str, LearnerState], list[tuple[datetime, str, str]]]:
    """Her states in these modules, and (last seen, module, lesson) for each of their lessons she opened."""
    wanted = {m.id for m in modules}
    found: dict[str, dict] = defaultdict(_new_entry)
    quiz: dict[str, tuple] = {}
    evaluated, certificates, seen = set(), {}, []
    for kind, module_id, item, number, score, flag, last_seen in db.session.execute(
            ONE_LEARNERS_ROWS, {"user_id": user_id}):
        if module_id not in wanted:
            continue
        entry = found[module_id]
        if kind == "lesson":
            seen.append((last_seen, module_id, item))
            entry["opened"].add(item)
            entry["seconds"] += number or 0
            if flag:
                entry["completed"].add(item)
        elif kind == "reflection":
            entry["words"][item] = number
        elif kind == "attempt":
            count, best, passed, seconds = quiz.get(module_id, (0, None, False, 0))
            score = float(score) if score is not None else None
            quiz[module_id] = (count + (flag > 0), best if score is None or (best is not None and best >= score)
                               else score, passed or flag == 2, seconds + (number or 0))
        elif kind == "evaluation":
            evaluated.add(module_id)
        else:
            certificates[module_id] = item
    return {m.id: _state(found[m.id], quiz.get(m.id, (0, None, False, 0)), m.id in evaluated, certificates.get(m.id))
            for m in modules}, seen


def learners_states(user_ids: list[int], modules) -> dict[int, dict[str, LearnerState]]:
    """Return LearnerStates per user and module, in five queries whatever the number of users or modules."""
    ids = [m.id for m in modules]
    progress = db.session.scalars(select(LessonProgress).where(
        LessonProgress.user_id.in_(user_ids), LessonProgress.module_id.in_(ids))).all()
    reflections = db.session.execute(
        select(Reflection.user_id, Reflection.module_id, Reflection.reflection_id, Reflection.words)
        .where(Reflection.user_id.in_(user_ids), Reflection.module_id.in_(ids))).all()
    attempts = db.session.execute(
        select(QuizAttempt.user_id, QuizAttempt.module_id,
               func.sum(case((QuizAttempt.submitted_at.is_not(None), 1), else_=0)), func.max(QuizAttempt.score),
               func.max(case((QuizAttempt.passed.is_(True), 1), else_=0)), func.sum(QuizAttempt.active_seconds))
        .where(QuizAttempt.user_id.in_(user_ids), QuizAttempt.module_id.in_(ids))
        .group_by(QuizAttempt.user_id, QuizAttempt.module_id)).all()
    evaluated = {(u, m) for u, m in db.session.execute(select(Evaluation.user_id, Evaluation.module_id).where(
        Evaluation.user_id.in_(user_ids), Evaluation.module_id.in_(ids)))}
    certificates = {(u, m): code for u, m, code in db.session.execute(
        select(Certificate.user_id, Certificate.subject_id, Certificate.code).where(
            Certificate.user_id.in_(user_ids), Certificate.kind == "module", Certificate.subject_id.in_(ids),
            Certificate.superseded_at.is_(None), Certificate.revoked_at.is_(None)))}
    found: dict[tuple[int, str], dict] = defaultdict(_new_entry)
    for row in progress:
        entry = found[(row.user_id, row.module_id)]
        entry["opened"].add(row.lesson_id)
        entry["seconds"] += row.active_seconds
        if row.completed_at:
            entry["completed"].add(row.lesson_id)
    for user_id, module_id, reflection_id, words in reflections:
        found[(user_id, module_id)]["words"][reflection_id] = words
    quiz = {(u, m): (int(count or 0), float(best) if best is not None else None, bool(passed), int(seconds or 0))
            for u, m, count, best, passed, seconds in attempts}
    return {user_id: {module_id: _state(found[(user_id, module_id)],
                                        quiz.get((user_id, module_id), (0, None, False, 0)),
                                        (user_id, module_id) in evaluated, certificates.get((user_id, module_id)))
                      for module_id in ids}
            for user_id in user_ids}


def _new_entry() -> dict:
    """What a learner's rows of one module add up to: lessons completed and opened, words, seconds."""
    return {"completed": set(), "opened": set(), "words": {}, "seconds": 0}


def _state(entry: dict, quiz: tuple, evaluated: bool, certificate_code: str | None) -> LearnerState:
    count, best, passed, quiz_seconds = quiz
    return LearnerState(
        completed_lessons=frozenset(entry["completed"]), opened_lessons=frozenset(entry["opened"]),
        reflection_words=entry["words"], quiz_passed=passed, best_score=best, attempts=count,
        evaluated=evaluated, active_seconds=entry["seconds"] + quiz_seconds, certificate_code=certificate_code)


ONE_LESSON = select(LessonProgress).where(
    LessonProgress.user_id == bindparam("user_id"), LessonProgress.module_id == bindparam("module_id"),
    LessonProgress.lesson_id == bindparam("lesson_id"))


def lesson_progress(user_id: int, module_id: str, lesson_id: str) -> LessonProgress | None:
    return db.session.scalar(ONE_LESSON, {"user_id": user_id, "module_id": module_id, "lesson_id": lesson_id})


LAST_SEEN_RESOLUTION = timedelta(minutes=5)  # a page view writes only when the stored time is older


def record_visit(user_id: int, module_id: str, lesson_id: str, now: datetime | None = None) -> LessonProgress:
    """Note that the learner opened a lesson (first opened once, last seen to within a few minutes)."""
    now = now or utcnow()
    row = lesson_progress(user_id, module_id, lesson_id)
    if row is not None and timedelta(0) <= now - row.last_seen_at < LAST_SEEN_RESOLUTION:
        return row
    prepare_to_write()
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


# A lesson view's one read: her progress in the lesson, with each of its reflections she has saved (a row per
# reflection, or one with no reflection). Built once per number of reflections, like every statement of a page
# view: one parameter per reflection id keeps the compiled SQL reusable (an expanding IN list is rendered
# again on every run, a third of the statement's time).
@functools.lru_cache(maxsize=64)
def lesson_visit_statement(reflections: int) -> Select:
    return (
        select(LessonProgress.last_seen_at, LessonProgress.completed_at, LessonProgress.active_seconds,
               Reflection.reflection_id, Reflection.text, Reflection.revision, Reflection.words)
        .outerjoin(Reflection, and_(Reflection.user_id == LessonProgress.user_id,
                                    Reflection.module_id == LessonProgress.module_id,
                                    Reflection.reflection_id.in_([bindparam(f"reflection_{n}")
                                                                  for n in range(reflections)])))
        .where(LessonProgress.user_id == bindparam("user_id"), LessonProgress.module_id == bindparam("module_id"),
               LessonProgress.lesson_id == bindparam("lesson_id")))


def visit_lesson(user_id: int, module_id: str, lesson: Lesson) -> tuple[LessonProgress | Row, dict[str, Row]]:
    """Record that she opened a lesson, and return her progress in it and her saved reflections, by id.

    A revisit within a few minutes writes nothing and reads both in one statement. The statement goes to the
    session's connection directly: plain rows need none of the session's work, which cost a third of it (a
    lesson view reads this before changing anything, so there is nothing to flush first)."""
    ids = {f"reflection_{n}": spec.id for n, spec in enumerate(lesson.reflections)}
    rows = db.session.connection().execute(lesson_visit_statement(len(ids)), {
        "user_id": user_id, "module_id": module_id, "lesson_id": lesson.id, **ids}).all()
    saved = {row.reflection_id: row for row in rows if row.reflection_id is not None}
    now = utcnow()
    if rows and timedelta(0) <= now - rows[0].last_seen_at < LAST_SEEN_RESOLUTION:
        return rows[0], saved
    progress = record_visit(user_id, module_id, lesson.id, now)
    return progress, saved if rows else reflections_for(user_id, module_id, lesson)


def mark_complete(user_id: int, module_id: str, lesson_id: str) -> LessonProgress:
    """Mark a lesson complete; completing it again keeps the first completion time."""
    row = record_visit(user_id, module_id, lesson_id)
    row.last_seen_at = utcnow()
    if row.completed_at is None:
        row.completed_at = utcnow()
    return row


HEARTBEAT_SECONDS = 30  # the browser reports every 30 s while the learner is active (config HEARTBEAT_SECONDS)
TOO_SOON = 0.8  # a heartbeat sooner than this share of the interval after the last one credits nothing


def creditable_seconds(last: datetime | None, now: datetime, interval: int = HEARTBEAT_SECONDS) -> int | None:
    """Seconds a heartbeat earns after the learner's last credited one anywhere; None when it is too soon.

    The first heartbeat only starts the clock. A gap longer than one interval earns one interval: an idle
    tab stops sending heartbeats, so a long gap is not learning time.
    """
    if last is None:
        return 0
    elapsed = (now - last).total_seconds()
    if elapsed < interval * TOO_SOON:
        return None
    return int(min(elapsed, interval))


def last_heartbeat(user_id: int) -> datetime | None:
    """The learner's most recent credited heartbeat on any lesson or post-test (two tabs never count twice)."""
    lessons = db.session.scalar(select(func.max(LessonProgress.last_heartbeat_at))
                                .where(LessonProgress.user_id == user_id))
    quizzes = db.session.scalar(select(func.max(QuizAttempt.last_heartbeat_at)).where(QuizAttempt.user_id == user_id))
    moments = [_aware(m) for m in (lessons, quizzes) if m is not None]
    return max(moments) if moments else None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite's max() drops the zone


def record_activity(user_id: int, module_id: str, lesson_id: str, now: datetime | None = None,
                    visible: bool = True, interval: int = HEARTBEAT_SECONDS) -> LessonProgress:
    """Credit active time on a lesson for a heartbeat from a visible tab, per creditable_seconds."""
    now = now or utcnow()
    row = record_visit(user_id, module_id, lesson_id, now)
    row.last_seen_at = now
    seconds = creditable_seconds(last_heartbeat(user_id), now, interval) if visible else None
    if seconds is not None:
        row.active_seconds += seconds
        row.last_heartbeat_at = now
    return row


def record_quiz_activity(attempt: QuizAttempt, now: datetime | None = None, visible: bool = True,
                         interval: int = HEARTBEAT_SECONDS) -> QuizAttempt:
    """Credit active time on an open post-test attempt; a submitted attempt earns nothing more."""
    now = now or utcnow()
    if attempt.submitted_at is not None or not visible:
        return attempt
    seconds = creditable_seconds(last_heartbeat(attempt.user_id), now, interval)
    if seconds is not None:
        attempt.active_seconds = (attempt.active_seconds or 0) + seconds
        attempt.last_heartbeat_at = now
    return attempt
