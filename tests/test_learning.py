"""Catalog, module, lesson and dashboard pages; progress; prerequisites; query counts."""
from __future__ import annotations

import pytest
from sqlalchemy import event, select

from course_app import create_app
from course_app.extensions import db
from course_app.models import LessonProgress

from .conftest import csrf_token


def test_public_pages_show_the_course(client):
    home = client.get("/").get_data(as_text=True)
    assert "Coaching Basics" in home and "How certificates work" in home
    catalog = client.get("/modules").get_data(as_text=True)
    assert "Coaching Basics" in catalog and "Introductory" in catalog and "0.25 contact hours" in catalog
    assert "Describe the partnership stance." in catalog
    module = client.get("/modules/basics").get_data(as_text=True)
    assert "Learning objectives" in module and "Lesson One" in module and "Rush, D. D." in module


def test_pages_carry_security_headers(client):
    headers = client.get("/").headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", ["/modules/nope", "/modules/basics/lessons/nope", "/no/such/page",
                                  "/media/../../course.yaml", "/media/x.py"])
def test_unknown_addresses_get_a_clear_404(client, auth, path):
    auth.register()
    response = client.get(path)
    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)


def test_a_nul_character_in_an_address_is_named(client):
    response = client.get("/modules/%00")
    assert response.status_code == 400 and "contains a NUL character" in response.get_data(as_text=True)


def test_lesson_records_progress_and_mark_complete_moves_on(client, auth, fresh):
    auth.register()
    page = client.get("/modules/basics/lessons/lesson-one").get_data(as_text=True)
    assert "First ideas" in page and "In this lesson" in page and "Mark complete and continue" in page
    row = fresh.scalar(select(LessonProgress))
    assert row.first_opened_at and row.completed_at is None
    response = client.post("/modules/basics/lessons/lesson-one/complete",
                           data={"csrf_token": csrf_token(client, "/modules/basics/lessons/lesson-one")})
    assert response.status_code == 302 and response.location == "/modules/basics/lessons/lesson-two"
    assert fresh.scalar(select(LessonProgress).where(LessonProgress.lesson_id == "lesson-one")).completed_at
    module = client.get("/modules/basics").get_data(as_text=True)
    assert "1 of 2 lessons completed; 1 left" in module


def test_dashboard_continues_where_you_left_off(client, auth):
    auth.register()
    client.get("/modules/basics/lessons/lesson-one")
    client.get("/modules/basics/lessons/lesson-two")
    auth.logout()
    auth.login()
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Continue where you left off" in page and "Continue: Lesson Two" in page
    assert "0 of 2 lessons completed; 2 left" in page and "Not taken yet: 80% needed to pass" in page


def test_mark_complete_without_csrf_changes_nothing(client, auth, fresh):
    auth.register()
    response = client.post("/modules/basics/lessons/lesson-one/complete", data={})
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    assert fresh.scalar(select(LessonProgress)) is None


def test_prerequisites_gate_a_module_with_an_explanation(client, auth):
    auth.register()
    module = client.get("/modules/next-steps").get_data(as_text=True)
    assert "This module builds on" in module and "Coaching Basics" in module
    response = client.get("/modules/next-steps/lessons/steps")
    assert response.status_code == 403
    assert "builds on “Coaching Basics”" in response.get_data(as_text=True)


def test_heartbeat_credits_at_most_one_interval(client, auth, fresh):
    from datetime import timedelta

    from course_app.learning.progress import record_activity
    from course_app.models import utcnow

    auth.register()
    token = csrf_token(client, "/modules/basics/lessons/lesson-one")
    assert client.post("/modules/basics/lessons/lesson-one/activity", headers={"X-CSRFToken": token}).status_code == 200
    with client.application.app_context():
        start = utcnow()
        record_activity(1, "basics", "lesson-one", start + timedelta(seconds=20))
        record_activity(1, "basics", "lesson-one", start + timedelta(hours=9))  # a tab left open overnight
        db.session.commit()
    assert fresh.scalar(select(LessonProgress)).active_seconds <= 20 + 30


def count_queries(app, client, path: str) -> int:
    with app.app_context():
        engine = db.engine
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return len(statements)


def test_page_queries_do_not_grow_with_lessons_or_learners(app, client, auth):
    auth.register()
    client.get("/modules/basics/lessons/lesson-one")
    client.get("/modules/basics/lessons/lesson-two")
    first_dashboard = count_queries(app, client, "/dashboard")
    first_lesson = count_queries(app, client, "/modules/basics/lessons/lesson-two")
    for lesson in ("lesson-one", "lesson-two"):
        client.post(f"/modules/basics/lessons/{lesson}/complete",
                    data={"csrf_token": csrf_token(client, "/modules/basics/lessons/lesson-one")})
    for number in range(5):  # other learners with progress of their own
        other = app.test_client()
        type(auth)(other).register(email=f"learner{number}@example.org")
        other.get("/modules/basics/lessons/lesson-one")
    assert count_queries(app, client, "/dashboard") == first_dashboard
    assert count_queries(app, client, "/modules/basics/lessons/lesson-two") == first_lesson


def test_oversized_body_is_refused_cleanly(client, auth):
    auth.register()
    token = csrf_token(client, "/modules/basics/lessons/lesson-two")
    response = client.post("/modules/basics/reflections/my-practice", data={"csrf_token": token, "revision": "0",
                                                                           "text": "x" * 600_000})
    assert response.status_code == 413
    assert "larger than this site accepts" in response.get_data(as_text=True)


@pytest.fixture
def content_root(tmp_path):
    """A private copy of the fixture course that a test may edit while the app runs."""
    import shutil

    from .conftest import FIXTURE_COURSE

    root = tmp_path / "live-course"
    shutil.copytree(FIXTURE_COURSE, root)
    return root


def test_an_edited_lesson_shows_on_the_next_request_and_a_broken_edit_keeps_the_last_good_version(
        client, auth, content_root):
    import os
    import time

    auth.register()
    assert "Lesson One" in client.get("/modules/basics").get_data(as_text=True)
    lesson = content_root / "modules" / "01-basics" / "01-one.md"
    lesson.write_text(lesson.read_text().replace("title: Lesson One", "title: Lesson One, revised"))
    os.utime(lesson, ns=(time.time_ns(), time.time_ns() + 1_000_000))
    assert "Lesson One, revised" in client.get("/modules/basics").get_data(as_text=True)
    lesson.write_text(lesson.read_text().replace("minutes: 4", "minutes: four"))
    os.utime(lesson, ns=(time.time_ns(), time.time_ns() + 2_000_000))
    broken = client.get("/modules/basics")
    assert broken.status_code == 200 and "Lesson One, revised" in broken.get_data(as_text=True)
    assert "minutes: must be a whole number" not in broken.get_data(as_text=True)  # learners see no banner


def test_a_lesson_image_is_served_from_its_module_folder(client, auth, content_root):
    import os
    import time

    images = content_root / "modules" / "01-basics" / "images"
    images.mkdir()
    (images / "stance.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')
    lesson = content_root / "modules" / "01-basics" / "01-one.md"
    lesson.write_text(lesson.read_text() + "\n![Two stances side by side](images/stance.svg)\n")
    os.utime(lesson, ns=(time.time_ns(), time.time_ns() + 1_000_000))
    auth.register()
    page = client.get("/modules/basics/lessons/lesson-one").get_data(as_text=True)
    assert 'src="/media/01-basics/images/stance.svg"' in page and 'alt="Two stances side by side"' in page
    with client.get("/media/01-basics/images/stance.svg") as image:
        assert image.status_code == 200 and image.mimetype == "image/svg+xml"


def test_query_counts_do_not_grow_with_the_number_of_lessons(app, client, auth, content_root, database_url):
    """The same learner's pages cost the same queries on a course with three times as many lessons."""
    auth.register()
    client.get("/modules/basics/lessons/lesson-one")
    small = (count_queries(app, client, "/dashboard"), count_queries(app, client, "/modules/basics/lessons/lesson-one"),
             count_queries(app, client, "/modules/basics"))
    folder = content_root / "modules" / "01-basics"
    for number in range(3, 9):
        (folder / f"0{number}-extra.md").write_text(f"---\nid: extra-{number}\ntitle: Extra {number}\nminutes: 1\n---\nText.\n")
    bigger = create_app({**{k: app.config[k] for k in ("SECRET_KEY", "SIGNING_KEY_FILE")},
                         "DATABASE_URL": database_url, "CONTENT_ROOT": str(content_root), "RATELIMIT_ENABLED": False})
    other = bigger.test_client()
    type(auth)(other).login()
    for number in range(3, 9):
        other.get(f"/modules/basics/lessons/extra-{number}")
    other.get("/modules/basics/lessons/lesson-one")
    large = (count_queries(bigger, other, "/dashboard"), count_queries(bigger, other, "/modules/basics/lessons/lesson-one"),
             count_queries(bigger, other, "/modules/basics"))
    with bigger.app_context():
        db.engine.dispose()
    assert large == small
