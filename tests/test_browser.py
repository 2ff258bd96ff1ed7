"""Real-browser tests: a learner drives Chromium through the app served by a live server.

Each test gets a fresh database (SQLite and PostgreSQL, through conftest's ``database_url``), its own live
server in a background thread and a fresh browser context; one Chromium is shared by the whole session.
Locators go by role and accessible name, so every step also checks that labels, headings and buttons are
exposed to assistive technology.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page, expect
from werkzeug.serving import WSGIRequestHandler

from sqlalchemy import select

from course_app import create_app
from course_app.auth.passwords import hash_password
from course_app.config import PROJECT_ROOT
from course_app.course_store import current_course
from course_app.extensions import db
from course_app.models import Certificate, QuizAttempt, User, utcnow

from .conftest import FIXTURE_COURSE, PASSWORD
from .servers import app_on_loopback
from .test_walk import finish

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

LEARNER = {"name": "Ana Ortiz", "email": "ana@example.org", "credential": "OTR/L"}
MODULE = "/modules/basics"
LESSON_ONE = f"{MODULE}/lessons/lesson-one"
LESSON_TWO = f"{MODULE}/lessons/lesson-two"
REFLECTION_PROMPT = "Describe a moment when you listened more than you spoke."
MAIL_FOLDER: list[str] = []  # the current live server's development mail folder


# --- fixtures ---------------------------------------------------------------------------------------------

class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:  # one line per request would drown a failure's output
        pass


@pytest.fixture
def live_server(request, chromium, database_url, content_root, signing_key_file, tmp_path) -> Iterator[SimpleNamespace]:
    """The app on a real HTTP port, with PUBLIC_BASE_URL pointing at that port so QR codes lead back here.
    Tests marked ``shipped_course`` get the course as shipped instead of the small fixture course."""
    if request.node.get_closest_marker("shipped_course"):
        content_root = PROJECT_ROOT
    app = create_app({
        "DATABASE_URL": database_url, "SECRET_KEY": "test-secret", "TESTING": True,
        "CONTENT_ROOT": str(content_root), "SIGNING_KEY_FILE": signing_key_file,
        "RATELIMIT_ENABLED": False, "PUBLIC_BASE_URL": None, "MAIL_FOLDER": str(tmp_path / "mail"),
    })
    MAIL_FOLDER[:] = [app.config["MAIL_FOLDER"]]
    with app_on_loopback(app, _QuietHandler) as url:
        app.config["PUBLIC_BASE_URL"] = url
        yield SimpleNamespace(url=url, app=app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def context(request, chromium, live_server) -> Iterator[BrowserContext]:
    """A fresh browser profile per test. When the test fails, each open tab is screenshotted into
    test-artifacts/ (and with BROWSER_TRACE=1 a Playwright trace is kept there too)."""
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900},
                                   accept_downloads=True)
    context.set_default_timeout(10_000)
    tracing = bool(os.environ.get("BROWSER_TRACE"))
    if tracing:
        context.tracing.start(screenshots=True, snapshots=True)
    failures_before = request.session.testsfailed
    yield context
    if request.session.testsfailed > failures_before:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "-", request.node.name)
        for number, tab in enumerate(context.pages):
            tab.screenshot(path=ARTIFACTS / f"failure-{name}-tab{number}.png", full_page=True)
        if tracing:
            context.tracing.stop(path=ARTIFACTS / f"trace-{name}.zip")
    elif tracing:
        context.tracing.stop()
    context.close()


@pytest.fixture
def page(context) -> Page:
    return context.new_page()


@pytest.fixture
def db_name(request) -> str:
    return request.node.callspec.params["database_url"]


# --- what a learner does ----------------------------------------------------------------------------------

def main_nav(page: Page):
    """The main navigation; on a phone it is folded behind the Menu button, which this opens first."""
    menu = page.get_by_role("button", name="Menu")
    if menu.is_visible() and menu.get_attribute("aria-expanded") == "false":
        menu.click()
    return page.get_by_role("navigation", name="Main")


def register(page: Page) -> None:
    """Create the learner's account through the form, confirm the emailed link, and log in (the dashboard)."""
    page.goto("/")
    main_nav(page).get_by_role("link", name="Create account").click()
    expect(page.get_by_role("heading", level=1, name="Create an account")).to_be_visible()
    page.get_by_label("Full name").fill(LEARNER["name"])
    page.get_by_label("Email").fill(LEARNER["email"])
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_label("Professional credential").select_option(LEARNER["credential"])
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1, name="Check your email")).to_be_visible()
    page.goto(confirmation_link(LEARNER["email"]))
    expect(page.get_by_text("your email address is confirmed")).to_be_visible()
    page.get_by_label("Email").fill(LEARNER["email"])
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1, name="My learning")).to_be_visible()


def confirmation_link(email: str) -> str:
    """The newest confirmation link the live server mailed to an address."""
    from .mailbox import folder_messages, links

    sent = [m for m in folder_messages(MAIL_FOLDER[0]) if email in str(m["To"])]
    return next(link for link in links(sent[-1]) if "/account/confirm/" in link)


def log_in(page: Page) -> None:
    main_nav(page).get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill(LEARNER["email"])
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1, name="My learning")).to_be_visible()


def reflection(page: Page):
    """The required reflection's section (a region named by its heading)."""
    return page.get_by_role("region", name="Reflection", exact=True)


def reflection_box(page: Page):
    return reflection(page).get_by_label(REFLECTION_PROMPT)


def reflection_status(page: Page):
    return reflection(page).get_by_role("status")


def stored_copy(page: Page) -> str | None:
    """The text of the reflection's copy in this browser's localStorage (None when nothing unsaved is kept)."""
    key = reflection(page).get_attribute("data-storage-key")
    stored = page.evaluate("key => localStorage.getItem(key)", key)
    return json.loads(stored)["text"] if stored else None


def write_reflection(page: Page, text: str) -> None:
    """Type the required reflection and send it with its "Save reflection" button (the form's own path)."""
    page.wait_for_load_state()  # reflections.js is deferred; text typed before it runs is not noticed by it
    reflection_box(page).fill(text)
    reflection(page).get_by_role("button", name="Save reflection").click()
    expect(page.get_by_text("Your reflection is saved.")).to_be_visible()
    expect(reflection_box(page)).to_have_value(text)
    expect(reflection_status(page)).to_have_text("Saved")


def finish_lessons(page: Page) -> None:
    """Complete lesson 1, write the required reflection on lesson 2, complete it: back on the module page."""
    page.goto(LESSON_ONE)
    page.get_by_role("button", name="Mark complete and continue").click()
    expect(page.get_by_role("heading", level=1, name="Lesson Two")).to_be_visible()
    write_reflection(page, "I let the parent talk about mornings first, then we planned together.")
    page.get_by_role("button", name="Mark complete", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Coaching Basics")).to_be_visible()


def question(page: Page, prompt: str):
    """One question's fieldset, found by the prompt in its legend (its order on the page is shuffled)."""
    return page.get_by_role("group", name=re.compile(re.escape(prompt)))


def answer_quiz(page: Page, correct: bool) -> None:
    """Answer all five questions by their visible text: all right, or all wrong on purpose."""
    question(page, "What do you ask first?").get_by_role(
        "radio", name="What matters most to you about breakfast?" if correct else "Have you tried waking earlier?",
    ).check()
    stance = question(page, "Which belong to the partnership stance?")
    for choice in (["Open questions", "Reflective listening"] if correct else ["Prescribing unasked"]):
        stance.get_by_role("checkbox", name=choice).check()
    question(page, "Coaching means leaving clinical expertise aside.").get_by_role(
        "radio", name="False" if correct else "True", exact=True).check()
    matching = question(page, "Match each step to what happens.")
    matches = {"Joint plan": "Agree what to try", "Observation": "One watches the other"}
    if not correct:
        matches = {"Joint plan": "One watches the other", "Observation": "Agree what to try"}
    for prompt, match in matches.items():
        matching.get_by_label(prompt, exact=True).select_option(label=match)
    ordering = question(page, "Put the steps in order.")
    positions = {"Joint plan": 1, "Action": 2, "Feedback": 3}
    for item, position in positions.items():
        ordering.get_by_label(item, exact=True).select_option(str(position if correct else 4 - position))


def start_attempt(page: Page, button: str) -> None:
    page.goto(MODULE)
    page.get_by_role("link", name="Go to the post-test").first.click()  # under "Post-test" or in the panel
    page.get_by_role("button", name=button).click()
    expect(page.get_by_role("heading", level=1, name=re.compile(r"Post-test, attempt \d"))).to_be_visible()


def pass_quiz(page: Page) -> None:
    start_attempt(page, "Start the post-test")
    answer_quiz(page, correct=True)
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Attempt 1: Passed")


def fill_evaluation(page: Page) -> None:
    """Fill the open course evaluation: a rating per objective, today's items, bias and change in practice."""
    expect(page.get_by_role("heading", level=1, name="Course evaluation")).to_be_visible()
    for legend, choice in [("I can now describe the partnership stance.", "Agree"),
                           ("The learning objectives were met.", "Strongly agree"),
                           ("The content was free of commercial bias: it promoted no company, product or service.",
                            "Yes"),
                           ("The content is relevant to my practice.", "Agree"),
                           ("The material was clear, accurate and well organised.", "Strongly agree"),
                           ("The educational level was appropriate for me.", "Neutral"),
                           ("I would recommend this module to a colleague.", "Yes")]:
        page.get_by_role("group", name=legend).get_by_role("radio", name=choice, exact=True).check()
    page.get_by_label("What is one change you intend to make in your practice after this module?").fill(
        "Ask what matters before I suggest anything.")
    page.get_by_label("Comments or suggestions").fill("The breakfast case was useful.")


def submit_evaluation(page: Page) -> None:
    """Fill and send the evaluation when it is the last requirement: the certificate follows at once."""
    fill_evaluation(page)
    page.get_by_role("button", name="Submit evaluation").click()
    expect(page.get_by_role("heading", level=1, name="Certificate of completion")).to_be_visible()


def requirement(page: Page, label: str):
    """One requirement in the module page's "Your progress" panel, by its bold label."""
    panel = page.get_by_role("complementary", name="Your progress")
    return panel.get_by_role("listitem").filter(has=page.get_by_text(label, exact=True))


def no_horizontal_scroll(page: Page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


# --- the tests --------------------------------------------------------------------------------------------

@pytest.mark.browser
def test_learner_registers_reads_a_lesson_and_continues_after_logging_in_again(page: Page) -> None:
    register(page)

    main_nav(page).get_by_role("link", name="Modules").click()
    expect(page.get_by_role("heading", level=1, name="Modules")).to_be_visible()
    page.get_by_role("link", name="Coaching Basics", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Coaching Basics")).to_be_visible()
    page.get_by_role("link", name="Lesson One", exact=True).click()

    expect(page.get_by_role("heading", level=1, name="Lesson One")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="First ideas")).to_be_visible()
    expect(page.get_by_text("Coaching starts with listening.")).to_be_visible()
    expect(page.get_by_text("Lesson 1 of 2")).to_be_visible()
    page.get_by_role("button", name="Mark complete and continue").click()

    expect(page.get_by_role("heading", level=1, name="Lesson Two")).to_be_visible()
    expect(page.get_by_text("“Lesson One” is marked complete.")).to_be_visible()

    main_nav(page).get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out on every device.")).to_be_visible()
    expect(main_nav(page).get_by_role("button", name="Log out")).to_have_count(0)
    log_in(page)

    resume = page.get_by_role("region", name="Continue where you left off")
    expect(resume).to_be_visible()
    expect(resume).to_contain_text("Lesson Two")
    progress = page.get_by_role("progressbar", name="Lessons completed in Coaching Basics")
    expect(progress).to_have_attribute("aria-valuenow", "50")
    expect(page.get_by_text("1 of 2 done (50%)")).to_be_visible()
    resume.get_by_role("link", name="Continue: Lesson Two").click()
    expect(page).to_have_url(re.compile(re.escape(LESSON_TWO) + "$"))
    expect(page.get_by_role("heading", level=1, name="Lesson Two")).to_be_visible()

    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Coaching Basics").click()
    lesson_one = page.get_by_role("link", name="Lesson One", exact=True)
    lesson_two = page.get_by_role("link", name="Lesson Two", exact=True)
    first = page.get_by_role("listitem").filter(has=lesson_one)
    second = page.get_by_role("listitem").filter(has=lesson_two)
    expect(first).to_contain_text("Completed")
    expect(first).not_to_contain_text("Not completed")
    expect(second).to_contain_text("Not completed")
    expect(page.get_by_role("progressbar", name="Lessons completed")).to_have_attribute("aria-valuenow", "50")


@pytest.mark.browser
def test_reflection_autosaves_survives_going_offline_and_flags_a_stale_tab(context: BrowserContext,
                                                                           page: Page) -> None:
    register(page)
    page.goto(LESSON_TWO)
    box, status = reflection_box(page), reflection_status(page)
    expect(status).to_have_text("Not saved yet")

    first = "I let the parent speak first"
    box.press_sequentially(first)
    expect(reflection(page)).to_contain_text("6 words of at least 5")
    expect(status).to_have_text("Saved")
    page.reload()
    expect(box).to_have_value(first)
    expect(status).to_have_text("Saved")

    # Offline in the same tab: the text waits in this browser and is saved once the connection is back.
    context.set_offline(True)
    box.press("End")
    box.press_sequentially(" and waited.")
    expect(status).to_contain_text("Offline: not saved yet")
    second = first + " and waited."
    assert stored_copy(page) == second
    context.set_offline(False)
    expect(status).to_have_text("Saved")
    assert stored_copy(page) is None

    # Offline again, and the tab is closed before the connection returns: the copy is restored on return.
    context.set_offline(True)
    box.press("End")
    box.press_sequentially(" Then she named her own goal.")
    expect(status).to_contain_text("Offline: not saved yet")
    page.close()
    context.set_offline(False)
    full = second + " Then she named her own goal."

    page = context.new_page()
    page.goto(LESSON_TWO)
    box, status = reflection_box(page), reflection_status(page)
    expect(box).to_have_value(full)
    expect(status).to_have_text("Saved")
    assert stored_copy(page) is None  # nothing kept locally any more: what follows comes from the server
    page.reload()
    expect(box).to_have_value(full)
    expect(status).to_have_text("Saved")

    # A stale tab: B was opened before A saved; B's next save is refused and both versions stay visible.
    tab_a, tab_b = page, context.new_page()
    tab_b.goto(LESSON_TWO)
    expect(reflection_box(tab_b)).to_have_value(full)
    from_a = "Rewritten in tab A: I asked what mattered most and listened."
    reflection_box(tab_a).fill(from_a)
    expect(reflection_status(tab_a)).to_have_text("Saved")

    box_b = reflection_box(tab_b)
    box_b.press("End")
    box_b.press_sequentially(" Added in tab B.")
    from_b = full + " Added in tab B."
    expect(reflection_status(tab_b)).to_have_text(re.compile("Newer text was saved elsewhere"))
    notice = reflection(tab_b).get_by_role("alert")
    expect(notice).to_contain_text("saved from another tab or device")
    expect(notice).to_contain_text(from_a)
    expect(box_b).to_have_value(from_b)
    assert stored_copy(tab_b) == from_b  # B's version is also kept in this browser
    expect(notice.get_by_role("button", name="Use the saved version")).to_be_visible()
    notice.get_by_role("button", name="Keep my version").click()
    expect(reflection_status(tab_b)).to_have_text("Saved")
    expect(notice).to_have_count(0)

    tab_a.reload()
    expect(reflection_box(tab_a)).to_have_value(from_b)


@pytest.mark.browser
def test_post_test_fails_then_passes_and_never_sends_the_answer_key(page: Page) -> None:
    register(page)
    finish_lessons(page)
    expect(requirement(page, "Lessons")).to_contain_text("Done")
    expect(requirement(page, "Reflections")).to_contain_text("Done")
    expect(requirement(page, "Post-test")).to_contain_text("Not taken yet")

    start_attempt(page, "Start the post-test")
    expect(page.get_by_role("group")).to_have_count(5)
    assert "RATIONALE" not in page.content()
    answer_quiz(page, correct=False)
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Attempt 1: Not passed yet")
    score_line = page.get_by_role("status").get_by_text("Your score:")
    expect(score_line).to_be_visible()
    score = float(re.search(r"Your score: ([\d.]+)%", score_line.inner_text()).group(1))
    assert score < 80
    expect(page.get_by_text("the correct answers, are shown once you pass")).to_be_visible()
    expect(page.get_by_text("Not correct")).to_have_count(0)  # a failed attempt does not say which items
    expect(page.get_by_role("link", name="Lesson One")).to_be_visible()  # what to review, with its lesson

    page.get_by_role("link", name="Try again").click()
    page.get_by_role("button", name="Start a new attempt").click()
    expect(page.get_by_role("heading", level=1, name="Post-test, attempt 2")).to_be_visible()
    answer_quiz(page, correct=True)
    html = page.content()
    assert "RATIONALE" not in html, "the answer key reached the browser before submission"
    page.get_by_role("button", name="Submit answers").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Attempt 2: Passed")
    expect(page.get_by_text("Your score: 100%")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Correct"))).to_have_count(5)
    for marker in ["RATIONALE-FIRST-A", "RATIONALE-PARTS-A", "RATIONALE-SCOPE-FALSE", "RATIONALE-MATCH-PLAN",
                   "RATIONALE-ORDER-FEEDBACK"]:
        expect(page.get_by_text(marker)).to_be_visible()

    page.get_by_role("link", name="Back to the module").click()
    expect(page.get_by_role("heading", level=1, name="Coaching Basics")).to_be_visible()
    post_test = requirement(page, "Post-test")
    expect(post_test).to_contain_text("Done")
    expect(post_test).to_contain_text("Passed (best score 100%)")
    expect(requirement(page, "Course evaluation").get_by_role("link", name="Complete the evaluation")).to_be_visible()


@pytest.mark.browser
def test_certificate_pdf_qr_code_leads_to_a_valid_verification(page: Page, live_server) -> None:
    import pypdfium2
    import zxingcpp

    register(page)
    finish_lessons(page)
    pass_quiz(page)
    page.get_by_role("link", name="Complete the evaluation").click()  # from the result page's next steps
    submit_evaluation(page)

    expect(page.get_by_text("your certificate is ready")).to_be_visible()
    expect(page.get_by_text("Valid", exact=True)).to_be_visible()
    facts = page.get_by_role("definition")
    expect(facts.filter(has_text=LEARNER["name"])).to_contain_text("Ana Ortiz, OTR/L")
    expect(facts.filter(has_text="Coaching Basics")).to_have_count(1)
    code = page.get_by_role("code").first.inner_text().strip()  # the certificate code comes first
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{1,4})+", code), code

    with page.expect_download() as info:
        page.get_by_role("link", name="Download PDF").click()
    download = info.value
    assert download.suggested_filename.startswith("certificate-") and download.suggested_filename.endswith(".pdf")
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF")

    document = pypdfium2.PdfDocument(data)
    try:
        image = document[0].render(scale=2).to_pil()
    finally:
        document.close()
    codes = zxingcpp.read_barcodes(image)
    assert len(codes) == 1 and codes[0].format == zxingcpp.BarcodeFormat.QRCode
    payload = codes[0].text
    assert payload.startswith(live_server.url + "/") and code.replace("-", "") in payload.replace("-", ""), payload

    visitor = page.context.browser.new_context(base_url=live_server.url)  # a board member, not logged in
    try:
        board = visitor.new_page()
        board.goto(payload)
        expect(board.get_by_role("heading", level=1, name="Certificate verification")).to_be_visible()
        verdict = board.get_by_role("status")
        expect(verdict).to_contain_text("Valid.")
        expect(verdict).to_contain_text("has not been revoked or replaced")
        expect(board.get_by_text("Ana Ortiz, OTR/L")).to_be_visible()
    finally:
        visitor.close()


@pytest.mark.browser
def test_keyboard_skip_link_small_screen_layout_and_screenshots(page: Page, db_name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    shots: dict[str, list[str]] = {}

    def shoot(name: str) -> None:
        """Screenshot the current page at phone and desktop width, each freshly loaded at that width and
        scrolled to the top; note any page that scrolls sideways."""
        for width, height in ((390, 844), (1280, 900)):
            page.set_viewport_size({"width": width, "height": height})
            page.reload()
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=ARTIFACTS / f"{name}-{width}-{db_name}.png", full_page=True)
            if not no_horizontal_scroll(page):
                shots.setdefault("overflow", []).append(f"{name} at {width}px")
        page.set_viewport_size({"width": 390, "height": 844})

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # a skip link that stays hidden on focus helps nobody who can see
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    shoot("home")

    register(page)
    page.goto(MODULE)
    shoot("module")

    page.goto(LESSON_ONE)
    page.get_by_role("button", name="Mark complete and continue").click()
    write_reflection(page, "I let the parent talk about mornings first, then we planned together. " * 3)
    page.wait_for_load_state()  # reflections.js is deferred: type once it listens, as a person would
    optional = page.get_by_role("region", name="Reflection (optional)")
    optional.get_by_label("Anything else?").press_sequentially("Nothing else today.")
    expect(optional.get_by_role("status")).to_have_text("Saved")
    assert no_horizontal_scroll(page), "the lesson page scrolls sideways at 390px"
    shoot("lesson")
    page.get_by_role("button", name="Mark complete", exact=True).click()

    start_attempt(page, "Start the post-test")
    answer_quiz(page, correct=True)
    page.get_by_role("button", name="Save and finish later").click()
    expect(page.get_by_text("Your answers are saved.")).to_be_visible()
    shoot("quiz-attempt")
    expect(question(page, "Coaching means leaving clinical expertise aside.").get_by_role(
        "radio", name="False", exact=True)).to_be_checked()  # saved answers come back on reload
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Attempt 1: Passed")
    page.goto(MODULE)
    requirement(page, "Course evaluation").get_by_role("link", name="Complete the evaluation").click()
    submit_evaluation(page)
    shoot("certificate")
    page.get_by_role("link", name="Public verification page").click()
    expect(page.get_by_role("status")).to_contain_text("Valid.")
    shoot("verify")

    assert not shots.get("overflow"), f"pages scroll sideways: {shots['overflow']}"


@pytest.mark.browser
def test_quiz_answers_survive_a_reload_and_an_offline_spell(context: BrowserContext, page: Page) -> None:
    register(page)
    finish_lessons(page)
    start_attempt(page, "Start the post-test")
    attempt_url = page.url
    question(page, "Coaching means leaving clinical expertise aside.").get_by_role(
        "radio", name="False", exact=True).check()
    expect(page.get_by_text("Answers saved")).to_be_visible()
    page.reload()
    expect(question(page, "Coaching means leaving clinical expertise aside.").get_by_role(
        "radio", name="False", exact=True)).to_be_checked()

    context.set_offline(True)
    question(page, "What do you ask first?").get_by_role(
        "radio", name="What matters most to you about breakfast?").check()
    expect(page.get_by_text(re.compile("Offline: your answers are kept in this browser"))).to_be_visible()
    page.close()
    context.set_offline(False)
    again = context.new_page()
    again.goto(attempt_url)
    expect(question(again, "What do you ask first?").get_by_role(
        "radio", name="What matters most to you about breakfast?")).to_be_checked()
    expect(again.get_by_text("Answers saved")).to_be_visible()  # the restored choice reached the server too
    answer_quiz(again, correct=True)
    again.get_by_role("button", name="Submit answers").click()
    expect(again.get_by_role("heading", level=1)).to_have_text("Attempt 1: Passed")
    # The result page forgets the kept answers once its scripts have run (the heading can show before).
    again.wait_for_function("Object.keys(localStorage).filter(k => k.startsWith('quiz:')).length === 0",
                            timeout=5000)


# --- accessibility: axe-core over every page of the path --------------------------------------------

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}
AXE = Axe()


def violations(page: Page) -> list[str]:
    result = AXE.run(page, options=WCAG)
    return [f"{page.url}: {v['id']} ({v['help']}) at {v['nodes'][0]['target']}" for v in result.response["violations"]]


@pytest.mark.browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the pages, not the database, are under test
def test_pages_meet_wcag_aa_on_a_phone_and_a_desktop(page: Page, live_server):
    found: list[str] = []
    for width, height in ((390, 844), (1280, 900)):
        page.set_viewport_size({"width": width, "height": height})
        for path in ("/", "/modules", MODULE, "/verify", "/verify?code=nonsense", "/account/login", "/guide/",
                     "/no-such-page", "/account/forgot", "/account/register/check-email", "/privacy/"):
            page.goto(path)
            found += violations(page)
        page.goto("/account/register")
        page.get_by_role("button", name="Create account").click()  # an empty form: the error summary
        found += violations(page)
    register(page)
    finish_lessons(page)
    page.goto(LESSON_TWO)
    found += violations(page)
    pass_quiz(page)
    found += violations(page)
    result_url = page.url
    page.goto("/about")
    found += violations(page)
    page.goto(result_url)
    page.get_by_role("link", name="Complete the evaluation").click()
    page.get_by_role("button", name="Submit evaluation").click()  # errors first
    found += violations(page)
    submit_evaluation(page)
    found += violations(page)
    code = re.search(r"/certificates/([0-9A-Z-]+)", page.url).group(1)
    for path in (f"/verify/{code}", "/certificates", "/journal", "/dashboard", "/account/", "/account/password",
                 f"{MODULE}/quiz", "/account/email", "/privacy/delete"):
        page.goto(path)
        expect(page.locator("main")).to_be_visible()
        found += violations(page)
    assert found == []


# --- the shipped course on a phone and a desktop (the learner's walk) ------------------------------------

def walk(test):
    """Mark a test of the shipped course's pages: in Chromium, on SQLite only (the pages are under test)."""
    for mark in (pytest.mark.browser, pytest.mark.shipped_course,
                 pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)):
        test = mark(test)
    return test


def seed(app) -> dict:
    """A learner with the first module certified and a failed post-test on the second; an admin."""
    with app.app_context():
        course = current_course()
        first, second = course.modules[0], course.modules[1]
        db.session.add_all([
            User(email="zoe@example.org", password_hash=hash_password(PASSWORD), full_name="Zoë Ångström-Núñez",
                 credential="OTR/L", license_number="OT 12-345", license_state="FL", email_confirmed_at=utcnow()),
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


def log_in_as(page: Page, email: str) -> None:
    page.goto("/account/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def sideways(page: Page, width: int) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") > width


@walk
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
    log_in_as(page, "zoe@example.org")
    visit(learner)
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Log out").click()
    log_in_as(page, "ina@example.org")
    visit(["/instructor/"])
    assert overflow == []
    assert found == []


@walk
def test_phone_header_is_one_compact_row_with_a_menu(page: Page, live_server) -> None:
    seed(live_server.app)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in_as(page, "zoe@example.org")
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


@walk
def test_a_wide_lesson_table_scrolls_by_keyboard_on_a_phone(page: Page, live_server) -> None:
    paths = seed(live_server.app)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in_as(page, "zoe@example.org")
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


LOGGED_OUT_NOTE = "You were logged out. Log in to save; your text is kept on this device."


# --- nothing typed is lost when the session ends (issue 11; the endpoints in test_autosave_session.py) ----

def log_out_elsewhere(context: BrowserContext) -> Page:
    """Log out in another tab (which ends every session of the account)."""
    other = context.new_page()
    other.goto("/modules")
    main_nav(other).get_by_role("button", name="Log out").click()
    expect(other.get_by_text("You are logged out on every device.")).to_be_visible()
    return other


def log_in_on(page: Page) -> None:
    page.get_by_label("Email").fill(LEARNER["email"])
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.browser
def test_a_reflection_typed_after_logout_is_kept_and_saved_after_login(context: BrowserContext, page: Page) -> None:
    register(page)
    page.goto(LESSON_TWO)
    box, status = reflection_box(page), reflection_status(page)
    box.press_sequentially("Before the logout")
    expect(status).to_have_text("Saved")
    log_out_elsewhere(context)

    box.press_sequentially(", and after it.")
    expect(status).to_have_text(LOGGED_OUT_NOTE)
    assert stored_copy(page) == "Before the logout, and after it."
    reflection(page).get_by_role("link", name="Log in").click()
    log_in_on(page)
    expect(page).to_have_url(re.compile(re.escape(LESSON_TWO)))
    box, status = reflection_box(page), reflection_status(page)
    expect(box).to_have_value("Before the logout, and after it.")
    expect(status).to_have_text("Saved")
    page.reload()
    expect(reflection_box(page)).to_have_value("Before the logout, and after it.")
    assert stored_copy(page) is None


@pytest.mark.browser
def test_a_reflection_saves_itself_when_the_learner_logs_in_in_another_tab(context: BrowserContext,
                                                                           page: Page) -> None:
    register(page)
    page.goto(LESSON_TWO)
    box, status = reflection_box(page), reflection_status(page)
    box.press_sequentially("Typed first")
    expect(status).to_have_text("Saved")
    other = log_out_elsewhere(context)
    box.press_sequentially(" then more")
    expect(status).to_have_text(LOGGED_OUT_NOTE)
    main_nav(other).get_by_role("link", name="Log in").click()
    log_in_on(other)
    expect(other.get_by_role("heading", level=1, name="My learning")).to_be_visible()
    page.bring_to_front()
    page.evaluate("window.dispatchEvent(new Event('focus'))")  # the learner comes back to this tab
    expect(status).to_have_text("Saved")
    other.goto(LESSON_TWO)
    expect(reflection_box(other)).to_have_value("Typed first then more")


@pytest.mark.browser
def test_post_test_answers_chosen_after_logout_are_saved_after_login(context: BrowserContext, page: Page) -> None:
    register(page)
    finish_lessons(page)
    start_attempt(page, "Start the post-test")
    attempt_url = page.url
    other = log_out_elsewhere(context)
    question(page, "Coaching means leaving clinical expertise aside.").get_by_role(
        "radio", name="False", exact=True).check()
    expect(page.get_by_text(LOGGED_OUT_NOTE)).to_be_visible()
    main_nav(other).get_by_role("link", name="Log in").click()
    log_in_on(other)
    page.bring_to_front()
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    expect(page.get_by_text("Answers saved")).to_be_visible()
    other.goto(attempt_url)
    expect(question(other, "Coaching means leaving clinical expertise aside.").get_by_role(
        "radio", name="False", exact=True)).to_be_checked()


@pytest.mark.browser
def test_a_quick_reload_after_typing_is_not_a_conflict(page: Page) -> None:
    register(page)
    page.goto(LESSON_TWO)
    box, status = reflection_box(page), reflection_status(page)
    box.press_sequentially("Saved once")
    expect(status).to_have_text("Saved")
    for words in (" and typed again", " and once more"):
        box.press_sequentially(words)
        page.reload()  # well within the autosave delay
        expect(reflection_status(page)).to_have_text("Saved")
        expect(reflection(page)).not_to_contain_text("Newer text was saved elsewhere")
        box = reflection_box(page)
    expect(box).to_have_value("Saved once and typed again and once more")
# --- the instructor workspace (issue 12): its tests live in their own file and run here -------------------
from .instructor_browser_checks import (  # noqa: E402,F401
    test_an_instructor_finds_a_learner_and_an_admin_revokes_by_keyboard,
    test_instructor_pages_meet_wcag_aa_and_fit_a_phone,
)


# --- content problems, knowledge checks and model responses (issue 10) -----------------------------------

SHOTS = Path(os.environ.get("SCREENSHOTS", "/tmp"))
BROKEN = "modules/01-basics/01-one.md:4: minutes: must be a whole number, not 'four'"

# --- seat time (issue 8): a rushed module waits for its time, then the certificate comes by itself -------

SEAT_TIME_SECONDS = 20


@pytest.fixture
def content_root(request, tmp_path) -> Path:
    """The fixture course; a private copy for tests marked ``editable_course`` (they edit it while it serves),
    or with the parameter "seat-time", a copy whose seat time is 20 s of 15 minutes."""
    seat_time = getattr(request, "param", None) == "seat-time"
    if not seat_time and not request.node.get_closest_marker("editable_course"):
        return FIXTURE_COURSE
    root = tmp_path / "browser-course"
    shutil.copytree(FIXTURE_COURSE, root)
    if seat_time:
        path = root / "course.yaml"
        path.write_text(path.read_text().replace("seat_time: {share: 0}",
                                                 f"seat_time: {{share: {SEAT_TIME_SECONDS / (15 * 60):.6f}}}"))
    return root


@pytest.mark.parametrize("content_root", ["seat-time"], indirect=True)
@pytest.mark.browser
def test_a_rushed_module_waits_for_its_time_then_issues_the_certificate_by_itself(page: Page, live_server) -> None:
    """Rush a module: no certificate, the time still needed is shown; meet the time: the certificate comes."""
    live_server.app.config["HEARTBEAT_SECONDS"] = 2  # heartbeats every 2 s instead of 30 s
    register(page)
    finish_lessons(page)
    pass_quiz(page)
    expect(page.get_by_role("heading", name="Before your certificate")).to_be_visible()
    page.get_by_role("link", name="Complete the evaluation").click()
    next_steps = page.get_by_role("region", name="Before your certificate")
    expect(next_steps).to_contain_text("Active learning time")
    expect(next_steps).not_to_contain_text("issued as soon as you submit this evaluation")
    fill_evaluation(page)
    page.get_by_role("button", name="Submit evaluation").click()

    # No certificate: the module page says what is missing and how much time is still needed.
    expect(page.get_by_role("heading", level=1, name="Coaching Basics")).to_be_visible()
    expect(page.get_by_text("Thank you for your evaluation.")).to_be_visible()
    steps = page.get_by_role("region", name="Before your certificate")
    expect(steps).to_contain_text(re.compile(r"Active learning time: \d+ of 1 minute so far; 1 minute still needed"))
    expect(page.get_by_role("link", name="View your certificate")).to_have_count(0)

    # She goes back to the lessons and reads; the heartbeat that completes the time issues the certificate.
    steps.get_by_role("link", name=re.compile("Review the lessons")).click()
    expect(page.get_by_role("heading", level=1, name="Lesson One")).to_be_visible()
    ready = page.locator("[data-certificate-ready]")
    deadline = time.monotonic() + 60
    while not ready.count() and time.monotonic() < deadline:
        page.mouse.move(200 + int(time.monotonic()) % 50, 300)  # reading: the pointer moves now and then
        page.wait_for_timeout(1000)
    expect(ready).to_contain_text("your certificate is issued")
    ready.get_by_role("link", name="View your certificate").click()
    expect(page.get_by_role("heading", level=1, name="Certificate of completion")).to_be_visible()
    expect(page.get_by_role("heading", name="How this certificate was earned")).to_be_visible()
    page.goto(MODULE)
    expect(page.get_by_role("heading", name="Before your certificate")).to_have_count(0)


def break_lesson(root: Path) -> None:
    path = root / "modules" / "01-basics" / "01-one.md"
    path.write_text(path.read_text().replace("minutes: 4", "minutes: four"))
    now = time.time_ns() + 5_000_000
    os.utime(path, ns=(now, now))


def sign_in_as_instructor(page: Page, live_server) -> None:
    register(page)
    runner = live_server.app.test_cli_runner()
    assert runner.invoke(args=["users", "set-role", "ana@example.org", "instructor"]).exit_code == 0
    page.reload()


@pytest.mark.browser
@pytest.mark.editable_course
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_instructor_sees_the_banner_of_problems_on_every_page_and_the_full_list(
        page: Page, live_server, content_root) -> None:
    sign_in_as_instructor(page, live_server)
    banner = page.get_by_role("alert").filter(has_text="The course files have")
    expect(banner).to_have_count(0)
    break_lesson(content_root)
    for path in (MODULE, "/dashboard", "/modules"):
        page.goto(path)
        expect(banner).to_be_visible()
        expect(banner.get_by_text(BROKEN)).to_be_visible()
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert no_horizontal_scroll(page)
        page.screenshot(path=str(SHOTS / f"content-banner-{width}.png"), full_page=False)
    assert violations(page) == []
    banner.get_by_role("link", name="See every problem, with warnings").click()
    expect(page.get_by_role("heading", level=1, name="Content problems")).to_be_visible()
    expect(page.get_by_role("heading", name="Errors (2)")).to_be_visible()
    page.screenshot(path=str(SHOTS / "content-problems-1280.png"), full_page=True)
    path = content_root / "modules" / "01-basics" / "01-one.md"
    path.write_text(path.read_text().replace("minutes: four", "minutes: 4"))
    now = time.time_ns() + 10_000_000
    os.utime(path, ns=(now, now))
    page.goto(MODULE)
    expect(banner).to_have_count(0)


@pytest.mark.browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_knowledge_check_answers_in_place_and_a_model_response_opens_after_saving(page: Page) -> None:
    register(page)
    page.goto(LESSON_TWO)
    check = page.get_by_role("region", name="Check your understanding")
    expect(check.get_by_text("states a desire to change")).to_have_count(0)
    check.get_by_role("radio", name="No, sustain talk").check()
    check.get_by_role("button", name="Check my answer").click()
    expect(check.get_by_text("Sustain talk argues for staying the same")).to_be_visible()
    expect(check.get_by_role("status")).to_contain_text("Not yet.")
    assert page.url.endswith(LESSON_TWO)  # answered in place by checks.js, no reload
    check.get_by_role("radio", name="Yes, change talk").check()
    check.get_by_role("button", name="Check again").click()
    expect(check.get_by_role("status")).to_contain_text("Correct.")
    reflection = page.get_by_role("region", name="Reflection", exact=True)
    expect(reflection.get_by_text("I held back my plan")).to_have_count(0)
    reflection.get_by_label("Describe a moment when you listened more than you spoke.").fill(
        "I waited and let her choose what to try first.")
    expect(reflection.get_by_text("I held back my plan")).to_be_visible()  # after the autosave, without a reload
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert no_horizontal_scroll(page)
        check.screenshot(path=str(SHOTS / f"knowledge-check-{width}.png"))
        reflection.screenshot(path=str(SHOTS / f"model-response-{width}.png"))
    assert violations(page) == []
