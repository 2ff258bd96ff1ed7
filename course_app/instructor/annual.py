"""The annual summary an approved provider reports: per module and year, who took part and how it went."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, select

from ..content import Course, Module
from ..extensions import db
from ..models import Certificate, Evaluation, LessonProgress, QuizAttempt
from .analytics import summarize_evaluations
from .reports import day_bounds


@dataclass(frozen=True)
class YearRow:
    module: Module
    participants: int  # learners who opened the module's first lesson that year
    completions: int  # valid certificates with a completion date in the year
    contact_hours: Decimal
    attempts: int
    passed: int
    first_attempts: int
    first_passed: int
    rating_means: dict[str, float | None]  # evaluation rating item id -> mean

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.attempts if self.attempts else None

    @property
    def first_pass_rate(self) -> float | None:
        return self.first_passed / self.first_attempts if self.first_attempts else None


def annual_summary(course: Course, year: int) -> list[YearRow]:
    """Return one row per module for a calendar year in the provider's time zone (four queries)."""
    start, end = day_bounds(date(year, 1, 1), date(year, 12, 31))
    first_opened = (select(LessonProgress.module_id.label("module_id"),
                           func.min(LessonProgress.first_opened_at).label("first"))
                    .group_by(LessonProgress.module_id, LessonProgress.user_id).subquery())
    participants = dict(db.session.execute(
        select(first_opened.c.module_id, func.count()).where(first_opened.c.first >= start, first_opened.c.first < end)
        .group_by(first_opened.c.module_id)).all())
    completions = {m: (n, hours) for m, n, hours in db.session.execute(
        select(Certificate.subject_id, func.count(), func.sum(Certificate.contact_hours))
        .where(Certificate.kind == "module", Certificate.revoked_at.is_(None), Certificate.superseded_at.is_(None),
               Certificate.completed_on >= date(year, 1, 1), Certificate.completed_on <= date(year, 12, 31))
        .group_by(Certificate.subject_id))}
    first = QuizAttempt.number == 1
    won = QuizAttempt.passed.is_(True)
    attempts = {row[0]: row[1:] for row in db.session.execute(
        select(QuizAttempt.module_id, func.count(), func.sum(case((won, 1), else_=0)),
               func.sum(case((first, 1), else_=0)), func.sum(case((first & won, 1), else_=0)))
        .where(QuizAttempt.submitted_at >= start, QuizAttempt.submitted_at < end)
        .group_by(QuizAttempt.module_id))}
    answers: dict[str, list[dict]] = defaultdict(list)
    for module_id, given in db.session.execute(select(Evaluation.module_id, Evaluation.answers).where(
            Evaluation.submitted_at >= start, Evaluation.submitted_at < end)):
        answers[module_id].append(given or {})
    ratings = [item for item in course.evaluation if item.kind == "rating"]
    rows = []
    for m in course.modules:
        done, hours = completions.get(m.id, (0, Decimal(0)))
        tried, passed, firsts, first_passed = (int(v or 0) for v in attempts.get(m.id, (0, 0, 0, 0)))
        means = {s.item.id: s.mean for s in summarize_evaluations(ratings, answers.get(m.id, []))}
        rows.append(YearRow(m, participants.get(m.id, 0), done, Decimal(hours or 0), tried, passed, firsts,
                            first_passed, means))
    return rows


def years_with_activity(today: date) -> list[int]:
    """Return the years a provider might report on: from the first certificate or attempt to this year."""
    first = db.session.scalar(select(func.min(Certificate.completed_on)))
    return list(range(today.year, (first.year if first else today.year) - 1, -1))
