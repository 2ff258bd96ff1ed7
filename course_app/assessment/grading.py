"""Quiz logic as pure functions: drawing an attempt's questions, reading answers, grading."""
from __future__ import annotations

import random
from dataclasses import dataclass

from ..content.schema import Question, QuizFile

# An answer per question type: single and true_false a choice id; multiple a list of choice ids;
# matching {pair id: pair id whose match was chosen}; ordering a list of item ids in the chosen order.
Answer = str | list[str] | dict[str, str]


def option_ids(q: Question) -> list[str]:
    """Return the ids of what a learner picks from or arranges in a question, in authored order."""
    if q.type == "true_false":
        return ["true", "false"]
    if q.type == "matching":
        return [p.id for p in q.pairs]
    if q.type == "ordering":
        return [i.id for i in q.items]
    return [c.id for c in q.choices]


def draw_layout(quiz: QuizFile, rng: random.Random, avoid: frozenset[str] = frozenset()) -> list[dict]:
    """Pick the questions for a new attempt (pools drawn) and fix their order and their options' order.

    Questions in avoid (the previous attempt's) are drawn from a pool only when it lacks enough others.
    """
    by_pool: dict[str, list[Question]] = {}
    chosen: list[Question] = []
    for q in quiz.questions:
        if q.pool:
            by_pool.setdefault(q.pool, []).append(q)
        else:
            chosen.append(q)
    for pool, draw in quiz.pools.items():
        chosen.extend(draw_pool(by_pool.get(pool, []), draw, rng, avoid))
    chosen.sort(key=lambda q: quiz.questions.index(q))
    if quiz.shuffle_questions:
        rng.shuffle(chosen)
    chosen = _keep_cases_together(chosen)
    return [{"id": q.id, "order": _option_order(q, quiz.shuffle_choices, rng)} for q in chosen]


def draw_pool(questions: list[Question], draw: int, rng: random.Random, avoid: frozenset[str]) -> list[Question]:
    """Draw up to `draw` questions, fresh ones first, then as few of those in avoid as needed."""
    fresh = [q for q in questions if q.id not in avoid]
    seen = [q for q in questions if q.id in avoid]
    picked = rng.sample(fresh, min(draw, len(fresh)))
    picked += rng.sample(seen, min(draw - len(picked), len(seen)))
    return [q for q in questions if q in picked]


def _keep_cases_together(questions: list[Question]) -> list[Question]:
    """Move questions that share a case next to the first of them, so the case is read once."""
    ordered: list[Question] = []
    for q in questions:
        if q in ordered:
            continue
        ordered.extend([q] if q.case is None else [other for other in questions if other.case == q.case])
    return ordered


def case_groups(layout: list[dict], quiz: QuizFile) -> list[tuple[str | None, list[tuple[int, dict]]]]:
    """Split an attempt's questions into runs that share a case (None: no case), with 1-based numbers."""
    groups: list[tuple[str | None, list[tuple[int, dict]]]] = []
    for number, entry in enumerate(layout, 1):
        case = next(q.case for q in quiz.questions if q.id == entry["id"])
        if groups and groups[-1][0] == case and case is not None:
            groups[-1][1].append((number, entry))
        else:
            groups.append((case, [(number, entry)]))
    return groups


def _option_order(q: Question, shuffle: bool, rng: random.Random) -> list[str]:
    ids = option_ids(q)
    if q.type == "ordering":  # always shuffled, and never handed over already in order
        while len(ids) > 1 and ids == option_ids(q):
            rng.shuffle(ids)
    elif shuffle and q.type != "true_false" or q.type == "matching":
        rng.shuffle(ids)
    return ids


class AnswerError(ValueError):
    """An answer that does not fit its question (a tampered or malformed form)."""


def read_answers(quiz: QuizFile, layout: list[dict], form: dict[str, list[str]]) -> dict[str, Answer]:
    """Read answers from form fields (name -> values); ignore blanks, refuse anything out of range.

    Forms never carry option ids, which could hint at the key: an option is named by its 1-based
    position in the attempt's frozen order.
    """
    answers: dict[str, Answer] = {}
    for entry in layout:
        q = next(q for q in quiz.questions if q.id == entry["id"])
        order, name = entry["order"], f"q-{q.id}"
        if q.type in ("single", "true_false"):
            value = (form.get(name) or [""])[0]
            if value:
                answers[q.id] = _option(value, order, q)
        elif q.type == "multiple":
            values = [_option(v, order, q) for v in form.get(name, []) if v]
            if values:
                answers[q.id] = sorted(set(values))
        elif q.type == "matching":
            chosen = {pair.id: (form.get(f"{name}-{row}") or [""])[0] for row, pair in enumerate(q.pairs, 1)}
            picked = {pair: _option(v, order, q) for pair, v in chosen.items() if v}
            if picked:
                answers[q.id] = picked
        else:
            answers.update(_read_ordering(q, order, name, form))
    return answers


def _read_ordering(q: Question, order: list[str], name: str, form: dict[str, list[str]]) -> dict[str, Answer]:
    ranks = {item: (form.get(f"{name}-{shown}") or [""])[0] for shown, item in enumerate(order, 1)}
    if not any(ranks.values()):
        return {}
    if not all(r.isdigit() and 1 <= int(r) <= len(order) for r in ranks.values()):
        raise AnswerError(f"question '{q.id}': give every item a position from 1 to {len(order)}")
    if len(set(ranks.values())) != len(order):
        raise AnswerError(f"question '{q.id}': each position can be used only once")
    return {q.id: sorted(order, key=lambda item: int(ranks[item]))}


def _option(value: str, order: list[str], q: Question) -> str:
    if not value.isdigit() or not 1 <= int(value) <= len(order):
        raise AnswerError(f"question '{q.id}' has no option '{value[:40]}'")
    return order[int(value) - 1]


def unanswered(layout: list[dict], answers: dict[str, Answer], quiz: QuizFile) -> list[str]:
    """Return the ids of questions without a complete answer, in the attempt's order."""
    missing = []
    for entry in layout:
        q = next(q for q in quiz.questions if q.id == entry["id"])
        answer = answers.get(q.id)
        if not answer or (q.type == "matching" and len(answer) < len(q.pairs)):
            missing.append(q.id)
    return missing


@dataclass(frozen=True)
class Grade:
    score: float  # percent, 0-100, two decimals
    passed: bool
    results: dict[str, dict]  # question id -> {"points": 0..1, "correct": bool}


def grade(quiz: QuizFile, layout: list[dict], answers: dict[str, Answer], pass_mark: int | None = None) -> Grade:
    """Score an attempt: each question is worth one point; the attempt passes at the pass mark in force."""
    results = {}
    for entry in layout:
        q = next(q for q in quiz.questions if q.id == entry["id"])
        points = question_points(q, answers.get(q.id))
        results[q.id] = {"points": round(points, 4), "correct": points == 1.0}
    total = sum(r["points"] for r in results.values())
    score = round(100 * total / len(layout), 2) if layout else 0.0
    return Grade(score=score, passed=score >= (pass_mark or quiz.pass_mark or 80), results=results)


def question_points(q: Question, answer: Answer | None) -> float:
    """Return the points (0 to 1) an answer earns on one question."""
    if answer is None:
        return 0.0
    if q.type == "single":
        return 1.0 if any(c.id == answer and c.correct for c in q.choices) else 0.0
    if q.type == "true_false":
        return 1.0 if answer == ("true" if q.correct else "false") else 0.0
    if q.type == "multiple":
        right = {c.id for c in q.choices if c.correct}
        picked = set(answer)
        if q.scoring == "all_or_nothing":
            return 1.0 if picked == right else 0.0
        return max(0.0, (len(picked & right) - len(picked - right)) / len(right))
    if q.type == "matching":
        hits = sum(1 for p in q.pairs if isinstance(answer, dict) and answer.get(p.id) == p.id)
        return _partial(hits, len(q.pairs), q.scoring)
    hits = sum(1 for given, item in zip(answer, q.items) if given == item.id)
    return _partial(hits, len(q.items), q.scoring)


def _partial(hits: int, total: int, scoring: str) -> float:
    if scoring == "all_or_nothing":
        return 1.0 if hits == total else 0.0
    return hits / total
