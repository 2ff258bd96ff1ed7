"""Quiz files: each kind of broken quiz gets its own clear path:line: message."""
from __future__ import annotations

import pytest

from course_app.content import load_course

from .test_content import course_copy, edit, messages  # noqa: F401  (course_copy is a fixture)

QUIZ = "quizzes/basics.yaml"
BROKEN_QUIZZES = [
    ("breakfast?\", correct: true,", "breakfast?\",", "quizzes/basics.yaml:11: questions.0: a single question has no correct choice"),
    ("{id: b, text: \"Have you tried", "{id: b, correct: true, text: \"Have you tried",
     "a single question has 2 correct choices; use type: multiple"),
    ("- id: stance-parts", "- id: first-question", "duplicate question id 'first-question'"),
    ("module: basics", "module: no-such-module", "quizzes/basics.yaml:1: unknown module 'no-such-module'"),
    ("pass_mark: 80", "pass_mark: 120", "quizzes/basics.yaml:3: pass_mark: Input should be less than or equal to 100"),
    ("shuffle_questions: true", "shuffle_questions: true\npools: {extra: 3}",
     "pool 'extra' draws 3 questions but has only 0"),
    (", rationale: RATIONALE-FIRST-B jumps to a fix.}", "}", "quizzes/basics.yaml:18: missing required field 'questions.0.choices.1.rationale'"),
    ("    case: case-sam\n    prompt: What do you ask first?", "    case: case-tom\n    prompt: What do you ask first?",
     "question 'first-question' names unknown case 'case-tom'"),
    ("    type: single", "    type: essay", "questions.0.type: must be 'single', 'multiple', 'true_false', 'matching' or 'ordering', not 'essay'"),
    ("    correct: false\n", "", "a true_false question needs 'correct: true' or 'correct: false'"),
    ("      - {id: observe, prompt: Observation, match: One watches the other, rationale: RATIONALE-MATCH-OBS.}\n", "",
     "a matching question needs at least 2 pairs"),
    ("{id: b, text: Reflective listening", "{id: a, text: Reflective listening", "duplicate choice id 'a'"),
    ("    scoring: partial\n    case: case-sam", "    scoring: sometimes\n    case: case-sam",
     "scoring: must be 'all_or_nothing' or 'partial', not 'sometimes'"),
    ("    prompt: Put the steps in order.", "    prompt: Put the steps in order.\n    choices: [{id: a, text: A, rationale: R}]",
     "quizzes/basics.yaml:44: questions.4: an ordering question does not take 'choices'"),
]


@pytest.mark.parametrize("old, new, expected", BROKEN_QUIZZES, ids=[b[2][-45:] for b in BROKEN_QUIZZES])
def test_broken_quiz_gets_its_own_message(course_copy, old, new, expected):  # noqa: F811
    edit(course_copy, QUIZ, old, new)
    found = messages(course_copy)
    assert any(expected.replace("Value error, ", "") in message and message.startswith(QUIZ) for message in found), found
    assert load_course(course_copy)[0] is None


def test_second_quiz_for_the_same_module_is_refused(course_copy):  # noqa: F811
    (course_copy / "quizzes" / "copy.yaml").write_text((course_copy / QUIZ).read_text())
    found = messages(course_copy)
    assert "quizzes/copy.yaml:1: module 'basics' already has a quiz in basics.yaml" in found
