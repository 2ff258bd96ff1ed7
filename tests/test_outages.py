"""Outages: with the database unreachable every request answers a short 503 (JSON for JSON calls) with
Retry-After, built without the database, and logs one line; service comes back by itself when the
database does. Rate limits fail open (logged) when Redis is down. Servers that are stopped here are our
own throwaway ones."""
from __future__ import annotations

import gc
import logging

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from course_app import create_app
from course_app.extensions import db

from .conftest import Auth, csrf_token
from .servers import OwnPostgres, OwnRedis, free_port


def app_on(database_url: str, content_root, signing_key_file, **extra):
    return create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test-secret", "TESTING": True,
                       "CONTENT_ROOT": str(content_root), "SIGNING_KEY_FILE": signing_key_file,
                       "RATELIMIT_ENABLED": False, "PUBLIC_BASE_URL": "https://ce.example.org", **extra})


def unreachable(database_url: str, tmp_path) -> str:
    """The same kind of database, but one nobody can reach: a closed port, or a folder that is not there."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'missing-folder' / 'course.sqlite3'}"
    return make_url(database_url).set(port=free_port()).render_as_string(hide_password=False)


def outage_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "course_app.outages"]


def test_with_the_database_unreachable_every_request_answers_503(client, auth, database_url, content_root,
                                                                 signing_key_file, tmp_path, caplog):
    auth.register()
    cookie = client.get_cookie("session").value
    token = csrf_token(client, "/modules/basics/lessons/lesson-two")
    down = app_on(unreachable(database_url, tmp_path), content_root, signing_key_file)
    learner = down.test_client()
    learner.set_cookie("session", cookie)
    caplog.set_level(logging.WARNING)

    for path in ("/dashboard", "/modules/basics/lessons/lesson-one", "/certificates", "/no-such-page"):
        caplog.clear()
        page = learner.get(path)
        body = page.get_data(as_text=True)
        assert page.status_code == 503, (path, body[:300])
        assert page.headers["Retry-After"] == "5" and page.mimetype == "text/html"
        assert "<h1>Temporarily unavailable</h1>" in body and "try again in a moment" in body
        assert "Traceback" not in body
        records = outage_records(caplog)
        assert len(records) == 1 and records[0].exc_info is None, [r.getMessage() for r in caplog.records]
        assert path in records[0].getMessage() and "\n" not in records[0].getMessage()
        assert not [r for r in caplog.records if r.exc_info]  # no chain of tracebacks anywhere

    autosave = learner.post("/modules/basics/reflections/my-practice", json={"text": "kept", "revision": 0},
                            headers={"X-CSRFToken": token})
    assert autosave.status_code == 503 and autosave.headers["Retry-After"] == "5"
    assert "Temporarily unavailable" in autosave.get_json()["error"]  # the script keeps its copy and retries

    anonymous = down.test_client()
    login = anonymous.post("/account/login", data={"csrf_token": csrf_token(anonymous, "/account/login"),
                                                   "email": "ana@example.org", "password": "whatever it is"})
    assert login.status_code == 503
    with down.app_context():
        db.engine.dispose()


def test_the_503_page_reads_well_and_names_no_internals(client, auth, database_url, content_root,
                                                        signing_key_file, tmp_path):
    down = app_on(unreachable(database_url, tmp_path), content_root, signing_key_file).test_client()
    page = down.get("/verify/ABCD-EFGH-JKMN-PQRS-TVWX-YZ23-45")
    body = page.get_data(as_text=True)
    assert page.status_code == 503 and '<html lang="en">' in body and "<h1>Temporarily unavailable</h1>" in body
    assert 'href="/verify/ABCD-EFGH-JKMN-PQRS-TVWX-YZ23-45"' in body  # "Try again" reopens the same page
    for internal in ("sqlite", "psycopg", "OperationalError", "SELECT", "connection"):
        assert internal not in body


@pytest.mark.skipif(not OwnPostgres.available(), reason="initdb and pg_ctl are not installed")
def test_service_comes_back_by_itself_after_a_postgresql_restart(content_root, signing_key_file, tmp_path):
    from flask_migrate import upgrade

    server = OwnPostgres().create()
    try:
        app = app_on(server.url(), content_root, signing_key_file)
        with app.app_context():
            upgrade()
        client = app.test_client()
        Auth(client).register()
        assert client.get("/dashboard").status_code == 200  # the pool now holds a connection

        server.stop()
        outage = client.get("/dashboard")
        assert outage.status_code == 503 and outage.headers["Retry-After"]
        server.start()
        assert client.get("/dashboard").status_code == 200  # pre-ping replaced the dead connection
        with app.app_context():
            assert db.session.scalar(text("select count(*) from \"user\"")) == 1
            db.engine.dispose()
    finally:
        server.destroy()


@pytest.mark.skipif(not OwnRedis.available(), reason="redis-server is not installed")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # redis-py's __del__ on a killed server
def test_rate_limits_fail_open_with_one_log_line_while_redis_is_down(database_url, content_root,
                                                                     signing_key_file, caplog):
    redis = OwnRedis().start()
    try:
        app = app_on(database_url, content_root, signing_key_file, RATELIMIT_ENABLED=True,
                     RATELIMIT_STORAGE_URI=redis.url(6))
        client = app.test_client()

        def bad_login():
            token = csrf_token(client, "/account/login")
            return client.post("/account/login", data={"csrf_token": token, "email": "no@example.org",
                                                       "password": "not the password at all"})

        assert bad_login().status_code in (200, 422)  # limits work while Redis is up
        redis.stop()
        caplog.clear()
        caplog.set_level(logging.WARNING)
        response = bad_login()
        assert response.status_code in (200, 422), response.status_code  # not a 500: the limit fails open
        assert "do not match an account" in response.get_data(as_text=True)
        limiter_lines = [r for r in caplog.records if r.name == "flask-limiter"]
        assert limiter_lines and all(r.exc_info is None for r in limiter_lines)
        assert "rate limits not applied" in limiter_lines[0].getMessage()

        redis.start()
        for _ in range(12):
            response = bad_login()
        assert response.status_code == 429  # 10 a minute again, counted in Redis
        with app.app_context():
            db.engine.dispose()
    finally:
        from course_app.extensions import limiter

        limiter.storage.storage.connection_pool.disconnect()  # closed now, not by a later test's garbage collection
        redis.stop()
        gc.collect()


def test_a_connection_cut_after_the_page_is_made_still_delivers_it(client, auth, database_url, monkeypatch):
    """PostgreSQL restarting between the last query and the end of the request: the page is sent, the next
    request gets a fresh connection."""
    if not database_url.startswith("postgresql"):
        pytest.skip("a server-side connection cut is a PostgreSQL event")
    from sqlalchemy import create_engine

    import course_app.learning.views as views

    auth.register()
    real = views.render_template

    def render_then_cut(*args, **kwargs):
        html = real(*args, **kwargs)
        pid = db.session.execute(text("select pg_backend_pid()")).scalar()
        other = create_engine(database_url)
        with other.connect() as connection:
            connection.execute(text("select pg_terminate_backend(:pid)"), {"pid": pid})
        other.dispose()
        return html

    monkeypatch.setattr(views, "render_template", render_then_cut)
    response = client.get("/dashboard")
    assert response.status_code == 200 and "Log out" in response.get_data(as_text=True)
    monkeypatch.setattr(views, "render_template", real)
    assert client.get("/dashboard").status_code == 200
