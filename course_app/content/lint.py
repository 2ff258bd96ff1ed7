"""Item-writing rules for post-test questions: each rule is one small function, each finding a warning.

The rules and an example of each are in docs/authoring.md ("Item-writing checks").
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .model import Quiz
from .problems import Problems
from .schema import Question, QuizFile
from .yamlsource import line_for

LONGEST_KEY_SHARE = 1 / 3
ABSOLUTES = ("always", "never", "only", "must", "all", "none")
ABSOLUTE = re.compile(r"\b(" + "|".join(ABSOLUTES) + r")\b", re.IGNORECASE)
ALL_OR_NONE = re.compile(r"\b(all|none|both|neither) of the (above|options|answers)\b", re.IGNORECASE)
NEGATIVE = re.compile(r"\b(not|except)\b", re.IGNORECASE)
EMPHASISED = re.compile(r"\*\*[^*]+\*\*|(?<!\*)\*[^*\s][^*]*\*|__[^_]+__|<(strong|em)>.*?</\1>", re.IGNORECASE)
QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”")
WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
STOPWORDS = frozenset("""
about above after again against because before being below between could doing during further having
here hers herself himself into itself just more most other ought ours ourselves over same should some
such than that their theirs them themselves then there these they this those through under until very
what when where which while with would your yours yourself yourselves client clients practitioner
therapist occupational therapy best response next first most likely following statement does what
""".split())


@dataclass(frozen=True)
class Finding:
    line: int
    message: str


def lint_quiz(quiz: Quiz, problems: Problems) -> None:
    """Add a warning for every item-writing finding in the quiz, with its line."""
    for finding in findings(quiz.spec, quiz.lines):
        problems.add(Path(quiz.path), finding.line, finding.message, "warning")


def findings(spec: QuizFile, lines: dict) -> list[Finding]:
    """Run every rule over a quiz and return what they find, in the file's order."""
    found = longest_key(spec, lines) + true_false_per_form(spec, lines)
    for index, question in enumerate(spec.questions):
        where = ("questions", index)
        for rule in QUESTION_RULES:
            found += [Finding(line_for(lines, where + path), f"question '{question.id}': {message}")
                      for path, message in rule(question)]
    return sorted(found, key=lambda f: f.line)


def _keys(q: Question) -> list:
    return [c for c in q.choices if c.correct]


def _distractors(q: Question) -> list:
    return [c for c in q.choices if not c.correct]


def is_longest_key(q: Question) -> bool:
    """True when a single-choice question's key is strictly longer than every other option."""
    key = _keys(q)[0]
    return all(len(key.text) > len(other.text) for other in _distractors(q))


def longest_key(spec: QuizFile, lines: dict) -> list[Finding]:
    """The key is strictly the longest option in more than a third of the quiz's single-choice items."""
    singles = [q for q in spec.questions if q.type == "single"]
    longest = [q for q in singles if is_longest_key(q)]
    if not singles or len(longest) / len(singles) <= LONGEST_KEY_SHARE:
        return []
    share = round(100 * len(longest) / len(singles))
    return [Finding(line_for(lines, ("questions",)),
                    f"the key is strictly the longest option in {len(longest)} of {len(singles)} single-choice "
                    f"items ({share}%; keep it to a third or less, or test-wise learners pick the longest): "
                    + ", ".join(q.id for q in longest))]


def true_false_per_form(spec: QuizFile, lines: dict) -> list[Finding]:
    """More than one true/false item can appear on one form."""
    fixed = sum(1 for q in spec.questions if q.type == "true_false" and not q.pool)
    pooled = Counter(q.pool for q in spec.questions if q.type == "true_false" and q.pool)
    most = fixed + sum(min(count, spec.pools.get(pool, 0)) for pool, count in pooled.items())
    if most <= 1:
        return []
    first = next(i for i, q in enumerate(spec.questions) if q.type == "true_false")
    return [Finding(line_for(lines, ("questions", first, "type")),
                    f"a form can hold {most} true/false items; keep it to one (a guess is right half the time)")]


def all_or_none_of_the_above(q: Question) -> list[tuple[tuple, str]]:
    """An option reads 'all of the above' or 'none of the above'."""
    return [(("choices", i, "text"), f"option '{c.id}' says '{ALL_OR_NONE.search(c.text).group(0)}'; "
             "write a real option instead") for i, c in enumerate(q.choices) if ALL_OR_NONE.search(c.text)]


def absolute_distractors(q: Question) -> list[tuple[tuple, str]]:
    """Absolute words (always, never, only, must, all, none) in distractors but not in the key."""
    if q.type not in ("single", "multiple") or any(ABSOLUTE.search(c.text) for c in _keys(q)):
        return []
    flagged = [(i, c, sorted({m.lower() for m in ABSOLUTE.findall(c.text)})) for i, c in enumerate(q.choices)
               if not c.correct and ABSOLUTE.search(c.text)]
    return [(("choices", i, "text"), f"distractor '{c.id}' uses {', '.join(repr(w) for w in words)} and the key "
             "uses no absolute word, which gives the distractor away") for i, c, words in flagged]


def question_sentence(prompt: str) -> str:
    """The sentence that asks (the stem's last), without quoted speech: 'He is not sure. Which ...?' -> 'Which ...?'."""
    text = QUOTED.sub("", " ".join(prompt.split()))
    return re.split(r"(?<=[.!?])\s+(?=[A-Z*])", text.strip())[-1]


def unemphasised_negative(q: Question) -> list[tuple[tuple, str]]:
    """A negative stem ('not', 'except') in the asking sentence without emphasis (NOT, **not**)."""
    stem = EMPHASISED.sub("", question_sentence(q.prompt))
    words = [m.group(0) for m in NEGATIVE.finditer(stem) if not m.group(0).isupper()]
    if not words:
        return []
    return [(("prompt",), f"the stem says '{words[0]}' without emphasis; write **{words[0].upper()}** so no "
             "one misreads it")]


def duplicate_options(q: Question) -> list[tuple[tuple, str]]:
    """Two options with the same text."""
    seen: dict[str, str] = {}
    found = []
    for i, c in enumerate(q.choices):
        text = " ".join(c.text.lower().split()).strip(" .\"'")
        if text in seen:
            found.append((("choices", i, "text"), f"options '{seen[text]}' and '{c.id}' have the same text"))
        seen.setdefault(text, c.id)
    return found


def _norm(word: str) -> str:
    word = word.lower()
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def distinctive(text: str) -> set[str]:
    """Content words of five letters or more, lowercased, with a plural 's' dropped."""
    return {_norm(w) for w in WORD.findall(text) if len(w) >= 5 and w.lower() not in STOPWORDS}


def stem_repeats_key(q: Question) -> list[tuple[tuple, str]]:
    """The key repeats two or more distinctive words of the stem that no distractor uses (a clang clue)."""
    if q.type != "single":
        return []
    key = _keys(q)[0]
    others = set().union(*(distinctive(c.text) for c in _distractors(q)))
    shared = sorted(distinctive(q.prompt) & distinctive(key.text) - others)
    if len(shared) < 2:
        return []
    words = sorted({w for w in WORD.findall(key.text) if _norm(w) in shared}, key=str.lower)
    return [(("choices", q.choices.index(key), "text"), "the key repeats the stem's words "
             + ", ".join(repr(w) for w in words) + " and no distractor does, which points to the answer")]


QUESTION_RULES = (all_or_none_of_the_above, absolute_distractors, unemphasised_negative, duplicate_options,
                  stem_repeats_key)
