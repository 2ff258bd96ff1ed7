"""Nothing typed is lost when the session ends: autosave answers 401 JSON, the page keeps the text on the
device, says so, and saves it after the learner logs in again; a quick reload is never a conflict.
The same in Chromium: the tests at the end of test_browser.py (one browser per session lives there)."""
from __future__ import annotations

from sqlalchemy import select

from course_app.models import QuizAttempt, Reflection

from .conftest import csrf_token
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
    assert "no-store" in state.headers["Cache-Control"]
