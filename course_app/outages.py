"""When the database or Redis cannot be reached: a short 503 that needs neither, and one log line."""
from __future__ import annotations

import logging

from flask import Flask, Response, current_app, jsonify, request
from sqlalchemy import exc

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
MESSAGE = "Temporarily unavailable, try again in a moment. Anything you had already saved is safe."
PAGE_LEAD = "This is on our side. Please try again in a moment: anything you had already saved is safe."
# What a lost, restarting, locked or overloaded database raises (a bug in a query is a ProgrammingError).
DATABASE_UNAVAILABLE = (exc.OperationalError, exc.InterfaceError, exc.DisconnectionError, exc.TimeoutError)


def first_line(error: BaseException) -> str:
    """The driver's own message, without SQL, parameters or the SQLAlchemy help link."""
    cause = getattr(error, "orig", None) or error
    text = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {text[0] if text else ''}"[:300]


def render_page() -> str:
    """The 503 page, rendered without context processors (Flask-Login's would load the user)."""
    template = current_app.jinja_env.get_template("errors/unavailable.html")
    return template.render(message=PAGE_LEAD, request=request)


def unavailable_response() -> Response:
    """A 503 page or JSON answer built from the request alone (the page does not load the user)."""
    from .errors import wants_json

    if wants_json():
        response = jsonify(error=MESSAGE, retry_after=RETRY_AFTER_SECONDS)
    else:
        try:
            response = Response(render_page(), mimetype="text/html")
        except Exception:  # noqa: BLE001 - the last resort must not fail
            response = Response(MESSAGE + "\n", mimetype="text/plain")
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def database_unavailable(error: Exception) -> Response:
    """Answer 503 for a database outage, logging one line, and give the broken connection back."""
    from .extensions import db

    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is gone; the pool replaces it
        pass
    log.warning("database unavailable on %s %s: %s", request.method, request.path, first_line(error))
    return unavailable_response()


class OneLineLimiterErrors(logging.Filter):
    """Flask-Limiter logs a traceback per request when Redis is down: keep one line naming the error."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.msg = f"rate limits not applied (storage unreachable): {first_line(record.exc_info[1])}"
            record.args = None
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def register(app: Flask) -> None:
    """503 for database outages; rate limits fail open (logged) when their storage is down."""
    for error_class in DATABASE_UNAVAILABLE:
        app.register_error_handler(error_class, database_unavailable)
    @app.teardown_appcontext
    def close_session_quietly(error: BaseException | None) -> None:
        """Runs before Flask-SQLAlchemy's own: a connection the restarting database cut must not turn an
        answer already made into a 500 while the session closes."""
        from .extensions import db

        try:
            db.session.remove()
        except DATABASE_UNAVAILABLE as lost:
            db.session.registry.clear()
            log.warning("database connection lost while closing a request: %s", first_line(lost))

    limiter_log = logging.getLogger("flask-limiter")
    if not any(isinstance(f, OneLineLimiterErrors) for f in limiter_log.filters):
        limiter_log.addFilter(OneLineLimiterErrors())
