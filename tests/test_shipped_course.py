"""The shipped program: its shape is part of the product."""
from __future__ import annotations

import re

from course_app.config import PROJECT_ROOT
from course_app.content import load_course

COURSE, PROBLEMS = load_course(PROJECT_ROOT)


def test_shipped_course_loads_without_errors_or_warnings():
    # For now, warnings in quiz files (item writing, objective coverage, forms that never vary) are allowed:
    # the post-tests are being rewritten as pools (issue 9). Every other warning still fails this test.
    assert COURSE is not None
    assert [p for p in PROBLEMS if not (p.severity == "warning" and p.path.startswith("quizzes/"))] == []


def test_program_has_at_least_six_modules_and_six_contact_hours():
    assert len(COURSE.modules) >= 6
    assert COURSE.contact_hours >= 6
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
        assert abs(module.estimated_minutes - module.declared_minutes) <= 0.2 * module.declared_minutes, module.id


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
