"""What a newcomer tripped over on a phone and a laptop: the next step, the post-test heading, date errors,
CSV byte-order marks, error pages, and the certificate's code. Runs on SQLite and PostgreSQL."""
from __future__ import annotations

import html
import io
import shutil
from datetime import date
from pathlib import Path

import pypdf
import pytest
from sqlalchemy import select

from course_app.certificates.issuance import issue, module_subject
from course_app.course_store import current_course
from course_app.extensions import db
from course_app.models import Certificate, Evaluation, LessonProgress, QuizAttempt, Reflection, User, utcnow

from .conftest import FIXTURE_COURSE


def finish(app, email: str, module_id: str, *, evaluated: bool = True, certified: bool = True) -> None:
    """Record every requirement of a module as met for a learner (lessons, reflections, a pass)."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        module = current_course().module(module_id)
        seen = {row.lesson_id: row for row in db.session.scalars(select(LessonProgress).where(
            LessonProgress.user_id == user.id, LessonProgress.module_id == module.id))}
        for lesson in module.lessons:
            row = seen.get(lesson.id) or LessonProgress(user_id=user.id, module_id=module.id, lesson_id=lesson.id)
            row.completed_at, row.active_seconds = utcnow(), 3600
            db.session.add(row)
        for spec in module.reflections:
            db.session.add(Reflection(user_id=user.id, module_id=module.id, reflection_id=spec.id,
                                      text="words " * (spec.min_words + 1), words=spec.min_words + 1, revision=1))
        db.session.add(QuizAttempt(user_id=user.id, module_id=module.id, number=1, layout=[], answers={},
                                   submitted_at=utcnow(), score=100, passed=True, results={}))
        if evaluated:
            db.session.add(Evaluation(user_id=user.id, module_id=module.id, answers={}))
        db.session.flush()
        if certified:
            issue(user, module_subject(module), current_course(), date.today())
        db.session.commit()


def continue_button(page: str) -> str:
    """The dashboard's main button: its link and its words."""
    start = page.index('class="panel continue"')
    section = page[start:page.index("</section>", start)]
    link = section[section.index('<a class="button button-large" href="'):]
    href = link.split('"')[3]
    words = html.unescape(link[link.index(">") + 1:link.index("</a>")])
    return f"{href} {words}"


def test_continue_leads_to_the_next_module_once_one_is_certified(client, auth, app):
    auth.register()
    client.get("/modules/basics/lessons/lesson-two")  # the last lesson she saw is in the certified module
    finish(app, "ana@example.org", "basics")
    page = client.get("/dashboard").get_data(as_text=True)
    assert continue_button(page) == "/modules/next-steps/lessons/steps Start: The Steps"
    assert "Your next step" in page


def test_continue_leads_to_the_missing_requirement(client, auth, app):
    auth.register()
    client.get("/modules/basics/lessons/lesson-one")
    finish(app, "ana@example.org", "basics", evaluated=False, certified=False)
    page = client.get("/dashboard").get_data(as_text=True)
    assert continue_button(page) == "/modules/basics/evaluation Complete the course evaluation"


def test_when_every_module_is_certified_the_dashboard_says_so(client, auth, app):
    auth.register()
    client.get("/modules/basics/lessons/lesson-one")
    finish(app, "ana@example.org", "basics")
    finish(app, "ana@example.org", "next-steps")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Every module is complete" in page and "Continue:" not in page


def test_post_test_heading_does_not_repeat_the_module_title(client, auth):
    auth.register()
    page = client.get("/modules/basics/quiz").get_data(as_text=True)
    heading = page[page.index("<h1>") + 4:page.index("</h1>")]
    assert heading == "Post-test"
    assert page.count("Coaching Basics") >= 1  # the module is named once, above the heading


def test_a_transcript_range_that_ends_before_it_starts_is_shown_beside_the_fields(client, auth):
    auth.register()
    response = client.get("/certificates/transcript.pdf?from=2026-05-01&to=2026-01-31")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The end date is before the start date" in page
    assert 'id="to-error"' in page and 'aria-invalid="true"' in page
    assert 'value="2026-05-01"' in page and 'value="2026-01-31"' in page  # what she typed is kept
    assert "Something went wrong" not in page
    bad = client.get("/certificates/transcript.csv?from=yesterday").get_data(as_text=True)
    assert "&#39;yesterday&#39; is not a date like 2026-01-31." in bad


def test_csv_downloads_start_with_a_utf8_byte_order_mark(client, auth, app):
    auth.register(name="Zoë Ångström")
    finish(app, "ana@example.org", "basics")
    body = client.get("/certificates/transcript.csv").data
    assert body.startswith(b"\xef\xbb\xbf")
    assert "Zoë Ångström" in body.decode("utf-8-sig")


def test_the_certificate_page_shows_its_code_prominently_and_explains_the_credential(client, auth, app):
    auth.register()
    finish(app, "ana@example.org", "basics")
    with app.app_context():
        code = db.session.scalar(select(Certificate.code))
    page = client.get(f"/certificates/{code}").get_data(as_text=True)
    block = page[page.index('class="verify-code-block"'):]
    assert f"<code>{code}</code>" in block[:400]
    assert "digital credential wallet" in page
    pdf = pypdf.PdfReader(io.BytesIO(client.get(f"/certificates/{code}.pdf").data))
    assert "Course version" not in pdf.pages[0].extract_text()


@pytest.fixture
def content_root(tmp_path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_COURSE, root)
    return root


def test_the_unavailable_page_names_the_provider_and_has_no_stray_separator(client, content_root):
    quiz = content_root / "quizzes" / "basics.yaml"
    quiz.write_text(quiz.read_text().replace("pass_mark:", "pass_mark: [", 1))
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Test Provider" in page[page.index("<title>"):page.index("</title>")]
    footer = page[page.index('<footer class="site-footer">'):]
    assert "<p> · </p>" not in footer and "· </p>" not in footer
