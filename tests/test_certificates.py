"""Certificates as a learner, a verifier and an operator meet them: issue, files, verification, reissue,
revocation, access, transcript, evaluation, issuer profile and rate limit. Every test runs on SQLite and
PostgreSQL (the `database_url` fixture)."""
from __future__ import annotations

import base64
import csv
import html
import io
import json
import re
import shutil
import threading
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pypdf
import pytest
from sqlalchemy import func, select, update

from course_app import create_app
from course_app.certificates.issuance import issue, local_date, module_subject
from course_app.course_store import current_course
from course_app.extensions import db, limiter
from course_app.models import Certificate, Evaluation, QuizAttempt, User, utcnow

from .conftest import FIXTURE_COURSE, csrf_token

EVALUATION = {"item_objectives_met": "5", "item_relevance": "4", "item_quality": "5", "item_level": "4",
              "item_recommend": "yes", "item_comments": "Clear and practical.",
              "item_commercial_bias": "yes", "item_practice_change": "Ask before I advise.",
              "item_objective_describe_partnership": "4", "item_objective_apply_five_steps": "4"}
REFLECTION = "I listened to a parent describe breakfast before I suggested anything at all."
WELL_FORMED_UNKNOWN = "0000-0000-0000-0000-0000-0000-00"


# --- helpers -------------------------------------------------------------------------------------

@pytest.fixture
def content_root(tmp_path) -> Path:
    """A private copy of the fixture course, so a test may change the content after a certificate."""
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_COURSE, root)
    return root


def post_with_token(client, url: str, data: dict | None = None, page: str = "/modules", **kwargs):
    payload = {"csrf_token": csrf_token(client, page), **(data or {})}
    return client.post(url, data=payload, **kwargs)


def correct_answers(spec, layout: list[dict]) -> dict:
    """Form fields that answer every question of an attempt correctly, by position in its frozen layout."""
    form: dict = {}
    for entry in layout:
        q = next(q for q in spec.questions if q.id == entry["id"])
        order, name = entry["order"], f"q-{q.id}"

        def position(option_id: str, order=order) -> str:
            return str(order.index(option_id) + 1)

        if q.type == "single":
            form[name] = position(next(c.id for c in q.choices if c.correct))
        elif q.type == "true_false":
            form[name] = position("true" if q.correct else "false")
        elif q.type == "multiple":
            form[name] = [position(c.id) for c in q.choices if c.correct]
        elif q.type == "matching":
            for row, pair in enumerate(q.pairs, 1):
                form[f"{name}-{row}"] = position(pair.id)
        else:  # ordering: each shown item gets its rank in the authored order
            authored = [item.id for item in q.items]
            for shown, item_id in enumerate(order, 1):
                form[f"{name}-{shown}"] = str(authored.index(item_id) + 1)
    return form


def provider_today(app) -> date:
    """Today in the provider's time zone, the date certificates carry (UTC's is a day ahead late at night)."""
    with app.app_context():
        return local_date(utcnow())


def user_id(fresh, email: str) -> int:
    return fresh.scalar(select(User).where(User.email == email)).id


def pass_basics(client, auth, fresh, app, email="ana@example.org", name="Ana Ortiz") -> None:
    """Register and do everything module `basics` asks for up to a passed post-test."""
    response = auth.register(email=email, name=name)
    assert response.status_code == 200, response.get_data(as_text=True)
    for lesson in ("lesson-one", "lesson-two"):
        page = f"/modules/basics/lessons/{lesson}"
        response = post_with_token(client, f"{page}/complete", page=page)
        assert response.status_code == 302, response.get_data(as_text=True)
    token = csrf_token(client, "/modules/basics/lessons/lesson-two")
    response = client.post("/modules/basics/reflections/my-practice", json={"text": REFLECTION, "revision": 0},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.get_data(as_text=True)
    response = post_with_token(client, "/modules/basics/quiz/attempts", page="/modules/basics/quiz")
    assert response.status_code == 302, response.get_data(as_text=True)
    attempt_url = urlsplit(response.headers["Location"]).path
    uid = user_id(fresh, email)
    attempt = fresh.scalar(select(QuizAttempt).where(QuizAttempt.user_id == uid, QuizAttempt.module_id == "basics"))
    with app.app_context():
        spec = current_course().module("basics").quiz.spec
    form = {"revision": str(attempt.revision), **correct_answers(spec, attempt.layout)}
    response = post_with_token(client, attempt_url, form, page=attempt_url)
    assert response.status_code == 302, response.get_data(as_text=True)
    attempt = fresh.scalar(select(QuizAttempt).where(QuizAttempt.id == attempt.id))
    assert attempt.passed, attempt.results


def earn_certificate(client, auth, fresh, app, email="ana@example.org", name="Ana Ortiz") -> str:
    """Drive the real endpoints to a certificate and return its code."""
    pass_basics(client, auth, fresh, app, email=email, name=name)
    response = post_with_token(client, "/modules/basics/evaluation", EVALUATION, page="/modules/basics/evaluation")
    assert response.status_code == 302, response.get_data(as_text=True)
    match = re.fullmatch(r"/certificates/([0-9A-Z-]+)", urlsplit(response.headers["Location"]).path)
    assert match, response.headers["Location"]
    return match.group(1)


def certificate_count(fresh) -> int:
    return fresh.scalar(select(func.count()).select_from(Certificate))


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def page_text(response) -> str:
    """The response's HTML with tags dropped and whitespace collapsed, as a reader sees it."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


# --- 1. issue, page, PDF and signed credential ------------------------------------------------------

def test_evaluation_issues_a_certificate_whose_page_and_files_state_the_facts(client, auth, fresh, app,
                                                                              runner, tmp_path):
    code = earn_certificate(client, auth, fresh, app)
    assert certificate_count(fresh) == 1

    page = client.get(f"/certificates/{code}")
    assert page.status_code == 200
    text = page_text(page)
    for expected in ["Certificate of completion", "Valid", "Ana Ortiz, OTR/L", "License OT-12345 (NY)",
                     "Coaching Basics", "0.25 (0.025 AOTA CEUs)", "Introductory", "Test Provider · AOTA 9999",
                     code, provider_today(app).strftime("%B %-d, %Y")]:
        assert expected in text, expected

    pdf = client.get(f"/certificates/{code}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert f'filename="certificate-{code}.pdf"' in pdf.headers["Content-Disposition"]
    extracted = pdf_text(pdf.data)
    assert "Ana Ortiz" in extracted and code in extracted

    jwt = client.get(f"/certificates/{code}/credential.jwt")
    assert jwt.status_code == 200 and jwt.mimetype == "application/vc+jwt"
    good = tmp_path / "credential.jwt"
    good.write_bytes(jwt.data)
    result = runner.invoke(args=["course", "verify-credential", str(good)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("VALID") and "Coaching Basics" in result.output and code in result.output

    # The same token with its claims edited to more hours, the signature left as it was.
    header, payload, signature = jwt.get_data(as_text=True).strip().split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["credentialSubject"]["creditsEarned"] == 0.25
    claims["credentialSubject"]["creditsEarned"] = 40
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    tampered = tmp_path / "tampered.jwt"
    tampered.write_text(f"{header}.{forged}.{signature}")
    result = runner.invoke(args=["course", "verify-credential", str(tampered)])
    assert result.exit_code == 1 and result.output.startswith("INVALID"), result.output


# --- 2. exactly one certificate, however many requests ---------------------------------------------

def test_fifty_parallel_issues_and_a_double_click_make_exactly_one_certificate(client, auth, fresh, app):
    pass_basics(client, auth, fresh, app)
    learner = fresh.scalar(select(User).where(User.email == "ana@example.org"))
    with app.app_context():  # evaluated, but not yet issued: the race below is the first issue
        db.session.add(Evaluation(user_id=learner.id, module_id="basics", answers={"recommend": "yes"}))
        db.session.commit()
    assert certificate_count(fresh) == 0

    start = threading.Barrier(50)
    errors: list[BaseException] = []
    codes: list[str] = []

    def worker() -> None:
        try:
            with app.app_context():  # each thread is its own worker, with its own connection
                course = current_course()
                start.wait(timeout=30)
                certificate = issue(learner, module_subject(course.module("basics")), course, date.today())
                db.session.commit()
                codes.append(certificate.code)
        except BaseException as error:  # noqa: BLE001 - every failure is reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == [], f"{len(errors)} of 50 issues raised, first: {errors[:1]!r}"
    assert certificate_count(fresh) == 1
    (only,) = fresh.scalars(select(Certificate))
    assert set(codes) == {only.code} and len(codes) == 50

    for _ in range(2):  # "Get my certificate", clicked twice
        response = post_with_token(client, "/modules/basics/certificate", page="/modules/basics")
        assert response.status_code == 302
        assert urlsplit(response.headers["Location"]).path == f"/certificates/{only.code}"
    assert certificate_count(fresh) == 1


def test_issue_works_in_a_bare_app_context(client, auth, fresh, app):
    pass_basics(client, auth, fresh, app)
    learner = fresh.scalar(select(User).where(User.email == "ana@example.org"))
    with app.app_context():
        course = current_course()
        issue(learner, module_subject(course.module("basics")), course, date.today())
        db.session.commit()
    assert certificate_count(fresh) == 1


# --- 3. public verification, revocation, reissue -----------------------------------------------------

def test_verification_finds_a_code_however_it_is_typed_and_explains_what_it_cannot(client, auth, fresh, app):
    code = earn_certificate(client, auth, fresh, app)
    client.delete_cookie("session")  # a verifier has no account

    page = client.get(f"/verify/{code}")
    assert page.status_code == 200
    text = page_text(page)
    assert "Valid." in text and "Ana Ortiz" in text and "Coaching Basics" in text

    typed = " ".join(code.replace("-", "").lower()[i:i + 4] for i in range(0, 26, 4))
    response = client.get("/verify", query_string={"code": typed})
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == f"/verify/{code}"

    missing = client.get(f"/verify/{WELL_FORMED_UNKNOWN}")
    assert missing.status_code == 404
    assert "No certificate with this code" in page_text(missing)
    assert "Ana Ortiz" not in page_text(missing)

    malformed = client.get("/verify", query_string={"code": "ABC-123"})
    assert malformed.status_code == 400
    assert "A certificate code has 26 letters and digits" in page_text(malformed)
    assert 'value="ABC-123"' in malformed.get_data(as_text=True)  # what was typed stays in the box


def test_a_revoked_certificate_shows_revoked_with_its_reason(client, auth, fresh, app, runner):
    code = earn_certificate(client, auth, fresh, app)

    result = runner.invoke(args=["course", "revoke", code.lower(), "--reason", "Issued in error"])
    assert result.exit_code == 0, result.output
    assert f"revoked {code}" in result.output

    text = page_text(client.get(f"/verify/{code}"))
    assert "Revoked" in text and "Reason: Issued in error" in text and "Valid." not in text
    assert "Revoked" in page_text(client.get(f"/certificates/{code}"))

    again = runner.invoke(args=["course", "revoke", code, "--reason", "Twice"])
    assert again.exit_code != 0 and "already revoked" in again.output
    unknown = runner.invoke(args=["course", "revoke", WELL_FORMED_UNKNOWN, "--reason", "x"])
    assert unknown.exit_code != 0 and "no certificate" in unknown.output


def test_reissue_after_a_name_change_supersedes_the_old_certificate(client, auth, fresh, app, content_root):
    code = earn_certificate(client, auth, fresh, app)
    # The certificate was earned a while ago, and the course has since been revised to more hours.
    with app.app_context():
        db.session.execute(update(Certificate).where(Certificate.code == code)
                           .values(completed_on=date(2025, 1, 15)))
        db.session.commit()
    module_file = content_root / "modules" / "01-basics" / "module.md"
    module_file.write_text(module_file.read_text().replace("contact_hours: 0.25", "contact_hours: 1.5"))
    assert "1.5 contact hours" in page_text(client.get("/modules/basics"))  # the revision is live

    response = post_with_token(client, "/account/", {
        "full_name": "Ana Ortiz-Reyes", "credential": "OTR/L", "license_number": "OT-12345",
        "license_state": "NY"}, page="/account/")
    assert response.status_code == 302
    assert "Your name or credential has changed" in page_text(client.get(f"/certificates/{code}"))

    response = post_with_token(client, f"/certificates/{code}/reissue", page=f"/certificates/{code}")
    assert response.status_code == 302
    new_code = urlsplit(response.headers["Location"]).path.rsplit("/", 1)[1]
    assert new_code != code

    old_page = client.get(f"/verify/{code}")
    old = page_text(old_page)
    assert "Superseded" in old and "Valid." not in old
    assert f'href="/verify/{new_code}"' in old_page.get_data(as_text=True)
    new = page_text(client.get(f"/verify/{new_code}"))
    assert "Valid." in new and "Ana Ortiz-Reyes, OTR/L" in new
    assert "January 15, 2025" in new and "0.25 (0.025 AOTA CEUs)" in new

    old_row = fresh.scalar(select(Certificate).where(Certificate.code == code))
    new_row = fresh.scalar(select(Certificate).where(Certificate.code == new_code))
    assert (new_row.completed_on, new_row.contact_hours, new_row.ceus) == \
        (date(2025, 1, 15), old_row.contact_hours, old_row.ceus)
    assert str(new_row.contact_hours.normalize()) == "0.25"
    assert new_row.generation == 2 and old_row.superseded_by_id == new_row.id
    assert "Ana Ortiz-Reyes" in pdf_text(client.get(f"/certificates/{new_code}.pdf").data)

    again = post_with_token(client, f"/certificates/{code}/reissue", page=f"/certificates/{new_code}")
    assert again.status_code == 409  # a superseded certificate is not reissued a second time
    assert certificate_count(fresh) == 2


# --- 4. who may see a certificate -------------------------------------------------------------------

def test_only_the_learner_sees_downloads_or_reissues_their_certificate(client, auth, fresh, app):
    code = earn_certificate(client, auth, fresh, app)

    client.delete_cookie("session")
    for path in (f"/certificates/{code}", f"/certificates/{code}.pdf"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert urlsplit(response.headers["Location"]).path == "/account/login", path
    response = post_with_token(client, f"/certificates/{code}/reissue", page="/account/login")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/account/login"

    auth.register(email="ben@example.org", name="Ben Other")
    for path in (f"/certificates/{code}", f"/certificates/{code}.pdf"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Ana Ortiz" not in response.get_data(as_text=True)
    response = post_with_token(client, f"/certificates/{code}/reissue")
    assert response.status_code == 404
    assert certificate_count(fresh) == 1
    assert fresh.scalar(select(Certificate)).superseded_at is None


# --- 5. transcript -------------------------------------------------------------------------------

def test_transcript_lists_certificates_with_hours_and_ceus_in_a_date_range(client, auth, fresh, app):
    code = earn_certificate(client, auth, fresh, app)

    response = client.get("/certificates/transcript.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(rows) == 1
    row = rows[0]
    assert (row["participant"], row["course"], row["contact_hours"], row["ceus"], row["certificate_code"],
            row["status"], row["completion_date"]) == \
        ("Ana Ortiz", "Coaching Basics", "0.25", "0.025", code, "valid", provider_today(app).isoformat())

    today = provider_today(app).isoformat()
    within = client.get("/certificates/transcript.csv", query_string={"from": today, "to": today})
    assert len(list(csv.DictReader(io.StringIO(within.data.decode("utf-8-sig"))))) == 1
    future = client.get("/certificates/transcript.csv", query_string={"from": "2999-01-01"})
    assert future.status_code == 200
    lines = future.data.decode("utf-8-sig").splitlines()
    assert len(lines) == 1 and lines[0].startswith("participant,")

    bad = client.get("/certificates/transcript.csv", query_string={"from": "not-a-date"})
    assert bad.status_code == 422
    assert "From: 'not-a-date' is not a date like 2026-01-31." in page_text(bad)
    backwards = client.get("/certificates/transcript.pdf", query_string={"from": "2026-02-01", "to": "2026-01-01"})
    assert backwards.status_code == 422
    assert "The end date is before the start date." in page_text(backwards)

    pdf = client.get("/certificates/transcript.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "Coaching Basics" in pdf_text(pdf.data)

    auth.logout()
    auth.register(email="ben@example.org", name="Ben Other")
    other = client.get("/certificates/transcript.csv")
    assert len(other.get_data(as_text=True).splitlines()) == 1  # another learner's transcript is empty


# --- 6. evaluation ---------------------------------------------------------------------------------

def test_evaluation_waits_for_the_post_test_names_missing_answers_and_is_stored_once(client, auth, fresh, app):
    auth.register()
    closed = client.get("/modules/basics/evaluation")
    assert closed.status_code == 409
    assert "The evaluation opens once you have passed the post-test." in page_text(closed)
    auth.logout()

    pass_basics(client, auth, fresh, app, email="cam@example.org", name="Cam Learner")
    partial = {k: v for k, v in EVALUATION.items() if k != "item_relevance"}
    response = post_with_token(client, "/modules/basics/evaluation", partial, page="/modules/basics/evaluation")
    assert response.status_code == 422
    assert "The content is relevant to my practice. Please answer this question." in page_text(response)
    assert fresh.scalar(select(func.count()).select_from(Evaluation)) == 0
    assert certificate_count(fresh) == 0

    first = post_with_token(client, "/modules/basics/evaluation", EVALUATION, page="/modules/basics/evaluation")
    assert first.status_code == 302 and urlsplit(first.headers["Location"]).path.startswith("/certificates/")
    second = post_with_token(client, "/modules/basics/evaluation", {**EVALUATION, "item_quality": "1"})
    assert second.status_code == 302 and urlsplit(second.headers["Location"]).path == "/modules/basics"
    (stored,) = fresh.scalars(select(Evaluation))
    assert stored.answers["quality"] == "5" and stored.answers["relevance"] == "4"
    assert certificate_count(fresh) == 1


# --- 7. issuer profile and key ---------------------------------------------------------------------

def test_issuer_profile_and_public_key_are_published(client):
    profile = client.get("/issuer")
    assert profile.status_code == 200 and profile.is_json
    assert profile.get_json()["name"] == "Test Provider"
    assert profile.get_json()["id"] == "did:web:ce.example.org"  # resolves to /.well-known/did.json

    jwks = client.get("/issuer/jwks.json")
    assert jwks.status_code == 200 and jwks.is_json
    (key,) = jwks.get_json()["keys"]
    assert (key["kty"], key["crv"]) == ("OKP", "Ed25519")
    assert "d" not in key  # the private part is never published


# --- 8. rate limit on verification ------------------------------------------------------------------

def test_verification_is_rate_limited_with_a_friendly_message(database_url, content_root, signing_key_file):
    was_enabled = limiter.enabled
    limited = create_app({
        "DATABASE_URL": database_url, "SECRET_KEY": "test-secret", "TESTING": True,
        "CONTENT_ROOT": str(content_root), "SIGNING_KEY_FILE": signing_key_file,
        "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
        "PUBLIC_BASE_URL": "https://ce.example.org"})
    try:
        client = limited.test_client()
        for number in range(1, 31):
            response = client.get(f"/verify/{WELL_FORMED_UNKNOWN}")
            assert response.status_code == 404, number
        blocked = client.get(f"/verify/{WELL_FORMED_UNKNOWN}")
        assert blocked.status_code == 429
        text = page_text(blocked)
        assert "Slow down" in text
        assert re.search(r"wait a minute|try again", text, re.I), text  # says what to do, not just the limit
        assert "Traceback" not in blocked.get_data(as_text=True)
    finally:
        limiter.enabled = was_enabled
        with limited.app_context():
            db.engine.dispose()


def test_rotating_the_key_keeps_old_credentials_verifiable(client, auth, fresh, app, runner, tmp_path):
    app.config["SIGNING_KEY_FILE"] = str(tmp_path / "keys" / "signing-key.json")  # this test's own key
    pass_basics(client, auth, fresh, app)
    response = post_with_token(client, "/modules/basics/evaluation", data=EVALUATION, page="/modules/basics/evaluation")
    code = response.location.rsplit("/", 1)[-1]
    old_file = tmp_path / "old.jwt"
    old_file.write_bytes(client.get(f"/certificates/{code}/credential.jwt").data)
    result = runner.invoke(args=["course", "rotate-key"])
    assert result.exit_code == 0 and "retired key" in result.output
    assert len(client.get("/issuer/jwks.json").get_json()["keys"]) == 2
    verified = runner.invoke(args=["course", "verify-credential", str(old_file)])
    assert verified.exit_code == 0 and verified.output.startswith("VALID"), verified.output
    assert "Valid." in client.get(f"/verify/{code}").get_data(as_text=True)


def test_the_verify_page_checks_again_when_the_stored_credential_or_the_keys_change(client, auth, fresh, app,
                                                                                  runner, tmp_path):
    """Verdicts are kept per process; a changed credential, a new key or a withdrawn key is checked afresh."""
    app.config["SIGNING_KEY_FILE"] = str(tmp_path / "keys" / "signing-key.json")  # this test's own key
    code = earn_certificate(client, auth, fresh, app)
    assert "Valid." in client.get(f"/verify/{code}").get_data(as_text=True)
    original = fresh.scalar(select(Certificate.signed_credential).where(Certificate.code == code))
    header, payload, signature = original.split(".")
    tampered = ".".join([header, payload[:-8] + ("A" * 8 if payload[-8:] != "A" * 8 else "B" * 8), signature])

    def store(text: str) -> str:
        with app.app_context():
            db.session.execute(update(Certificate).where(Certificate.code == code).values(signed_credential=text))
            db.session.commit()
        return client.get(f"/verify/{code}").get_data(as_text=True)

    assert "Cannot be confirmed" in store(tampered)
    assert "Valid." in store(original)
    assert runner.invoke(args=["course", "rotate-key"]).exit_code == 0
    assert "Valid." in client.get(f"/verify/{code}").get_data(as_text=True)  # its key is retired, still known
    (tmp_path / "keys" / "signing-key.retired.json").unlink()  # the provider withdraws the old key
    page = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "Cannot be confirmed" in page and "Valid." not in page


def test_each_learner_s_module_card_links_to_her_own_certificate(client, auth, fresh, app):
    """Cards are kept per point of progress; two learners at the same point still get their own links."""
    ana_code = earn_certificate(client, auth, fresh, app)
    auth.logout()
    ben_code = earn_certificate(client, auth, fresh, app, email="ben@example.org", name="Ben Ode")
    assert ben_code != ana_code
    for page in ("/dashboard", "/modules"):
        html = client.get(page).get_data(as_text=True)
        assert f'href="/certificates/{ben_code}">View certificate' in html and ana_code not in html
    auth.logout()
    auth.login()
    assert f'href="/certificates/{ana_code}">View certificate' in client.get("/dashboard").get_data(as_text=True)
    auth.logout()
    auth.register(email="cy@example.org", name="Cy Lee")
    html = client.get("/dashboard").get_data(as_text=True)
    assert "View certificate" not in html and "0 of 2 done" in html
