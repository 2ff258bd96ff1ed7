"""The free guide, optional newsletter consent, signed unsubscribe, and the instructor's export."""
from __future__ import annotations

import csv
import io

from markupsafe import escape
from pypdf import PdfReader
from sqlalchemy import select

from course_app.guide.newsletter import CONSENT_TEXT
from course_app.guide.pdf import markdown_pdf
from course_app.models import NewsletterSubscriber

from .conftest import PASSWORD, csrf_token


def test_markdown_becomes_a_pdf_with_its_text():
    pdf = markdown_pdf("# Guide\n\n## Step 1: Joint plan\n\n- **Ask** first\n- Then *listen*\n\n"
                       "| Step | Do |\n|---|---|\n| Plan | Agree |\n\nNguyễn 王小明\n", "Guide")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    for expected in ("Step 1: Joint plan", "Ask first", "Agree", "Nguyễn", "王小明"):
        assert expected in text


def test_guide_downloads_without_signing_up(client, fresh):
    page = client.get("/guide/").get_data(as_text=True)
    assert "Download the guide (PDF)" in page and str(escape(CONSENT_TEXT)) in page
    assert 'type="checkbox"' in page and "checked" not in page  # the sign-up box starts unticked
    response = client.get("/guide/ot-coaching-framework.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "Coaching Intervention Framework" in PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    response = client.post("/guide/", data={"csrf_token": csrf_token(client, "/guide/"), "email": "a@example.org"})
    assert response.status_code == 302
    assert fresh.scalar(select(NewsletterSubscriber)) is None  # an email alone is not consent


def follow_newsletter_link(client, email: str):
    """Open the newsletter confirmation link mailed to an address (development mail folder)."""
    from .mailbox import folder_messages, links, path_of

    sent = [m for m in folder_messages(client.application.config["MAIL_FOLDER"]) if email in str(m["To"])]
    response = client.get(path_of(links(sent[-1])[0]))
    assert response.status_code == 200 and "You are signed up" in response.get_data(as_text=True)
    return response


def test_sign_up_records_wording_and_time_and_unsubscribe_works(app, client, fresh):
    response = client.post("/guide/", data={"csrf_token": csrf_token(client, "/guide/"), "subscribe": "y",
                                            "email": " Reader@Example.org "})
    assert response.status_code == 302 and response.location == "/guide/ot-coaching-framework.pdf"
    assert fresh.scalar(select(NewsletterSubscriber)) is None  # double opt-in: nothing until the link is followed
    follow_newsletter_link(client, "reader@example.org")
    row = fresh.scalar(select(NewsletterSubscriber))
    assert row.email == "reader@example.org" and row.consent_text == CONSENT_TEXT and row.consented_at
    from course_app.guide.newsletter import unsubscribe_token
    with app.test_request_context():
        token = unsubscribe_token("reader@example.org")
    page = client.get(f"/guide/unsubscribe/{token}")
    assert "reader@example.org" in page.get_data(as_text=True)
    assert fresh.scalar(select(NewsletterSubscriber)).unsubscribed_at is None  # opening the link changes nothing
    done = client.post(f"/guide/unsubscribe/{token}", data={"csrf_token": csrf_token(client, f"/guide/unsubscribe/{token}")})
    assert "You are unsubscribed" in done.get_data(as_text=True)
    assert fresh.scalar(select(NewsletterSubscriber)).unsubscribed_at is not None


def test_tampered_unsubscribe_link_is_refused(client):
    response = client.get("/guide/unsubscribe/not-a-real-token")
    assert response.status_code == 400 and "not valid" in response.get_data(as_text=True)


def test_sign_up_without_email_names_the_problem(client, fresh):
    response = client.post("/guide/", data={"csrf_token": csrf_token(client, "/guide/"), "subscribe": "y"})
    assert response.status_code == 422 and "Enter your email address" in response.get_data(as_text=True)
    assert fresh.scalar(select(NewsletterSubscriber)) is None


def test_instructor_exports_subscribers_and_learners_cannot(app, client, auth, runner):
    client.post("/guide/", data={"csrf_token": csrf_token(client, "/guide/"), "subscribe": "y", "email": "=cmd@example.org"})
    follow_newsletter_link(client, "=cmd@example.org")
    auth.register()
    assert client.get("/instructor/subscribers.csv").status_code == 403
    runner.invoke(args=["users", "set-role", "ana@example.org", "instructor"])
    auth.logout()
    auth.login(password=PASSWORD)
    response = client.get("/instructor/subscribers.csv")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0]["email"] == "'=cmd@example.org" and rows[0]["status"] == "subscribed"
    assert rows[0]["consent_text"] == CONSENT_TEXT and "/guide/unsubscribe/" in rows[0]["unsubscribe_url"]
