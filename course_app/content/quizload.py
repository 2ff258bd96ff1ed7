"""Read quizzes/*.yaml: validate each quiz against its schema and against the modules it belongs to."""
from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

from .model import Quiz
from .problems import Problems, validate
from .render import render_inline, render_markdown
from .schema import QuizFile
from .yamlsource import YamlSyntaxError, line_for, parse_yaml


def load_quizzes(folder: Path, module_ids: set[str], problems: Problems) -> dict[str, Quiz]:
    """Load every quiz file; return quizzes by module id."""
    quizzes: dict[str, Quiz] = {}
    if not folder.is_dir():
        return quizzes
    for path in sorted(folder.glob("*.y*ml")):
        try:
            data, lines = parse_yaml(path.read_text(encoding="utf-8"))
        except YamlSyntaxError as exc:
            problems.add(path, exc.line, str(exc))
            continue
        except UnicodeDecodeError:
            problems.add(path, 0, "not UTF-8 text")
            continue
        spec = validate(QuizFile, data, path, lines, problems)
        if spec is None or not _consistent(spec, lines, path, module_ids, problems):
            continue
        if spec.module in quizzes:
            problems.add(path, line_for(lines, ("module",)),
                         f"module '{spec.module}' already has a quiz in {Path(quizzes[spec.module].path).name}")
            continue
        quizzes[spec.module] = Quiz(spec=spec, path=str(path), html=MappingProxyType(_render(spec)),
                                    lines=MappingProxyType(lines))
    return quizzes


def _consistent(spec: QuizFile, lines: dict, path: Path, module_ids: set[str], problems: Problems) -> bool:
    """Check what the schema cannot see alone: references between parts of the file and to modules."""
    before = len(problems)
    if spec.module not in module_ids:
        problems.add(path, line_for(lines, ("module",)), f"unknown module '{spec.module}'")
    case_ids = [c.id for c in spec.cases]
    for index, case_id in enumerate(case_ids):
        if case_id in case_ids[:index]:
            problems.add(path, line_for(lines, ("cases", index, "id")), f"duplicate case id '{case_id}'")
    pool_sizes = {name: 0 for name in spec.pools}
    seen: set[str] = set()
    for index, question in enumerate(spec.questions):
        where = ("questions", index)
        if question.id in seen:
            problems.add(path, line_for(lines, where + ("id",)), f"duplicate question id '{question.id}'")
        seen.add(question.id)
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
