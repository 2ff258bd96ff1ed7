"""YAML parsing that remembers which line every value came from."""
from __future__ import annotations

from typing import Any

import yaml

Path_ = tuple[str | int, ...]
# libyaml's parser when PyYAML was built with it (the wheels are), the pure-Python one otherwise.
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlSyntaxError(ValueError):
    def __init__(self, line: int, message: str):
        self.line = line
        super().__init__(message)


def parse_yaml(text: str, first_line: int = 1) -> tuple[Any, dict[Path_, int]]:
    """Parse YAML text; return the data and a map from key paths to 1-based line numbers."""
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + mark.line if mark else first_line
        problem = getattr(exc, "problem", None) or str(exc)
        raise YamlSyntaxError(line, f"invalid YAML: {problem}") from None
    finally:
        loader.dispose()
    lines: dict[Path_, int] = {}
    if node is not None:
        _walk(node, (), lines, first_line)
    return data, lines


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int], offset: int) -> None:
    lines[path] = node.start_mark.line + offset
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = path + (key.value,)
            _walk(value, child, lines, offset)
            lines[child] = key.start_mark.line + offset
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, path + (index,), lines, offset)


def line_for(lines: dict[Path_, int], path: Path_) -> int:
    """Return the line of the deepest known part of a path."""
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return 0
