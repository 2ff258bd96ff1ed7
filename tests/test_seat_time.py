"""Seat time: heartbeats credit active time honestly, the certificate waits for it and then comes by itself."""
from __future__ import annotations

import dataclasses
import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from course_app.completion import LearnerState, certificate_ready, required_seconds, requirements
from course_app.extensions import db
from course_app.learning.progress import creditable_seconds, record_activity, record_quiz_activity
from course_app.models import Certificate, LessonProgress, QuizAttempt, utcnow

from .conftest import FIXTURE_COURSE, csrf_token
from .test_certificates import EVALUATION, page_text, pass_basics, post_with_token, user_id

LESSON = "/modules/basics/lessons/lesson-one"


@pytest.fixture
def content_root(tmp_path) -> Path:
    """The fixture course with seat time on: half of the module's declared minutes."""
    root = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, root)
    path = root / "course.yaml"
    path.write_text(path.read_text().replace("seat_time: {share: 0}", "seat_time: {share: 0.5}"))
    return root


def beat(client, path=LESSON + "/activity", body=None):
    token = csrf_token(client, LESSON)
    return client.post(path, json=body if body is not None else {"visible": True}, headers={"X-CSRFToken": token})


def test_credit_rules_as_a_pure_function():
    start = utcnow()
    assert creditable_seconds(None, start) == 0  # the first heartbeat starts the clock
    assert creditable_seconds(start, start + timedelta(seconds=30)) == 30
    assert creditable_seconds(start, start + timedelta(seconds=5)) is None  # too soon: nothing
    assert creditable_seconds(start, start + timedelta(hours=9)) == 30  # a tab left open overnight
    assert creditable_seconds(start, start + timedelta(seconds=4), interval=5) == 4


def test_forged_heartbeats_credit_nothing(client, auth, fresh, app):
    auth.register()
    assert beat(client, body={}).status_code == 200  # says nothing about a visible tab
    assert beat(client, body={"visible": False}).status_code == 200
    assert fresh.scalar(select(LessonProgress.last_heartbeat_at)) is None  # the clock never started
    assert beat(client, body=["visible"]).status_code == 400
    locked = beat(client, "/modules/next-steps/lessons/steps/activity")  # its prerequisite is not done
    assert locked.status_code == 403
    with app.app_context():
        start = utcnow()
        record_activity(1, "basics", "lesson-one", start)
        for seconds in range(1, 30):  # a script firing every second earns what 29 seconds can, no more
            record_activity(1, "basics", "lesson-one", start + timedelta(seconds=seconds))
        db.session.commit()
    assert fresh.scalar(select(LessonProgress.active_seconds)) <= 29  # never more than the time that passed
    assert beat(client).get_json()["active_seconds"] <= 30


def test_two_tabs_never_count_twice(client, auth, fresh, app):
    pass_basics(client, auth, fresh, app)  # leaves a submitted attempt; start another open one by hand
    uid = user_id(fresh, "ana@example.org")
    with app.app_context():
        open_attempt = QuizAttempt(user_id=uid, module_id="basics", number=9, layout=[], answers={})
        db.session.add(open_attempt)
        db.session.execute(update(LessonProgress).values(active_seconds=0, last_heartbeat_at=None))
        start = utcnow()
        for second in range(0, 300, 10):  # a lesson tab and a post-test tab both beating for five minutes
            record_activity(uid, "basics", "lesson-one", start + timedelta(seconds=second))
            record_quiz_activity(open_attempt, start + timedelta(seconds=second + 5))
        db.session.commit()
        lesson_time = db.session.scalar(select(func.sum(LessonProgress.active_seconds)))
        assert lesson_time + open_attempt.active_seconds <= 300


def test_someone_elses_attempt_gets_no_heartbeat(client, auth, fresh, app):
    pass_basics(client, auth, fresh, app)
    attempt_id = fresh.scalar(select(QuizAttempt.id))
    auth.logout()
    auth.register(email="bo@example.org", name="Bo Lee")
    assert beat(client, f"/quiz/attempts/{attempt_id}/activity").status_code == 404


def test_a_submitted_attempt_earns_nothing_more(client, auth, fresh, app):
    pass_basics(client, auth, fresh, app)
    attempt_id = fresh.scalar(select(QuizAttempt.id))
    response = beat(client, f"/quiz/attempts/{attempt_id}/activity")
    assert response.status_code == 200 and response.get_json()["active_seconds"] == 0


def test_the_certificate_waits_for_the_time_then_comes_without_a_click(client, auth, fresh, app):
    pass_basics(client, auth, fresh, app)
    response = post_with_token(client, "/modules/basics/evaluation", EVALUATION, page="/modules/basics/evaluation")
    assert response.status_code == 302 and "/modules/basics" in response.headers["Location"]
    assert fresh.scalar(select(func.count()).select_from(Certificate)) == 0
    module_page = page_text(client.get("/modules/basics"))
    assert "Before your certificate" in module_page and "Active learning time" in module_page
    assert "still needed" in module_page and "Issued automatically" in module_page
    with app.app_context():
        from course_app.course_store import current_course

        basics = current_course().module("basics")
        needed = required_seconds(basics)
    assert needed == round(0.5 * basics.declared_minutes * 60) > 0
    # Almost all the time is there; the last heartbeat, 30 s after the one before, completes it.
    with app.app_context():
        db.session.execute(update(LessonProgress).where(LessonProgress.lesson_id == "lesson-one").values(
            active_seconds=needed - 20, last_heartbeat_at=utcnow() - timedelta(seconds=30)))
        db.session.commit()
    response = beat(client)
    code = response.get_json()["certificate"]
    assert code and fresh.scalar(select(Certificate.code)) == code
    after = page_text(client.get("/modules/basics"))
    assert "your certificate is ready" in after and "View your certificate" in after
    certificate = fresh.scalar(select(Certificate))
    assert certificate.audit["active_minutes"] >= needed / 60
    assert certificate.audit["requirements"]["required_active_minutes"] == round(needed / 60, 1)


def test_time_requirement_states_time_so_far_and_still_needed():
    from course_app.content import load_course

    module = load_course(FIXTURE_COURSE)[0].module("basics")
    module = dataclasses.replace(module, seat_time_share=0.6)  # 9 of 15 declared minutes
    assert module.declared_minutes == 15
    done = dict(completed_lessons=frozenset({"lesson-one", "lesson-two"}), reflection_words={"my-practice": 20},
                quiz_passed=True, best_score=100, evaluated=True)
    state = LearnerState(**done, active_seconds=150)
    detail = next(r.detail for r in requirements(module, state) if r.key == "time")
    assert detail.startswith("2 of 9 minutes so far; 7 minutes still needed")
    assert not certificate_ready(module, state)
    assert certificate_ready(module, LearnerState(**done, active_seconds=540))


def test_a_failed_result_shows_the_time_still_needed(client, auth, fresh):
    from .test_post_test_rules import fail
    from .test_assessment import ready_for_quiz

    token = ready_for_quiz(client, auth)
    text = page_text(client.get(fail(client, fresh, token)))
    assert re.search(r"Active learning time: 0 of \d+ minutes so far; \d+ minutes still needed", text), text
