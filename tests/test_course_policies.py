"""course.yaml's people, policies and approval, objectives mapped to questions, placeholders and --release."""
from __future__ import annotations

import pytest

from course_app import create_app
from course_app.config import PROJECT_ROOT
from course_app.content import load_course
from course_app.content.release import is_placeholder
from course_app.content.stats import course_stats

from .test_content import course_copy, edit  # noqa: F401

QUIZ = "quizzes/basics.yaml"


def messages(root) -> list[str]:
    return [str(p) for p in load_course(root)[1]]


BROKEN = [
    ("course.yaml", '    number: "AOTA 9999"\n', "",
     "course.yaml:5: provider.approval: an approved provider needs its approval 'number'"),
    ("course.yaml", "    status: approved\n    number: \"AOTA 9999\"\n    ceu_label: AOTA CEUs\n    statement: ",
     "    status: pending\n    statement: Awards 0.025 CEUs. ",
     "course.yaml:5: provider.approval: the statement mentions CEUs"),
    ("course.yaml", "    status: approved", "    status: maybe",
     "provider.approval.status: must be 'approved', 'pending' or 'not_approved', not 'maybe'"),
    ("course.yaml", "  privacy_contact: privacy@testprovider.test", "  privacy_contact: write to us",
     "course.yaml:10: provider.privacy_contact"),
    ("course.yaml", "  refund: Full refund within 14 days.\n", "", "missing required field 'policies.refund'"),
    ("course.yaml", "  content_reviewed: 2026-01-15", "  content_reviewed: last spring",
     "policies.content_reviewed: must be a date written as YYYY-MM-DD"),
    ("course.yaml", "seat_time: {share: 0}", "seat_time: {share: 1.5}", "seat_time.share: must be at most 1"),
    ("course.yaml", "    disclosures: {financial: None, non_financial: None}", "",
     "missing required field 'authors.0.disclosures'"),
    ("course.yaml", "signer: {name: Pat Signer, credentials: \"MS, OTR/L\", title: Director}",
     "signer: {name: Pat Signer, credentials: \"MS, OTR/L\", title: Director, signature_image: ../../etc/sig.png}",
     "course.yaml: signer.signature_image '../../etc/sig.png' is outside the content root"),
    ("course.yaml", "signer: {name: Pat Signer, credentials: \"MS, OTR/L\", title: Director}",
     "signer: {name: Pat Signer, credentials: \"MS, OTR/L\", title: Director, signature_image: sig.png}",
     "course.yaml: signer.signature_image 'sig.png' does not exist"),
    ("modules/01-basics/module.md", "  - id: describe-partnership\n    text: Describe", "  - Describe",
     "module.md:8: objectives: objective 1 needs an id"),
    ("modules/01-basics/01-one.md", "objectives: [describe-partnership]", "objectives: [teach-nothing]",
     "modules/01-basics/01-one.md: lesson 'lesson-one' names unknown objective 'teach-nothing'"),
    (QUIZ, "  - id: scope\n    objectives: [describe-partnership]", "  - id: scope\n    objectives: [no-such]",
     "quizzes/basics.yaml:31: question 'scope' names unknown objective 'no-such' (known: describe-partnership)"),
    (QUIZ, "  - id: scope\n    objectives: [describe-partnership]\n", "  - id: scope\n",
     "missing required field 'questions.2.objectives'"),
    (QUIZ, "  - id: scope\n", "  - id: scope\n    pool: elsewhere\n",
     "pool 'elsewhere' is not an objective id of module 'basics'"),
    (QUIZ, "  - id: stance-parts\n", "  - id: stance-parts\n    pool: describe-partnership\n",
     "shares case 'case-sam' with questions in pool 'None'"),
    (QUIZ, "minutes: 6", "minutes: 6\nwait_hours: -2", "wait_hours: must be at least 0"),
]


@pytest.mark.parametrize("relative, old, new, expected", BROKEN, ids=[b[3][-50:] for b in BROKEN])
def test_bad_policies_and_mappings_are_named_with_file_and_line(course_copy, relative, old, new, expected):  # noqa: F811
    if "pool: elsewhere" in new:
        edit(course_copy, QUIZ, "shuffle_choices: true", "shuffle_choices: true\npools: {elsewhere: 1}")
    if "pool: describe-partnership" in new:  # a pool must exist before a question may be drawn from it
        edit(course_copy, QUIZ, "shuffle_choices: true", "shuffle_choices: true\npools: {describe-partnership: 1}")
    edit(course_copy, relative, old, new)
    found = messages(course_copy)
    assert any(expected in message for message in found), found
    assert load_course(course_copy)[0] is None or "warning" in expected


def test_objective_coverage_and_forms_that_never_change_are_warned(course_copy):  # noqa: F811
    edit(course_copy, "modules/01-basics/module.md", "    text: Describe the partnership stance.\n",
         "    text: Describe the partnership stance.\n  - id: name-steps\n    text: Name the five steps.\n")
    found = messages(course_copy)
    assert any("warning: objective 'name-steps' is assessed by 0 question(s); write at least 2" in m
               and m.startswith("quizzes/basics.yaml:") for m in found), found
    assert any("every attempt draws the same questions" in m for m in found)
    edit(course_copy, QUIZ, "shuffle_choices: true", "shuffle_choices: true\nattempts: 1")
    assert not any("same questions" in m for m in messages(course_copy))  # one attempt: nothing to vary


def test_quiz_overrides_and_course_defaults_resolve_to_the_rules_in_force(course_copy):  # noqa: F811
    edit(course_copy, "course.yaml", "seat_time: {share: 0}", "seat_time: {share: 0.5}\n"
         "post_test: {pass_mark: 70, attempts: 2, wait_hours: 12}")
    edit(course_copy, QUIZ, "pass_mark: 80", "pass_mark: 90")
    edit(course_copy, "modules/02-next/module.md", "order: 2", "order: 2\nseat_time_share: 0.9")
    course = load_course(course_copy)[0]
    basics, steps = course.module("basics"), course.module("next-steps")
    assert (basics.quiz.rules.pass_mark, basics.quiz.rules.attempts, basics.quiz.rules.wait_hours) == (90, 2, 12)
    assert basics.seat_time_share == 0.5 and steps.seat_time_share == 0.9
    assert basics.required_active_seconds == round(0.5 * basics.declared_minutes * 60)


def test_placeholder_words_are_recognised():
    for value in ["TBD", "Author to be named (TBD)", "Course Director", "privacy@example.org", "Pending"]:
        assert is_placeholder(value), value
    for value in ["Dana Reyes", "OTD, OTR/L", "privacy@otcoaching.com", "Education Director"]:
        assert not is_placeholder(value), value


def cli(root, *args):
    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x", "TESTING": True, "CONTENT_ROOT": str(root)})
    return app.test_cli_runner().invoke(args=["course", "check", str(root), *args])


def test_course_check_warns_on_placeholders_and_release_refuses_them():
    result = cli(PROJECT_ROOT)
    assert result.exit_code == 0
    assert "course.yaml:38: warning: signer.name is a placeholder ('Course Director')" in result.output
    assert "warning: provider.privacy_contact is a placeholder ('privacy@example.org')" in result.output
    release = cli(PROJECT_ROOT, "--release")
    assert release.exit_code == 1
    assert "course.yaml:38: signer.name is a placeholder ('Course Director')" in release.output


def test_release_passes_when_people_are_named(course_copy):  # noqa: F811
    assert cli(course_copy, "--release").exit_code == 0
    edit(course_copy, "course.yaml", "name: Robin Author", "name: TBD")
    result = cli(course_copy, "--release")
    assert result.exit_code == 1 and "authors.0.name is a placeholder ('TBD')" in result.output


def test_stats_report_questions_per_objective():
    stats = course_stats(load_course(PROJECT_ROOT)[0])
    why = next(m for m in stats["modules"] if m["id"] == "why-coaching")
    assert set(why["questions_per_objective"]) == {"information-alone", "compare-stances", "switch-stances",
                                                   "what-coaching-is"}
    assert sum(why["questions_per_objective"].values()) >= why["quiz_questions"]


def test_the_signature_image_is_drawn_on_the_certificate(client, auth, fresh, app, content_root):
    from PIL import Image

    from .test_certificates import earn_certificate

    Image.new("RGB", (300, 80), "white").save(content_root / "signature.png")
    path = content_root / "course.yaml"
    path.write_text(path.read_text().replace("title: Director}", "title: Director, signature_image: signature.png}"))
    code = earn_certificate(client, auth, fresh, app)
    pdf = client.get(f"/certificates/{code}.pdf").data
    import io

    import pypdf

    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    assert len(page.images) == 1  # the signature (the QR code is drawn as vector paths)
    assert "Pat Signer, MS, OTR/L" in page.extract_text()


def test_the_evaluation_asks_about_each_objective_bias_and_change_in_practice(client, auth, fresh, app):
    from .test_certificates import EVALUATION, pass_basics, post_with_token

    pass_basics(client, auth, fresh, app)
    form = client.get("/modules/basics/evaluation").get_data(as_text=True)
    for prompt in ("I can now describe the partnership stance.", "free of commercial bias",
                   "What is one change you intend to make in your practice after this module?"):
        assert prompt in form, prompt
    partial = {k: v for k, v in EVALUATION.items() if k not in ("item_objective_describe_partnership",
                                                                 "item_practice_change")}
    response = post_with_token(client, "/modules/basics/evaluation", partial, page="/modules/basics/evaluation")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "I can now describe the partnership stance. Please answer this question." in text
    assert "What is one change you intend to make in your practice after this module? Please answer" in text
    from sqlalchemy import select

    from course_app.models import Evaluation

    response = post_with_token(client, "/modules/basics/evaluation", EVALUATION, page="/modules/basics/evaluation")
    answers = fresh.scalar(select(Evaluation)).answers
    assert answers["objective-describe-partnership"] == "4" and answers["practice-change"]


@pytest.fixture
def content_root(tmp_path):
    import shutil

    from .conftest import FIXTURE_COURSE

    root = tmp_path / "served"
    shutil.copytree(FIXTURE_COURSE, root)
    return root
