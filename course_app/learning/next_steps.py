"""What a learner still has to do before a module's certificate, in order, each with where to do it."""
from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from ..completion import LearnerState, missing
from ..content import Module


@dataclass(frozen=True)
class Step:
    label: str
    detail: str
    url: str | None
    action: str | None


def next_steps(module: Module, state: LearnerState, skip: tuple[str, ...] = ()) -> list[Step]:
    """List the missing requirements (leaving out those in skip) with a link to each."""
    return [Step(r.label, r.detail, *_where(module, state, r.key)) for r in missing(module, state) if r.key not in skip]


def _where(module: Module, state: LearnerState, key: str) -> tuple[str | None, str | None]:
    if key == "lessons":
        lesson = next(lesson for lesson in module.lessons if lesson.id not in state.completed_lessons)
        return url_for("learning.lesson", module_id=module.id, lesson_id=lesson.id), f"Continue: {lesson.title}"
    if key == "reflections":
        lesson = next((lesson for lesson in module.lessons for r in lesson.reflections
                       if r.required and state.reflection_words.get(r.id, 0) < max(r.min_words, 1)), None)
        if lesson:
            return url_for("learning.lesson", module_id=module.id, lesson_id=lesson.id), f"Write it in “{lesson.title}”"
    if key == "quiz":
        return url_for("assessment.quiz", module_id=module.id), "Go to the post-test"
    if key == "evaluation" and (state.quiz_passed or module.quiz is None):
        return url_for("certificates.evaluation", module_id=module.id), "Complete the evaluation"
    if key == "time":
        return url_for("learning.lesson", module_id=module.id, lesson_id=module.lessons[0].id), \
            "Review the lessons (time counts while you read)"
    return None, None
