"""Looking up a module from a URL and checking that the learner may open it."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from ..completion import is_complete
from ..content import Lesson, Module
from ..course_store import current_course
from .progress import learner_states


def get_module(module_id: str) -> Module:
    """Return the module with this id, or answer 404."""
    module = current_course().module(module_id)
    if module is None:
        abort(404, f"There is no module '{module_id}'.")
    return module


def missing_prerequisites(module: Module) -> list[Module]:
    """Return the prerequisite modules the current learner has not completed (none for instructors)."""
    if not module.prerequisites or (current_user.is_authenticated and current_user.is_instructor):
        return []
    course = current_course()
    needed = [course.module(m) for m in module.prerequisites]
    if not current_user.is_authenticated:
        return needed
    states = learner_states(current_user.id, needed)
    return [m for m in needed if not is_complete(m, states[m.id])]


def get_lesson(module_id: str, lesson_id: str) -> tuple[Module, Lesson]:
    """Return a module and one of its lessons, or answer 404 naming what is missing."""
    module = get_module(module_id)
    lesson = module.lesson(lesson_id)
    if lesson is None:
        abort(404, f"Module '{module.title}' has no lesson '{lesson_id}'.")
    return module, lesson
