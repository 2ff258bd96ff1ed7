"""Instructor pages: follow learners' progress (never the text of their reflections)."""
from __future__ import annotations

from functools import wraps

from flask import abort, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from ..completion import is_complete, lessons_done, reflections_done
from ..course_store import current_course
from ..extensions import db
from ..learning.progress import learner_states
from ..models import User
from . import bp


def instructor_required(view):
    """Let only instructors and admins through; others get 403."""
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_instructor:
            abort(403, "This page is for instructors.")
        return view(*args, **kwargs)
    return wrapper


@bp.route("/")
@instructor_required
def overview():
    course = current_course()
    learners = db.session.scalars(select(User).where(User.role == "learner").order_by(User.full_name)).all()
    rows = []
    for learner in learners:
        states = learner_states(learner.id, course.modules)
        rows.append((learner, [
            {"lessons": lessons_done(m, states[m.id]), "total": len(m.lessons),
             "reflections": reflections_done(m, states[m.id]), "quiz": states[m.id].quiz_passed,
             "complete": is_complete(m, states[m.id]), "certificate": states[m.id].certificate_code}
            for m in course.modules]))
    return render_template("instructor/overview.html", course=course, rows=rows)
