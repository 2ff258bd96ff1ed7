"""The lesson page and the dashboard as every learner sees them, rendered once per loaded course, with her
own parts put in their slots (page_parts.slotted_part); and the module page's main column.

Rendering these pages on each view was half of their time; filling the slots is a small part of that.
On a lesson, what is hers: the text, revision and word count of each reflection and whether its model
response has opened, her last answer to each knowledge check, the day she completed the lesson, her active
time. On the dashboard: her next step and her module cards (cards.py). On both: the messages flashed to
her and the CSRF token. A knowledge check she has not answered, and a model response, are the same for
everyone and kept as well.
"""
from __future__ import annotations

from flask import get_template_attribute, request
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import Row

from ..assessment.checks import CheckResult
from ..assessment.reflections import model_response_open
from ..content import Course, Lesson, Module
from ..course_store import current_course
from ..models import LessonProgress
from ..completion import LearnerState
from ..page_parts import CSRF_SLOT, csrf_token, filled, kept, notices, shared_part, slotted_part, visitor_kind
from . import bp
from .cards import module_card
from .next_step import NextStep

KEPT_MODULE_COLUMNS = 2000  # main columns of module pages kept per loaded course; past that, rendered each time


@bp.app_template_global()
def module_main(module: Module, state: LearnerState | None, blocked: bool) -> Markup:
    """The module page's main column (overview, objectives, lessons with her marks, post-test, references,
    authors), kept per module, lessons completed, whether it is open to her and whether she is logged in."""
    completed = frozenset(state.completed_lessons) if state is not None else None
    signed_in = current_user.is_authenticated
    return shared_part("learning/_module_main.html", (module.id, completed, blocked, signed_in), KEPT_MODULE_COLUMNS,
                       module=module, completed=completed, blocked=blocked, signed_in=signed_in,
                       course=current_course())


def dashboard_page(course: Course, states: dict[str, LearnerState], step: NextStep | None,
                   position: tuple | None) -> Markup:
    pieces = slotted_part("learning/dashboard.html", key=visitor_kind())
    token = csrf_token()

    def value(name: str) -> str:
        if name == "csrf":
            return token
        if name == "notices":
            return notices()
        if name == "continue":
            return get_template_attribute("learning/_continue.html", "continue_panel")(step, position)
        if name == "cards":
            return Markup("".join([module_card(module, states.get(module.id)) for module in course.modules]))
        raise KeyError(f"the dashboard has a slot '{name}' that nothing fills")

    return filled(pieces, value)


def lesson_page(module: Module, lesson: Lesson, progress: LessonProgress | Row, reflections: dict[str, Row],
                checks: dict[str, CheckResult | None], heartbeat_seconds: int) -> Markup:
    completed = progress.completed_at is not None
    before, after = module.neighbours(lesson.id)
    pieces = slotted_part("learning/lesson.html", key=(module.id, lesson.id, completed, heartbeat_seconds,
                                                       visitor_kind()),
                          module=module, lesson=lesson, before=before, after=after, completed=completed,
                          heartbeat_seconds=heartbeat_seconds)
    token = csrf_token()

    def value(name: str) -> str:
        kind, _, item = name.partition(":")
        saved = reflections.get(item)
        if kind == "csrf":
            return token
        if kind == "notices":
            return notices()
        if kind == "user":
            return str(current_user.id)
        if kind == "revision":
            return str(saved.revision if saved else 0)
        if kind == "text":
            return saved.text if saved else ""
        if kind == "words":
            return str(saved.words if saved else 0)
        if kind == "status":
            return "Saved" if saved and saved.revision else "Not saved yet"
        if kind == "model":
            return _model_part(module, lesson, item, model_response_open(lesson.reflection(item), saved))
        if kind == "check":
            return _check_part(module, lesson, item, checks.get(item), token)
        if kind == "completed-on":
            return progress.completed_at.strftime("%B %-d, %Y")
        if kind == "active":
            return str(progress.active_seconds // 60)
        raise KeyError(f"the lesson frame has a slot '{name}' that nothing fills")

    return filled(pieces, value)


def _model_part(module: Module, lesson: Lesson, reflection_id: str, open_: bool) -> Markup:
    """The model response once it has opened for her, and until then the note saying when it will."""
    spec = lesson.reflection(reflection_id)
    macro = "model_response" if open_ else "model_locked"
    args = (lesson, spec) if open_ else (spec,)
    return kept(("model", module.id, lesson.id, reflection_id, open_),
                lambda: get_template_attribute("assessment/_model_response.html", macro)(*args))


def _check_part(module: Module, lesson: Lesson, check_id: str, result: CheckResult | None, token: str) -> Markup:
    """A knowledge check as she last answered it; one she has not answered is the same for everyone."""
    spec = lesson.check(check_id)
    knowledge_check = get_template_attribute("assessment/_check.html", "knowledge_check")
    if result is not None:
        return knowledge_check(module, lesson, spec, result, token)
    unanswered = kept(("check", request.script_root, module.id, lesson.id, check_id),
                      lambda: knowledge_check(module, lesson, spec, None, CSRF_SLOT))
    return Markup(str(unanswered).replace(CSRF_SLOT, token))
