"""The item-writing linter: each rule on synthetic quizzes (what it flags, and what it must not), and
`course check` on a copy of a quiz whose keys are all the longest option."""
from __future__ import annotations

import shutil

import pytest
import yaml

from course_app import create_app
from course_app.config import PROJECT_ROOT
from course_app.content.lint import findings, question_sentence
from course_app.content.schema import QuizFile

OPTIONS = ["Ask what matters most to her about mornings", "Repeat the handout step by step",
           "Suggest she dresses before her husband wakes", "Tell her the equipment is needed daily"]


def single(qid: str, prompt: str = "Which response fits the partnership stance?", options=None, key: int = 0,
           **extra) -> dict:
    options = options or OPTIONS
    return {"id": qid, "type": "single", "objectives": ["o"], "prompt": prompt, **extra,
            "choices": [{"id": chr(97 + i), "text": text, "correct": i == key, "rationale": "Because."}
                        for i, text in enumerate(options)]}


def true_false(qid: str, **extra) -> dict:
    return {"id": qid, "type": "true_false", "objectives": ["o"], "prompt": "Coaching means no expertise.",
            "correct": False, "rationale_true": "No.", "rationale_false": "Right.", **extra}


def quiz(*questions: dict, pools: dict | None = None) -> QuizFile:
    return QuizFile.model_validate({"module": "m", "minutes": 5, "pools": pools or {}, "questions": list(questions)})


def messages(spec: QuizFile) -> list[str]:
    return [f.message for f in findings(spec, {})]


def test_a_clean_quiz_has_no_findings():
    balanced = [single(f"q{i}", key=i % 4) for i in range(4)]  # key lengths vary; the longest is keyed once
    assert messages(quiz(*balanced, true_false("tf"))) == []


def test_longest_key_is_flagged_above_a_third_with_the_share():
    longest = ["Ask what matters most to her about mornings and where dressing could fit", "Repeat it",
               "Suggest waking early", "Say it is required"]
    found = messages(quiz(*[single(f"q{i}", options=longest) for i in range(2)], single("q2", key=1),
                          single("q3", key=3)))
    assert len(found) == 1 and "2 of 4 single-choice items (50%" in found[0] and "q0, q1" in found[0]
    # one in three is not more than a third
    assert messages(quiz(single("q0", options=longest), single("q1", key=1), single("q2", key=3))) == []


@pytest.mark.parametrize("text", ["All of the above", "None of the above", "all of the options"])
def test_all_or_none_of_the_above(text):
    found = messages(quiz(single("q", options=OPTIONS[:3] + [text], key=1)))
    assert any("option 'd' says" in m for m in found), found


def test_absolute_words_in_distractors_but_not_in_the_key():
    options = ["Ask what matters to her", "You must always use the reacher", "Never skip a day", "Try it later"]
    found = messages(quiz(single("q", options=options)))
    assert any("distractor 'b' uses 'always', 'must'" in m for m in found), found
    assert any("distractor 'c' uses 'never'" in m for m in found), found
    options[0] = "Ask what matters to her; only then offer ideas"  # the key uses one too: no clue
    assert not any("absolute" in m for m in messages(quiz(single("q", options=options))))


def test_negative_stems_need_emphasis_but_descriptions_and_quotes_do_not():
    assert any("says 'not' without emphasis" in m
               for m in messages(quiz(single("q", prompt="Which is not part of the joint plan?"))))
    assert any("'except'" in m for m in messages(quiz(single("q", prompt="All are steps except which one?"))))
    for prompt in ["Which is **not** part of the joint plan?", "Which is NOT part of the joint plan?",
                   "He says he is not an invalid. Which response fits best?",
                   'Which response fits "I do not want a bench"?']:
        assert not any("emphasis" in m for m in messages(quiz(single("q", prompt=prompt)))), prompt
    assert question_sentence("He is not sure. Which fits?") == "Which fits?"


def test_more_than_one_true_false_per_form_counts_pools():
    assert any("2 true/false" in m for m in messages(quiz(true_false("a"), true_false("b"))))
    pooled = quiz(true_false("a", pool="o"), true_false("b", pool="o"), single("c", pool="o"), pools={"o": 1})
    assert not any("true/false" in m for m in messages(pooled))  # a form draws one of the pool's three


def test_two_options_with_the_same_text():
    found = messages(quiz(single("q", options=["Ask first", "ask  first.", "Tell", "Wait"])))
    assert any("options 'a' and 'b' have the same text" in m for m in found), found


def test_a_stem_that_repeats_the_keys_distinctive_words():
    prompt = "Marcus wants regular use of the library computer lab. Which goal level fits?"
    options = ["Uses the library computer lab twice a week", "Applies for three jobs", "Feels more hopeful",
               "Visits the centre"]
    assert any("repeats the stem's words 'computer', 'library'" in m
               for m in messages(quiz(single("q", prompt=prompt, options=options))))
    options[1] = "Uses the library twice"  # a distractor shares 'library': only 'computer' is left, not a clue
    assert not any("repeats" in m for m in messages(quiz(single("q", prompt=prompt, options=options))))


def longest_keys(data: dict) -> dict:
    """Rewrite every single-choice question so its key is strictly the longest option."""
    for question in data["questions"]:
        if question["type"] == "single":
            longest = max(len(c["text"]) for c in question["choices"])
            for choice in question["choices"]:
                if choice.get("correct"):
                    choice["text"] = choice["text"] + " " + "x" * (longest - len(choice["text"]) + 1)
    return data


def test_course_check_warns_on_a_quiz_whose_keys_are_all_the_longest(tmp_path):
    root = tmp_path / "course"
    shutil.copytree(PROJECT_ROOT, root, ignore=shutil.ignore_patterns(".git", ".venv", "tests", "node_modules",
                                                                        "*.pyc", "instance"))
    path = root / "quizzes" / "why-coaching.yaml"
    quiz = longest_keys(yaml.safe_load(path.read_text()))
    path.write_text(yaml.safe_dump(quiz, sort_keys=False))
    singles = sum(1 for q in quiz["questions"] if q["type"] == "single")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "SECRET_KEY": "x", "TESTING": True,
                      "CONTENT_ROOT": str(root)})
    result = app.test_cli_runner().invoke(args=["course", "check", str(root)])
    lines = [line for line in result.output.splitlines() if "strictly the longest option" in line]
    why = [line for line in lines if line.startswith("quizzes/why-coaching.yaml:")]
    assert why and f"{singles} of {singles} single-choice items (100%" in why[0], result.output
    assert result.exit_code == 0  # warnings, not errors
