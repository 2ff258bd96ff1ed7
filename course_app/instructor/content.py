"""Content problems where the author looks: a banner on every page for instructors, and a page of them all."""
from __future__ import annotations

from flask import current_app, render_template
from flask_login import current_user

from . import bp
from .views import instructor_required

BANNER_LINES = 5


def content_problems() -> list:
    """Every problem of the course files as they are now."""
    store = current_app.extensions["course_store"]
    store.refresh()
    return store.problems


def sees_content_problems() -> bool:
    return current_user.is_authenticated and current_user.is_instructor


@bp.app_context_processor
def content_banner() -> dict:
    if not sees_content_problems():
        return {"content_errors": []}
    return {"content_errors": [p for p in content_problems() if p.severity == "error"],
            "banner_lines": BANNER_LINES}


@bp.route("/content")
@instructor_required
def content():
    problems = content_problems()
    return render_template("instructor/content_problems.html", problems=problems,
                           serving=current_app.extensions["course_store"].has_good_version)


def problems_page(status: int):
    """The page of problems, for an instructor when no version of the course has loaded yet."""
    return render_template("instructor/content_problems.html", problems=content_problems(), serving=False), status
