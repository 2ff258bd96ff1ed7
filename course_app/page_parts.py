"""Parts of pages that are the same for every learner who sees them, rendered once per loaded course.

A page view used to build the menu anew (a score of links, the visitor's kind, the current page), which
was a tenth of a lesson page's time. Now each variant is rendered once: per kind of visitor (visitor,
learner, instructor) and page the menu marks as current. The only part that differs between learners,
the log-out form's CSRF token, is put in afterwards. A module's card has the same kind of part: its title,
summary and objectives (shared_part).
"""
from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from .content import ContentError
from .course_store import current_course

MENU_PAGES = frozenset({"learning.catalog", "learning.dashboard", "assessment.journal", "certificates.mine",
                        "auth.profile"})
CSRF_SLOT = "__csrf_token_of_this_visitor__"


def site_header() -> Markup:
    if not current_user.is_authenticated:
        kind = "visitor"
    else:
        kind = "instructor" if current_user.is_instructor else "learner"
    current = request.endpoint if request.endpoint in MENU_PAGES else None
    html = _rendered("_site_header.html", kind=kind, current=current, csrf_slot=CSRF_SLOT)
    if kind != "visitor":
        html = html.replace(CSRF_SLOT, generate_csrf())
    return Markup(html)


def site_footer() -> Markup:
    return Markup(_rendered("_site_footer.html"))


def shared_part(template: str, key, **context) -> Markup:
    """A part of a page that is the same for every learner (a module's card, say), rendered once per loaded
    course and key."""
    return Markup(_rendered(template, key=key, **context))


def _rendered(template: str, key=None, **context) -> str:
    """Render a part once per loaded course and context (or key, which then stands for the context);
    while the course does not load, every time."""
    try:
        course = current_course()
    except ContentError:
        return render_template(template, **context)
    parts = current_app.extensions["page_parts"]
    if parts.get("course") is not course:
        parts.clear()
        parts["course"] = course
    found = (template, request.script_root, *(sorted(context.items()) if key is None else [key]))
    if found not in parts:
        parts[found] = render_template(template, **context)
    return parts[found]


def register(app: Flask) -> None:
    app.extensions["page_parts"] = {}
    app.jinja_env.globals.update(site_header=site_header, site_footer=site_footer, shared_part=shared_part)
