"""Course-wide figures read with aggregate queries: the funnel, attempts for item analysis, evaluations, years."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Iterator

from sqlalchemy import and_, case, func, literal, or_, select, tuple_

from ..content import Course, Module
from ..extensions import db
from ..models import Certificate, Evaluation, LessonProgress, QuizAttempt, Reflection, User
from .analytics import AttemptRow, median, summary_from_counts
from .roster import Completion

STAGES = (("registered", "Registered"), ("started", "Started"), ("lessons", "All lessons done"),
          ("reflections", "Reflections done"), ("passed", "Post-test passed"), ("evaluated", "Evaluated"),
          ("certified", "Certified"))


def stages_of(module: Module) -> list[tuple[str, str]]:
    """The steps a module has: no post-test step without a quiz, no reflection step without one required."""
    skip = set()
    if module.quiz is None:
        skip.add("passed")
    if not any(r.required for r in module.reflections):
        skip.add("reflections")
    return [(key, label) for key, label in STAGES if key not in skip]


@dataclass(frozen=True)
class Funnel:
    module: Module
    counts: dict[str, int]
    median_minutes: float | None  # active minutes of the learners who hold the certificate
    median_days: float | None  # days from the first lesson opened to the certificate


def _per_module(column, modules, values, default=0):
    """A CASE giving each module's value for the module id in column."""
    return case(*((column == m.id, literal(values[m.id])) for m in modules), else_=literal(default))


def _started(modules) -> dict[str, int]:
    """Return per module the learners who opened one of its lessons (read from the module index alone)."""
    return dict(db.session.execute(
        select(LessonProgress.module_id, func.count(func.distinct(LessonProgress.user_id)))
        .where(LessonProgress.module_id.in_([m.id for m in modules])).group_by(LessonProgress.module_id)).all())


def _lessons_done(modules) -> dict[str, int]:
    """Return per module the learners who completed every one of its current lessons."""
    current = tuple_(LessonProgress.module_id, LessonProgress.lesson_id).in_(
        [(m.id, lesson.id) for m in modules for lesson in m.lessons])
    per_learner = (select(LessonProgress.module_id.label("module_id"), func.count().label("done"))
                   .where(LessonProgress.completed_at.is_not(None), current)
                   .group_by(LessonProgress.module_id, LessonProgress.user_id).subquery())
    needed = _per_module(per_learner.c.module_id, modules, {m.id: len(m.lessons) for m in modules})
    return _count_reaching(per_learner, needed)


def _count_reaching(per_learner, needed) -> dict[str, int]:
    rows = db.session.execute(select(per_learner.c.module_id, func.count())
                              .where(per_learner.c.done >= needed).group_by(per_learner.c.module_id)).all()
    return dict(rows)


def _reflections_done(modules) -> dict[str, int]:
    """Return per module the learners whose required reflections all reach their minimum words."""
    required = [(m.id, r.id, max(r.min_words, 1)) for m in modules for r in m.reflections if r.required]
    if not required:
        return {}
    by_minimum: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for module_id, reflection_id, minimum in required:
        by_minimum[minimum].append((module_id, reflection_id))
    # One branch per distinct minimum (a few), each a set look-up, rather than a CASE per reflection.
    enough = or_(*(and_(tuple_(Reflection.module_id, Reflection.reflection_id).in_(pairs), Reflection.words >= n)
                   for n, pairs in by_minimum.items()))
    per_learner = (select(Reflection.module_id.label("module_id"), func.count().label("done"))
                   .where(enough)
                   .group_by(Reflection.module_id, Reflection.user_id).subquery())
    needed = _per_module(per_learner.c.module_id, modules,
                         {m.id: sum(1 for r in m.reflections if r.required) for m in modules})
    return _count_reaching(per_learner, needed)


def _count_by_module(column, *conditions) -> dict[str, int]:
    return dict(db.session.execute(select(column, func.count()).where(*conditions).group_by(column)).all())


def _days_between(later, earlier):
    """Days from one timestamp column to another, computed by the database (no rows of dates to Python)."""
    if db.session.get_bind().dialect.name == "sqlite":
        return func.julianday(later) - func.julianday(earlier)
    return func.extract("epoch", later - earlier) / 86400.0


def _certified_times(modules) -> dict[str, list[tuple[int, float]]]:
    """Return per module, for each valid certificate, (active seconds, days from first lesson to issue)."""
    first = func.min(LessonProgress.first_opened_at)
    rows = db.session.execute(
        select(Certificate.subject_id, func.sum(LessonProgress.active_seconds),
               _days_between(Certificate.issued_at, first))
        .join(LessonProgress, and_(LessonProgress.user_id == Certificate.user_id,
                                   LessonProgress.module_id == Certificate.subject_id))
        .where(Certificate.kind == "module", Certificate.revoked_at.is_(None), Certificate.superseded_at.is_(None),
               Certificate.subject_id.in_([m.id for m in modules]))
        .group_by(Certificate.id, Certificate.subject_id, Certificate.issued_at)).all()
    found: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for module_id, seconds, days in rows:
        found[module_id].append((int(seconds or 0), float(days or 0)))
    return found


def funnel(course: Course) -> list[Funnel]:
    """Count learners at each step of each module, with median time to certificate (eight queries)."""
    modules = course.modules
    registered = db.session.scalar(select(func.count(User.id)).where(User.role == "learner"))
    started = _started(modules)
    lessons = _lessons_done(modules)
    reflections = _reflections_done(modules)
    passed = dict(db.session.execute(select(QuizAttempt.module_id, func.count(func.distinct(QuizAttempt.user_id)))
                                     .where(QuizAttempt.passed.is_(True)).group_by(QuizAttempt.module_id)).all())
    evaluated = _count_by_module(Evaluation.module_id)
    certified = _count_by_module(Certificate.subject_id, Certificate.kind == "module",
                                 Certificate.revoked_at.is_(None), Certificate.superseded_at.is_(None))
    times = _certified_times(modules)
    result = []
    for m in modules:
        done = lessons.get(m.id, 0)
        reflections_count = reflections.get(m.id, 0) if any(r.required for r in m.reflections) else done
        counts = {"registered": registered, "started": started.get(m.id, 0), "lessons": done, "reflections": reflections_count,
                  "passed": passed.get(m.id, 0) if m.quiz else done, "evaluated": evaluated.get(m.id, 0),
                  "certified": certified.get(m.id, 0)}
        spent = times.get(m.id, [])
        result.append(Funnel(m, counts, median(s / 60 for s, _ in spent), median(d for _, d in spent)))
    return result


def attempt_rows(module_id: str) -> list[AttemptRow]:
    """Return the module's submitted attempts, without their question layouts (one query)."""
    rows = db.session.execute(
        select(QuizAttempt.user_id, QuizAttempt.number, QuizAttempt.content_version, QuizAttempt.answers,
               QuizAttempt.results, QuizAttempt.submitted_at)
        .where(QuizAttempt.module_id == module_id, QuizAttempt.submitted_at.is_not(None))
        .order_by(QuizAttempt.submitted_at)).all()
    return [AttemptRow(u, n, v, a or {}, r or {}, s) for u, n, v, a, r, s in rows]


def day_bounds(date_from: date | None, date_to: date | None):
    """Return UTC moments for an inclusive range of calendar days (None: open)."""
    from zoneinfo import ZoneInfo

    from flask import current_app

    zone = ZoneInfo(current_app.config["PROVIDER_TIMEZONE"])
    start = datetime.combine(date_from, time.min, zone) if date_from else None
    end = datetime.combine(date_to + timedelta(days=1), time.min, zone) if date_to else None
    return start, end


COMMENTS_SHOWN = 100


def evaluation_summary(items, module_id: str | None, date_from: date | None,
                       date_to: date | None) -> tuple[int, list]:
    """Summarise evaluations (no names) for a module or all modules and a range: one count per answer,
    extracted and counted by the database, and the newest comments."""
    start, end = day_bounds(date_from, date_to)
    conditions = []
    if module_id:
        conditions.append(Evaluation.module_id == module_id)
    if start:
        conditions.append(Evaluation.submitted_at >= start)
    if end:
        conditions.append(Evaluation.submitted_at < end)
    query = select(*(Evaluation.answers[item.id].as_string() for item in items)).where(*conditions)
    rows = db.session.execute(query.order_by(Evaluation.submitted_at.desc(), Evaluation.id.desc())).all()
    columns = list(zip(*rows)) if rows else [() for _ in items]
    summaries = []
    for item, values in zip(items, columns):
        if item.kind == "text":
            comments = [v.strip() for v in values if v and v.strip()]
            summaries.append(summary_from_counts(item, {}, comments[:COMMENTS_SHOWN], len(comments)))
        else:
            summaries.append(summary_from_counts(item, Counter(values)))
    return len(rows), summaries


def completions(course: Course, date_from: date | None, date_to: date | None) -> Iterator[Completion]:
    """Yield valid module certificates completed in the range, oldest first, read in batches."""
    c = Certificate
    query = (select(c.participant_name, User.email, c.participant_credential, c.license_number, c.license_state,
                    c.subject_id, c.course_title, c.contact_hours, c.ceus, c.completed_on, c.code,
                    c.approval_status, c.ceu_label)
             .join(User, User.id == Certificate.user_id)
             .where(Certificate.kind == "module", Certificate.revoked_at.is_(None),
                    Certificate.superseded_at.is_(None)))
    if date_from:
        query = query.where(Certificate.completed_on >= date_from)
    if date_to:
        query = query.where(Certificate.completed_on <= date_to)
    query = query.order_by(Certificate.completed_on, Certificate.id).execution_options(yield_per=1000)
    for row in db.session.execute(query):
        module = course.module(row.subject_id)
        yield Completion(row.participant_name, row.email, row.participant_credential, row.license_number,
                         row.license_state, row.subject_id, module.title if module else row.course_title,
                         row.contact_hours, row.ceus, row.completed_on, row.code,
                         row.approval_status == "approved" and bool(row.ceu_label))


def roster_groups(date_from: date | None, date_to: date | None) -> list[tuple[str, str, bool, int]]:
    """Count valid module certificates by (license state, credential, has a license number) in a range."""
    c = Certificate
    cleaned = func.replace(func.replace(func.coalesce(c.license_number, ""), " ", ""), "-", "")
    rows = (select(func.upper(func.coalesce(c.license_state, "")).label("state"),
                   c.participant_credential.label("credential"),
                   case((func.length(cleaned) > 0, 1), else_=0).label("has_license"))
            .where(c.kind == "module", c.revoked_at.is_(None), c.superseded_at.is_(None)))
    if date_from:
        rows = rows.where(c.completed_on >= date_from)
    if date_to:
        rows = rows.where(c.completed_on <= date_to)
    rows = rows.subquery()
    grouped = select(rows.c.state, rows.c.credential, rows.c.has_license, func.count()).group_by(
        rows.c.state, rows.c.credential, rows.c.has_license)
    return [(s, cred, bool(h), n) for s, cred, h, n in db.session.execute(grouped)]
