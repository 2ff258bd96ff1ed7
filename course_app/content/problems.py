"""Problems found in content files, each naming the file, the line and what is wrong."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ValidationError

from .schema import ID_PATTERN
from .yamlsource import line_for


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int  # 1-based; 0 when no line applies
    message: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}: {prefix}{self.message}"


class ContentError(Exception):
    """Content that cannot be loaded at all; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class Problems(list):
    """A list of Problem that knows the content root, so paths print relative to it."""

    def __init__(self, root: Path):
        super().__init__()
        self.root = root

    def add(self, path: Path, line: int, message: str, severity: str = "error") -> None:
        try:
            shown = path.relative_to(self.root).as_posix()
        except ValueError:
            shown = str(path)
        self.append(Problem(shown, line, message, severity))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self if p.severity == "error"]


def validate(model: type[BaseModel], data: object, path: Path, lines: dict, problems: Problems,
             where: tuple = ()) -> BaseModel | None:
    """Validate data against a schema model, turning each pydantic error into a Problem."""
    if not isinstance(data, dict):
        problems.add(path, line_for(lines, where), "expected a mapping of field: value")
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = where + tuple(error["loc"])
            problems.add(path, line_for(lines, loc), _describe(error, loc[len(where):]))
        return None


def _describe(error: dict, loc: tuple) -> str:
    field = ".".join(str(part) for part in loc) or "file"
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"unknown field '{loc[-1]}'" + (f" in {'.'.join(map(str, loc[:-1]))}" if len(loc) > 1 else "")
    if kind == "missing":
        return f"missing required field '{field}'"
    if kind == "string_pattern_mismatch" and error.get("ctx", {}).get("pattern") == ID_PATTERN:
        return f"{field}: '{error.get('input')}' is not a valid id (lowercase letters, digits and single hyphens)"
    if kind == "literal_error":
        return f"{field}: {error['msg'].replace('Input should be', 'must be')}, not '{error.get('input')}'"
    message = error["msg"].removeprefix("Value error, ")
    return f"{field}: {message}" if loc else message
