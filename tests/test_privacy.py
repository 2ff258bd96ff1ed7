"""Privacy: Download my data, Delete my account (certificates stay verifiable, detached), the privacy
page, the operator commands, and the end of the retention period."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

from sqlalchemy import func, select, update

from course_app.extensions import db
from course_app.models import Certificate, Evaluation, LessonProgress, QuizAttempt, Reflection, User

from .conftest import PASSWORD, csrf_token
from .test_certificates import REFLECTION, earn_certificate, page_text
from .test_security_log import security_lines  # noqa: F401 - fixture


def count(fresh, model) -> int:
    return fresh.scalar(select(func.count()).select_from(model))


def delete_account(client, password=PASSWORD):
    return client.post("/privacy/delete", data={"csrf_token": csrf_token(client, "/privacy/delete"),
                                                "password": password}, follow_redirects=True)


def test_download_my_data_holds_every_record_and_the_certificate_pdfs(client, auth, fresh, app, security_lines):
    code = earn_certificate(client, auth, fresh, app)
    response = client.get("/privacy/my-data.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "no-store" in response.headers["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    data = json.loads(archive.read("my-data.json"))
    assert data["profile"]["email"] == "ana@example.org" and data["profile"]["full_name"] == "Ana Ortiz"
    assert {p["lesson_id"] for p in data["lesson_progress"]} == {"lesson-one", "lesson-two"}
    assert data["reflections"][0]["text"] == REFLECTION
    assert data["quiz_attempts"][0]["passed"] is True and data["evaluations"][0]["answers"]
    assert data["certificates"][0]["code"] == code
    assert archive.read(f"certificates/certificate-{code}.pdf").startswith(b"%PDF")
    assert "password_hash" not in json.dumps(data) and "argon2" not in json.dumps(data)
    assert security_lines.events("privacy.export")


def test_the_profile_offers_both_and_the_privacy_page_says_what_is_kept(client, auth):
    assert "Certificates already issued are kept for 7 years after issue" in page_text(client.get("/privacy/"))
    auth.register()
    page = page_text(client.get("/account/"))
    assert "Download my data" in page and "Delete my account" in page


def test_deleting_needs_the_password_again(client, auth, fresh):
    auth.register()
    response = delete_account(client, password="not my password")
    assert response.status_code == 422 and "Nothing was deleted" in page_text(response)
    assert count(fresh, User) == 1


def test_deleting_removes_the_records_and_keeps_the_certificate_verifiable(client, auth, fresh, app, security_lines):
    code = earn_certificate(client, auth, fresh, app)
    response = delete_account(client)
    assert "Your account and learning records are deleted" in page_text(response)
    assert "stays verifiable for 7 years" in page_text(response)
    for model in (User, LessonProgress, Reflection, QuizAttempt, Evaluation):
        assert count(fresh, model) == 0, model.__name__
    certificate = fresh.scalar(select(Certificate))
    assert certificate.user_id is None and certificate.participant_name == "Ana Ortiz"
    verify = page_text(client.get(f"/verify/{code}"))
    assert "Ana Ortiz" in verify and "valid" in verify.lower()
    assert client.get(f"/certificates/{code}/credential.jwt").status_code == 200
    assert client.get("/dashboard").status_code == 302  # logged out
    assert auth.login().status_code == 422  # the account is gone
    assert security_lines.events("privacy.account_deleted")[0]["certificates_kept"] == 1
    auth.register()  # the address may open a new account
    assert count(fresh, User) == 1


def test_operator_commands_export_delete_and_purge_after_retention(client, auth, fresh, app, runner, tmp_path):
    code = earn_certificate(client, auth, fresh, app)
    out = tmp_path / "ana.zip"
    result = runner.invoke(args=["users", "export", "ana@example.org", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(zipfile.ZipFile(out).read("my-data.json"))["certificates"][0]["code"] == code
    result = runner.invoke(args=["users", "delete", "ana@example.org", "--yes"])
    assert result.exit_code == 0 and "1 certificate(s) kept, verifiable for 7 years" in result.output
    assert count(fresh, User) == 0
    assert "deleted 0 certificate(s)" in runner.invoke(args=["course", "purge-certificates"]).output
    assert client.get(f"/verify/{code}").status_code == 200
    with app.app_context():
        old = fresh.scalar(select(Certificate)).issued_at - timedelta(days=7 * 366)
        db.session.execute(update(Certificate).values(issued_at=old))
        db.session.commit()
    assert "deleted 1 certificate(s)" in runner.invoke(args=["course", "purge-certificates"]).output
    assert client.get(f"/verify/{code}").status_code == 404


def test_unknown_account_for_operator_commands(runner):
    assert "no account with email" in runner.invoke(args=["users", "delete", "x@example.org", "--yes"]).output


def test_the_export_never_reveals_which_answers_were_right_before_a_pass(client, auth, fresh, app):
    from course_app.course_store import current_course

    from .test_certificates import correct_answers, post_with_token

    auth.register()
    for lesson in ("lesson-one", "lesson-two"):
        post_with_token(client, f"/modules/basics/lessons/{lesson}/complete", page=f"/modules/basics/lessons/{lesson}")
    client.post("/modules/basics/reflections/my-practice", json={"text": REFLECTION, "revision": 0},
                headers={"X-CSRFToken": csrf_token(client, "/modules/basics/lessons/lesson-two")})
    attempt = post_with_token(client, "/modules/basics/quiz/attempts", page="/modules/basics/quiz").location
    with app.app_context():
        row = db.session.scalar(select(QuizAttempt))
        layout, revision = row.layout, row.revision
        answers = correct_answers(current_course().module("basics").quiz.spec, layout)
    for name in ("q-first-question", "q-scope"):  # two of five wrong: 60%, a fail
        answers[name] = "2" if answers[name] == "1" else "1"
    post_with_token(client, attempt, {"revision": str(revision), **answers}, page=attempt)
    assert fresh.scalar(select(QuizAttempt)).passed is False
    data = json.loads(zipfile.ZipFile(io.BytesIO(client.get("/privacy/my-data.zip").data)).read("my-data.json"))
    (exported,) = data["quiz_attempts"]
    assert exported["passed"] is False and "results" not in exported and exported["score"] is not None
