"""Grading and completion as pure functions: no Flask, no database."""
from __future__ import annotations

import dataclasses
import random

import pytest

from course_app.assessment.grading import AnswerError, draw_layout, grade, question_points, read_answers, unanswered
from course_app.completion import LearnerState, certificate_ready, is_complete, requirements
from course_app.content.render import word_count
from course_app.content import load_course
from course_app.content.schema import QuizFile

from .conftest import FIXTURE_COURSE

COURSE = load_course(FIXTURE_COURSE)[0]
BASICS = COURSE.module("basics")
QUIZ = BASICS.quiz.spec


def q(question_id):
    return BASICS.quiz.question(question_id)


@pytest.mark.parametrize("question, answer, points", [
    ("first-question", "a", 1.0), ("first-question", "b", 0.0), ("first-question", None, 0.0),
    ("stance-parts", ["a", "b"], 1.0), ("stance-parts", ["a"], 0.5), ("stance-parts", ["a", "b", "c"], 0.5),
    ("stance-parts", ["a", "c"], 0.0), ("stance-parts", ["c"], 0.0),
    ("scope", "false", 1.0), ("scope", "true", 0.0),
    ("match-steps", {"plan": "plan", "observe": "observe"}, 1.0), ("match-steps", {"plan": "observe", "observe": "plan"}, 0.0),
    ("order-steps", ["plan", "action", "feedback"], 1.0), ("order-steps", ["action", "plan", "feedback"], 0.0),
])
def test_points_per_question_type(question, answer, points):
    assert question_points(q(question), answer) == points


def test_all_or_nothing_multiple_and_partial_ordering():
    strict = q("stance-parts").model_copy(update={"scoring": "all_or_nothing"})
    assert question_points(strict, ["a"]) == 0.0
    partial = q("order-steps").model_copy(update={"scoring": "partial"})
    assert question_points(partial, ["plan", "feedback", "action"]) == pytest.approx(1 / 3)


def test_grade_sums_points_and_applies_the_pass_mark():
    layout = draw_layout(QUIZ, random.Random(1))
    perfect = {"first-question": "a", "stance-parts": ["a", "b"], "scope": "false",
               "match-steps": {"plan": "plan", "observe": "observe"}, "order-steps": ["plan", "action", "feedback"]}
    assert grade(QUIZ, layout, perfect).score == 100.0 and grade(QUIZ, layout, perfect).passed
    one_wrong = dict(perfect, scope="true")
    result = grade(QUIZ, layout, one_wrong)
    assert result.score == 80.0 and result.passed  # 80% passes at an 80% mark
    half_multiple = dict(one_wrong, **{"stance-parts": ["a"]})
    result = grade(QUIZ, layout, half_multiple)
    assert result.score == 70.0 and not result.passed
    assert result.results["stance-parts"] == {"points": 0.5, "correct": False}


def test_layout_is_fixed_by_the_random_source_and_keeps_cases_together():
    first, again = draw_layout(QUIZ, random.Random(7)), draw_layout(QUIZ, random.Random(7))
    assert first == again
    orders = {tuple(e["id"] for e in draw_layout(QUIZ, random.Random(seed))) for seed in range(30)}
    assert len(orders) > 1  # shuffled between attempts
    for seed in range(30):
        ids = [e["id"] for e in draw_layout(QUIZ, random.Random(seed))]
        assert abs(ids.index("first-question") - ids.index("stance-parts")) == 1  # same case, side by side
        order = next(e["order"] for e in draw_layout(QUIZ, random.Random(seed)) if e["id"] == "order-steps")
        assert order != ["plan", "action", "feedback"]  # never handed over already solved


def test_pools_draw_the_declared_number():
    data = QUIZ.model_dump()
    for question in data["questions"][:3]:
        question["pool"] = "core"
    data["pools"] = {"core": 2}
    pooled = QuizFile.model_validate(data)
    for seed in range(20):
        ids = {e["id"] for e in draw_layout(pooled, random.Random(seed))}
        assert len(ids & {"first-question", "stance-parts", "scope"}) == 2
        assert {"match-steps", "order-steps"} <= ids


def test_read_answers_maps_positions_and_refuses_unknown_options():
    layout = [{"id": "first-question", "order": ["c", "a", "b"]}, {"id": "stance-parts", "order": ["b", "c", "a"]}]
    quiz = QUIZ.model_copy(update={"questions": [q("first-question"), q("stance-parts")]})
    answers = read_answers(quiz, layout, {"q-first-question": ["2"], "q-stance-parts": ["1", "3"]})
    assert answers == {"first-question": "a", "stance-parts": ["a", "b"]}
    with pytest.raises(AnswerError, match="question 'first-question' has no option '9'"):
        read_answers(quiz, layout, {"q-first-question": ["9"]})
    with pytest.raises(AnswerError):
        read_answers(quiz, layout, {"q-first-question": ["a"]})
    assert unanswered(layout, {"first-question": "a"}, quiz) == ["stance-parts"]


def test_ordering_positions_must_be_a_permutation():
    layout = [{"id": "order-steps", "order": ["feedback", "plan", "action"]}]
    quiz = QUIZ.model_copy(update={"questions": [q("order-steps")]})
    assert read_answers(quiz, layout, {"q-order-steps-1": ["3"], "q-order-steps-2": ["1"], "q-order-steps-3": ["2"]}) \
        == {"order-steps": ["plan", "action", "feedback"]}
    with pytest.raises(AnswerError, match="each position can be used only once"):
        read_answers(quiz, layout, {"q-order-steps-1": ["1"], "q-order-steps-2": ["1"], "q-order-steps-3": ["2"]})


def test_word_count_counts_words_not_spaces():
    assert word_count("  I listened — then waited;  client's turn, self-directed. ") == 7
    assert word_count("") == 0


def state(**kwargs) -> LearnerState:
    return LearnerState(**kwargs)


def test_completion_needs_lessons_required_reflections_and_a_pass():
    lessons = frozenset({"lesson-one", "lesson-two"})
    assert not is_complete(BASICS, state(completed_lessons=lessons, reflection_words={"my-practice": 5}))
    assert not is_complete(BASICS, state(completed_lessons=lessons, reflection_words={"my-practice": 4},
                                         quiz_passed=True))
    done = state(completed_lessons=lessons, reflection_words={"my-practice": 5}, quiz_passed=True, best_score=90)
    assert is_complete(BASICS, done)  # the optional reflection is not needed
    assert not certificate_ready(BASICS, done)  # the evaluation is still missing
    assert certificate_ready(BASICS, state(**{**done.__dict__, "evaluated": True}))


def test_requirements_say_what_is_left():
    reqs = {r.key: r for r in requirements(BASICS, state(completed_lessons=frozenset({"lesson-one"}), attempts=1,
                                                          best_score=60))}
    assert reqs["lessons"].detail == "1 of 2 lessons completed; 1 left"
    assert reqs["reflections"].detail == "0 of 1 required reflections written to their minimum length"
    assert reqs["quiz"].detail == "Not passed yet: best score 60%, 80% needed"
    assert not reqs["certificate"].done


def test_minimum_active_time_gates_the_certificate():
    timed = BASICS.meta.model_copy(update={"min_active_minutes": 10})
    module = dataclasses.replace(BASICS, meta=timed)
    done = dict(completed_lessons=frozenset({"lesson-one", "lesson-two"}), reflection_words={"my-practice": 9},
                quiz_passed=True, best_score=100, evaluated=True)
    assert not certificate_ready(module, state(**done, active_seconds=599))
    assert certificate_ready(module, state(**done, active_seconds=600))
    assert [r.detail for r in requirements(module, state(**done, active_seconds=120)) if r.key == "time"] == \
        ["2 of 10 minutes so far; 8 minutes still needed (time counts on lesson pages and the post-test while "
         "you read or answer)"]
