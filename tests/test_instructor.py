"""Instructors follow progress without reading reflections; the page's queries do not grow with learners."""
from __future__ import annotations

from .conftest import PASSWORD, csrf_token
from .test_learning import count_queries


def make_instructor(app, auth, runner):
    auth.register(email="teacher@example.org", name="Tess Teacher")
    runner.invoke(args=["users", "set-role", "teacher@example.org", "instructor"])
    auth.logout()
    auth.login(email="teacher@example.org", password=PASSWORD)


def learner_with_reflection(app, auth, email):
    other = app.test_client()
    type(auth)(other).register(email=email, name="Lee Learner")
    token = csrf_token(other, "/modules/basics/lessons/lesson-two")
    other.post("/modules/basics/reflections/my-practice", json={"text": "A private thought about my client", "revision": 0},
               headers={"X-CSRFToken": token})
    other.post("/modules/basics/lessons/lesson-one/complete", data={"csrf_token": token})
    return other


def test_learners_cannot_open_instructor_pages(client, auth):
    auth.register()
    assert client.get("/instructor/").status_code == 403


def test_overview_shows_progress_but_never_reflection_text(app, client, auth, runner):
    learner_with_reflection(app, auth, "lee@example.org")
    make_instructor(app, auth, runner)
    page = client.get("/instructor/").get_data(as_text=True)
    assert "Lee Learner" in page and "1 of 2" in page  # modules started
    assert "A private thought" not in page
    learner = client.get("/instructor/learners/1").get_data(as_text=True)
    assert "1 of 2 lessons completed" in learner and "1 of 1 required reflections" in learner
    assert "A private thought" not in learner


def test_overview_queries_do_not_grow_with_learners(app, client, auth, runner):
    learner_with_reflection(app, auth, "one@example.org")
    make_instructor(app, auth, runner)
    few = count_queries(app, client, "/instructor/")
    for number in range(4):
        learner_with_reflection(app, auth, f"more{number}@example.org")
    assert count_queries(app, client, "/instructor/") == few


def test_journal_pdf_holds_the_learners_text(client, auth):
    import io

    from pypdf import PdfReader

    auth.register(name="Nguyễn Thị Minh Khai")
    token = csrf_token(client, "/modules/basics/lessons/lesson-two")
    client.post("/modules/basics/reflections/my-practice", json={"text": "Listening first, 王小明 noted.", "revision": 0},
                headers={"X-CSRFToken": token})
    response = client.get("/journal.pdf")
    assert response.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "Nguyễn Thị Minh Khai" in text and "Listening first, 王小明 noted." in text and "Not written yet." in text


def test_instructor_downloads_evaluations_without_names(app, client, auth, runner, fresh):
    from course_app.models import Evaluation

    learner_with_reflection(app, auth, "lee@example.org")
    with app.app_context():
        from course_app.extensions import db
        db.session.add(Evaluation(user_id=1, module_id="basics", answers={"objectives-met": "5", "comments": "=SUM(A1)"}))
        db.session.commit()
    make_instructor(app, auth, runner)
    text = client.get("/instructor/evaluations.csv").data.decode("utf-8-sig")
    header, row = text.splitlines()[:2]
    assert header.startswith("module,submitted_at,objectives-met")
    assert row.startswith("basics,") and ",5," in row and "'=SUM(A1)" in row and "Lee" not in text
