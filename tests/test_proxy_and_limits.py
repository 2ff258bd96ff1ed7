"""Behind a reverse proxy: limits count the real client, a per-account throttle slows guessing without
locking the owner out for good, password change, reset and resend are limited, and an unreachable Redis
lets requests through with a logged warning."""
from __future__ import annotations

import pytest

from course_app import create_app
from course_app.extensions import db, limiter

from .conftest import PASSWORD, Auth, csrf_token
from .mailbox import free_port, links, path_of, smtp  # noqa: F401 - fixtures
from .test_security_log import security_lines  # noqa: F401 - fixture


@pytest.fixture
def limited_app(database_url, content_root, signing_key_file, tmp_path):
    """The app behind one proxy, with rate limits on (in memory, this process only)."""
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "s", "CONTENT_ROOT": str(content_root),
                      "SIGNING_KEY_FILE": signing_key_file, "PUBLIC_BASE_URL": "https://ce.example.org",
                      "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://", "TRUSTED_PROXY_COUNT": "1",
                      "MAIL_FOLDER": str(tmp_path / "mail"), "EVEN_ANSWER_SECONDS": 0.01})
    limiter.reset()
    yield app
    limiter.enabled = False
    with app.app_context():
        db.engine.dispose()


def client_at(app, address: str):
    """A browser at a client address, as the proxy reports it in X-Forwarded-For."""
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": address})
    return client


def login(client, email="ana@example.org", password=PASSWORD):
    return client.post("/account/login", data={"csrf_token": csrf_token(client, "/account/login"),
                                               "email": email, "password": password})


def test_one_attackers_bad_logins_do_not_lock_out_other_clients(limited_app):
    Auth(client_at(limited_app, "203.0.113.5")).register()
    attacker = client_at(limited_app, "198.51.100.66")
    statuses = [login(attacker, email=f"user{n}@example.org", password="guess guess guess").status_code
                for n in range(11)]
    assert statuses[:10] == [422] * 10 and statuses[10] == 429  # the attacker's own address is limited
    assert login(client_at(limited_app, "203.0.113.5")).status_code == 302  # everyone else logs in as usual


def test_guessing_one_accounts_password_is_throttled_from_any_address(limited_app, security_lines):
    Auth(client_at(limited_app, "203.0.113.5")).register()
    for n in range(5):
        assert login(client_at(limited_app, f"198.51.100.{n}"), password="wrong password here").status_code == 422
    blocked = login(client_at(limited_app, "198.51.100.99"))  # even the right password waits now
    assert blocked.status_code == 429 and "Too many wrong passwords for this account" in blocked.get_data(as_text=True)
    assert security_lines.events("login.throttled") and len(security_lines.events("login.failure")) == 5
    assert login(client_at(limited_app, "198.51.100.99"), email="other@example.org").status_code == 422  # others not


def test_the_owner_is_never_locked_out_for_good(limited_app, monkeypatch):
    import time

    owner = client_at(limited_app, "203.0.113.5")
    Auth(owner).register()
    for n in range(5):
        login(client_at(limited_app, f"198.51.100.{n}"), password="wrong password here")
    assert login(owner).status_code == 429
    later = time.time() + 15 * 60 + 1
    monkeypatch.setattr(time, "time", lambda: later)  # the throttle's window has passed
    assert login(owner).status_code == 302


def test_a_password_reset_lifts_the_throttle(limited_app):
    owner = client_at(limited_app, "203.0.113.5")
    Auth(owner).register()
    for n in range(5):
        login(client_at(limited_app, f"198.51.100.{n}"), password="wrong password here")
    owner.post("/account/forgot", data={"csrf_token": csrf_token(owner, "/account/forgot"), "email": "ana@example.org"})
    from .mailbox import folder_messages

    link = next(link for m in folder_messages(limited_app.config["MAIL_FOLDER"]) for link in links(m)
                if "/account/reset/" in link)
    new = "a different long passphrase"
    owner.post(path_of(link), data={"csrf_token": csrf_token(owner, path_of(link)), "new_password": new,
                                    "confirm": new})
    assert login(owner, password=new).status_code == 302


def test_reset_requests_are_limited_per_address_and_per_client(limited_app):
    def ask(client, email):
        return client.post("/account/forgot", data={"csrf_token": csrf_token(client, "/account/forgot"),
                                                    "email": email}).status_code

    assert [ask(client_at(limited_app, f"192.0.2.{n}"), "ana@example.org") for n in range(6)] == [303] * 5 + [429]
    one = client_at(limited_app, "192.0.2.200")
    assert [ask(one, f"p{n}@example.org") for n in range(21)][-1] == 429


def test_password_change_and_resend_are_limited(limited_app):
    client = client_at(limited_app, "203.0.113.5")
    Auth(client).register(confirm=False)
    login(client)
    data = {"current_password": "wrong wrong wrong", "new_password": "x" * 20, "confirm": "x" * 20}
    codes = [client.post("/account/password", data={"csrf_token": csrf_token(client, "/account/password"),
                                                   **data}).status_code for _ in range(11)]
    assert codes[:10] == [422] * 10 and codes[10] == 429
    resend = [client.post("/account/confirm/resend", data={"csrf_token": csrf_token(client, "/account/")}).status_code
              for _ in range(6)]
    assert resend == [303] * 5 + [429]


def test_an_unreachable_redis_lets_requests_through_with_a_warning(database_url, content_root, signing_key_file,
                                                                   tmp_path, caplog):
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "s", "CONTENT_ROOT": str(content_root),
                      "SIGNING_KEY_FILE": signing_key_file, "RATELIMIT_ENABLED": True,
                      "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{free_port()}/3",
                      "MAIL_FOLDER": str(tmp_path / "mail"), "EVEN_ANSWER_SECONDS": 0.01})
    try:
        client = app.test_client()
        assert Auth(client).register(confirm=False).status_code == 200
        assert login(client).status_code == 302
        assert login(app.test_client(), password="wrong password here").status_code == 422
        assert client.get("/verify/0000-0000-0000-0000-0000-0000-00").status_code == 404
        assert client.get("/verify?code=abc").status_code == 400
        warnings = [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")]
        assert warnings, "the failing rate-limit storage was not logged"
    finally:
        limiter.enabled = False
        with app.app_context():
            db.engine.dispose()


def test_a_redis_that_never_answers_delays_but_does_not_break_a_login(database_url, content_root, signing_key_file,
                                                                      tmp_path):
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # connections complete in the kernel, but nothing ever answers
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "s", "CONTENT_ROOT": str(content_root),
                      "SIGNING_KEY_FILE": signing_key_file, "RATELIMIT_ENABLED": True,
                      "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{silent.getsockname()[1]}/3",
                      "MAIL_FOLDER": str(tmp_path / "mail"), "EVEN_ANSWER_SECONDS": 0.01})
    try:
        assert app.config["RATELIMIT_STORAGE_OPTIONS"]["socket_timeout"] == 1
        client = app.test_client()
        assert login(client, password="wrong password here").status_code == 422
    finally:
        limiter.enabled = False
        silent.close()
        with app.app_context():
            db.engine.dispose()
