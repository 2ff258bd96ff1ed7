"""Instructor pages: follow learners' progress (never the text of their reflections)."""
from __future__ import annotations

import csv
import io
from functools import wraps

from flask import abort, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from ..certificates.transcript import safe_cell
from ..completion import is_complete, lessons_done, reflections_done
from ..course_store import current_course
from ..downloads import attachment
from ..extensions import db
from ..learning.progress import learners_states
from ..models import Evaluation, User
from ..urls import absolute_url
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
    everyone = learners_states([learner.id for learner in learners], course.modules)
    rows = []
    for learner in learners:
        states = everyone[learner.id]
        rows.append((learner, [
            {"lessons": lessons_done(m, states[m.id]), "total": len(m.lessons),
             "reflections": reflections_done(m, states[m.id]), "quiz": states[m.id].quiz_passed,
             "complete": is_complete(m, states[m.id]), "certificate": states[m.id].certificate_code}
            for m in course.modules]))
    return render_template("instructor/overview.html", course=course, rows=rows)


@bp.route("/subscribers.csv")
@instructor_required
def subscribers_csv():
    """Export newsletter subscribers with their consent record and unsubscribe link."""
    from ..guide.newsletter import subscribers, unsubscribe_token

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["email", "status", "consented_at", "consent_text", "source", "unsubscribed_at", "unsubscribe_url"])
    for row in subscribers():
        writer.writerow([safe_cell(row.email), "unsubscribed" if row.unsubscribed_at else "subscribed",
                         row.consented_at.isoformat(), row.consent_text, row.source,
                         row.unsubscribed_at.isoformat() if row.unsubscribed_at else "",
                         absolute_url("guide.unsubscribe_view", token=unsubscribe_token(row.email))])
    return attachment(out.getvalue(), "text/csv; charset=utf-8", "newsletter-subscribers.csv")


@bp.route("/evaluations.csv")
@instructor_required
def evaluations_csv():
    """Export participant evaluations, one row per learner and module, without names."""
    items = current_course().evaluation
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["module", "submitted_at"] + [item.id for item in items] + ["objective_ratings"])
    for row in db.session.scalars(select(Evaluation).order_by(Evaluation.module_id, Evaluation.submitted_at)):
        objectives = "; ".join(f"{key.removeprefix('objective-')}={value}" for key, value in row.answers.items()
                               if key.startswith("objective-"))
        writer.writerow([row.module_id, row.submitted_at.date().isoformat()]
                        + [safe_cell(str(row.answers.get(item.id, ""))) for item in items] + [safe_cell(objectives)])
    return attachment(out.getvalue(), "text/csv; charset=utf-8", "evaluations.csv")
