"""Blocks inside lessons: ```reflection and ```check fences holding YAML, swapped for placeholders.

A placeholder carries a random token made fresh for every load, so text an author types (even text
that looks like a placeholder) can never be mistaken for one.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from .problems import Problem, Problems, validate
from .schema import CheckSpec, ReflectionSpec
from .yamlsource import YamlSyntaxError, parse_yaml

KINDS = {"reflection": ReflectionSpec, "check": CheckSpec}
BLOCK_START = re.compile(r"^```[ \t]*(reflection|check)[ \t]*$")
FENCE_END = re.compile(r"^```\s*$")
NEAR_MISS = re.compile(r"^\s*(`{3,}|~{3,})\s*\{?\s*\.?(reflections?|checks?|knowledge[-_ ]?checks?)\b",
                       re.IGNORECASE)
WHAT = {"reflection": "fields such as 'id:' and 'prompt:'", "check": "fields such as 'id:', 'prompt:' and 'choices:'"}


@dataclass(frozen=True)
class Block:
    kind: str  # "reflection" or "check"
    spec: ReflectionSpec | CheckSpec
    line: int  # the line of its id


def slot_pattern(token: str) -> re.Pattern:
    return re.compile(rf"<p>BLOCK-{token}-(\d+)</p>")


def extract_blocks(body: str, first: int, path: Path, problems: Problems) -> tuple[str, list[Block], str]:
    """Replace each block with a placeholder paragraph; return the source, the blocks and the token."""
    token = secrets.token_hex(8)
    lines = body.split("\n")
    out: list[str] = []
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        match = BLOCK_START.match(lines[index])
        if not match:
            _near_miss(lines[index], first + index, path, problems)
            out.append(lines[index])
            index += 1
            continue
        kind, start = match.group(1), index
        end = next((i for i in range(start + 1, len(lines)) if FENCE_END.match(lines[i])), None)
        if end is None:
            problems.add(path, first + start, f"{kind} block is not closed: end it with a line ```")
            break
        spec, id_line = _parse(kind, "\n".join(lines[start + 1:end]), first + start + 1, path, problems)
        if spec is not None:
            out.extend(["", f"BLOCK-{token}-{len(blocks)}", ""])
            blocks.append(Block(kind, spec, id_line))
        index = end + 1
    return "\n".join(out), blocks, token


def _near_miss(line: str, number: int, path: Path, problems: Problems) -> None:
    match = NEAR_MISS.match(line)
    if not match or BLOCK_START.match(line.strip()):
        return
    word = match.group(2).lower()
    kind = "check" if "check" in word else "reflection"
    problems.add(path, number, f"'{line.strip()}' is not a {kind} block, so learners would see its text as "
                               f"code: start the block with a line ```{kind} (three backticks, lowercase)", "warning")


def _parse(kind: str, text: str, first_line: int, path: Path, problems: Problems):
    try:
        data, lines = parse_yaml(text, first_line=first_line)
    except YamlSyntaxError as exc:
        problems.add(path, exc.line, f"{kind} block: {exc}")
        return None, 0
    if not isinstance(data, dict):
        problems.add(path, first_line, f"{kind} block: expected {WHAT[kind]}, each on its own line")
        return None, 0
    before = len(problems)
    spec = validate(KINDS[kind], data, path, lines, problems)
    for i in range(before, len(problems)):
        problem = problems[i]
        problems[i] = Problem(problem.path, problem.line, f"{kind}: {problem.message}", problem.severity)
    return spec, lines.get(("id",), first_line)
