"""Course-wide assessment rules applied to each module, and the checks tying questions to objectives."""
from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

from .lint import lint_quiz
from .model import Module, Quiz
from .problems import Problems
from .schema import CourseFile, ModuleMeta, PostTestRules
from .yamlsource import line_for


def with_rules(quiz: Quiz | None, spec: CourseFile | None) -> Quiz | None:
    """Return the quiz carrying its post-test rules: its own overrides, else course.yaml's defaults."""
    if quiz is None:
        return None
    defaults = spec.post_test if spec is not None else PostTestRules()
    own = {name: getattr(quiz.spec, name) for name in ("pass_mark", "attempts", "wait_hours")}
    rules = defaults.model_copy(update={k: v for k, v in own.items() if v is not None})
    return dataclasses.replace(quiz, rules=rules)


def seat_share(meta: ModuleMeta, spec: CourseFile | None) -> float:
    """Return the module's seat-time share: its own, else the course's."""
    if meta.seat_time_share is not None:
        return meta.seat_time_share
    return spec.seat_time.share if spec is not None else 0.8


def check_assessment(modules: list[Module], problems: Problems) -> None:
    """Check every quiz against its module's objectives; see check_quiz."""
    for module in modules:
        known = {o.id for o in module.meta.objectives}
        for lesson in module.lessons:
            for objective in lesson.objectives:
                if objective not in known:
                    problems.add(Path(lesson.path), 0, f"lesson '{lesson.id}' names unknown objective '{objective}' "
                                                       f"(known: {_listed(known)})")
        if module.quiz is not None:
            check_quiz(module, module.quiz, problems)


def check_quiz(module: Module, quiz: Quiz, problems: Problems) -> None:
    """Errors for unknown objectives and split cases; warnings for thin coverage and forms that never change."""
    path, lines = Path(quiz.path), quiz.lines
    known = {o.id for o in module.meta.objectives}
    for name in quiz.spec.pools:
        if name not in known:
            problems.add(path, line_for(lines, ("pools", name)),
                         f"pool '{name}' is not an objective id of module '{module.id}' (known: {_listed(known)})")
    case_pools: dict[str, str | None] = {}
    for index, question in enumerate(quiz.spec.questions):
        for number, objective in enumerate(question.objectives):
            if objective not in known:
                problems.add(path, line_for(lines, ("questions", index, "objectives", number)),
                             f"question '{question.id}' names unknown objective '{objective}' "
                             f"(known: {_listed(known)})")
        if question.case:
            first = case_pools.setdefault(question.case, question.pool)
            if first != question.pool:
                problems.add(path, line_for(lines, ("questions", index, "pool")),
                             f"question '{question.id}' shares case '{question.case}' with questions in pool "
                             f"'{first}': questions that share a case must be in the same pool")
    _coverage_warnings(module, quiz, problems)
    lint_quiz(quiz, problems)
    if quiz.rules.attempts > 1 and not can_vary(quiz):
        problems.add(path, line_for(lines, ("pools",)) or 1,
                     "every attempt draws the same questions, so a retake shows the same form: add questions "
                     "to a pool so it holds more than it draws", "warning")


def _coverage_warnings(module: Module, quiz: Quiz, problems: Problems) -> None:
    counts = questions_per_objective(module, quiz)
    for objective in module.meta.objectives:
        if counts[objective.id] < 2:
            problems.add(Path(quiz.path), line_for(quiz.lines, ("questions",)),
                         f"objective '{objective.id}' is assessed by {counts[objective.id]} question(s); "
                         "write at least 2, so a form can vary", "warning")


def questions_per_objective(module: Module, quiz: Quiz) -> Counter:
    """Count, for each objective of the module, the questions that assess it."""
    counts = Counter({o.id: 0 for o in module.meta.objectives})
    for question in quiz.spec.questions:
        counts.update(set(question.objectives) & set(counts))
    return counts


def can_vary(quiz: Quiz) -> bool:
    """True when some pool holds more questions than it draws, so two forms can differ."""
    sizes = Counter(q.pool for q in quiz.spec.questions if q.pool)
    return any(sizes[name] > draw for name, draw in quiz.spec.pools.items())


def _listed(ids: set[str]) -> str:
    return ", ".join(sorted(ids))
