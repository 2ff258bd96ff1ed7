"""Accounts: register, log in and out, sessions, passwords, profile."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from course_app.auth.passwords import HASHER, password_problem
from course_app.auth.sessions import safe_next
from course_app.models import User

from .conftest import PASSWORD, csrf_token


def test_register_creates_an_argon2id_account_and_asks_to_confirm_the_address(client, auth, fresh):
    response = auth.register(email="  Ana@Example.ORG ", confirm=False)
    assert response.request.path == "/account/register/check-email"
    assert "Check your email" in response.get_data(as_text=True)
    assert auth.login().request.path == "/dashboard"  # learning starts at once, before the address is confirmed
    user = fresh.scalar(select(User))
    assert user.email == "ana@example.org" and user.password_hash.startswith("$argon2id$")
    assert "m=19456,t=2,p=1" in user.password_hash
    assert (user.full_name, user.credential, user.license_number, user.license_state) == \
        ("Ana Ortiz", "OTR/L", "OT-12345", "NY")


@pytest.mark.parametrize("password, message", [
    ("short pass", "Use at least 12 characters (this one has 10)."),
    ("x" * 129, "Use at most 128 characters."),
    ("password1234", "too common"),
    ("qwertyuiop123!", "too common"),
    ("aaaaaaaaaaaaaaa", "too common"),
    ("ana ortiz is great", "Do not use your name"),
])
def test_weak_passwords_are_refused_with_a_reason(client, auth, password, message, fresh):
    response = auth.register(password=password)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert fresh.scalar(select(User)) is None


def test_any_unicode_password_of_twelve_characters_is_accepted():
    assert password_problem("Zoë Ångström 王小明 ok!") is None


@pytest.mark.parametrize("field, value, message", [
    ("email", "not-an-email", "Enter an email address like name@example.org."),
    ("full_name", "", "Enter your full name."),
    ("full_name", "x" * 121, "Use at most 120 characters."),
    ("credential", "Dr", "Not a valid choice"),
    ("license_number", "<script>", "Use letters, digits"),
    ("license_state", "ZZ", "Not a valid choice"),
])
def test_register_form_errors_name_the_field_and_change_nothing(client, field, value, message, fresh):
    data = {"csrf_token": csrf_token(client, "/account/register"), "full_name": "Ana Ortiz", "email": "a@example.org",
            "password": PASSWORD, "confirm": PASSWORD, "credential": "OTR/L", "license_number": "", "license_state": ""}
    data[field] = value
    response = client.post("/account/register", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and "Please check the form" in html
    assert fresh.scalar(select(User)) is None


def test_duplicate_email_makes_no_second_account_case_insensitively(client, auth, fresh):
    auth.register()
    auth.logout()
    response = auth.register(email="ANA@example.org", name="Someone Else", confirm=False)
    assert response.request.path == "/account/register/check-email"  # the same answer as a new address (test_accounts)
    assert [u.full_name for u in fresh.scalars(select(User))] == ["Ana Ortiz"]


def test_form_without_csrf_token_changes_nothing(client, fresh):
    response = client.post("/account/register", data={"full_name": "X", "email": "x@example.org",
                                                      "password": PASSWORD, "confirm": PASSWORD, "credential": "OT"})
    assert response.status_code == 422 or response.status_code == 400
    assert fresh.scalar(select(User)) is None


def test_wrong_password_and_unknown_email_get_the_same_message(client, auth):
    auth.register()
    auth.logout()
    wrong = auth.login(password="not the right password")
    unknown = auth.login(email="nobody@example.org")
    for response in (wrong, unknown):
        assert response.status_code == 422
        assert "That email and password do not match an account." in response.get_data(as_text=True)


@pytest.mark.parametrize("target, expected", [
    ("/modules/basics", "/modules/basics"), ("https://evil.example/", "/dashboard"), ("//evil.example", "/dashboard"),
    ("/\\evil.example", "/dashboard"), ("javascript:alert(1)", "/dashboard"), ("", "/dashboard"),
])
def test_next_only_leads_to_local_paths(client, auth, target, expected):
    auth.register()
    auth.logout()
    response = auth.login(next_url=target, follow=False)
    assert response.status_code == 302 and response.location == expected
    assert safe_next(target, "/dashboard") == expected


def test_logout_ends_every_session_of_the_user(app, client, auth):
    auth.register()
    other_device = app.test_client()
    Auth2 = type(auth)
    Auth2(other_device).login()
    assert other_device.get("/dashboard").status_code == 200
    auth.logout()
    assert client.get("/dashboard").status_code == 302
    assert other_device.get("/dashboard").status_code == 302  # the other device was logged out too


def test_password_change_ends_other_sessions_but_keeps_this_one(app, client, auth):
    auth.register()
    other_device = app.test_client()
    type(auth)(other_device).login()
    new = "a brand new long passphrase"
    response = client.post("/account/password", data={"csrf_token": csrf_token(client, "/account/password"),
                                                      "current_password": PASSWORD, "new_password": new,
                                                      "confirm": new}, follow_redirects=True)
    assert "Your password is changed" in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 200
    assert other_device.get("/dashboard").status_code == 302
    auth.logout()
    assert auth.login(password=new).request.path == "/dashboard"


def test_password_change_with_wrong_current_password(client, auth):
    auth.register()
    response = client.post("/account/password", data={"csrf_token": csrf_token(client, "/account/password"),
                                                      "current_password": "wrong wrong wrong", "new_password": "x" * 20,
                                                      "confirm": "x" * 20})
    assert response.status_code == 422
    assert "Your current password is not correct." in response.get_data(as_text=True)


def test_profile_edit_keeps_certificates_name_note(client, auth, fresh):
    auth.register()
    response = client.post("/account/", data={"csrf_token": csrf_token(client, "/account/"), "full_name": "Ana  Ortiz Ruiz",
                                              "credential": "COTA/L", "license_number": "", "license_state": ""},
                           follow_redirects=True)
    assert "Certificates already issued keep the name" in response.get_data(as_text=True)
    user = fresh.scalar(select(User))
    assert (user.full_name, user.credential, user.license_number) == ("Ana Ortiz Ruiz", "COTA/L", None)


def test_tampered_session_cookie_is_not_a_login(client, auth):
    auth.register()
    client.set_cookie("session", "tampered.value.here")
    assert client.get("/dashboard").status_code == 302


def test_pages_need_login(client):
    for path in ["/dashboard", "/journal", "/certificates", "/account/", "/modules/basics/lessons/lesson-one"]:
        response = client.get(path)
        assert response.status_code == 302 and response.location.startswith("/account/login?next=")


def test_hasher_meets_owasp_minimum():
    assert HASHER.memory_cost >= 19 * 1024 and HASHER.time_cost >= 2


def test_login_starts_a_fresh_session(client, auth):
    auth.register()
    auth.logout()
    with client.session_transaction() as session:
        session["planted"] = "by someone before the login"
    auth.login()
    with client.session_transaction() as session:
        assert "planted" not in session and session.get("_user_id")
