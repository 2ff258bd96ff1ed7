"""Item statistics, medians and evaluation summaries: pure functions over rows, no Flask and no database."""
from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Mapping, Sequence

from ..content.schema import EvaluationItem, Question

TOO_EASY = 0.95  # proportion correct above this: nearly everyone gets it
TOO_HARD = 0.30  # below this: few do, or the key is wrong
UPPER_LOWER_SHARE = 0.27  # Kelley's upper and lower groups
FEW_RESPONSES = 20  # below this, statistics are shown but read with care


@dataclass(frozen=True)
class AttemptRow:
    """One submitted attempt as item analysis needs it: who, which try, which content, what was answered."""

    user_id: int
    number: int
    content_version: str | None
    answers: Mapping[str, Any]
    results: Mapping[str, Mapping[str, Any]]  # question id -> {"points": 0..1, "correct": bool}
    submitted_at: datetime | None = None


@dataclass(frozen=True)
class OptionShare:
    id: str
    label: str
    correct: bool
    picks: int
    share: float


@dataclass(frozen=True)
class ItemStats:
    question_id: str
    prompt: str
    type: str
    objectives: tuple[str, ...]
    responses: int
    p: float | None  # mean points: the proportion correct for right-or-wrong items
    point_biserial: float | None  # correlation of the item with the rest of the attempt
    upper_lower: float | None  # p in the upper 27% minus p in the lower 27% (ranked by the rest)
    options: tuple[OptionShare, ...]
    blank: int
    flags: tuple[str, ...]

    @property
    def few(self) -> bool:
        return self.responses < FEW_RESPONSES


def first_attempts(attempts: Iterable[AttemptRow]) -> list[AttemptRow]:
    """Keep each learner's first attempt only (the one taken without having seen the test)."""
    return [a for a in attempts if a.number == 1]


def by_version(attempts: Iterable[AttemptRow]) -> list[tuple[str | None, list[AttemptRow]]]:
    """Group attempts by content version, the most recently used version first."""
    groups: dict[str | None, list[AttemptRow]] = defaultdict(list)
    for attempt in attempts:
        groups[attempt.content_version].append(attempt)
    def latest(item):
        return max((a.submitted_at.timestamp() if a.submitted_at else 0.0) for a in item[1])
    return sorted(groups.items(), key=latest, reverse=True)


def item_analysis(questions: Sequence[Question], attempts: Sequence[AttemptRow]) -> list[ItemStats]:
    """Return statistics for each question, in authored order, over the attempts that drew it."""
    return [_item(q, [a for a in attempts if q.id in a.results]) for q in questions]


def _item(q: Question, attempts: list[AttemptRow]) -> ItemStats:
    scores = [float(a.results[q.id].get("points", 0)) for a in attempts]
    rests = [_rest(a, q.id) for a in attempts]
    p = sum(scores) / len(scores) if scores else None
    r = pearson(scores, rests)
    d = upper_minus_lower(scores, rests)
    options, blank = option_shares(q, [a.answers.get(q.id) for a in attempts])
    return ItemStats(q.id, q.prompt, q.type, tuple(getattr(q, "objectives", None) or ()), len(attempts), p, r, d,
                     options, blank, flags(p, r, options))


def _rest(attempt: AttemptRow, question_id: str) -> float:
    """Return the proportion of points earned on the attempt's other questions."""
    others = [float(v.get("points", 0)) for k, v in attempt.results.items() if k != question_id]
    return sum(others) / len(others) if others else 0.0


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Return the correlation of two equal-length series, or None when either does not vary."""
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return sxy / (sxx * syy) ** 0.5


def upper_minus_lower(scores: Sequence[float], rests: Sequence[float]) -> float | None:
    """Return mean item score in the top 27% by rest score minus that in the bottom 27% (ties keep input order)."""
    n = len(scores)
    if n < 2:
        return None
    k = max(1, round(UPPER_LOWER_SHARE * n))
    ranked = sorted(range(n), key=lambda i: rests[i])
    lower, upper = ranked[:k], ranked[-k:]
    return sum(scores[i] for i in upper) / k - sum(scores[i] for i in lower) / k


def option_shares(q: Question, answers: Sequence[Any]) -> tuple[tuple[OptionShare, ...], int]:
    """Count how often each option was picked (single, multiple, true/false) and how many left it blank."""
    blank = sum(1 for a in answers if not a)
    if q.type in ("single", "multiple"):
        options = [(c.id, c.text, c.correct) for c in q.choices]
    elif q.type == "true_false":
        options = [("true", "True", q.correct is True), ("false", "False", q.correct is False)]
    else:
        return (), blank
    picks: Counter[str] = Counter()
    for answer in answers:
        for chosen in ([answer] if isinstance(answer, str) else answer or []):
            picks[chosen] += 1
    total = len(answers)
    return tuple(OptionShare(oid, label, correct, picks[oid], picks[oid] / total if total else 0.0)
                 for oid, label, correct in options), blank


def flags(p: float | None, r: float | None, options: Sequence[OptionShare]) -> tuple[str, ...]:
    """Name what looks wrong with an item: too easy, too hard, not discriminating, an unused distractor."""
    found = []
    if p is not None and p > TOO_EASY:
        found.append("too easy")
    if p is not None and p < TOO_HARD:
        found.append("too hard")
    if r is not None and r <= 1e-9:
        found.append("zero or negative discrimination")
    if p is not None:
        unused = [o.id for o in options if not o.correct and o.picks == 0]
        if unused:
            found.append("distractor nobody picks: " + ", ".join(unused))
    return tuple(found)


def median(values: Iterable[float]) -> float | None:
    """Return the median, or None for no values."""
    values = list(values)
    return statistics.median(values) if values else None


# --- evaluations ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ItemSummary:
    item: EvaluationItem
    answered: int
    mean: float | None = None  # ratings
    distribution: tuple[tuple[str, int], ...] = ()  # (value, count): 5 down to 1, or yes then no
    yes_share: float | None = None  # yes/no items
    comments: tuple[str, ...] = ()  # text items, newest first


RATING_VALUES = ("5", "4", "3", "2", "1")


def summarize_evaluations(items: Sequence[EvaluationItem], answers: Sequence[Mapping[str, str]]) -> list[ItemSummary]:
    """Summarise evaluations item by item: rating means and spread, yes shares, and the comments."""
    return [_summarize(item, [str(a.get(item.id) or "").strip() for a in answers]) for item in items]


def _summarize(item: EvaluationItem, values: list[str]) -> ItemSummary:
    given = [v for v in values if v]
    if item.kind == "text":
        return ItemSummary(item, len(given), comments=tuple(given))
    return summary_from_counts(item, Counter(given))


def summary_from_counts(item: EvaluationItem, counts: Mapping[str, int], comments: Sequence[str] = (),
                        answered: int | None = None) -> ItemSummary:
    """Summarise one item from how often each answer was given (and, for text items, the comments)."""
    if item.kind == "text":
        return ItemSummary(item, answered if answered is not None else len(comments), comments=tuple(comments))
    if item.kind == "rating":
        n = sum(counts.get(v, 0) for v in RATING_VALUES)
        total = sum(int(v) * counts.get(v, 0) for v in RATING_VALUES)
        return ItemSummary(item, n, mean=total / n if n else None,
                           distribution=tuple((v, counts.get(v, 0)) for v in RATING_VALUES))
    yes, no = counts.get("yes", 0), counts.get("no", 0)
    share = yes / (yes + no) if yes + no else None
    return ItemSummary(item, yes + no, distribution=(("yes", yes), ("no", no)), yes_share=share)
