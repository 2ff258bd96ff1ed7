"""Finding learners: a filtered, sorted page of them, and one learner's record, in a fixed number of queries."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, exists, func, or_, select, tuple_
from sqlalchemy.orm import defer

from ..completion import LearnerState, requirements
from ..content import Course, Module
from ..extensions import db
from ..learning.progress import learners_states
from ..models import Certificate, LessonProgress, QuizAttempt, Reflection, User
from .roster import normalize_license

PAGE_SIZE = 50
STATUSES = {"not-started": "Not started", "in-progress": "In progress", "passed": "Post-test passed",
            "certified": "Certified"}
SORTS = {"activity": "Last activity", "name": "Name", "registered": "Newest accounts"}


@dataclass(frozen=True)
class LearnerFilter:
    """What the instructor asked for: a search, a module, a status, a sort order and a page."""

    search: str = ""
    module_id: str = ""
    status: str = ""
    sort: str = "activity"
    page: int = 1


@dataclass(frozen=True)
class LearnerRow:
    user: User
    last_activity: datetime | None
    started: int
    completed: int
    certificates: int


def read_filter(args, course: Course) -> tuple[LearnerFilter, list[str]]:
    """Read the list's query string; ignore what is unknown and say so, never fail."""
    problems = []
    module_id = args.get("module", "").strip()
    if module_id and course.module(module_id) is None:
        problems.append(f"There is no module '{module_id[:60]}'; showing all modules.")
        module_id = ""
    status = args.get("status", "").strip()
    if status and status not in STATUSES:
        problems.append(f"'{status[:40]}' is not a status; showing every status.")
        status = ""
    sort = args.get("sort", "activity")
    sort = sort if sort in SORTS else "activity"
    page = args.get("page", "1")
    page_number = int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1
    return LearnerFilter(args.get("q", "").strip()[:100], module_id, status, sort, page_number), problems


def _started(module_id: str | None):
    lesson = select(LessonProgress.id).where(LessonProgress.user_id == User.id)
    attempt = select(QuizAttempt.id).where(QuizAttempt.user_id == User.id)
    if module_id:
        lesson = lesson.where(LessonProgress.module_id == module_id)
        attempt = attempt.where(QuizAttempt.module_id == module_id)
    return or_(exists(lesson), exists(attempt))


def _passed(module_id: str | None):
    query = select(QuizAttempt.id).where(QuizAttempt.user_id == User.id, QuizAttempt.passed.is_(True))
    return exists(query.where(QuizAttempt.module_id == module_id) if module_id else query)


def _certified(module_id: str | None):
    query = select(Certificate.id).where(Certificate.user_id == User.id, Certificate.kind == "module",
                                         Certificate.revoked_at.is_(None), Certificate.superseded_at.is_(None))
    return exists(query.where(Certificate.subject_id == module_id) if module_id else query)


def _conditions(wanted: LearnerFilter) -> list:
    """Turn the filter into SQL conditions on User; statuses are the furthest stage reached."""
    conditions = [User.role == "learner"]
    if wanted.search:
        text = wanted.search
        license_text = normalize_license(text)
        license_column = func.upper(func.replace(func.replace(User.license_number, " ", ""), "-", ""))
        matches = [User.full_name.icontains(text, autoescape=True), User.email.icontains(text, autoescape=True)]
        if license_text:
            matches.append(license_column.contains(license_text, autoescape=True))
        conditions.append(or_(*matches))
    module = wanted.module_id or None
    if module and not wanted.status:
        conditions.append(_started(module))
    if wanted.status == "not-started":
        conditions.append(~_started(module))
    elif wanted.status == "in-progress":
        conditions.append(and_(_started(module), ~_passed(module), ~_certified(module)))
    elif wanted.status == "passed":
        conditions.append(and_(_passed(module), ~_certified(module)))
    elif wanted.status == "certified":
        conditions.append(_certified(module))
    return conditions


def last_activity_column():
    """The learner's most recent lesson visit, read from the (user_id, last_seen_at) index."""
    return (select(func.max(LessonProgress.last_seen_at)).where(LessonProgress.user_id == User.id)
            .correlate(User).scalar_subquery())


def find_learners(wanted: LearnerFilter, modules: tuple[Module, ...]) -> tuple[list[LearnerRow], int]:
    """Return one page of learners matching the filter, and how many match in all (six queries)."""
    conditions = _conditions(wanted)
    total = db.session.scalar(select(func.count(User.id)).where(*conditions))
    last = last_activity_column().label("last_activity")
    order = {"activity": (last.desc().nulls_last(), User.id.desc()), "name": (User.full_name, User.id),
             "registered": (User.created_at.desc(), User.id.desc())}[wanted.sort]
    rows = db.session.execute(select(User, last).where(*conditions).order_by(*order)
                              .limit(PAGE_SIZE).offset((wanted.page - 1) * PAGE_SIZE)).all()
    ids = [user.id for user, _ in rows]
    summary = module_summaries(ids, modules) if ids else {}
    held = dict(db.session.execute(
        select(Certificate.user_id, func.count()).where(
            Certificate.user_id.in_(ids), Certificate.revoked_at.is_(None), Certificate.superseded_at.is_(None))
        .group_by(Certificate.user_id)).all()) if ids else {}
    return [LearnerRow(user, moment, *summary.get(user.id, (0, 0)), held.get(user.id, 0)) for user, moment in rows], total


def module_summaries(user_ids: list[int], modules: tuple[Module, ...]) -> dict[int, tuple[int, int]]:
    """Return per learner (modules started, modules complete) from counts, not rows (three queries)."""
    current = tuple_(LessonProgress.module_id, LessonProgress.lesson_id).in_(
        [(m.id, lesson.id) for m in modules for lesson in m.lessons])
    lessons = db.session.execute(
        select(LessonProgress.user_id, LessonProgress.module_id,
               func.sum(case((and_(LessonProgress.completed_at.is_not(None), current), 1), else_=0)))
        .where(LessonProgress.user_id.in_(user_ids)).group_by(LessonProgress.user_id, LessonProgress.module_id)).all()
    words = db.session.execute(
        select(Reflection.user_id, Reflection.module_id, Reflection.reflection_id, Reflection.words)
        .where(Reflection.user_id.in_(user_ids))).all()
    passed = set(db.session.execute(
        select(QuizAttempt.user_id, QuizAttempt.module_id).where(
            QuizAttempt.user_id.in_(user_ids), QuizAttempt.passed.is_(True)).distinct()).all())
    written = {(u, m, r): n for u, m, r, n in words}
    found: dict[int, list[int]] = {}
    by_id = {m.id: m for m in modules}
    for user_id, module_id, done in lessons:
        module = by_id.get(module_id)
        if module is None:
            continue
        counts = found.setdefault(user_id, [0, 0])
        counts[0] += 1
        counts[1] += int(_complete(module, int(done or 0), written, user_id, (user_id, module_id) in passed))
    return {user_id: (started, complete) for user_id, (started, complete) in found.items()}


def _complete(module: Module, lessons_done: int, written: dict, user_id: int, passed: bool) -> bool:
    """The completion rule of completion.is_complete, applied to counts."""
    reflections_ok = all(written.get((user_id, module.id, r.id), 0) >= max(r.min_words, 1)
                         for r in module.reflections if r.required)
    return lessons_done == len(module.lessons) and reflections_ok and (module.quiz is None or passed)


@dataclass(frozen=True)
class ModuleRecord:
    module: Module
    state: LearnerState
    attempts: list[QuizAttempt]
    requirements: list  # every requirement with its state; the missing ones are those not done
    started: bool


def learner_record(user: User, course: Course) -> tuple[list[ModuleRecord], list[Certificate]]:
    """Return one learner's progress, attempts and certificates (never reflection text), in seven queries."""
    states = learners_states([user.id], course.modules)[user.id]
    attempts = list(db.session.scalars(
        select(QuizAttempt).where(QuizAttempt.user_id == user.id)
        .order_by(QuizAttempt.module_id, QuizAttempt.number)))
    certificates = list(db.session.scalars(
        select(Certificate).options(defer(Certificate.pdf), defer(Certificate.signed_credential))
        .where(Certificate.user_id == user.id)
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())))
    records = []
    for module in course.modules:
        state = states[module.id]
        mine = [a for a in attempts if a.module_id == module.id]
        records.append(ModuleRecord(module, state, mine, requirements(module, state),
                                    bool(state.opened_lessons or mine)))
    return records, certificates
