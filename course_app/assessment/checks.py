"""Knowledge checks: practice with feedback inside lessons, checked here and never scored."""
from __future__ import annotations

from dataclasses import dataclass

from ..content.schema import CheckSpec

SESSION_KEY = "checks"  # the learner's last answer to each check, in their session: {"module/check": [ids]}


class CheckAnswerError(ValueError):
    """An answer that names no choice, an unknown choice, or several for a single-choice check."""


@dataclass(frozen=True)
class CheckResult:
    selected: tuple[str, ...]
    correct: bool
    missed: bool  # a multiple-choice answer that leaves out a right choice


def read_choices(spec: CheckSpec, values: list[str]) -> tuple[str, ...]:
    """Return the chosen ids in the check's order, or raise CheckAnswerError saying what is wrong."""
    known = [choice.id for choice in spec.choices]
    chosen = set(values)
    if not chosen:
        raise CheckAnswerError("Choose an answer first, then check it.")
    if chosen - set(known):
        raise CheckAnswerError("That choice is not part of this question. Reload the lesson and try again.")
    if spec.type == "single" and len(chosen) > 1:
        raise CheckAnswerError("Choose one answer only.")
    return tuple(choice for choice in known if choice in chosen)


def check_answer(spec: CheckSpec, selected: tuple[str, ...]) -> CheckResult:
    """Say whether the selected choices are exactly the right ones."""
    right = {choice.id for choice in spec.choices if choice.correct}
    chosen = set(selected)
    return CheckResult(selected=selected, correct=chosen == right, missed=bool(right - chosen))


def answered(session_answers: dict, module_id: str, spec: CheckSpec) -> CheckResult | None:
    """Return the result of the learner's last answer to a check kept in their session, if any."""
    selected = session_answers.get(f"{module_id}/{spec.id}")
    if not isinstance(selected, list):
        return None
    try:
        return check_answer(spec, read_choices(spec, selected))
    except CheckAnswerError:  # the check changed since: ask again
        return None


def check_results(kept: dict, module_id: str, lesson) -> dict[str, CheckResult | None]:
    """Return the learner's last result for each check of a lesson, by check id."""
    return {spec.id: answered(kept, module_id, spec) for spec in lesson.checks}
