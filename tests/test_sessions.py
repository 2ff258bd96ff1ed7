"""Sessions end on the server (idle and absolute), cookies and caches are safe, other sites cannot post,
and only the public host is served in production."""
from __future__ import annotations

import pytest

from course_app import create_app, request_policy
from course_app.extensions import db

from .conftest import FIXTURE_COURSE, PASSWORD, csrf_token

HOUR = 3600
DAY = 24 * HOUR


@pytest.fixture
def clock(monkeypatch):
    """Move the server's clock forward: clock.advance(seconds)."""
    import time

    class Clock:
        offset = 0.0

        def advance(self, seconds: float) -> None:
            self.offset += seconds

    moved = Clock()
    monkeypatch.setattr(request_policy, "clock", lambda: time.time() + moved.offset)
    from course_app.auth import sessions, views
    monkeypatch.setattr(sessions, "clock", lambda: time.time() + moved.offset)
    monkeypatch.setattr(views, "clock", lambda: time.time() + moved.offset)
    return moved


def login_remembered(client):
    return client.post("/account/login", data={"csrf_token": csrf_token(client, "/account/login"),
                                               "email": "ana@example.org", "password": PASSWORD, "remember": "y"})


def test_an_idle_session_ends_after_two_hours(client, auth, clock):
    auth.register()
    clock.advance(HOUR + 50 * 60)
    assert client.get("/dashboard").status_code == 200  # activity keeps it alive
    clock.advance(HOUR + 50 * 60)
    assert client.get("/dashboard").status_code == 200
    clock.advance(2 * HOUR + 60)
    response = client.get("/dashboard")
    assert response.status_code == 302 and response.location.startswith("/account/login")


def test_the_session_cookie_is_rewritten_every_few_minutes_not_on_every_page(client, auth, clock):
    auth.register()
    client.get("/dashboard")  # the first page may still add its CSRF token to the cookie
    for _ in range(4):  # a learner reading lesson after lesson within five minutes
        clock.advance(60)
        assert "Set-Cookie" not in client.get("/dashboard").headers
    clock.advance(61)
    assert "Set-Cookie" in client.get("/dashboard").headers  # 5 minutes on, her last use is recorded
    clock.advance(2 * HOUR - 60)  # so she is still logged in 2 hours after the page before last
    assert client.get("/dashboard").status_code == 200


def test_a_remembered_login_outlives_idleness_but_not_thirty_days(client, auth, clock):
    auth.register()
    auth.logout()
    login_remembered(client)
    clock.advance(13 * HOUR)  # the session is idle-expired; the remember cookie starts a new one
    assert client.get("/dashboard").status_code == 200
    clock.advance(8 * DAY)
    assert client.get("/dashboard").status_code == 200
    for _ in range(22):  # used every day, it still ends at thirty days
        clock.advance(DAY)
        client.get("/modules")
    assert client.get("/dashboard").status_code == 302


def test_a_stolen_old_session_cookie_is_refused(app, client, auth, clock):
    auth.register()
    stolen = client.get_cookie("session").value
    clock.advance(13 * HOUR)
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/dashboard").status_code == 302


def test_a_session_cookie_seen_before_is_still_checked_every_time(app, client, auth, monkeypatch):
    """Each cookie's signature is checked once per process: a cookie seen before still ends at its lifetime,
    and what one request changes inside the session reaches the next only through a new cookie."""
    import time

    from flask import request

    def opened(cookie: str):
        with app.test_request_context("/", headers={"Cookie": f"session={cookie}"}):
            return app.session_interface.open_session(app, request)

    auth.register()
    assert client.get("/dashboard").status_code == 200
    cookie = client.get_cookie("session").value
    assert "_user_id" in opened(cookie) and "_user_id" in opened(cookie)
    with_answers = app.session_interface.get_signing_serializer(app).dumps({"checks": {"q1": "a"}})
    opened(with_answers)["checks"]["q1"] = "changed in this request only"
    assert opened(with_answers)["checks"] == {"q1": "a"}
    assert "_user_id" not in opened(cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"))
    later = time.time() + app.permanent_session_lifetime.total_seconds() + 60
    monkeypatch.setattr(time, "time", lambda: later)
    assert "_user_id" not in opened(cookie)


def test_remember_cookie_is_lax_and_secure_in_production(client, auth, tmp_path, signing_key_file):
    auth.register()
    auth.logout()
    response = login_remembered(client)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token="))
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie
    assert "Max-Age=2592000" in cookie or "Expires=" in cookie  # thirty days
    production = create_app({"COURSE_ENV": "production", "SECRET_KEY": "k" * 32,
                             "PUBLIC_BASE_URL": "https://ce.example.org", "CONTENT_ROOT": str(FIXTURE_COURSE),
                             "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}", "SIGNING_KEY_FILE": signing_key_file})
    assert production.config["REMEMBER_COOKIE_SECURE"] and production.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    assert production.config["SESSION_COOKIE_SECURE"]


def test_logged_in_pages_and_downloads_are_never_cached(client, auth):
    assert "no-store" not in client.get("/modules").headers.get("Cache-Control", "")
    auth.register()
    for path in ("/modules", "/dashboard", "/account/", "/journal.md", "/privacy/my-data.zip"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response.headers["Cache-Control"], path


def test_a_cross_site_post_is_refused_over_plain_http(app, client, auth, fresh):
    auth.register()
    token = csrf_token(client, "/account/")
    data = {"csrf_token": token, "full_name": "Changed By Evil", "credential": "OT"}
    for headers in ({"Origin": "http://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}):
        response = client.post("/account/", data=data, headers=headers, base_url="http://localhost")
        assert response.status_code == 403, headers
        assert "sent from another website" in response.get_data(as_text=True)
    same_site = client.post("/account/", data=data, headers={"Origin": "https://ce.example.org"})
    assert same_site.status_code == 302


def production_app(tmp_path, signing_key_file, **extra):
    from flask_migrate import upgrade

    config = {"COURSE_ENV": "production", "SECRET_KEY": "k" * 32, "PUBLIC_BASE_URL": "https://ce.example.org",
              "CONTENT_ROOT": str(FIXTURE_COURSE), "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}",
              "SIGNING_KEY_FILE": signing_key_file, "RATELIMIT_ENABLED": False, **extra}
    app = create_app(config)
    with app.app_context():
        upgrade()
    return app


def test_production_answers_only_its_public_host(tmp_path, signing_key_file):
    app = production_app(tmp_path, signing_key_file)
    client = app.test_client()
    assert client.get("/verify", base_url="https://ce.example.org").status_code == 200
    for host in ("evil.example", "ce.example.org.evil.example", "localhost"):
        response = client.get("/verify", base_url=f"https://{host}")
        assert response.status_code == 400, host
        assert host not in response.get_data(as_text=True)
    with app.app_context():
        db.engine.dispose()


def test_development_links_use_the_local_address_not_the_request_host(tmp_path, signing_key_file, monkeypatch):
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    app = create_app({"CONTENT_ROOT": str(FIXTURE_COURSE), "DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}",
                      "SECRET_KEY": "s", "SIGNING_KEY_FILE": signing_key_file})
    from course_app.urls import absolute_url

    with app.test_request_context("/", base_url="http://evil.example"):
        assert absolute_url("certificates.verify", code="X") == "http://127.0.0.1:5000/verify/X"
