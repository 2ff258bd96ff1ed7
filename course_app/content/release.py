"""Placeholders in course.yaml that must not ship: warnings for `course check`, errors with --release."""
from __future__ import annotations

import re
from pathlib import Path

from .model import Course
from .problems import Problem, Problems
from .yamlsource import YamlSyntaxError, line_for, parse_yaml

# Words that mark a value as not yet filled in. "Course Director" is a role, not a person.
PLACEHOLDER = re.compile(
    r"\bTBD\b|\bTBA\b|\bto be (named|confirmed|announced)\b|\bplaceholder\b|\blorem ipsum\b|\bXXX+\b"
    r"|\bpending\b|^course director$|\bexample\.(org|com|net)\b|^(name|author|signer)$",
    re.IGNORECASE)

# The course.yaml fields a person or a policy fills in, by path; statements are judged by the approval check.
FIELDS = [("provider", "name"), ("provider", "privacy_contact"), ("provider", "url"),
          ("signer", "name"), ("signer", "credentials"), ("signer", "title"),
          ("policies", "refund"), ("policies", "accommodations")]
AUTHOR_FIELDS = [("name",), ("credentials",), ("bio",), ("disclosures", "financial"), ("disclosures", "non_financial")]


def is_placeholder(value: object) -> bool:
    """True when a text value reads as not yet filled in."""
    return isinstance(value, str) and bool(PLACEHOLDER.search(value.strip()))


def placeholder_problems(course: Course, root: Path, severity: str = "warning") -> list[Problem]:
    """Name every placeholder value in course.yaml with its line, as warnings (or errors for a release)."""
    path = Path(root) / "course.yaml"
    try:
        data, lines = parse_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YamlSyntaxError):
        return []  # load_course has already said what is wrong with the file
    problems = Problems(Path(root))
    for where in _paths(data):
        value = _get(data, where)
        if is_placeholder(value):
            problems.add(path, line_for(lines, where), f"{'.'.join(map(str, where))} is a placeholder "
                         f"('{_short(value)}'): replace it before learners see it", severity)
    approval = course.provider.approval
    if approval.status == "approved" and is_placeholder(approval.number):
        problems.add(path, line_for(lines, ("provider", "approval", "number")),
                     "provider.approval.number is a placeholder", severity)
    return list(problems)


def _paths(data: dict) -> list[tuple]:
    paths = list(FIELDS)
    for index, _ in enumerate(data.get("authors") or []):
        paths.extend(("authors", index) + field for field in AUTHOR_FIELDS)
    return paths


def _get(data: object, where: tuple) -> object:
    for key in where:
        if isinstance(data, dict):
            data = data.get(key)
        elif isinstance(data, list) and isinstance(key, int) and key < len(data):
            data = data[key]
        else:
            return None
    return data


def _short(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= 60 else value[:57] + "..."
