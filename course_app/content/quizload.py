"""Read quizzes/*.yaml: validate each quiz against its schema and against the modules it belongs to."""
from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType

from .files import QUIZ_NEAR_MISSES, entries, near_miss, read_text
from .model import Quiz
from .problems import Problems, validate
from .render import render_inline, render_markdown
from .schema import QuizFile
from .yamlsource import YamlSyntaxError, line_for, parse_yaml


def load_quizzes(folder: Path, root: Path, known, problems: Problems) -> dict[str, Quiz]:
    """Load every quiz file; return quizzes by module id (noting in known the modules any file claims)."""
    quizzes: dict[str, Quiz] = {}
    if not folder.is_dir():
        return quizzes
    for path in entries(folder, root, problems):
        if path.suffix not in (".yaml", ".yml") or not path.is_file():
            _not_a_quiz(path, problems)
            continue
        spec, lines = _read_quiz(path, known, problems)
        if spec is None or not _consistent(spec, lines, path, known, problems):
            continue
        if spec.module in quizzes:
            problems.add(path, line_for(lines, ("module",)),
                         f"module '{spec.module}' already has a quiz in {Path(quizzes[spec.module].path).name}: "
                         "a module has one post-test")
            continue
        quizzes[spec.module] = Quiz(spec=spec, path=str(path), html=MappingProxyType(_render(spec)),
                                    lines=MappingProxyType(lines))
    return quizzes


def _not_a_quiz(path: Path, problems: Problems) -> None:
    if path.is_dir():
        if path.suffix.lower() in (".yaml", ".yml"):
            problems.add(path, 0, "skipped: a folder named like a quiz file; quizzes are files", "warning")
        return
    hint = near_miss(path, ".yaml", QUIZ_NEAR_MISSES | {".yml"})
    problems.add(path, 0, hint or "skipped: quizzes/ holds only quiz files ending in .yaml", "warning")


def _read_quiz(path: Path, known, problems: Problems) -> tuple[QuizFile | None, dict]:
    text = read_text(path, problems)
    if text is None:
        known.unreadable_quiz = True
        return None, {}
    warnings: list = []
    try:
        data, lines = parse_yaml(text, warnings=warnings)
    except YamlSyntaxError as exc:
        problems.add(path, exc.line, str(exc))
        claimed = _salvage_module(text)
        if claimed:
            known.quiz_modules.add(claimed)
        else:
            known.unreadable_quiz = True
        return None, {}
    for line, message in warnings:
        problems.add(path, line, message, "warning")
    if isinstance(data, dict) and isinstance(data.get("module"), str):
        known.quiz_modules.add(data["module"])
    else:
        known.unreadable_quiz = True
    if data is None:
        problems.add(path, 1, "this quiz file is empty: write its fields (module:, minutes:, questions:)")
        return None, {}
    return validate(QuizFile, data, path, lines, problems), lines


def _salvage_module(text: str) -> str | None:
    match = re.search(r"^module:\s*['\"]?([a-z0-9]+(?:-[a-z0-9]+)*)['\"]?\s*$", text, re.MULTILINE)
    return match.group(1) if match else None


def _consistent(spec: QuizFile, lines: dict, path: Path, known, problems: Problems) -> bool:
    """Check what the schema cannot see alone: references between parts of the file and to modules."""
    before = len(problems)
    if known.unknown_module(spec.module):
        problems.add(path, line_for(lines, ("module",)), f"unknown module '{spec.module}': no module.md has "
                                                         f"'id: {spec.module}'")
    case_ids = [c.id for c in spec.cases]
    _duplicates("case", case_ids, "cases", lines, path, problems)
    _duplicates("question", [q.id for q in spec.questions], "questions", lines, path, problems)
    pool_sizes = {name: 0 for name in spec.pools}
    for index, question in enumerate(spec.questions):
        where = ("questions", index)
        if question.case and question.case not in case_ids:
            problems.add(path, line_for(lines, where + ("case",)), f"question '{question.id}' names unknown case '{question.case}'")
        if question.pool:
            if question.pool not in pool_sizes:
                problems.add(path, line_for(lines, where + ("pool",)),
                             f"question '{question.id}' names pool '{question.pool}', which 'pools' does not declare")
            else:
                pool_sizes[question.pool] += 1
    for name, draw in spec.pools.items():
        if draw < 1:
            problems.add(path, line_for(lines, ("pools", name)), f"pool '{name}' must draw at least 1 question")
        elif draw > pool_sizes[name]:
            problems.add(path, line_for(lines, ("pools", name)),
                         f"pool '{name}' draws {draw} questions but has only {pool_sizes[name]}")
    return len(problems) == before


def _duplicates(what: str, ids: list[str], section: str, lines: dict, path: Path, problems: Problems) -> None:
    seen: dict[str, int] = {}
    for index, item in enumerate(ids):
        line = line_for(lines, (section, index, "id"))
        if item in seen:
            problems.add(path, line, f"{what} id '{item}' is used twice, on line {seen[item]} and on line {line}: "
                                     "give each its own id")
        seen.setdefault(item, line)


def _render(spec: QuizFile) -> dict[str, str]:
    html: dict[str, str] = {}
    for case in spec.cases:
        html[f"case:{case.id}"] = render_markdown(case.text).html
    for q in spec.questions:
        html[f"prompt:{q.id}"] = render_inline(q.prompt)
        for choice in q.choices:
            html[f"choice:{q.id}:{choice.id}"] = render_inline(choice.text)
            html[f"rationale:{q.id}:{choice.id}"] = render_inline(choice.rationale)
        for item in list(q.pairs) + list(q.items):
            html[f"rationale:{q.id}:{item.id}"] = render_inline(item.rationale)
        if q.type == "true_false":
            html[f"rationale:{q.id}:true"] = render_inline(q.rationale_true or "")
            html[f"rationale:{q.id}:false"] = render_inline(q.rationale_false or "")
    return html
