"""Home, catalog, module and lesson pages, the dashboard, and lesson progress."""
from __future__ import annotations

from pathlib import Path

import yaml

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

from ..assessment.checks import SESSION_KEY, check_results
from ..auth.forms import ConfirmForm
from ..completion import certificate_ready, requirements
from ..content import ContentError
from ..content.files import inside
from ..course_store import current_course
from ..database import commit_if_changed
from ..extensions import db
from . import bp
from ..certificates.auto import issue_when_ready
from .access import get_lesson, get_module, missing_prerequisites
from .kept_pages import dashboard_page, lesson_page
from .next_step import next_step
from .next_steps import next_steps
from .seat_time import heartbeat_visible, rules_changed
from .progress import (
    learner_states,
    mark_complete,
    record_activity,
    states_and_position,
    visit_lesson,
)


@bp.app_context_processor
def site_context() -> dict:
    try:
        course = current_course()
    except ContentError:
        return {"site_name": _site_name_from_file(), "course_title": "", "provider": None}
    return {"site_name": course.provider.name, "course_title": course.title, "provider": course.provider}


@bp.route("/")
def home():
    course = current_course()
    return same_for_every_visitor(course, lambda: render_template("learning/home.html", course=course))


@bp.route("/about")
def about():
    """Who makes the course, the provider's approval, the policies and the rules for a certificate."""
    return render_template("learning/about.html", course=current_course())


@bp.route("/modules")
def catalog():
    course = current_course()
    if not current_user.is_authenticated:
        return same_for_every_visitor(course, lambda: render_template("learning/catalog.html", course=course,
                                                                      states={}))
    states = learner_states(current_user.id, course.modules)
    return render_template("learning/catalog.html", course=course, states=states)


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
    if state is not None and not state.certificate_code and certificate_ready(module, state):
        # Everything was done already (a rule was relaxed, or an earlier issue failed): issue it now.
        if issue_when_ready(current_user, module, current_course()):
            db.session.commit()
            state = learner_states(current_user.id, [module])[module.id]
    return render_template("learning/module.html", module=module, state=state, course=current_course(),
                           blocked_by=missing_prerequisites(module),
                           requirements=requirements(module, state) if state else [],
                           steps=next_steps(module, state) if state else [],
                           changed_rules=rules_changed(module, current_user.id) if state and state.attempts else [],
                           ready=state is not None and certificate_ready(module, state))


@bp.route("/modules/<module_id>/lessons/<lesson_id>")
@login_required
def lesson(module_id: str, lesson_id: str):
    module, lesson = get_lesson(module_id, lesson_id)
    blocked_by = missing_prerequisites(module)
    if blocked_by:
        names = ", ".join(f"“{m.title}”" for m in blocked_by)
        abort(403, f"This module builds on {names}. Complete that first; its lessons open afterwards.")
    progress, reflections = visit_lesson(current_user.id, module.id, lesson)
    commit_if_changed()  # a revisit writes nothing, so the loaded user is not read again
    return lesson_page(module, lesson, progress, reflections,
                       check_results(session.get(SESSION_KEY) or {}, module.id, lesson),
                       current_app.config["HEARTBEAT_SECONDS"])


@bp.route("/modules/<module_id>/lessons/<lesson_id>/complete", methods=["POST"])
@login_required
def complete_lesson(module_id: str, lesson_id: str):
    module, lesson = get_lesson(module_id, lesson_id)
    if missing_prerequisites(module):
        abort(403, "Complete the prerequisite modules first.")
    ConfirmForm().validate_on_submit() or abort(400, "This form had expired. Reload the lesson and try again.")
    mark_complete(current_user.id, module.id, lesson.id)
    issue_when_ready(current_user, module, current_course())
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
    if missing_prerequisites(module):
        abort(403, "This module's lessons open once its prerequisites are complete; no time was credited.")
    row = record_activity(current_user.id, module.id, lesson.id, visible=heartbeat_visible(),
                          interval=current_app.config["HEARTBEAT_SECONDS"])
    certificate = issue_when_ready(current_user, module, current_course())
    db.session.commit()
    return {"active_seconds": row.active_seconds, "certificate": certificate.code if certificate else None}


@bp.route("/dashboard")
@login_required
def dashboard():
    course = current_course()
    states, position = states_and_position(current_user.id, course)
    step = next_step(course, states, *((position[0].id, position[1].id) if position else ()))
    return dashboard_page(course, states, step, position)


@bp.route("/media/<path:filename>")
def media(filename: str):
    """Serve an image that a lesson shows (only image files inside modules/)."""
    if Path(filename).suffix.lower() not in {".png", ".jpg", ".jpeg", ".svg", ".webp", ".gif"}:
        abort(404)
    folder = Path(current_app.config["CONTENT_ROOT"]) / "modules"
    if not inside(folder / filename, folder):  # a link that leads outside the course is never followed
        abort(404)
    return send_from_directory(folder, filename, max_age=3600)


def _site_name_from_file() -> str:
    """Read the provider's name from course.yaml even when the course as a whole does not load."""
    try:
        text = (Path(current_app.config["CONTENT_ROOT"]) / "course.yaml").read_text(encoding="utf-8-sig")
        name = yaml.safe_load(text)["provider"]["name"]
    except Exception:  # any problem here is reported by the course check; the page only needs a name
        return "Continuing education"
    return name.strip() if isinstance(name, str) and name.strip() else "Continuing education"
