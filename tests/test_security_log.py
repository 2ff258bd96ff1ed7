"""The security log: one JSON line per event, UTC, no secrets, nothing typed can forge a line."""
from __future__ import annotations

import json
import logging

import pytest

from course_app.security_log import LOGGER_NAME, event_line, log_event


class Lines(logging.Handler):
    """Collect what the security log writes."""

    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())

    def events(self, name: str | None = None) -> list[dict]:
        parsed = [json.loads(line) for line in self.lines]
        return [e for e in parsed if name is None or e["event"] == name]


@pytest.fixture
def security_lines():
    handler = Lines()
    log_event("test.setup")  # installs the stderr handler first, so ours is added alongside
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


def test_a_line_is_json_in_utc_and_drops_secrets():
    line = event_line("password.change", user_id=3, password="hunter2-hunter2", reset_token="abc", csrf="x")
    record = json.loads(line)
    assert record["event"] == "password.change" and record["user_id"] == 3
    assert record["time"].endswith("+00:00")
    assert "hunter2" not in line and "abc" not in line and "csrf" not in line


def test_a_crlf_in_a_value_cannot_start_a_new_line():
    line = event_line("login.failure", email='ana@example.org\r\n{"event":"login.success"}')
    assert "\n" not in line and "\r" not in line
    assert json.loads(line)["email"].endswith('{"event":"login.success"}')


def test_a_forged_path_in_an_unexpected_error_stays_one_line(app, client, security_lines):
    @app.route("/boom/<rest>")
    def boom(rest):
        raise RuntimeError("boom")

    response = client.get("/boom/x%0d%0a%7B%22event%22%3A%22login.success%22%7D")
    assert response.status_code == 500
    assert all("\n" not in line for line in security_lines.lines)
    errors = security_lines.events("error.unexpected")
    assert errors and errors[0]["path"].startswith("/boom/x\r\n") and "RuntimeError" in errors[0]["traceback"]
    assert not security_lines.events("login.success")


def test_account_and_certificate_events_each_leave_one_line_without_secrets(app, client, auth, fresh, runner,
                                                                            security_lines):
    from .conftest import PASSWORD, csrf_token
    from .test_certificates import earn_certificate, post_with_token

    code = earn_certificate(client, auth, fresh, app)
    auth.logout()
    auth.login(password="wrong password typed")
    auth.login()
    new = "another long passphrase here"
    client.post("/account/password", data={"csrf_token": csrf_token(client, "/account/password"),
                                           "current_password": PASSWORD, "new_password": new, "confirm": new})
    client.post("/account/", data={"csrf_token": csrf_token(client, "/account/"), "full_name": "Ana Ortiz Ruiz",
                                   "credential": "OTR/L"})
    post_with_token(client, f"/certificates/{code}/reissue", page=f"/certificates/{code}")
    runner.invoke(args=["users", "set-role", "ana@example.org", "instructor"])
    runner.invoke(args=["course", "revoke", code, "--reason", "Issued in error"])
    names = [e["event"] for e in security_lines.events()]
    for name in ("register", "email.confirmed", "login.success", "certificate.issue", "logout", "login.failure",
                 "password.change", "certificate.reissue", "role.change", "certificate.revoke"):
        assert name in names, name
    failure = security_lines.events("login.failure")[0]
    assert failure["email"] == "ana@example.org" and failure["ip"] == "127.0.0.1" and failure["path"] == "/account/login"
    everything = "\n".join(security_lines.lines)
    assert PASSWORD not in everything and new not in everything and "wrong password typed" not in everything
    assert "$argon2" not in everything
