"""Item analysis, roster rows and evaluation summaries against examples worked out by hand."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from course_app.content.schema import Choice, EvaluationItem, Question
from course_app.instructor.analytics import (
    AttemptRow,
    by_version,
    first_attempts,
    flags,
    item_analysis,
    median,
    summarize_evaluations,
)
from course_app.instructor.charts import bar_chart
from course_app.instructor.roster import (
    Completion,
    RosterSettings,
    completion_row,
    missing_for_roster,
    normalize_license,
    roster_row,
    roster_states,
)


def single(qid: str, choices: str, key: str) -> Question:
    return Question(id=qid, type="single", prompt=f"Prompt {qid}?", objectives=["obj-a"], choices=[
        Choice(id=c, text=f"Option {c}", correct=c == key, rationale="Because.") for c in choices])


def true_false(qid: str, correct: bool) -> Question:
    return Question(id=qid, type="true_false", prompt=f"Statement {qid}.", correct=correct, objectives=["obj-b"],
                    rationale_true="T.", rationale_false="F.")


QUESTIONS = [single("q1", "abc", "a"), true_false("q2", False), single("q3", "ab", "a"), true_false("q4", True),
             single("q5", "ab", "a")]


def attempt(user: int, picks: dict, points: dict, number: int = 1, version: str | None = "v2", day: int = 1):
    return AttemptRow(user, number, version, picks, {q: {"points": p, "correct": p == 1} for q, p in points.items()},
                      datetime(2026, 11, day, tzinfo=UTC))


# The worked example. Four attempts, four questions each (q5 was never drawn):
#
#   attempt  q1 (a)   q2 (false)  q3 (a)  q4 (true)
#   A1       a  1     false 1     a  1    false 0
#   A2       a  1     true  0     a  1    false 0
#   A3       b  0     false 1     b  0    false 0
#   A4       b  0     true  0     b  0    (blank) 0
#
# q1: p = 2/4 = 0.50. Rest score (mean of the other three): A1 2/3, A2 1/3, A3 1/3, A4 0.
#     Deviations from the means (0.5 and 1/3): x +.5 +.5 -.5 -.5, y +1/3 0 0 -1/3.
#     Sxy = 1/6 + 1/6 = 1/3; Sxx = 1; Syy = 2/9; r = (1/3) / sqrt(2/9) = 1/sqrt(2) = 0.7071.
#     Upper and lower 27% of 4: round(1.08) = 1 attempt each. Ranked by rest: A4, A2, A3, A1,
#     so lower = A4 (0) and upper = A1 (1): D = 1.0. Options: a 2 (50%), b 2 (50%), c 0 -> unused distractor.
# q2: p = 0.50. Rest: A1 2/3, A2 2/3, A3 0, A4 0. x +.5 -.5 +.5 -.5, y +1/3 +1/3 -1/3 -1/3.
#     Sxy = 1/6 - 1/6 - 1/6 + 1/6 = 0 -> r = 0: "zero or negative discrimination".
#     Ranked by rest (ties keep order): A3, A4, A1, A2; lower A3 (1), upper A2 (0): D = -1.0.
# q3: the same answers as q1, rests A1 2/3, A2 1/3, A3 1/3, A4 0: r = 0.7071, no unused distractor.
# q4: nobody right: p = 0 -> "too hard"; the item does not vary, so r is undefined (None). One blank.
ATTEMPTS = [
    attempt(1, {"q1": "a", "q2": "false", "q3": "a", "q4": "false"}, {"q1": 1, "q2": 1, "q3": 1, "q4": 0}),
    attempt(2, {"q1": "a", "q2": "true", "q3": "a", "q4": "false"}, {"q1": 1, "q2": 0, "q3": 1, "q4": 0}),
    attempt(3, {"q1": "b", "q2": "false", "q3": "b", "q4": "false"}, {"q1": 0, "q2": 1, "q3": 0, "q4": 0}),
    attempt(4, {"q1": "b", "q2": "true", "q3": "b"}, {"q1": 0, "q2": 0, "q3": 0, "q4": 0}),
]


def test_item_analysis_matches_the_worked_example():
    q1, q2, q3, q4, q5 = item_analysis(QUESTIONS, ATTEMPTS)
    assert (q1.responses, q1.p, q1.upper_lower) == (4, 0.5, 1.0)
    assert q1.point_biserial == pytest.approx(0.7071, abs=1e-4)
    assert [(o.id, o.picks, o.share) for o in q1.options] == [("a", 2, 0.5), ("b", 2, 0.5), ("c", 0, 0.0)]
    assert q1.flags == ("distractor nobody picks: c",)
    assert q2.p == 0.5 and q2.point_biserial == pytest.approx(0.0, abs=1e-12) and q2.upper_lower == -1.0
    assert q2.flags == ("zero or negative discrimination",)
    assert [(o.id, o.correct, o.picks) for o in q2.options] == [("true", False, 2), ("false", True, 2)]
    assert q3.point_biserial == pytest.approx(0.7071, abs=1e-4) and q3.flags == ()
    assert (q4.p, q4.point_biserial, q4.blank, q4.flags) == (0.0, None, 1, ("too hard",))
    assert (q5.responses, q5.p, q5.point_biserial, q5.flags) == (0, None, None, ())
    assert q1.few  # four responses are too few to trust


def test_first_attempts_and_versions_split_the_rows():
    rows = ATTEMPTS + [attempt(1, {"q1": "a"}, {"q1": 1}, number=2, version="v1", day=20),
                       attempt(5, {"q1": "c"}, {"q1": 0}, version=None, day=2)]
    assert len(first_attempts(rows)) == 5
    groups = by_version(rows)
    assert [(version, len(group)) for version, group in groups] == [("v1", 1), (None, 1), ("v2", 4)]


def test_flags_name_easy_items_and_only_unpicked_distractors():
    assert flags(0.96, 0.3, ()) == ("too easy",)
    assert flags(0.95, 0.3, ()) == ()  # "above 0.95"
    assert flags(0.29, -0.1, ()) == ("too hard", "zero or negative discrimination")


def test_partial_credit_counts_mean_points():
    q = Question(id="m", type="multiple", scoring="partial", prompt="Which?", objectives=["obj-a"], choices=[
        Choice(id="a", text="A", correct=True, rationale="."), Choice(id="b", text="B", correct=True, rationale="."),
        Choice(id="c", text="C", rationale=".")])
    rows = [attempt(1, {"m": ["a"]}, {"m": 0.5, "x": 1}), attempt(2, {"m": ["a", "b"]}, {"m": 1, "x": 1})]
    (stats,) = item_analysis([q], rows)
    assert stats.p == 0.75 and [o.picks for o in stats.options] == [2, 1, 0]


def test_median_and_evaluation_summary():
    assert median([]) is None and median([3, 1, 2]) == 2 and median([1, 2, 3, 4]) == 2.5
    items = [EvaluationItem(id="met", kind="rating", prompt="Met?"), EvaluationItem(id="rec", kind="yes_no", prompt="Rec?"),
             EvaluationItem(id="say", kind="text", prompt="Say?", required=False)]
    rating, yes_no, text = summarize_evaluations(items, [
        {"met": "5", "rec": "yes", "say": "Great"}, {"met": "4", "rec": "no", "say": " "}, {"met": "4", "rec": "yes"}])
    assert rating.mean == pytest.approx(13 / 3) and dict(rating.distribution) == {"5": 1, "4": 2, "3": 0, "2": 0, "1": 0}
    assert yes_no.yes_share == pytest.approx(2 / 3) and text.comments == ("Great",)


def completion(**overrides) -> Completion:
    values = dict(participant_name="Ana Ortiz", email="ana@example.org", credential="OTR/L",
                  license_number="ot 12-345", license_state="fl", module_id="why-coaching", module_title="Why",
                  contact_hours=Decimal("1.5"), ceus=Decimal("0.15"), completed_on=date(2026, 3, 9), code="ABCD")
    values.update(overrides)
    return Completion(**values)


SETTINGS = RosterSettings("50-12345", {}, {"OTR/L": "OT", "COTA/L": "OTA"})


def test_roster_row_has_ce_brokers_eight_columns():
    assert normalize_license(" OT-12 345 ") == "OT12345"
    assert roster_row(completion(), SETTINGS) == ["12345", "", "why-coaching", "", "OT12345", "3/9/2026",
                                                  "State=FL", "Profession=OT"]
    numbered = RosterSettings("12345", {"why-coaching": "20-678"}, SETTINGS.professions)
    assert roster_row(completion(credential="COTA/L"), numbered)[:3] == ["12345", "678", ""]
    assert roster_row(completion(credential="COTA/L"), numbered)[7] == "Profession=OTA"


def test_rows_that_cannot_go_on_a_roster_say_why():
    assert missing_for_roster(completion(), SETTINGS) is None
    assert missing_for_roster(completion(license_number=" - "), SETTINGS) == "no license number"
    assert missing_for_roster(completion(license_state=None), SETTINGS) == "no license state"
    assert "student" in missing_for_roster(completion(credential="student"), SETTINGS)
    found = [completion(), completion(license_state="NY"), completion(license_number=None), completion(license_state="FL")]
    assert roster_states(found, SETTINGS) == {"FL": 2, "NY": 1}


def test_completion_row_claims_ceus_only_when_approved_and_guards_formulas():
    row = completion_row(completion(participant_name="=HYPERLINK(1)"))
    assert row[0] == "'=HYPERLINK(1)" and row[7] == "1.5" and row[8] == ""
    assert completion_row(completion(ceus_claimed=True))[8] == "0.15"


def test_bar_chart_scales_bars_to_the_whole():
    chart = bar_chart([("Registered", 200), ("Started", 100), ("Certified", 0)])
    whole, half, none = chart.bars
    assert half.width == pytest.approx(whole.width / 2) and none.width == 0
    assert half.text == "100 (50%)" and "Certified: 0 (0%)" in chart.summary
    assert bar_chart([("Registered", 0)]).bars[0].share == 0.0


def test_ceus_are_claimed_only_when_the_approval_status_says_approved():
    from types import SimpleNamespace as Obj

    from course_app.instructor.export_views import ceus_approved

    assert ceus_approved(Obj(provider=Obj(approval=Obj(status="approved"))))
    assert not ceus_approved(Obj(provider=Obj(approval=Obj(status="pending"))))
    assert not ceus_approved(Obj(provider=Obj(approval_number="Pending")))  # before approval had a status


def test_each_items_objectives_come_from_the_content():
    (q1, q2, *_) = item_analysis(QUESTIONS, ATTEMPTS)
    assert q1.objectives == ("obj-a",) and q2.objectives == ("obj-b",)
