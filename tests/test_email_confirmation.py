"""Verified email: registration never tells who has an account, certificates go only to a confirmed
address, changing the address re-confirms it; and password change shows every error at once."""
from __future__ import annotations

import re

from sqlalchemy import select

from course_app.models import Certificate, User

from .conftest import PASSWORD, Auth, csrf_token
from .mailbox import links, mail_app, path_of, smtp  # noqa: F401 - fixtures
from .test_certificates import EVALUATION, page_text, pass_basics, post_with_token


class UnconfirmedAuth(Auth):
    """A learner who registers and logs in but has not opened the confirmation link yet."""

    def register(self, email="ana@example.org", **kwargs):
        super().register(email=email, confirm=False, **kwargs)
        return self.login(email=email)


def main_text(response) -> str:
    """What the page says, without its CSRF token (which differs between any two sessions)."""
    text = response.get_data(as_text=True).split("<main", 1)[1].split("</main>")[0]
    return re.sub(r'value="[^"]*"', "", text)


def test_registering_a_taken_address_answers_like_a_new_one_and_emails_the_owner(mail_app, app, smtp, fresh):
    Auth(app.test_client()).register(email="ana@example.org", name="Ana Ortiz")
    new = Auth(app.test_client()).register(email="new@example.org", name="Bea Lopez", confirm=False)
    taken = Auth(app.test_client()).register(email="ANA@example.org", name="Bea Lopez", confirm=False)
    assert new.status_code == taken.status_code == 200
    assert new.request.path == taken.request.path == "/account/register/check-email"
    assert len(new.history) == len(taken.history) == 1 and new.history[0].status_code == taken.history[0].status_code
    assert main_text(new) == main_text(taken)
    owner_mail = smtp.to("ana@example.org")[-1]
    assert owner_mail["Subject"] == "Someone tried to create an account with your address"
    assert "nothing was changed" in owner_mail.get_content()
    assert [u.full_name for u in fresh.scalars(select(User).order_by(User.id))] == ["Ana Ortiz", "Bea Lopez"]


def test_an_unconfirmed_learner_learns_but_gets_her_certificate_only_after_confirming(mail_app, app, client, smtp,
                                                                                      fresh):
    auth = UnconfirmedAuth(client)
    pass_basics(client, auth, fresh, app)  # lessons, reflection and post-test work before confirming
    response = post_with_token(client, "/modules/basics/evaluation", EVALUATION, page="/modules/basics/evaluation",
                               follow_redirects=True)
    text = page_text(response)
    assert "Confirm your email address to receive certificates." in text
    assert "Resend the confirmation link" in text and "Get my certificate" not in text
    assert fresh.scalar(select(Certificate)) is None
    assert post_with_token(client, "/modules/basics/certificate", page="/modules/basics").status_code == 409

    before = len(smtp.to("ana@example.org"))
    response = post_with_token(client, "/account/confirm/resend", {"back": "/modules/basics"}, page="/modules/basics",
                               follow_redirects=True)
    assert "We sent a new confirmation link to ana@example.org" in page_text(response)
    assert len(smtp.to("ana@example.org")) == before + 1
    link = next(link for link in links(smtp.to("ana@example.org")[-1]) if "/account/confirm/" in link)
    client.get(path_of(link))
    module_page = page_text(client.get("/modules/basics"))  # everything is done: the certificate is issued now
    assert "Confirm your email address" not in module_page and "your certificate is ready" in module_page
    assert fresh.scalar(select(Certificate)).participant_name == "Ana Ortiz"


def test_changing_the_email_needs_the_password_and_the_new_address_confirmed(mail_app, client, auth, smtp, fresh):
    auth.register()
    page = "/account/email"
    wrong = client.post(page, data={"csrf_token": csrf_token(client, page), "email": "ana.new@example.org",
                                    "password": "not my password at all"})
    assert wrong.status_code == 422 and "Your password is not correct." in wrong.get_data(as_text=True)
    response = client.post(page, data={"csrf_token": csrf_token(client, page), "email": "Ana.New@example.org",
                                       "password": PASSWORD}, follow_redirects=True)
    assert "We sent a link to Ana.New@example.org" in page_text(response)
    assert fresh.scalar(select(User)).email == "ana@example.org"  # unchanged until the link is followed
    link = next(link for link in links(smtp.to("ana.new@example.org")[-1]) if "/account/email/confirm/" in link)
    client.get(path_of(link))
    user = fresh.scalar(select(User))
    assert user.email == "ana.new@example.org" and user.email_confirmed_at is not None
    notice = smtp.to("ana@example.org")[-1]
    assert notice["Subject"] == "Your account's email address was changed"
    assert client.get(path_of(link), follow_redirects=True).status_code == 200  # following it twice changes nothing
    auth.logout()
    assert auth.login(email="ana.new@example.org").request.path == "/dashboard"


def test_an_old_confirmation_link_does_not_confirm_a_changed_address(mail_app, client, smtp, fresh):
    auth = UnconfirmedAuth(client)
    auth.register()
    first = next(link for link in links(smtp.to("ana@example.org")[-1]) if "/account/confirm/" in link)
    client.post("/account/email", data={"csrf_token": csrf_token(client, "/account/email"),
                                        "email": "ana2@example.org", "password": PASSWORD})
    change = next(link for link in links(smtp.to("ana2@example.org")[-1]) if "/account/email/confirm/" in link)
    client.get(path_of(change))
    assert client.get(path_of(first)).status_code == 400  # that link was for the old address


def test_a_tampered_confirmation_link_changes_nothing(client, auth, fresh):
    auth.register(confirm=False)
    response = client.get("/account/confirm/eyJ1IjoxLCJlIjoiYW5hQGV4YW1wbGUub3JnIn0.forged.signature")
    assert response.status_code == 400 and "not valid" in response.get_data(as_text=True)
    assert fresh.scalar(select(User)).email_confirmed_at is None


def test_password_change_shows_every_error_at_once(client, auth):
    auth.register()
    response = client.post("/account/password", data={"csrf_token": csrf_token(client, "/account/password"),
                                                      "current_password": "wrong wrong wrong", "new_password": "short",
                                                      "confirm": "different"})
    assert response.status_code == 422
    text = page_text(response)
    for message in ("Your current password is not correct.", "Use at least 12 characters (this one has 5).",
                    "The two passwords differ."):
        assert message in text
