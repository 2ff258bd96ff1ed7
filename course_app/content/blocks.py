"""Reflection blocks inside lessons: ```reflection fences holding YAML, swapped for placeholders."""
from __future__ import annotations

import re
from pathlib import Path

from .problems import Problem, Problems, validate
from .schema import ReflectionSpec
from .yamlsource import YamlSyntaxError, parse_yaml

REFLECTION_START = re.compile(r"^```\s*reflection\s*$")
FENCE_END = re.compile(r"^```\s*$")
SLOT = "REFLECTION-SLOT-{}"
SLOT_PATTERN = re.compile(r"<p>REFLECTION-SLOT-(\d+)</p>")


def extract_reflections(body: str, first: int, path: Path, problems: Problems):
    """Replace each ```reflection block with a placeholder paragraph; return the source and the specs."""
    lines = body.splitlines()
    out: list[str] = []
    specs: list[ReflectionSpec] = []
    index = 0
    while index < len(lines):
        if not REFLECTION_START.match(lines[index]):
            out.append(lines[index])
            index += 1
            continue
        start = index
        end = next((i for i in range(start + 1, len(lines)) if FENCE_END.match(lines[i])), None)
        if end is None:
            problems.add(path, first + start, "reflection block is not closed: end it with a line ```")
            break
        spec = _parse_reflection("\n".join(lines[start + 1:end]), first + start + 1, path, problems)
        if spec is not None:
            out.extend(["", SLOT.format(len(specs)), ""])
            specs.append(spec)
        index = end + 1
    return "\n".join(out), specs


def _parse_reflection(text: str, first_line: int, path: Path, problems: Problems) -> ReflectionSpec | None:
    try:
        data, lines = parse_yaml(text, first_line=first_line)
    except YamlSyntaxError as exc:
        problems.add(path, exc.line, f"reflection block: {exc}")
        return None
    if not isinstance(data, dict):
        problems.add(path, first_line, "reflection block: expected fields such as 'id:' and 'prompt:'")
        return None
    before = len(problems)
    spec = validate(ReflectionSpec, data, path, lines, problems)
    for i in range(before, len(problems)):
        problem = problems[i]
        problems[i] = Problem(problem.path, problem.line, f"reflection: {problem.message}", problem.severity)
    return spec
