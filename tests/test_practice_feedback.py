"""Practice with feedback: knowledge checks checked by the server, model responses after enough words."""
from __future__ import annotations

import html
import re

from course_app.assessment.checks import CheckAnswerError, check_answer, read_choices
from course_app.content import load_course

from .conftest import FIXTURE_COURSE, csrf_token

LESSON = "/modules/basics/lessons/lesson-two"
CHECK_URL = f"{LESSON}/checks/change-or-sustain"
RIGHT_FEEDBACK = "states a desire to change"
WRONG_FEEDBACK = "Sustain talk argues for staying the same"
MODEL = "I held back my plan"
COMMENTARY = "which is the partnership stance"


def page(client, path=LESSON) -> str:
    return html.unescape(client.get(path).get_data(as_text=True))


def without_form_tokens(text: str) -> str:
    """The page as the learner reads it: a form token carries the second it was made, so it is left out."""
    return re.sub(r'name="csrf-token" content="[^"]*"|name="csrf_token" value="[^"]*"', "token", text)


def spec():
    return load_course(FIXTURE_COURSE)[0].module("basics").lesson("lesson-two").check("change-or-sustain")


# --- the rules, without a server -------------------------------------------------------------------------------

def test_a_check_is_right_only_with_exactly_the_right_choices():
    check = spec()
    assert check_answer(check, ("a",)).correct
    assert not check_answer(check, ("b",)).correct
    for values, message in (([], "Choose an answer"), (["z"], "not part of this question"),
                            (["a", "b"], "Choose one answer only")):
        try:
            read_choices(check, values)
        except CheckAnswerError as problem:
            assert message in str(problem)
        else:
            raise AssertionError(values)


# --- knowledge checks on the lesson page ------------------------------------------------------------------------

def test_the_key_and_feedback_are_not_on_the_page_before_an_answer(client, auth):
    auth.register()
    text = page(client)
    assert "Check your understanding" in text and 'name="choice" value="a"' in text
    assert RIGHT_FEEDBACK not in text and WRONG_FEEDBACK not in text
    assert "correct" not in text.split('id="check-change-or-sustain"')[1].split("</section>")[0].lower()


def test_a_plain_form_answer_shows_the_feedback_of_the_chosen_choice(client, auth):
    auth.register()
    token = csrf_token(client, LESSON)
    answered = client.post(CHECK_URL, data={"csrf_token": token, "choice": "b"})
    assert answered.status_code == 302 and answered.headers["Location"].endswith("#check-change-or-sustain")
    text = page(client)
    assert WRONG_FEEDBACK in text and RIGHT_FEEDBACK not in text and "Not yet." in text
    assert 'value="b" checked' in text
    client.post(CHECK_URL, data={"csrf_token": token, "choice": "a"})
    text = page(client)
    assert RIGHT_FEEDBACK in text and "Correct." in text and WRONG_FEEDBACK not in text


def test_a_script_answer_gets_the_feedback_in_place(client, auth):
    auth.register()
    token = csrf_token(client, LESSON)
    reply = client.post(CHECK_URL, data={"csrf_token": token, "choice": "a"}, headers={"Accept": "application/json"})
    assert reply.get_json()["correct"] is True and RIGHT_FEEDBACK in html.unescape(reply.get_json()["html"])
    refused = client.post(CHECK_URL, data={"csrf_token": token}, headers={"Accept": "application/json"})
    assert refused.status_code == 422 and "Choose an answer" in refused.get_json()["error"]


def test_a_check_needs_the_forms_token_and_a_real_choice(client, auth):
    auth.register()
    assert client.post(CHECK_URL, data={"choice": "a"}).status_code == 400
    token = csrf_token(client, LESSON)
    wrong = client.post(CHECK_URL, data={"csrf_token": token, "choice": "z"}, follow_redirects=True)
    assert "not part of this question" in html.unescape(wrong.get_data(as_text=True))
    assert client.post(f"{LESSON}/checks/no-such-check", data={"csrf_token": token, "choice": "a"}).status_code == 404


def test_checks_are_for_signed_in_learners(client):
    assert client.post(CHECK_URL, data={"choice": "a"}).status_code in (302, 400, 401)


def test_a_check_counts_toward_no_score_or_requirement(client, auth):
    auth.register()
    before = without_form_tokens(page(client, "/modules/basics"))
    token = csrf_token(client, LESSON)
    client.post(CHECK_URL, data={"csrf_token": token, "choice": "a"})
    assert without_form_tokens(page(client, "/modules/basics")) == before


# --- model responses --------------------------------------------------------------------------------------------

def save(client, text: str, revision: int) -> dict:
    token = csrf_token(client, LESSON)
    return client.post("/modules/basics/reflections/my-practice", json={"text": text, "revision": revision},
                       headers={"X-CSRFToken": token}).get_json()


def test_the_model_response_appears_only_once_the_minimum_words_are_saved(client, auth):
    auth.register()
    text = page(client)
    assert MODEL not in text and COMMENTARY not in text and "appears here once you have saved at least 5" in text
    short = save(client, "Only four words here", 0)
    assert short["model_html"] is None and MODEL not in page(client)
    enough = save(client, "I listened first and waited for her to speak", short["revision"])
    assert MODEL in html.unescape(enough["model_html"])
    text = page(client)
    assert MODEL in text and COMMENTARY in text and "<em>she</em>" in text
    assert MODEL in page(client, "/journal")


def test_a_plain_form_save_opens_the_model_response_too(client, auth):
    auth.register()
    token = csrf_token(client, LESSON)
    client.post("/modules/basics/reflections/my-practice", data={
        "csrf_token": token, "text": "I listened first and then asked one question", "revision": "0",
        "lesson_id": "lesson-two"})
    assert MODEL in page(client)


def test_another_learners_words_do_not_open_my_model_response(app, client, auth):
    other = app.test_client()
    type(auth)(other).register(email="lee@example.org", name="Lee Learner")
    save(other, "I listened first and waited for her to speak", 0)
    auth.register()
    assert MODEL not in page(client) and MODEL not in page(client, "/journal")
