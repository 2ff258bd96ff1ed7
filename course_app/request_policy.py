"""Request rules of a real service (issue 11): the client behind proxies, session timeouts, caching, origins."""
from __future__ import annotations

import copy
import functools
import time
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature
from werkzeug.middleware.proxy_fix import ProxyFix

from .security_log import log_event

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
SESSION_USER_KEYS = ("_user_id", "_fresh", "_id")


def clock() -> float:
    """Seconds since the epoch (tests move it forward to age a session)."""
    return time.time()


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def allowed_origins() -> set[str]:
    """The origins a form may be posted from: the public address, and in development this server's own."""
    origins = {origin_of(current_app.config["PUBLIC_BASE_URL"])}
    if current_app.config["COURSE_ENV"] != "production":
        origins.add(origin_of(request.host_url))
    return origins


def refuse_cross_site_posts() -> None:
    """Refuse a state change sent from another site, over http as over https (CSRF tokens are the other half)."""
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("Origin")
    cross_site = request.headers.get("Sec-Fetch-Site") == "cross-site"
    if cross_site or (origin is not None and origin.lower() not in allowed_origins()):
        log_event("request.cross_site_refused", origin=origin)
        abort(403, "This form was sent from another website, so nothing was changed. Open this site directly "
                   "and send it again.")


def end_idle_session() -> None:
    """End a login unused for longer than SESSION_IDLE_SECONDS (a remember-me cookie may start a new one)."""
    if "_user_id" not in session:
        return
    seen = session.get("_seen")
    if not isinstance(seen, int | float) or clock() - seen > current_app.config["SESSION_IDLE_SECONDS"]:
        for key in SESSION_USER_KEYS:
            session.pop(key, None)
        session.pop("_seen", None)
        log_event("session.idle_timeout")


def note_activity(response: Response) -> Response:
    """Keep an active session alive, and keep every page a logged-in learner sees out of every cache.

    Uses the user Flask-Login already loaded for this request (never loads one: with the database down,
    an error page must not need it).
    """
    user = g.get("_login_user")
    logged_in = user is not None and user.is_authenticated
    if request.endpoint != "static" and (logged_in or "_user_id" in session):
        response.headers["Cache-Control"] = "private, no-store"
        response.headers.pop("Expires", None)
    if logged_in:
        now = int(clock())
        if now - session.get("_seen", 0) >= seen_refresh_seconds():
            session["_seen"] = now
    return response


def seen_refresh_seconds() -> int:
    """How stale the session's "last used" time may get before the cookie is written again.

    Writing the cookie costs a twentieth of a page view, so it is rewritten at most every 5 minutes (a
    twenty-fourth of the idle time, at least 30 s). A session therefore ends after at most
    SESSION_IDLE_SECONDS unused, and at the earliest that long minus 5 minutes: never later than promised.
    """
    return max(30, min(300, current_app.config["SESSION_IDLE_SECONDS"] // 24))


@functools.lru_cache(maxsize=4096)
def _checked_cookie(serializer, value: str) -> tuple[dict, int]:
    """A session cookie's contents and signing time, its signature checked once per process and key (a cookie
    that fails raises BadSignature and is not kept). Its age is for the caller to check, on every request."""
    data, signed_at = serializer.loads(value, return_timestamp=True)
    return data, int(signed_at.timestamp())


class SignedCookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signer built once per secret key instead of twice a request, and
    each cookie's signature checked once per process.

    A cookie whose signature was checked is kept with its signing time (_checked_cookie); seen again, its age is
    checked as the signer would and a copy of its contents is given, which costs a fifth of checking and
    decoding it again. A new secret key has a signer of its own, so its cookies are checked afresh.
    """

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept = app.extensions.get("session_signer")
        if kept is None or kept[0] != keys:
            kept = app.extensions["session_signer"] = (keys, super().get_signing_serializer(app))
        return kept[1]

    def open_session(self, app: Flask, request):
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        try:
            data, signed_at = _checked_cookie(self.get_signing_serializer(app), value)
        except BadSignature:
            return self.session_class()
        if not 0 <= int(time.time()) - signed_at <= int(app.permanent_session_lifetime.total_seconds()):
            return self.session_class()  # itsdangerous's own test of a signature's age
        return self.session_class(copy.deepcopy(data))


def register(app: Flask) -> None:
    app.session_interface = SignedCookieSessions()
    count = app.config["TRUSTED_PROXY_COUNT"]
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=0, x_port=0)  # type: ignore[method-assign]
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_cross_site_posts)
    app.before_request(end_idle_session)
    app.after_request(note_activity)
