"""Home, catalog, module and lesson pages, the dashboard, and lesson progress."""
from __future__ import annotations

from pathlib import Path

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_login import current_user, login_required

from ..assessment.reflections import reflections_for
from ..auth.forms import ConfirmForm
from ..completion import certificate_ready, requirements
from ..content import ContentError
from ..course_store import current_course
from ..database import commit_if_changed
from ..extensions import db
from . import bp
from .access import get_lesson, get_module, missing_prerequisites
from .progress import (
    last_position,
    learner_states,
    mark_complete,
    record_activity,
    record_visit,
)


@bp.app_context_processor
def site_context() -> dict:
    try:
        course = current_course()
    except ContentError:
        return {"site_name": "OT Coaching CE", "course_title": "", "provider": {"name": "", "approval_number": ""}}
    return {"site_name": course.provider.name, "course_title": course.title, "provider": course.provider}


@bp.route("/")
def home():
    course = current_course()
    return same_for_every_visitor(course, lambda: render_template("learning/home.html", course=course))


@bp.route("/modules")
def catalog():
    course = current_course()
    if not current_user.is_authenticated:
        return same_for_every_visitor(course, lambda: render_template("learning/catalog.html", course=course,
                                                                      states={}, requirements=requirements))
    states = learner_states(current_user.id, course.modules)
    return render_template("learning/catalog.html", course=course, states=states, requirements=requirements)


def same_for_every_visitor(course, render) -> str:
    """A page that is the same for everyone not logged in: rendered once per loaded course, then reused.

    Logged-in learners, and visitors with a message waiting, get it rendered for them."""
    if current_user.is_authenticated or session.get("_flashes"):
        return render()
    cache = current_app.extensions.setdefault("pages_for_visitors", {})
    key = request.endpoint
    if key not in cache or cache[key][0] is not course:
        cache[key] = (course, render())
    return cache[key][1]


@bp.route("/modules/<module_id>")
def module(module_id: str):
    module = get_module(module_id)
    state = learner_states(current_user.id, [module])[module.id] if current_user.is_authenticated else None
    return render_template("learning/module.html", module=module, state=state,
                           blocked_by=missing_prerequisites(module),
                           requirements=requirements(module, state) if state else [],
                           ready=state is not None and certificate_ready(module, state))


@bp.route("/modules/<module_id>/lessons/<lesson_id>")
@login_required
def lesson(module_id: str, lesson_id: str):
    module, lesson = get_lesson(module_id, lesson_id)
    blocked_by = missing_prerequisites(module)
    if blocked_by:
        names = ", ".join(f"“{m.title}”" for m in blocked_by)
        abort(403, f"This module builds on {names}. Complete that first; its lessons open afterwards.")
    progress = record_visit(current_user.id, module.id, lesson.id)
    commit_if_changed()  # a revisit writes nothing, so the loaded user is not read again
    before, after = module.neighbours(lesson.id)
    return render_template("learning/lesson.html", module=module, lesson=lesson, progress=progress,
                           before=before, after=after, form=ConfirmForm(),
                           reflections=reflections_for(current_user.id, module.id, lesson))


@bp.route("/modules/<module_id>/lessons/<lesson_id>/complete", methods=["POST"])
@login_required
def complete_lesson(module_id: str, lesson_id: str):
    module, lesson = get_lesson(module_id, lesson_id)
    if missing_prerequisites(module):
        abort(403, "Complete the prerequisite modules first.")
    ConfirmForm().validate_on_submit() or abort(400, "This form had expired. Reload the lesson and try again.")
    mark_complete(current_user.id, module.id, lesson.id)
    db.session.commit()
    flash(f"“{lesson.title}” is marked complete.", "success")
    _, after = module.neighbours(lesson.id)
    if after is not None:
        return redirect(url_for("learning.lesson", module_id=module.id, lesson_id=after.id))
    return redirect(url_for("learning.module", module_id=module.id))


@bp.route("/modules/<module_id>/lessons/<lesson_id>/activity", methods=["POST"])
@login_required
def activity(module_id: str, lesson_id: str):
    module, lesson = get_lesson(module_id, lesson_id)
    row = record_activity(current_user.id, module.id, lesson.id)
    db.session.commit()
    return {"active_seconds": row.active_seconds}


@bp.route("/dashboard")
@login_required
def dashboard():
    course = current_course()
    states = learner_states(current_user.id, course.modules)
    return render_template("learning/dashboard.html", course=course, states=states, requirements=requirements,
                           position=last_position(current_user.id, course))


@bp.route("/media/<path:filename>")
def media(filename: str):
    """Serve an image that a lesson shows (only image files inside modules/)."""
    if Path(filename).suffix.lower() not in {".png", ".jpg", ".jpeg", ".svg", ".webp", ".gif"}:
        abort(404)
    return send_from_directory(Path(current_app.config["CONTENT_ROOT"]) / "modules", filename, max_age=3600)
