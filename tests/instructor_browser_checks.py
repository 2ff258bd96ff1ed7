"""Collected from test_browser.py, so they share its one Chromium per session.

The instructor workspace in a real Chromium: every page passes axe (WCAG 2.2 AA) at phone and desktop widths,
none scrolls sideways at 390 px, and an instructor finds a learner and revokes a certificate by keyboard."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from course_app.auth.passwords import hash_password
from course_app.extensions import db
from course_app.models import User

from .conftest import PASSWORD
from .instructor_seed import T0, Seed
from .test_browser import no_horizontal_scroll, violations

SHOTS = Path(os.environ.get("INSTRUCTOR_SCREENSHOTS", "/tmp/instructor-shots"))


def populate(app) -> tuple[int, str]:
    """A few learners at every stage, and an admin; return one learner's id and one certificate code."""
    seed = Seed(app)
    code = ""
    first = 0
    for number in range(6):
        uid = seed.learner(f"l{number}@example.org", f"Learner Number {number}", f"OT-{number}00{number}", "FL")
        first = first or uid
        if number % 3 == 2:
            continue
        seed.lessons(uid, "basics", ["lesson-one", "lesson-two"], when=T0 + timedelta(days=number))
        seed.reflection(uid, "basics", "my-practice", "one two three four five six")
        seed.attempt(uid, "basics", 1, {"scope": "false", "first-question": "a"}, {"scope": 1, "first-question": 1})
        if number % 2 == 0:
            seed.evaluation(uid, "basics", {"objectives-met": "5", "recommend": "yes", "comments": "Helpful cases."})
            code = seed.certificate(uid, "basics")
    with app.app_context():
        db.session.add(User(email="admin@example.org", password_hash=hash_password(PASSWORD), full_name="Ada Admin",
                            credential="OTR/L", role="admin"))
        db.session.commit()
    return first, code


def log_in(page: Page) -> None:
    page.goto("/account/login")
    page.get_by_label("Email").fill("admin@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Instructor")).to_be_visible()


@pytest.mark.browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the pages, not the database, are under test
def test_instructor_pages_meet_wcag_aa_and_fit_a_phone(page: Page, live_server):
    learner_id, code = populate(live_server.app)
    log_in(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    paths = {"learners": "/instructor/", "learners-none": "/instructor/?q=nobody&status=certified",
             "learner": f"/instructor/learners/{learner_id}", "funnel": "/instructor/funnel",
             "items": "/instructor/items?attempts=all", "evaluations": "/instructor/evaluations",
             "exports": "/instructor/exports?provider=50-1234", "certificates": "/instructor/certificates?q=learner",
             "certificate": f"/instructor/certificates/{code}"}
    found, sideways = [], []
    for width, height in ((390, 844), (1280, 900)):
        page.set_viewport_size({"width": width, "height": height})
        for name, path in paths.items():
            page.goto(path)
            expect(page.locator("main")).to_be_visible()
            found += violations(page)
            if not no_horizontal_scroll(page):
                sideways.append(f"{name} at {width}px")
            page.screenshot(path=SHOTS / f"{name}-{width}.png", full_page=True)
        page.goto(f"/instructor/certificates/{code}")
        page.get_by_role("button", name="Review the revocation").click()  # no reason: the error summary
        expect(page.get_by_role("alert")).to_be_visible()
        found += violations(page)
        page.get_by_label("Reason for revoking (shown on the verification page)").fill("Issued in error")
        page.get_by_role("button", name="Review the revocation").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Revoke this certificate?")
        found += violations(page)
        page.screenshot(path=SHOTS / f"confirm-revoke-{width}.png", full_page=True)
    assert found == []
    assert sideways == []


@pytest.mark.browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_instructor_finds_a_learner_and_an_admin_revokes_by_keyboard(page: Page, live_server):
    _, code = populate(live_server.app)
    log_in(page)
    page.goto("/instructor/")
    search = page.get_by_label("Name, email or license number")
    search.focus()
    search.press_sequentially("ot-2002")
    search.press("Enter")
    expect(page.get_by_role("status").filter(has_text="learner")).to_have_text("1–1 of 1 learner")
    link = page.get_by_role("link", name="Learner Number 2")
    link.focus()
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Learner Number 2")

    page.goto(f"/instructor/certificates/{code}")
    reason = page.get_by_label("Reason for revoking (shown on the verification page)")
    reason.focus()
    reason.press_sequentially("Completed by someone else")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Review the revocation")).to_be_focused()
    page.keyboard.press("Enter")
    confirm = page.get_by_role("button", name="Yes, revoke it")
    confirm.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"Certificate {code} is revoked.")).to_be_visible()
    page.goto(f"/verify/{code}")
    expect(page.get_by_role("status")).to_contain_text("Completed by someone else")
