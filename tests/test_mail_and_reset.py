"""Email through a real SMTP server on loopback, the development mail folder, and forgot password."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from course_app.models import User

from .conftest import PASSWORD, csrf_token
from .mailbox import folder_messages, links, mail_app, path_of, smtp  # noqa: F401 - fixtures

NEW_PASSWORD = "a quiet walk along the river"


def ask_reset(client, email: str, **kwargs):
    return client.post("/account/forgot", data={"csrf_token": csrf_token(client, "/account/forgot"), "email": email},
                       follow_redirects=True, **kwargs)


def reset_link(smtp, email: str) -> str:
    message = smtp.to(email)[-1]
    return path_of(next(link for link in links(message) if "/account/reset/" in link))


def choose_password(client, path: str, password: str = NEW_PASSWORD):
    return client.post(path, data={"csrf_token": csrf_token(client, path), "new_password": password,
                                   "confirm": password}, follow_redirects=True)


def test_registration_mail_goes_through_smtp_and_its_link_confirms_the_address(mail_app, client, auth, smtp, fresh):
    auth.register(confirm=False, follow=True)
    (message,) = smtp.to("ana@example.org")
    assert message["Subject"] == "Confirm your email address" and "ce@example.org" in message["From"]
    assert smtp.envelopes[0] == ("ce@example.org", ["ana@example.org"])
    (link,) = [link for link in links(message) if "/account/confirm/" in link]
    assert link.startswith("https://ce.example.org/account/confirm/")  # PUBLIC_BASE_URL, not the request's host
    assert fresh.scalar(select(User)).email_confirmed_at is None
    response = client.get(path_of(link), follow_redirects=True)
    assert "your email address is confirmed" in response.get_data(as_text=True)
    assert fresh.scalar(select(User)).email_confirmed_at is not None


def test_without_smtp_mail_is_written_to_the_folder_and_its_link_printed(app, client, auth, capfd):
    auth.register(confirm=False)
    (message,) = folder_messages(app.config["MAIL_FOLDER"])
    link = next(link for link in links(message) if "/account/confirm/" in link)
    assert f"[mail] to ana@example.org: Confirm your email address -> {link}" in capfd.readouterr().err


def test_a_failed_send_keeps_the_account_and_says_so(app, client, auth, fresh):
    from course_app.mail import parse_mail_url

    from .mailbox import free_port

    app.config["MAIL"] = parse_mail_url(f"smtp://127.0.0.1:{free_port()}/?from=ce@example.org")  # nobody listens
    response = auth.register(confirm=False)
    assert "We could not send the email just now. Nothing is lost" in response.get_data(as_text=True)
    assert fresh.scalar(select(User)).email == "ana@example.org"
    auth.login()
    page = client.get("/account/").get_data(as_text=True)
    assert "Resend the confirmation link" in page


def test_forged_host_never_reaches_a_link(mail_app, client, auth, smtp):
    auth.register(confirm=False)
    ask_reset(client, "ana@example.org", headers={"Host": "evil.example"})
    for message in smtp.messages:
        assert all(link.startswith("https://ce.example.org/") for link in links(message))


def test_forgot_password_answers_the_same_for_known_and_unknown_addresses(mail_app, client, auth, smtp):
    auth.register()
    auth.logout()
    known, unknown = ask_reset(client, "ana@example.org"), ask_reset(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert known.request.path == unknown.request.path == "/account/forgot/sent"
    strip = lambda r: r.get_data(as_text=True).split("<main", 1)[1].split("</main>")[0]  # noqa: E731
    assert strip(known) == strip(unknown)
    assert "If an account uses that address" in strip(known)
    assert [m["Subject"] for m in smtp.to("nobody@example.org")] == ["Password reset requested"]
    assert "/account/reset/" not in " ".join(links(smtp.to("nobody@example.org")[0]))


def test_reset_link_works_once_is_stored_hashed_and_ends_every_session(mail_app, app, client, auth, smtp, fresh):
    auth.register()
    other_device = app.test_client()
    type(auth)(other_device).login()
    ask_reset(client, "ana@example.org")
    path = reset_link(smtp, "ana@example.org")
    token = path.rsplit("/", 1)[1]
    assert len(token) >= 43  # 32 random bytes: 256 bits
    stored = fresh.scalar(select(User)).reset_token_hash
    assert stored == hashlib.sha256(token.encode()).hexdigest() and token not in stored
    response = choose_password(client, path)
    assert "Your password is changed and you were logged out everywhere" in response.get_data(as_text=True)
    assert other_device.get("/dashboard").status_code == 302 and client.get("/dashboard").status_code == 302
    again = client.get(path)
    assert again.status_code == 400 and "This link no longer works" in again.get_data(as_text=True)
    assert auth.login(password=PASSWORD).status_code == 422
    assert auth.login(password=NEW_PASSWORD).request.path == "/dashboard"


def test_a_newer_link_or_a_password_change_kills_the_older_link(mail_app, client, auth, smtp):
    auth.register()
    ask_reset(client, "ana@example.org")
    first = reset_link(smtp, "ana@example.org")
    ask_reset(client, "ana@example.org")
    second = reset_link(smtp, "ana@example.org")
    assert first != second and client.get(first).status_code == 400 and client.get(second).status_code == 200
    client.post("/account/password", data={"csrf_token": csrf_token(client, "/account/password"),
                                           "current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                           "confirm": NEW_PASSWORD})
    assert client.get(second).status_code == 400


def test_a_reset_link_expires_after_an_hour(mail_app, client, auth, smtp, monkeypatch):
    from course_app.auth import tokens

    auth.register()
    ask_reset(client, "ana@example.org")
    path = reset_link(smtp, "ana@example.org")
    real_now = tokens.utcnow
    monkeypatch.setattr(tokens, "utcnow", lambda: real_now() + timedelta(minutes=59))
    assert client.get(path).status_code == 200
    monkeypatch.setattr(tokens, "utcnow", lambda: real_now() + timedelta(minutes=61))
    assert client.get(path).status_code == 400
    assert choose_password(client, path).status_code == 400


def test_a_weak_new_password_is_refused_and_the_link_still_works(mail_app, client, auth, smtp):
    auth.register()
    ask_reset(client, "ana@example.org")
    path = reset_link(smtp, "ana@example.org")
    response = choose_password(client, path, "short")
    assert response.status_code == 422 and "Use at least 12 characters" in response.get_data(as_text=True)
    assert client.get(path).status_code == 200


def test_login_page_links_to_forgot_password(client):
    assert 'href="/account/forgot"' in client.get("/account/login").get_data(as_text=True)


@pytest.mark.parametrize("token", ["x", "a" * 43, "../../etc/passwd", "a" * 5000])
def test_a_made_up_reset_link_is_refused(client, token):
    response = client.get(f"/account/reset/{token}")
    assert response.status_code in (400, 404)
