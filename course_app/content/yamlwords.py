"""The YAML parser's messages, translated into what an author most likely did and how to fix it."""
from __future__ import annotations

import re

import yaml

QUOTE_FIX = "put the whole value in quotes"


def explain(exc: yaml.YAMLError, source: list[str]) -> tuple[int, str]:
    """Return the 0-based line of the mistake and a plain-words message for a YAML error."""
    problem = (getattr(exc, "problem", None) or "").lower()
    context = (getattr(exc, "context", None) or "").lower()
    mark, opened = getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)
    line = mark.line if mark else 0
    column = mark.column if mark else 0
    text = source[line] if 0 <= line < len(source) else ""
    char = text[column] if 0 <= column < len(text) else ""
    if "tab" in problem or char == "\t":
        return line, "a tab character is used for indentation or spacing here: YAML needs spaces; indent with spaces"
    if "quoted scalar" in context and "end of stream" in problem and opened:
        return opened.line, "a quote opened on this line is never closed: add the closing quote"
    if "flow sequence" in context and opened:
        return opened.line, "the '[' opened on this line is not closed with ']' (or an item lacks a comma)"
    if "flow mapping" in context and opened:
        return opened.line, "the '{' opened on this line is not closed with '}' (or an item lacks a comma)"
    if "mapping values are not allowed" in problem:
        return _colon(line, column, source)
    if "did not find expected key" in problem or "expected <block end>" in problem:
        return _unexpected(line, source)
    if "expected '-' indicator" in problem:
        return line, "this line is not a '- ' list item like the lines above it: line it up or start it with '- '"
    if "scanning an alias" in context or "scanning an anchor" in context:
        return line, f"a value that starts with '*' or '&' means something special in YAML: {QUOTE_FIX}"
    if "cannot start any token" in problem:
        return line, f"a value cannot start with '{char}' in YAML: {QUOTE_FIX}"
    if "unknown escape" in problem:
        return line, "a backslash inside double quotes starts an escape: use single quotes, or write '\\\\'"
    if "block scalar" in context:
        return line, "after '|' or '>' the text starts on the next line, indented: nothing may follow on this line"
    if "single document" in context:
        return line, "a second '---' starts another document here: a course file holds one; remove this line"
    if "could not find expected ':'" in problem:
        return _missing_colon(line, source)
    if "constructor for the tag" in problem:
        return line, f"'!' starts a YAML tag, which course files do not use: {QUOTE_FIX}"
    if "unhashable key" in problem:
        return line, "a field name here is a list or a group, not a word: write 'name: value'"
    if "special characters are not allowed" in problem or "control characters" in problem:
        return line, "this line holds a control character that is not text: delete it (re-type the line)"
    return line, f"YAML cannot read this line ({_plain(problem)}): check its indentation and quotes"


def _colon(line: int, column: int, source: list[str]) -> tuple[int, str]:
    text = source[line] if line < len(source) else ""
    first_colon = _key_colon(text)
    if first_colon is not None and first_colon < column:
        return line, f"this value holds ': ' (a colon and a space), which YAML reads as a new field: {QUOTE_FIX}"
    previous = _previous_content(line, source)
    if previous is not None and _key_colon(source[previous]) is None and not source[previous].lstrip().startswith("-"):
        return previous, "this line has no 'field: value' colon: add the field name, or join it to the line above"
    if previous is not None and _indent(text) > _indent(source[previous]):
        return line, "this line is indented further than the one above, which already has a value: line it up"
    return line, f"this value holds ': ' (a colon and a space), which YAML reads as a new field: {QUOTE_FIX}"


def _unexpected(line: int, source: list[str]) -> tuple[int, str]:
    text = source[line] if line < len(source) else ""
    quoted = re.match(r"^\s*(?:- )?[^:#]+:\s+(['\"])", text)
    if quoted:
        mark = quoted.group(1)
        if mark == "'":
            return line, ("an apostrophe ends a value that starts with a single quote: write it twice ('it''s') "
                          "or put the value in double quotes")
        return line, "text follows the closing quote of this value: put the whole value inside the quotes"
    if text.lstrip().startswith("- "):
        return line, "this list item is indented differently from the items above it: line up its '-' with theirs"
    return line, "this line is indented differently from the lines around it: line it up with the field it belongs to"


def _missing_colon(line: int, source: list[str]) -> tuple[int, str]:
    text = source[line] if line < len(source) else ""
    previous = _previous_content(line, source) if _key_colon(text) is not None else line
    at = previous if previous is not None else line
    return at, "this line has no 'field: value' colon: add one, or put a long value in quotes or after '>-'"


def _key_colon(text: str) -> int | None:
    match = re.match(r"^\s*(?:- )?[^\s'\"#][^:#]*?(:)(\s|$)", text)
    return match.start(1) if match else None


def _previous_content(line: int, source: list[str]) -> int | None:
    for index in range(min(line, len(source)) - 1, -1, -1):
        if source[index].strip() and not source[index].lstrip().startswith("#"):
            return index
    return None


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _plain(problem: str) -> str:
    return problem.replace("\n", " ")[:80] or "unexpected text"
