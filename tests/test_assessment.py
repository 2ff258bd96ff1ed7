"""Reflections and quiz attempts through the real endpoints, including stale tabs and tampering."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from course_app.models import QuizAttempt, Reflection

from .conftest import csrf_token

LESSON = "/modules/basics/lessons/lesson-two"
SAVE = "/modules/basics/reflections/my-practice"


def autosave(client, text, revision, token):
    return client.post(SAVE, json={"text": text, "revision": revision}, headers={"X-CSRFToken": token})


def test_autosave_then_stale_tab_gets_409_with_the_newer_text(client, auth, fresh):
    auth.register()
    token = csrf_token(client, LESSON)
    first = autosave(client, "I waited before offering a solution", 0, token)
    assert first.status_code == 200 and first.get_json()["revision"] == 1 and first.get_json()["words"] == 6
    assert autosave(client, "Newer words from my phone today", 1, token).status_code == 200
    stale = autosave(client, "Old tab text", 1, token)
    assert stale.status_code == 409
    assert stale.get_json()["text"] == "Newer words from my phone today" and stale.get_json()["revision"] == 2
    assert fresh.scalar(select(Reflection)).text == "Newer words from my phone today"
    assert "Newer words from my phone today" in client.get(LESSON).get_data(as_text=True)


def test_plain_form_submit_works_without_javascript(client, auth, fresh):
    auth.register()
    response = client.post(SAVE, data={"csrf_token": csrf_token(client, LESSON), "revision": "0",
                                       "text": "Saved without JavaScript", "lesson_id": "lesson-two"})
    assert response.status_code == 302 and response.location.endswith(LESSON + "#reflection-my-practice")
    assert fresh.scalar(select(Reflection)).text == "Saved without JavaScript"


def test_stale_plain_form_shows_both_versions_and_loses_nothing(client, auth):
    auth.register()
    token = csrf_token(client, LESSON)
    autosave(client, "Saved elsewhere first", 0, token)
    response = client.post(SAVE, data={"csrf_token": token, "revision": "0", "text": "Typed in the old tab"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Saved elsewhere first" in html and "Typed in the old tab" in html


@pytest.mark.parametrize("payload, status, message", [
    ({"text": "x"}, 400, "whole-number"), ({"text": 5, "revision": 0}, 400, "needs"),
    ({"text": "x", "revision": "-1"}, 400, "whole-number"), ({"text": "x" * 20_001, "revision": 0}, 413, "20,000"),
    ({"text": "pasted\x00text", "revision": 0}, 400, "The field 'text' contains a NUL character"),
])
def test_malformed_reflection_saves_are_refused(client, auth, fresh, payload, status, message):
    auth.register()
    response = client.post(SAVE, json=payload, headers={"X-CSRFToken": csrf_token(client, LESSON)})
    assert response.status_code == status and message in response.get_json()["error"]
    assert fresh.scalar(select(Reflection)) is None


def test_unknown_reflection_and_missing_csrf(client, auth):
    auth.register()
    token = csrf_token(client, LESSON)
    assert client.post("/modules/basics/reflections/nope", json={"text": "x", "revision": 0},
                       headers={"X-CSRFToken": token}).status_code == 404
    assert client.post(SAVE, json={"text": "x", "revision": 0}).status_code == 400


def test_journal_is_private_to_its_author(app, client, auth):
    auth.register()
    autosave(client, "My private thoughts on listening", 0, csrf_token(client, LESSON))
    assert "My private thoughts on listening" in client.get("/journal").get_data(as_text=True)
    exported = client.get("/journal.md")
    assert exported.mimetype == "text/markdown" and "My private thoughts on listening" in exported.get_data(as_text=True)
    other = app.test_client()
    type(auth)(other).register(email="other@example.org")
    assert "My private thoughts" not in other.get("/journal").get_data(as_text=True)
    assert "My private thoughts" not in other.get("/journal.md").get_data(as_text=True)


# --- quiz ---------------------------------------------------------------------------------------

def ready_for_quiz(client, auth):
    auth.register()
    token = csrf_token(client, LESSON)
    for lesson in ("lesson-one", "lesson-two"):
        client.post(f"/modules/basics/lessons/{lesson}/complete", data={"csrf_token": token})
    return token


def start(client, token):
    response = client.post("/modules/basics/quiz/attempts", data={"csrf_token": token})
    assert response.status_code == 302
    return response.location


def test_quiz_needs_every_lesson_first(client, auth):
    auth.register()
    response = client.post("/modules/basics/quiz/attempts", data={"csrf_token": csrf_token(client, LESSON)})
    assert response.status_code == 409 and "Complete every lesson" in response.get_data(as_text=True)


def test_attempt_page_never_contains_the_answer_key(client, auth):
    token = ready_for_quiz(client, auth)
    html = client.get(start(client, token)).get_data(as_text=True)
    assert "Question 1 of 5" in html and "Sam at breakfast" in html
    assert "RATIONALE" not in html and "correct" not in html.lower().replace("not correct", "")
    assert 'value="a"' not in html and 'value="true"' not in html  # options are named by position only


def test_double_start_gives_one_attempt_and_resume(client, auth, fresh):
    token = ready_for_quiz(client, auth)
    assert start(client, token) == start(client, token)
    assert fresh.scalar(select(func.count()).select_from(QuizAttempt)) == 1


def test_tampered_answers_are_refused_and_nothing_recorded(client, auth, fresh):
    token = ready_for_quiz(client, auth)
    url = start(client, token)
    response = client.post(url, data={"csrf_token": token, "revision": "0", "q-first-question": "99"})
    assert response.status_code == 400 and "has no option &#39;99&#39;" in response.get_data(as_text=True)
    attempt = fresh.scalar(select(QuizAttempt))
    assert attempt.answers == {} and attempt.submitted_at is None


def test_missing_answers_keep_what_was_given(client, auth, fresh):
    token = ready_for_quiz(client, auth)
    url = start(client, token)
    response = client.post(url, data={"csrf_token": token, "revision": "0", "q-scope": "2", "action": "submit"})
    assert response.status_code == 422 and "4 questions still need an answer" in response.get_data(as_text=True)
    attempt = fresh.scalar(select(QuizAttempt))
    assert attempt.submitted_at is None and list(attempt.answers) == ["scope"]


def test_someone_elses_attempt_is_not_found(app, client, auth):
    token = ready_for_quiz(client, auth)
    url = start(client, token)
    other = app.test_client()
    type(auth)(other).register(email="other@example.org")
    assert other.get(url).status_code == 404
    assert other.post(url, data={"csrf_token": csrf_token(other, "/modules"), "revision": "0"}).status_code == 404


def full_answers(fresh, token):
    from course_app.content import load_course

    from .conftest import FIXTURE_COURSE

    quiz = load_course(FIXTURE_COURSE)[0].module("basics").quiz
    attempt = fresh.scalar(select(QuizAttempt).order_by(QuizAttempt.id.desc()))
    form = {"csrf_token": token, "revision": str(attempt.revision), "action": "submit"}
    for entry in attempt.layout:
        question, order = quiz.question(entry["id"]), entry["order"]
        if question.type in ("single", "multiple"):
            form[f"q-{question.id}"] = [str(order.index(c.id) + 1) for c in question.choices if c.correct]
        elif question.type == "true_false":
            form[f"q-{question.id}"] = str(order.index("false") + 1)
        elif question.type == "matching":
            for row, pair in enumerate(question.pairs, 1):
                form[f"q-{question.id}-{row}"] = str(order.index(pair.id) + 1)
        else:
            right = [item.id for item in question.items]
            for shown, item in enumerate(order, 1):
                form[f"q-{question.id}-{shown}"] = str(right.index(item) + 1)
    return form


def test_submit_grades_on_the_server_and_a_second_submit_is_refused(client, auth, fresh):
    token = ready_for_quiz(client, auth)
    url = start(client, token)
    form = full_answers(fresh, token)
    response = client.post(url, data=form)
    assert response.status_code == 302
    result = client.get(url).get_data(as_text=True)
    assert "Passed" in result and "100%" in result and "RATIONALE-FIRST-A" in result
    again = client.post(url, data=form, follow_redirects=True)
    assert "already submitted" in again.get_data(as_text=True)
    assert fresh.scalar(select(func.count()).select_from(QuizAttempt)) == 1


def test_stale_tab_submit_is_shown_back_not_lost(client, auth, fresh):
    token = ready_for_quiz(client, auth)
    url = start(client, token)
    client.post(url, data={"csrf_token": token, "revision": "0", "q-scope": "1", "action": "save"})
    form = full_answers(fresh, token)
    form["revision"] = "0"  # the old tab
    response = client.post(url, data=form)
    assert response.status_code == 409 and "changed in another tab" in response.get_data(as_text=True)
    assert fresh.scalar(select(QuizAttempt)).submitted_at is None


def test_parallel_submits_record_one_result(app, client, auth, fresh):
    token = ready_for_quiz(client, auth)
    url = start(client, token)
    form = full_answers(fresh, token)
    statuses = []

    def submit():
        statuses.append(client.post(url, data=form).status_code)

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(status in (302, 303, 409) for status in statuses), statuses
    attempt = fresh.scalar(select(QuizAttempt))
    assert attempt.submitted_at is not None and float(attempt.score) == 100.0


def test_failed_attempt_hides_the_key_and_allows_a_retake(client, auth, fresh):
    token = ready_for_quiz(client, auth)
    url = start(client, token)
    form = full_answers(fresh, token)
    attempt = fresh.scalar(select(QuizAttempt))
    for entry in attempt.layout:  # answer the single and true/false questions wrongly
        if entry["id"] in ("first-question", "scope"):
            form[f"q-{entry['id']}"] = str([i for i, option in enumerate(entry["order"], 1)
                                            if option not in ("a", "false")][0])
    client.post(url, data=form)
    result = client.get(url).get_data(as_text=True)
    assert "Not passed yet" in result and "60%" in result
    assert "RATIONALE-FIRST-A" not in result  # the correct choice's rationale stays hidden before a pass
    second = start(client, token)
    assert second != url


def test_a_quiz_may_reveal_the_key_after_a_failed_attempt(database_url, signing_key_file, tmp_path):
    import shutil

    from course_app import create_app
    from course_app.extensions import db

    from .conftest import FIXTURE_COURSE, Auth, Fresh

    root = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, root)
    quiz = root / "quizzes" / "basics.yaml"
    quiz.write_text(quiz.read_text().replace("pass_mark: 80", "pass_mark: 80\nreveal_answers_before_pass: true"))
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "s", "CONTENT_ROOT": str(root),
                      "SIGNING_KEY_FILE": signing_key_file, "RATELIMIT_ENABLED": False})
    client = app.test_client()
    token = ready_for_quiz(client, Auth(client))
    url = start(client, token)
    form = full_answers(Fresh(app), token)
    form["q-first-question"] = "2" if form["q-first-question"] == ["1"] else "1"  # a wrong choice
    form["q-scope"] = "1" if form["q-scope"] == "2" else "2"  # and the wrong one of true/false
    client.post(url, data=form)
    result = client.get(url).get_data(as_text=True)
    assert "Not passed yet" in result and "RATIONALE-FIRST-A" in result and "(correct)" in result
    with app.app_context():
        db.engine.dispose()
