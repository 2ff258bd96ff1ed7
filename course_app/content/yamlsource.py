"""YAML parsing that remembers which line every value came from, and explains mistakes in plain words.

Course files use plain YAML only: anchors and aliases are refused (nothing can recurse or expand),
duplicate keys are refused (naming both lines), nesting is bounded, and every parser message is
translated into what the author most likely did and how to fix it.
"""
from __future__ import annotations

from typing import Any

import yaml

from .yamlwords import explain

Path_ = tuple[str | int, ...]
# libyaml's parser when PyYAML was built with it (the wheels are), the pure-Python one otherwise.
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_DEPTH = 40
MAX_EVENTS = 50_000


class YamlSyntaxError(ValueError):
    def __init__(self, line: int, message: str):
        self.line = line
        super().__init__(message)


def parse_yaml(text: str, first_line: int = 1, warnings: list | None = None) -> tuple[Any, dict[Path_, int]]:
    """Parse YAML text; return the data and a map from key paths to 1-based line numbers.

    Warnings (line, message) about text that is valid but probably not what was meant go to warnings.
    """
    _check_events(text, first_line)
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_keys(node, first_line)
        data = _construct(loader, node, first_line)
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, text, first_line) from None
    finally:
        loader.dispose()
    lines: dict[Path_, int] = {}
    if node is not None:
        _walk(node, (), lines, first_line, text.splitlines(), warnings)
    return data, lines


def _check_events(text: str, first_line: int) -> None:
    """Refuse anchors, aliases and deep nesting before anything is built from the text."""
    depth = 0
    try:
        for count, event in enumerate(yaml.parse(text, Loader=Loader)):
            line = first_line + event.start_mark.line
            if isinstance(event, yaml.AliasEvent):
                raise YamlSyntaxError(line, f"'*{event.anchor}' is a YAML alias, which course files do not use. "
                                            "If you meant *emphasis*, put the whole value in quotes")
            if getattr(event, "anchor", None):
                raise YamlSyntaxError(line, f"'&{event.anchor}' is a YAML anchor, which course files do not use. "
                                            "If the value starts with '&', put the whole value in quotes")
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise YamlSyntaxError(line, f"the values here are nested more than {MAX_DEPTH} levels deep; "
                                                "course files need only a few levels")
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
            if count > MAX_EVENTS:
                raise YamlSyntaxError(first_line, f"this file holds more than {MAX_EVENTS:,} values, far more "
                                                  "values than any course file needs: is it the right file?")
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, text, first_line) from None


def _check_keys(node: yaml.Node, offset: int) -> None:
    """Refuse a key written twice in one mapping, naming both lines."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode):
                    line = key.start_mark.line + offset
                    if key.tag != "tag:yaml.org,2002:str":
                        raise YamlSyntaxError(line, f"'{key.value}' as a field name is read as a number, a yes/no "
                                                    "value or nothing, not a word: write the field's name")
                    if key.value in seen:
                        raise YamlSyntaxError(line, f"'{key.value}' is written twice in the same place, on line "
                                                    f"{seen[key.value]} and on line {line}: keep one")
                    seen[key.value] = line
                else:
                    raise YamlSyntaxError(key.start_mark.line + offset,
                                          "a field name here is a list or a group, not a word: write 'name: value'")
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)


def _construct(loader, node: yaml.Node | None, offset: int) -> Any:
    """Build Python values; a value YAML cannot read (a date like 2026-13-45) is named with its line."""
    if node is None:
        return None
    try:
        return loader.construct_document(node)
    except yaml.YAMLError:
        raise
    except (ValueError, TypeError, OverflowError) as exc:
        line = _failing_scalar_line(node, offset)
        raise YamlSyntaxError(line, f"this value cannot be read ({_plain(exc)}); if it is text, put it in quotes") \
            from None


def _failing_scalar_line(node: yaml.Node, offset: int) -> int:
    stack = [node]
    probe = Loader("")
    try:
        while stack:
            current = stack.pop()
            if isinstance(current, yaml.ScalarNode):
                try:
                    probe.construct_object(current, deep=True)
                except Exception:  # noqa: BLE001 - this is the value that fails; report its line
                    return current.start_mark.line + offset
            elif isinstance(current, yaml.MappingNode):
                stack.extend(value for pair in current.value for value in pair)
            elif isinstance(current, yaml.SequenceNode):
                stack.extend(current.value)
    finally:
        probe.dispose()
    return node.start_mark.line + offset


def _plain(exc: Exception) -> str:
    return str(exc).split("\n")[0][:120]


def _syntax_error(exc: yaml.YAMLError, text: str, first_line: int) -> YamlSyntaxError:
    line, message = explain(exc, text.splitlines())
    return YamlSyntaxError(first_line + line, message)


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int], offset: int, source: list[str],
          warnings: list | None) -> None:
    stack: list[tuple[yaml.Node, Path_, int | None]] = [(node, path, None)]
    while stack:  # no recursion: a deep file cannot exhaust the stack
        current, where, key_line = stack.pop()
        lines[where] = key_line if key_line is not None else current.start_mark.line + offset
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                stack.append((value, where + (key.value,), key.start_mark.line + offset))
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                stack.append((item, where + (index,), None))
        elif warnings is not None and not current.style and current.end_mark.line > current.start_mark.line:
            _merged_item(current, source, offset, warnings)


def _merged_item(node: yaml.ScalarNode, source: list[str], offset: int, warnings: list) -> None:
    """Warn when a value runs on into a line that starts with '- ' (a list item indented too far)."""
    for index in range(node.start_mark.line + 1, min(node.end_mark.line + 1, len(source))):
        if source[index].lstrip().startswith("- "):
            warnings.append((index + offset, "this line starts with '- ' but YAML reads it as the end of the "
                                             "value above: if it is a new list item, line up its '-' with the "
                                             "'-' of the item above"))
            return


def line_for(lines: dict[Path_, int], path: Path_) -> int:
    """Return the line of the deepest known part of a path."""
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return 0
