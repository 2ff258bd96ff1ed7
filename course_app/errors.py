"""Error pages: a clear message, the right status, never a traceback."""
from __future__ import annotations

import logging
import traceback

from flask import Flask, render_template, request
from flask.globals import request_ctx
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .content import ContentError
from .extensions import db
from .security_log import log_event

log = logging.getLogger(__name__)

MESSAGES = {
    400: "The request could not be understood. Please go back and try again.",
    403: "You do not have access to this page.",
    404: "There is no page at this address.",
    405: "This page does not accept that kind of request.",
    409: "This was changed elsewhere in the meantime.",
    413: "What you sent is larger than this site accepts.",
    429: "Too many requests in a short time. Please wait a minute and try again.",
}


def wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def render_error(status: int, message: str, title: str | None = None):
    title = title or {404: "Page not found", 403: "Not allowed", 429: "Slow down"}.get(status, "Something went wrong")
    if request_ctx.url_adapter is None:  # an untrusted Host (production): no page can be built, nor the host echoed
        return "This site answers only at its public address.", 400, {"Content-Type": "text/plain; charset=utf-8"}
    if wants_json():
        return {"error": message}, status
    from .outages import DATABASE_UNAVAILABLE, database_unavailable

    try:
        return render_template("errors/error.html", status=status, title=title, message=message), status
    except DATABASE_UNAVAILABLE as error:  # the page's menu needed the user, and the database is down
        return database_unavailable(error)


def register(app: Flask) -> None:
    from .outages import register as register_outages

    register_outages(app)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(400, "This form had expired or was sent from elsewhere (its security token was "
                                 "missing or wrong). Nothing was changed. Reload the page and send it again.",
                            "Form expired")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        # Flask-Limiter puts the limit ("30 per 1 minute") in the description: people get the sentence instead.
        custom = error.code != 429 and error.description and error.description != type(error).description
        message = error.description if custom else MESSAGES.get(error.code, error.description)
        return render_error(error.code or 500, message or "Something went wrong.")

    @app.errorhandler(ContentError)
    def content_error(error: ContentError):  # the course store has logged the problems
        from .instructor.content import problems_page, sees_content_problems

        if sees_content_problems() and not wants_json():
            return problems_page(503)
        if wants_json():
            return {"error": "The course is being updated. Please try again in a few minutes."}, 503
        response = render_template("errors/updating.html"), 503
        return (*response, {"Retry-After": "30"})

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        log_event("error.unexpected", level=logging.ERROR, error=type(error).__name__,
                  traceback=traceback.format_exc())  # one escaped line: a CR/LF in the path forges nothing
        return render_error(500, "Something went wrong on our side, and it has been logged. Anything you had "
                                 "already saved is safe; please go back and try again.")
