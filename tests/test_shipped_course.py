"""The shipped program: its shape is part of the product."""
from __future__ import annotations

import re

from course_app.config import PROJECT_ROOT
from course_app.content import load_course

COURSE, PROBLEMS = load_course(PROJECT_ROOT)


def test_shipped_course_loads_without_errors_or_warnings():
    # The only warnings allowed are course.yaml's honest placeholders (a named author, signer and policies are
    # the provider's to give; `course check --release` refuses them). Every quiz passes the item-writing rules.
    assert COURSE is not None
    assert [p for p in PROBLEMS if not (p.severity == "warning" and p.path == "course.yaml"
                                        and "placeholder" in p.message)] == []


def test_program_has_at_least_eight_modules_and_eight_contact_hours():
    assert len(COURSE.modules) >= 8
    assert COURSE.contact_hours >= 8
    program = COURSE.programs[0]
    assert set(program.modules) == {m.id for m in COURSE.modules}


def test_every_module_is_complete_and_honest_about_time():
    for module in COURSE.modules:
        assert 3 <= len(module.lessons) <= 5, module.id
        assert module.objectives and module.references, module.id
        assert len(module.reflections) >= 2, module.id
        assert all(r.guidance and re.search(r"identif", r.guidance, re.I) for r in module.reflections), module.id
        assert module.quiz is not None and len(module.quiz.questions) >= 10, module.id
        assert sum(1 for q in module.quiz.questions if q.case) >= len(module.quiz.questions) / 2, module.id
        assert 45 <= module.declared_minutes <= 75, module.id
        assert abs(module.estimated_minutes - module.declared_minutes) <= 0.15 * module.declared_minutes, module.id


def test_every_quiz_choice_has_a_rationale():
    for module in COURSE.modules:
        for question in module.quiz.questions:
            for option in list(question.choices) + list(question.pairs) + list(question.items):
                assert option.rationale.strip(), (module.id, question.id, option.id)
            if question.type == "true_false":
                assert question.rationale_true and question.rationale_false


def test_every_module_has_a_worked_case():
    for module in COURSE.modules:
        text = " ".join(s.html for lesson in module.lessons for s in lesson.segments)
        assert re.search(r"worked case", text, re.I), module.id


def test_every_module_practises_with_feedback_and_draws_varied_valid_forms():
    """Issue 9's shape: model responses, knowledge checks, and a pooled post-test covering every objective."""
    cases_seen: dict[str, str] = {}
    for module in COURSE.modules:
        assert sum(1 for r in module.reflections if r.model_response and r.commentary) >= 2, module.id
        assert sum(len(lesson.checks) for lesson in module.lessons) >= 2, module.id
        quiz = module.quiz
        assert len(quiz.questions) >= 20 and quiz.questions_per_attempt == 12, module.id
        objective_ids = {o.id for o in module.objectives}
        for objective in objective_ids:
            assessing = [q for q in quiz.questions if objective in q.objectives]
            assert len(assessing) >= 2, (module.id, objective)
        drawn = set(quiz.spec.pools)
        assert objective_ids <= drawn, (module.id, objective_ids - drawn)  # every objective on every form
        assert sum(1 for q in quiz.questions if q.type == "true_false") <= 1, module.id
        singles = [q for q in quiz.questions if q.type == "single"]
        longest = [q for q in singles if _key_strictly_longest(q)]
        assert len(longest) <= 0.3 * len(singles), (module.id, [q.id for q in longest])
        for case in quiz.spec.cases:
            assert cases_seen.setdefault(case.title.lower(), module.id) == module.id, case.title
        verbs = {o.text.split()[0].lower() for o in module.objectives}
        if verbs & {"demonstrate", "construct"}:
            assert any(r.model_response for r in module.reflections), module.id
        if module.level != "introductory":
            assert module.prerequisites, module.id


def _key_strictly_longest(question) -> bool:
    key = next(c for c in question.choices if c.correct)
    return all(len(key.text) > len(c.text) for c in question.choices if c is not key)


def test_us_spelling_and_the_partnership_lead_on_every_page_and_lesson():
    texts = [path.read_text(encoding="utf-8") for folder in ("modules", "quizzes", "templates", "guide")
             for path in (PROJECT_ROOT / folder).rglob("*") if path.suffix in {".md", ".yaml", ".html"}]
    assert not [t for t in texts if re.search(r"judgement", t, re.I)]
    home = (PROJECT_ROOT / "templates" / "learning" / "home.html").read_text(encoding="utf-8")
    assert "You already know what your clients need to do differently" not in home
