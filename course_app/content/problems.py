"""Problems found in content files, each naming the file, the line and what is wrong."""
from __future__ import annotations

import difflib
import re
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
        problems.add(path, line_for(lines, where), "expected fields written as 'name: value', one per line")
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = where + tuple(error["loc"])
            problems.add(path, _line(lines, loc, error), _describe(error, loc[len(where):], model))
        return None
    except RecursionError:
        problems.add(path, line_for(lines, where), "the values in this file nest too deeply to check")
        return None


def _line(lines: dict, loc: tuple, error: dict) -> int:
    """The line of the field at fault: for a rule about a whole group, the field the rule names."""
    named = re.findall(r"'([a-z_]+)(?::[^']*)?'", error.get("msg", ""))
    for name in named:
        if loc + (name,) in lines:
            return lines[loc + (name,)]
    return line_for(lines, loc)


def _describe(error: dict, loc: tuple, model: type[BaseModel]) -> str:
    field = ".".join(str(part) for part in loc) or "file"
    kind = error["type"]
    if kind == "extra_forbidden":
        where = f" in {'.'.join(map(str, loc[:-1]))}" if len(loc) > 1 else ""
        return f"unknown field '{loc[-1]}'{where}{_suggest(str(loc[-1]), model)}"
    if kind == "missing":
        return f"missing required field '{field}'"
    if kind == "string_pattern_mismatch" and error.get("ctx", {}).get("pattern") == ID_PATTERN:
        return f"{field}: '{error.get('input')}' is not a valid id (lowercase letters, digits and single hyphens)"
    if kind == "literal_error":
        return f"{field}: {error['msg'].replace('Input should be', 'must be')}, not '{_short(error.get('input'))}'"
    if kind == "string_type" and isinstance(error.get("input"), bool):
        return (f"{field}: must be text, but YAML reads yes, no, on, off, true and false as a yes/no value: "
                "put it in quotes")
    if kind in PLAIN and error.get("input", "") is None:
        return f"{field}: has no value after its colon: write one, or remove the line"
    if kind in PLAIN:
        text = PLAIN[kind].format(**error.get("ctx", {}), got=_short(error.get("input")))
        return f"{field}: {text.replace('1 item(s)', '1 item').replace('(s)', 's')}"
    message = error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    message = re.sub(r" or instance of \w+|\[[^\]]*\]", "", message).replace("Input should be", "must be")
    return f"{field}: {message}" if loc else message


PLAIN = {
    "int_type": "must be a whole number, not '{got}'",
    "int_parsing": "must be a whole number, not '{got}'",
    "int_from_float": "must be a whole number, not '{got}'",
    "float_type": "must be a number, not '{got}'",
    "float_parsing": "must be a number, not '{got}'",
    "decimal_type": "must be a number, not '{got}'",
    "decimal_parsing": "must be a number, not '{got}'",
    "finite_number": "must be an ordinary number, not '{got}'",
    "bool_type": "must be true or false, not '{got}'",
    "bool_parsing": "must be true or false, not '{got}'",
    "string_type": "must be text, not '{got}' (put it in quotes if it is meant as text)",
    "string_too_short": "must not be empty",
    "string_too_long": "is too long: at most {max_length} characters",
    "list_type": "must be a list: one '- item' per line, or [a, b]",
    "dict_type": "must be a group of fields ('name: value' on the indented lines below it)",
    "model_type": "must be a group of fields ('name: value' on the indented lines below it)",
    "model_attributes_type": "must be a group of fields ('name: value' on the indented lines below it)",
    "too_short": "needs at least {min_length} item(s)",
    "too_long": "has too many items: at most {max_length}",
    "greater_than": "must be more than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than": "must be less than {lt}",
    "less_than_equal": "must be at most {le}",
    "date_type": "must be a date written as YYYY-MM-DD, not '{got}'",
    "date_parsing": "must be a date written as YYYY-MM-DD, not '{got}'",
    "date_from_datetime_parsing": "must be a date written as YYYY-MM-DD, not '{got}'",
    "decimal_max_places": "has too many decimal places",
    "none_required": "must be empty",
    "url_parsing": "must be a web address starting with https://",
}


def _short(value: object) -> str:
    text = value if isinstance(value, str) else repr(value) if isinstance(value, (int, float)) else \
        {dict: "a group of fields", list: "a list"}.get(type(value), str(value))
    return text if len(text) <= 60 else text[:57] + "..."


def _suggest(name: str, model: type[BaseModel]) -> str:
    close = difflib.get_close_matches(name.lower(), sorted(_field_names(model)), n=1, cutoff=0.7)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _field_names(model: type[BaseModel]) -> set[str]:
    """Every field name of a model and of the models inside it."""
    names, stack, seen = set(), [model], set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        for name, info in current.model_fields.items():
            names.add(name)
            stack.extend(_models_in(info.annotation))
    return names


def _models_in(annotation) -> list:
    found = []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found.append(annotation)
    for arg in getattr(annotation, "__args__", ()) or ():
        found.extend(_models_in(arg))
    return found
