"""Nothing typed is lost when the session ends: autosave answers 401 JSON, the page keeps the text on the
device, says so, and saves it after the learner logs in again; a quick reload is never a conflict."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from course_app.models import QuizAttempt, Reflection

from .conftest import PASSWORD, csrf_token
from .test_browser import (  # noqa: F401 - fixtures
    LEARNER,
    LESSON_TWO,
    chromium,
    context,
    db_name,
    finish_lessons,
    live_server,
    main_nav,
    page,
    question,
    reflection,
    reflection_box,
    reflection_status,
    register,
    start_attempt,
    stored_copy,
)
from .test_certificates import post_with_token

LOGGED_OUT = "You were logged out. Log in to save; your text is kept on this device."


# --- the endpoints ----------------------------------------------------------------------------------------

def test_reflection_autosave_after_logout_answers_401_json_and_stores_nothing(app, client, auth, fresh):
    auth.register()
    token = csrf_token(client, "/modules/basics/lessons/lesson-two")
    auth.logout()
    response = client.post("/modules/basics/reflections/my-practice", json={"text": "typed late", "revision": 0},
                           headers={"X-CSRFToken": token, "Accept": "application/json"})
    assert response.status_code == 401 and response.is_json
    assert response.json == {"error": LOGGED_OUT, "logged_out": True}
    assert fresh.scalar(select(Reflection)) is None


def test_quiz_autosave_after_logout_answers_401_json(app, client, auth, fresh):
    auth.register()
    for lesson in ("lesson-one", "lesson-two"):
        post_with_token(client, f"/modules/basics/lessons/{lesson}/complete", page=f"/modules/basics/lessons/{lesson}")
    client.post("/modules/basics/reflections/my-practice", json={"text": "one two three four five six", "revision": 0},
                headers={"X-CSRFToken": csrf_token(client, "/modules/basics/lessons/lesson-two")})
    response = post_with_token(client, "/modules/basics/quiz/attempts", page="/modules/basics/quiz")
    attempt = response.headers["Location"]
    token = csrf_token(client, attempt)
    auth.logout()
    response = client.post(attempt, data={"csrf_token": token, "action": "save", "revision": "0"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 401 and response.json["logged_out"] is True
    page = client.get(attempt)  # a person (not a script) is still sent to the login page
    assert page.status_code == 302 and page.location.startswith("/account/login?next=")
    assert fresh.scalar(select(QuizAttempt)).revision == 0


def test_the_same_text_saved_twice_from_one_base_is_not_a_conflict(client, auth):
    auth.register()
    headers = {"X-CSRFToken": csrf_token(client, "/modules/basics/lessons/lesson-two")}
    url = "/modules/basics/reflections/my-practice"
    assert client.post(url, json={"text": "first words", "revision": 0}, headers=headers).json["revision"] == 1
    again = client.post(url, json={"text": "first words", "revision": 0}, headers=headers)  # e.g. a reload's resend
    assert again.status_code == 200 and again.json["revision"] == 1
    different = client.post(url, json={"text": "other words", "revision": 0}, headers=headers)
    assert different.status_code == 409  # another version is still a conflict


def test_the_session_state_gives_a_fresh_token_after_login(client, auth):
    assert client.get("/account/session").json["logged_in"] is False
    auth.register()
    state = client.get("/account/session")
    assert state.json["logged_in"] is True and state.json["csrf_token"]
    assert state.headers["Cache-Control"] == "no-store"


# --- in the browser ---------------------------------------------------------------------------------------

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
    expect(status).to_have_text(LOGGED_OUT)
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
    expect(status).to_have_text(LOGGED_OUT)
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
    expect(page.get_by_text(LOGGED_OUT)).to_be_visible()
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
