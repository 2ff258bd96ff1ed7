"""Every request is all or nothing, on SQLite as on PostgreSQL: a request that fails (or whose worker is
killed) after adding a row leaves nothing behind, and trying again works. Certificates saved without
their files by an older failure are completed. A double submit of a post-test shows its result."""
from __future__ import annotations

import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import undefer

from course_app.models import Certificate, Evaluation, LessonProgress, QuizAttempt, Reflection, User

from .conftest import csrf_token
from .test_assessment import full_answers, ready_for_quiz
from .test_assessment import start as start_quiz
from .test_certificates import EVALUATION, earn_certificate, pass_basics, post_with_token

ROOT = Path(__file__).resolve().parent.parent


def fail_after(monkeypatch, module, name: str):
    """Make module.name do its work (rows added, savepoints released), then raise before the commit."""
    real = getattr(module, name)

    def failing(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError(f"simulated failure after {name}")

    monkeypatch.setattr(module, name, failing)
    return lambda: monkeypatch.setattr(module, name, real)


def count(fresh, model, *where) -> int:
    return fresh.scalar(select(func.count()).select_from(model).where(*where))


def assert_complete(client, fresh, code: str) -> None:
    """The certificate has a real PDF and its verification page confirms the signature."""
    certificate = fresh.scalar(select(Certificate).options(undefer(Certificate.pdf)).where(Certificate.code == code))
    assert certificate.pdf and certificate.pdf.startswith(b"%PDF") and certificate.signed_credential
    page = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "Cannot be confirmed" not in page and "Valid" in page


# --- a failure after the row is added -------------------------------------------------------------

def test_a_certificate_whose_rendering_fails_leaves_no_row_and_a_retry_issues_it_whole(
        client, auth, fresh, app, monkeypatch):
    import course_app.certificates.documents as documents

    pass_basics(client, auth, fresh, app)
    real = documents.render_documents

    def broken(*args, **kwargs):
        raise RuntimeError("the PDF could not be drawn")

    monkeypatch.setattr(documents, "render_documents", broken)
    response = post_with_token(client, "/modules/basics/evaluation", EVALUATION, page="/modules/basics/evaluation")
    assert response.status_code == 500 and "Anything you had already saved is safe" in response.get_data(as_text=True)
    assert count(fresh, Certificate) == 0 and count(fresh, Evaluation) == 0

    monkeypatch.setattr(documents, "render_documents", real)
    response = post_with_token(client, "/modules/basics/evaluation", EVALUATION, page="/modules/basics/evaluation")
    assert response.status_code == 302 and "/certificates/" in response.location
    code = urlsplit(response.location).path.rsplit("/", 1)[1]
    assert count(fresh, Certificate) == 1 and count(fresh, Evaluation) == 1
    assert_complete(client, fresh, code)


def test_registration_that_fails_after_the_insert_leaves_no_account(client, auth, fresh, monkeypatch):
    import course_app.auth.recovery as recovery  # registration's operations (issue 11)

    restore = fail_after(monkeypatch, recovery, "register")
    assert auth.register(follow=False).status_code == 500
    assert count(fresh, User) == 0
    restore()
    assert auth.register(follow=False).status_code == 303
    assert count(fresh, User) == 1


def test_a_reflection_save_that_fails_is_not_half_kept(client, auth, fresh, monkeypatch):
    import course_app.assessment.views as views

    auth.register()
    token = csrf_token(client, "/modules/basics/lessons/lesson-two")
    save = {"text": "I asked before I advised.", "revision": 0}
    restore = fail_after(monkeypatch, views, "save_reflection")
    response = client.post("/modules/basics/reflections/my-practice", json=save, headers={"X-CSRFToken": token})
    assert response.status_code == 500 and "error" in response.get_json()  # the script keeps its copy
    assert count(fresh, Reflection) == 0
    restore()
    response = client.post("/modules/basics/reflections/my-practice", json=save, headers={"X-CSRFToken": token})
    assert response.status_code == 200 and response.get_json()["revision"] == 1
    assert fresh.scalar(select(Reflection)).text == save["text"]


def test_a_lesson_visit_that_fails_records_nothing(client, auth, fresh, monkeypatch):
    import course_app.learning.views as views

    auth.register()
    restore = fail_after(monkeypatch, views, "visit_lesson")
    assert client.get("/modules/basics/lessons/lesson-one").status_code == 500
    assert count(fresh, LessonProgress) == 0
    restore()
    assert client.get("/modules/basics/lessons/lesson-one").status_code == 200
    assert count(fresh, LessonProgress) == 1


def test_a_quiz_start_and_submit_that_fail_change_nothing(client, auth, fresh, monkeypatch):
    import course_app.assessment.views as views

    token = ready_for_quiz(client, auth)
    restore = fail_after(monkeypatch, views, "start_attempt")
    assert client.post("/modules/basics/quiz/attempts", data={"csrf_token": token}).status_code == 500
    assert count(fresh, QuizAttempt) == 0
    restore()
    url = start_quiz(client, token)

    form = full_answers(fresh, token)
    restore = fail_after(monkeypatch, views, "submit_attempt")
    assert client.post(url, data=form).status_code == 500
    attempt = fresh.scalar(select(QuizAttempt))
    assert attempt.submitted_at is None and attempt.score is None and attempt.answers == {}
    restore()
    assert client.post(url, data=form).status_code == 302
    assert float(fresh.scalar(select(QuizAttempt)).score) == 100.0


def test_an_evaluation_that_fails_keeps_neither_it_nor_a_certificate(client, auth, fresh, app, monkeypatch):
    import course_app.certificates.views as views

    pass_basics(client, auth, fresh, app)
    restore = fail_after(monkeypatch, views, "record_evaluation")
    response = post_with_token(client, "/modules/basics/evaluation", EVALUATION, page="/modules/basics/evaluation")
    assert response.status_code == 500
    assert count(fresh, Evaluation) == 0 and count(fresh, Certificate) == 0
    restore()
    response = post_with_token(client, "/modules/basics/evaluation", EVALUATION, page="/modules/basics/evaluation")
    assert response.status_code == 302 and count(fresh, Certificate) == 1


def test_a_reissue_that_fails_leaves_the_old_certificate_valid_and_alone(client, auth, fresh, app, monkeypatch):
    import course_app.certificates.views as views

    code = earn_certificate(client, auth, fresh, app)
    restore = fail_after(monkeypatch, views, "reissue")
    response = post_with_token(client, f"/certificates/{code}/reissue", page=f"/certificates/{code}")
    assert response.status_code == 500
    assert count(fresh, Certificate) == 1
    assert fresh.scalar(select(Certificate)).status == "valid"
    restore()
    response = post_with_token(client, f"/certificates/{code}/reissue", page=f"/certificates/{code}")
    assert response.status_code == 302
    new_code = urlsplit(response.location).path.rsplit("/", 1)[1]
    assert count(fresh, Certificate) == 2
    assert fresh.scalar(select(Certificate).where(Certificate.code == code)).status == "superseded"
    assert_complete(client, fresh, new_code)


# --- a worker killed while it issues a certificate --------------------------------------------------

KILLED_WORKER = textwrap.dedent("""
    import os, re, signal, sys
    import course_app.certificates.documents as documents
    from course_app import create_app

    database_url, key_file, content_root, cookie = sys.argv[1:5]
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "test-secret", "TESTING": True,
                      "CONTENT_ROOT": content_root, "SIGNING_KEY_FILE": key_file, "RATELIMIT_ENABLED": False,
                      "PUBLIC_BASE_URL": "https://ce.example.org"})
    client = app.test_client()
    client.set_cookie("session", cookie)
    page = client.get("/modules/basics/evaluation").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    def die(*args, **kwargs):  # the certificate row is in; the PDF is not drawn yet
        os.kill(os.getpid(), signal.SIGKILL)

    documents.render_documents = die
    client.post("/modules/basics/evaluation", data={"csrf_token": token, **dict(a.split("=", 1) for a in sys.argv[5:])})
    sys.exit("the worker should have died")
""")


def test_a_worker_killed_mid_issue_leaves_nothing_half_saved(client, auth, fresh, app, database_url,
                                                              signing_key_file, content_root):
    pass_basics(client, auth, fresh, app)
    cookie = client.get_cookie("session").value
    fields = [f"{name}={value}" for name, value in EVALUATION.items()]
    result = subprocess.run([sys.executable, "-c", KILLED_WORKER, database_url, signing_key_file, str(content_root),
                             cookie, *fields], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == -signal.SIGKILL, result.stderr[-2000:]
    assert count(fresh, Certificate) == 0 and count(fresh, Evaluation) == 0

    response = post_with_token(client, "/modules/basics/evaluation", EVALUATION, page="/modules/basics/evaluation")
    assert response.status_code == 302
    assert_complete(client, fresh, urlsplit(response.location).path.rsplit("/", 1)[1])


# --- certificates left without their files by an older failure ------------------------------------

def break_files(app, code: str) -> None:
    """Make the row look like one saved before this fix: no PDF, no signed credential."""
    from course_app.extensions import db

    with app.app_context():
        db.session.execute(update(Certificate).where(Certificate.code == code).values(pdf=None, signed_credential=None))
        db.session.commit()


@pytest.mark.parametrize("opened", ["/certificates/{code}", "/certificates/{code}.pdf", "/verify/{code}",
                                    "claim"])
def test_a_certificate_saved_without_its_files_is_completed_on_the_next_request(client, auth, fresh, app, opened):
    code = earn_certificate(client, auth, fresh, app)
    break_files(app, code)
    if opened == "claim":
        response = post_with_token(client, "/modules/basics/certificate", page="/modules/basics")
        assert response.status_code == 302 and code in response.location
    else:
        assert client.get(opened.format(code=code)).status_code == 200
    assert count(fresh, Certificate) == 1
    assert_complete(client, fresh, code)
    assert client.get(f"/certificates/{code}.pdf").data.startswith(b"%PDF")


def test_repair_certificates_command_completes_every_broken_row(client, auth, fresh, app, runner):
    code = earn_certificate(client, auth, fresh, app)
    break_files(app, code)
    result = runner.invoke(args=["course", "repair-certificates"])
    assert result.exit_code == 0 and f"repaired {code}" in result.output and "1 certificate(s)" in result.output
    assert_complete(client, fresh, code)
    again = runner.invoke(args=["course", "repair-certificates"])
    assert "0 certificate(s) repaired" in again.output


# --- double submit -------------------------------------------------------------------------------

def test_a_double_submit_of_a_post_test_shows_that_attempts_result(client, auth, fresh):
    token = ready_for_quiz(client, auth)
    url = start_quiz(client, token)
    form = full_answers(fresh, token)
    assert client.post(url, data=form).status_code == 302
    again = client.post(url, data=form, follow_redirects=True)
    text = again.get_data(as_text=True)
    assert again.status_code == 200 and again.request.path == url
    assert "already submitted" in text and "100%" in text and "Passed" in text


def test_a_submit_that_loses_the_race_shows_the_result_not_an_error(client, auth, fresh, monkeypatch):
    """The second click arrives while the first is being graded: its update finds the attempt closed."""
    import course_app.assessment.views as views
    from course_app.assessment import attempts

    token = ready_for_quiz(client, auth)
    url = start_quiz(client, token)
    form = full_answers(fresh, token)
    real = attempts.submit_attempt

    def first_click_wins(attempt, quiz, answers):  # the other request commits between our read and update
        real(attempt, quiz, answers)
        from course_app.extensions import db
        db.session.commit()
        return real(attempt, quiz, answers)

    monkeypatch.setattr(views, "submit_attempt", first_click_wins)
    response = client.post(url, data=form)
    assert response.status_code == 303 and urlsplit(response.location).path == url
    page = client.get(url).get_data(as_text=True)
    assert "already submitted" in page and "100%" in page
    assert count(fresh, QuizAttempt, QuizAttempt.submitted_at.is_not(None)) == 1
    assert re.search(r"Passed", page)
