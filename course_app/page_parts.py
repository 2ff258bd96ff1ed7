"""Parts of pages that are the same for every learner who sees them, rendered once per loaded course.

A page view used to build the menu anew (a score of links, the visitor's kind, the current page), which
was a tenth of a lesson page's time. Now each variant is rendered once: per kind of visitor (visitor,
learner, instructor) and page the menu marks as current. The only part that differs between learners,
the log-out form's CSRF token, is put in afterwards. The styles and scripts every page loads are a shared
part too (shared_part). Whole lesson pages and module cards are kept with holes where each learner's own
parts go (slotted_part, filled): rendering them on every view was most of those pages' time.
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import TypeVar

from flask import Flask, current_app, g, render_template, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from .content import ContentError
from .course_store import current_course

MENU_PAGES = frozenset({"learning.catalog", "learning.dashboard", "assessment.journal", "certificates.mine",
                        "auth.profile"})
CSRF_SLOT = "__csrf_token_of_this_visitor__"
# Marks a hole in a slotted part. The random part keeps a lesson's own text from ever looking like one.
SLOT_MARK = f"\x00slot-{secrets.token_hex(8)}\x00"
SLOT_SPLIT = re.compile(re.escape(SLOT_MARK) + "(.*?)" + re.escape(SLOT_MARK))
T = TypeVar("T")
KEPT_TOKENS = 20_000  # signed CSRF tokens kept per process (about 5 MB); when full, they are signed afresh
_signed_tokens: dict[tuple[str, str], str] = {}


def visitor_kind() -> str:
    """visitor, learner or instructor: what the menu offers."""
    if not current_user.is_authenticated:
        return "visitor"
    return "instructor" if current_user.is_instructor else "learner"


def site_header(token: str | None = None) -> Markup:
    """The menu for this kind of visitor, with the log-out form carrying token (by default hers)."""
    kind = visitor_kind()
    current = request.endpoint if request.endpoint in MENU_PAGES else None
    html = _rendered("_site_header.html", kind=kind, current=current, csrf_slot=CSRF_SLOT)
    if kind != "visitor":
        html = html.replace(CSRF_SLOT, token or csrf_token())
    return Markup(html)


def csrf_token() -> str:
    """Flask-WTF's CSRF token for this session (generate_csrf), signed once per session token and process.

    Flask-WTF signs the session's token anew on every page, a twentieth of a lesson view. With no time
    limit on tokens (config.py) the signature's timestamp is never checked, so the token signed first stays
    valid for as long as the session's own; under any other setting each page signs its own, as before.
    """
    if "csrf_token" in g:
        return g.csrf_token
    raw, config = session.get("csrf_token"), current_app.config
    if (not isinstance(raw, str) or config.get("WTF_CSRF_TIME_LIMIT", 3600) is not None
            or config.get("WTF_CSRF_SECRET_KEY") or config.get("WTF_CSRF_FIELD_NAME", "csrf_token") != "csrf_token"):
        return generate_csrf()
    key = (current_app.secret_key, raw)
    token = _signed_tokens.get(key)
    if token is None:
        token = generate_csrf()
        if len(_signed_tokens) >= KEPT_TOKENS:
            _signed_tokens.clear()
        _signed_tokens[key] = token
    g.csrf_token = token  # where generate_csrf looks first: forms on the page get the same token
    return token


def notices() -> Markup | str:
    """The messages flashed to her and, for instructors, the content banner: a kept page's one slot for
    them (most views have neither)."""
    from .instructor.content import sees_content_problems  # the instructor package needs the app's parts

    if "_flashes" not in session and not sees_content_problems():
        return ""
    return Markup(render_template("_notices.html"))


def site_footer() -> Markup:
    return Markup(_rendered("_site_footer.html"))


def shared_part(template: str, key, limit: int | None = None, **context) -> Markup:
    """A part of a page that is the same for every learner (the styles and scripts every page loads, say),
    rendered once per loaded course and key. With a limit, at most that many parts of the template are kept
    (see kept)."""
    return Markup(_rendered(template, key=key, limit=limit, **context))


def slotted_part(template: str, key, limit: int | None = None, **context) -> list[str]:
    """A part with holes, rendered once per loaded course and key: [html, name, html, name, ..., html].

    The template marks each hole with {{ slot(name) }}; filled() puts the learner's own parts there. With a
    limit, at most that many parts of the template are kept (see kept)."""
    def render() -> list[str]:
        html = render_template(template, slot=_slot, **context)
        return [Markup(piece) if index % 2 == 0 else piece for index, piece in enumerate(SLOT_SPLIT.split(html))]

    return kept((template, request.script_root, key), render, limit)


def filled(pieces: list[str], value: Callable[[str], str]) -> Markup:
    """A slotted part with value(name) in each hole, escaped unless it is Markup."""
    return Markup("".join([piece if index % 2 == 0 else escape(value(piece)) for index, piece in enumerate(pieces)]))


def kept(key: tuple, make: Callable[[], T], limit: int | None = None) -> T:
    """make()'s result, kept per loaded course and key; while the course does not load, made every time.

    With a limit, at most that many results of the key's kind (its first item) are kept; past it, made
    every time."""
    try:
        course = current_course()
    except ContentError:
        return make()
    parts = current_app.extensions["page_parts"]
    if parts.get("course") is not course:
        parts.clear()
        parts["course"] = course
        parts["counts"] = {}
    found = parts.get(key)
    if found is None:
        found = make()
        counts = parts["counts"]
        if limit is None or counts.get(key[0], 0) < limit:
            parts[key] = found
            counts[key[0]] = counts.get(key[0], 0) + 1
    return found


def _slot(name: str) -> Markup:
    return Markup(f"{SLOT_MARK}{name}{SLOT_MARK}")


def _rendered(template: str, key=None, limit: int | None = None, **context) -> str:
    """Render a part once per loaded course and context (or key, which then stands for the context)."""
    found = (template, request.script_root, *(sorted(context.items()) if key is None else [key]))
    return kept(found, lambda: render_template(template, **context), limit)


def register(app: Flask) -> None:
    app.extensions["page_parts"] = {}
    app.jinja_env.globals.update(site_header=site_header, site_footer=site_footer, shared_part=shared_part,
                                 csrf_token=csrf_token)  # in place of Flask-WTF's, registered before
