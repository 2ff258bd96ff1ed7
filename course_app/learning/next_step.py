"""The one next thing a learner should do: a pure function over the course and her progress."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..completion import LearnerState, is_complete, requirements
from ..content import Course, Module


@dataclass(frozen=True)
class NextStep:
    """Where the dashboard's main button leads, and what it says."""

    module: Module
    label: str
    endpoint: str
    args: Mapping[str, str] = field(default_factory=dict)


def next_step(course: Course, states: Mapping[str, LearnerState], recent_module_id: str | None = None,
              recent_lesson_id: str | None = None) -> NextStep | None:
    """Return the next step: in the module seen last if it is unfinished, else in the first open module."""
    modules = list(course.modules)
    recent = course.module(recent_module_id) if recent_module_id else None
    if recent is not None:
        modules.remove(recent)
        modules.insert(0, recent)
    for module in modules:
        state = states.get(module.id, LearnerState())
        if state.certificate_code or not _open(module, course, states):
            continue
        step = step_in(module, state, recent_lesson_id if module is recent else None)
        if step is not None:
            return step
    waiting = next((m for m in course.modules if not states.get(m.id, LearnerState()).certificate_code), None)
    if waiting is not None:  # every unfinished module waits for another: show what it needs
        return NextStep(waiting, "See what is left for your certificate", "learning.module", {"module_id": waiting.id})
    return None


def step_in(module: Module, state: LearnerState, recent_lesson_id: str | None = None) -> NextStep | None:
    """Return the first requirement still missing in one module, as a step, or None when all are met."""
    for requirement in requirements(module, state):
        if requirement.done:
            continue
        if requirement.key in ("lessons", "reflections"):
            lesson = _lesson_to_do(module, state, requirement.key, recent_lesson_id)
            verb = "Continue" if state.opened_lessons else "Start"
            return NextStep(module, f"{verb}: {lesson.title}", "learning.lesson",
                            {"module_id": module.id, "lesson_id": lesson.id})
        if requirement.key == "quiz":
            return NextStep(module, "Take the post-test", "assessment.quiz", {"module_id": module.id})
        if requirement.key == "evaluation":
            return NextStep(module, "Complete the course evaluation", "certificates.evaluation",
                            {"module_id": module.id})
        return NextStep(module, "See what is left for your certificate", "learning.module", {"module_id": module.id})
    return None


def _lesson_to_do(module: Module, state: LearnerState, key: str, recent_lesson_id: str | None):
    """The lesson to go on with: the one seen last, else the next not completed (for reflections: with a
    required reflection still too short), from the one seen last onwards and then from the start."""
    ids = [lesson.id for lesson in module.lessons]
    start = ids.index(recent_lesson_id) if recent_lesson_id in ids else 0
    for lesson in module.lessons[start:] + module.lessons[:start]:
        if key == "lessons" and lesson.id not in state.completed_lessons:
            return lesson
        if key == "reflections" and any(r.required and state.reflection_words.get(r.id, 0) < max(r.min_words, 1)
                                        for r in lesson.reflections):
            return lesson
    return module.lessons[0]


def _open(module: Module, course: Course, states: Mapping[str, LearnerState]) -> bool:
    """Whether every prerequisite of the module is complete for this learner."""
    return all(is_complete(course.module(m), states.get(m, LearnerState())) for m in module.prerequisites
               if course.module(m) is not None)
