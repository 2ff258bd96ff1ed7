"""What "module complete" means: pure functions over a module and one learner's state."""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from .content import Module


@dataclass(frozen=True)
class LearnerState:
    """Everything about one learner and one module that completion depends on."""

    completed_lessons: frozenset[str] = frozenset()
    opened_lessons: frozenset[str] = frozenset()
    reflection_words: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    quiz_passed: bool = False
    best_score: float | None = None
    attempts: int = 0
    evaluated: bool = False
    active_seconds: int = 0
    certificate_code: str | None = None


@dataclass(frozen=True)
class Requirement:
    key: str  # lessons, reflections, quiz, evaluation, time, certificate
    label: str
    done: bool
    detail: str


def reflections_done(module: Module, state: LearnerState) -> tuple[int, int]:
    """Return how many required reflections meet their minimum words, and how many there are."""
    required = [r for r in module.reflections if r.required]
    done = sum(1 for r in required if state.reflection_words.get(r.id, 0) >= max(r.min_words, 1))
    return done, len(required)


def lessons_done(module: Module, state: LearnerState) -> int:
    return sum(1 for lesson in module.lessons if lesson.id in state.completed_lessons)


def is_complete(module: Module, state: LearnerState) -> bool:
    """All lessons completed, required reflections written to length, and the quiz passed."""
    done, required = reflections_done(module, state)
    quiz_ok = module.quiz is None or state.quiz_passed
    return lessons_done(module, state) == len(module.lessons) and done == required and quiz_ok


def required_seconds(module: Module) -> int:
    """Active time the module's certificate needs: the seat-time share of its minutes (or an older minimum)."""
    return max(module.required_active_seconds, module.meta.min_active_minutes * 60)


def time_ok(module: Module, state: LearnerState) -> bool:
    return state.active_seconds >= required_seconds(module)


def time_detail(module: Module, state: LearnerState) -> str:
    """Say the active time so far and what is still needed, in whole minutes."""
    needed = required_seconds(module)
    so_far = state.active_seconds // 60
    if state.active_seconds >= needed:
        return f"{so_far} minutes of active time; the {-(-needed // 60)} needed are reached"
    left = -(-(needed - state.active_seconds) // 60)
    total = -(-needed // 60)
    return (f"{so_far} of {total} minute{'' if total == 1 else 's'} so far; {left} minute{'' if left == 1 else 's'} "
            "still needed "
            "(time counts on lesson pages and the post-test while you read or answer)")


def certificate_ready(module: Module, state: LearnerState) -> bool:
    """Complete, evaluated, and with enough active time when the module asks for it."""
    return is_complete(module, state) and state.evaluated and time_ok(module, state)


def requirements(module: Module, state: LearnerState) -> list[Requirement]:
    """List each requirement of the module with its state and what is left, in the order to do them."""
    total = len(module.lessons)
    read = lessons_done(module, state)
    items = [Requirement("lessons", "Lessons", read == total,
                         f"{read} of {total} lessons completed" + ("" if read == total else f"; {total - read} left"))]
    done, required = reflections_done(module, state)
    if required:
        items.append(Requirement("reflections", "Reflections", done == required,
                                 f"{done} of {required} required reflections written to their minimum length"))
    if module.quiz is not None:
        items.append(Requirement("quiz", "Post-test", state.quiz_passed, _quiz_detail(module, state)))
    items.append(Requirement("evaluation", "Course evaluation", state.evaluated, _evaluation_detail(module, state)))
    if required_seconds(module):
        items.append(Requirement("time", "Active learning time", time_ok(module, state), time_detail(module, state)))
    items.append(Requirement("certificate", "Certificate", state.certificate_code is not None,
                             "Issued" if state.certificate_code
                             else "Issued automatically as soon as everything above is done"))
    return items


def missing(module: Module, state: LearnerState) -> list[Requirement]:
    """The requirements not yet met before the certificate, in the order to do them."""
    return [r for r in requirements(module, state) if not r.done and r.key != "certificate"]


def _evaluation_detail(module: Module, state: LearnerState) -> str:
    if state.evaluated:
        return "Submitted"
    if state.quiz_passed or module.quiz is None:
        return "Open now: a few questions about the module"
    return "Opens once the post-test is passed"


def _quiz_detail(module: Module, state: LearnerState) -> str:
    mark = module.quiz.rules.pass_mark
    if state.quiz_passed:
        return f"Passed (best score {state.best_score:g}%)"
    if state.attempts:
        return f"Not passed yet: best score {state.best_score:g}%, {mark}% needed"
    return f"Not taken yet: {mark}% needed to pass"
