"""The shipped course in Chromium, as a newcomer sees it: no page scrolls sideways at 390 px, the phone
header is one compact row with a menu, lesson tables scroll by keyboard, and axe finds nothing on the
learner's or the instructor's pages at phone and desktop widths."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from course_app.auth.passwords import hash_password
from course_app.config import PROJECT_ROOT
from course_app.course_store import current_course
from course_app.extensions import db
from course_app.models import Certificate, QuizAttempt, User, utcnow

from .conftest import PASSWORD
from .test_browser import chromium, context, live_server, page, violations  # noqa: F401  (shared fixtures)
from .test_walk import finish

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]


@pytest.fixture
def content_root():
    return PROJECT_ROOT  # the course as shipped: its real tables, long titles and long lists


def seed(app) -> dict:
    """A learner with the first module certified and a failed post-test on the second; an admin."""
    with app.app_context():
        course = current_course()
        first, second = course.modules[0], course.modules[1]
        db.session.add_all([
            User(email="zoe@example.org", password_hash=hash_password(PASSWORD), full_name="Zoë Ångström-Núñez",
                 credential="OTR/L", license_number="OT 12-345", license_state="FL"),
            User(email="ina@example.org", password_hash=hash_password(PASSWORD), full_name="Ina Instructor",
                 credential="OTR/L", role="admin")])
        db.session.commit()
    finish(app, "zoe@example.org", first.id)
    with app.app_context():
        zoe = db.session.scalar(select(User).where(User.email == "zoe@example.org"))
        db.session.add(QuizAttempt(user_id=zoe.id, module_id=second.id, number=1, layout=[], answers={},
                                   submitted_at=utcnow(), score=50, passed=False, results={}))
        db.session.commit()
        code = db.session.scalar(select(Certificate.code))
    table_lesson = next(f"/modules/{m.id}/lessons/{lesson.id}" for m in course.modules for lesson in m.lessons
                        if any("<table>" in segment.html for segment in lesson.segments))
    return {"first": f"/modules/{first.id}", "second": f"/modules/{second.id}", "code": code,
            "table_lesson": table_lesson}


def log_in(page: Page, email: str) -> None:
    page.goto("/account/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def sideways(page: Page, width: int) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") > width


def test_no_page_scrolls_sideways_and_axe_finds_nothing(page: Page, live_server) -> None:
    paths = seed(live_server.app)
    anonymous = ["/", "/modules", paths["first"], "/verify", f"/verify/{paths['code']}", "/account/register",
                 "/account/login", "/guide/", "/no-such-page"]
    learner = ["/dashboard", paths["first"], paths["second"], paths["table_lesson"], f"{paths['first']}/quiz",
               f"{paths['second']}/quiz", "/journal", "/certificates", f"/certificates/{paths['code']}",
               "/certificates/transcript.pdf?from=2026-05-01&to=2026-01-01", "/account/", "/account/password"]
    overflow, found = [], []

    def visit(paths_here: list[str]) -> None:
        for width, height in ((390, 844), (1280, 900)):
            page.set_viewport_size({"width": width, "height": height})
            for path in paths_here:
                page.goto(path)
                if sideways(page, width):
                    overflow.append(f"{path} at {width}px")
                found.extend(violations(page))

    visit(anonymous)
    log_in(page, "zoe@example.org")
    visit(learner)
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Log out").click()
    log_in(page, "ina@example.org")
    visit(["/instructor/"])
    assert overflow == []
    assert found == []


def test_phone_header_is_one_compact_row_with_a_menu(page: Page, live_server) -> None:
    seed(live_server.app)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "zoe@example.org")
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 100, f"the header takes {header['height']}px of an 844px phone screen"
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Certificates")).to_be_hidden()
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    nav.get_by_role("link", name="Certificates").click()
    expect(page.get_by_role("heading", level=1, name="My certificates")).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(nav.get_by_role("link", name="Journal")).to_be_visible()


def test_a_wide_lesson_table_scrolls_by_keyboard_on_a_phone(page: Page, live_server) -> None:
    paths = seed(live_server.app)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "zoe@example.org")
    page.goto(paths["table_lesson"])
    region = page.get_by_role("region", name="Table 1")
    expect(page.get_by_text("Scroll sideways to see the whole table.").first).to_be_visible()
    region.focus()
    expect(region).to_be_focused()
    wide = region.evaluate("el => el.scrollWidth > el.clientWidth")
    if wide:  # the shipped table is wider than a phone: the arrow keys move it
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        page.wait_for_function("el => el.scrollLeft > 0", arg=region.element_handle(), timeout=5_000)
    assert not sideways(page, 390)
