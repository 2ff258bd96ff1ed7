"""Checks across files: ids and orders used twice, prerequisites, programs, and every module's post-test."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .problems import Problems
from .schema import CourseFile
from .yamlsource import line_for


@dataclass
class Known:
    """Ids claimed by files, readable or not, so a broken file is reported once and not by its referrers."""

    modules: set[str] = field(default_factory=set)
    quiz_modules: set[str] = field(default_factory=set)
    unreadable_module: bool = False  # a module.md whose id could not be read at all
    unreadable_quiz: bool = False

    def unknown_module(self, module_id: str) -> bool:
        return module_id not in self.modules and not self.unreadable_module


def _where(problems: Problems, path: Path, line: int) -> str:
    try:
        shown = path.relative_to(problems.root).as_posix()
    except ValueError:
        shown = str(path)
    return f"{shown}:{line}" if line else shown


def check_modules(drafts: list, known: Known, problems: Problems) -> None:
    """Refuse repeated module ids and orders (naming both files), and wrong prerequisites."""
    for field_name in ("id", "order"):
        seen: dict[object, tuple[Path, int]] = {}
        for draft in drafts:
            value, line = getattr(draft.meta, field_name), draft.lines.get((field_name,), 0)
            if value in seen:
                problems.add(draft.path, line, f"{field_name} {_shown(value)} is already used by "
                                               f"{_where(problems, *seen[value])}; each module needs its own")
            else:
                seen[value] = (draft.path, line)
    for draft in drafts:
        for index, prerequisite in enumerate(draft.meta.prerequisites):
            line = line_for(draft.lines, ("prerequisites", index))
            if prerequisite == draft.meta.id:
                problems.add(draft.path, line, "a module cannot be its own prerequisite: remove "
                                               f"'{prerequisite}' from its prerequisites")
            elif known.unknown_module(prerequisite):
                problems.add(draft.path, line, f"unknown prerequisite module '{prerequisite}': no module.md has "
                                               f"'id: {prerequisite}'")
    _check_cycles(drafts, problems)


def _shown(value: object) -> str:
    return f"'{value}'" if isinstance(value, str) else str(value)


def _check_cycles(drafts: list, problems: Problems) -> None:
    """Report each cycle of prerequisites once, at its first module in catalog order."""
    by_id = {}
    for draft in drafts:
        by_id.setdefault(draft.meta.id, draft)
    graph = {mid: [p for p in d.meta.prerequisites if p in by_id and p != mid] for mid, d in by_id.items()}
    reported: set[frozenset] = set()
    for start in sorted(graph, key=lambda m: (by_id[m].meta.order, m)):
        cycle = _cycle_from(start, graph)
        if cycle and frozenset(cycle) not in reported:
            reported.add(frozenset(cycle))
            draft = by_id[start]
            path = " → ".join(cycle + [cycle[0]])
            problems.add(draft.path, draft.lines.get(("prerequisites",), 0),
                         f"prerequisites go round in a circle ({path}), so none of these modules could ever "
                         "open: remove one of them")


def _cycle_from(start: str, graph: dict[str, list[str]]) -> list[str] | None:
    """Return the shortest cycle through start as a list of ids, or None."""
    paths = [[start]]
    seen = {start}
    while paths:
        following = []
        for path in paths:
            for nxt in graph[path[-1]]:
                if nxt == start:
                    return path
                if nxt not in seen:
                    seen.add(nxt)
                    following.append(path + [nxt])
        paths = following
    return None


def check_post_tests(drafts: list, quizzes: dict, known: Known, problems: Problems) -> None:
    """Ask every module for a post-test unless its module.md says 'post_test: false'."""
    firsts = {}
    for draft in drafts:
        firsts.setdefault(draft.meta.id, draft)
    for draft in firsts.values():  # a repeated module id is already reported
        has_quiz = draft.meta.id in quizzes or draft.meta.id in known.quiz_modules
        if draft.meta.post_test and not has_quiz and not known.unreadable_quiz:
            problems.add(draft.path, draft.lines.get(("id",), 0),
                         f"module '{draft.meta.id}' has no post-test: add quizzes/{draft.meta.id}.yaml with "
                         f"'module: {draft.meta.id}', or write 'post_test: false' in module.md if it has none")
        elif not draft.meta.post_test and draft.meta.id in quizzes:
            problems.add(draft.path, draft.lines.get(("post_test",), 0),
                         f"module.md says 'post_test: false' but {Path(quizzes[draft.meta.id].path).name} is a "
                         "post-test for this module: remove one of them")


def check_course_file(spec: CourseFile, lines: dict, path: Path, problems: Problems) -> None:
    """Refuse program and evaluation ids used twice in course.yaml, naming both lines."""
    for section, items in (("programs", spec.programs), ("evaluation", spec.evaluation)):
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            line = line_for(lines, (section, index, "id"))
            if item.id in seen:
                what = "program" if section == "programs" else "evaluation item"
                problems.add(path, line, f"{what} id '{item.id}' is used twice, on line {seen[item.id]} and on "
                                         f"line {line}: give each its own id")
            else:
                seen[item.id] = line


def check_programs(spec: CourseFile, lines: dict, known: Known, path: Path, problems: Problems) -> None:
    """Refuse programs that list an unknown module, or a module twice (its hours would count twice)."""
    for p_index, program in enumerate(spec.programs):
        seen: set[str] = set()
        for index, module_id in enumerate(program.modules):
            line = line_for(lines, ("programs", p_index, "modules", index))
            if module_id in seen:
                problems.add(path, line, f"program '{program.id}' lists module '{module_id}' twice: its hours "
                                         "would count twice on the program certificate; list it once")
            elif known.unknown_module(module_id):
                problems.add(path, line, f"program '{program.id}' lists unknown module '{module_id}': no "
                                         f"module.md has 'id: {module_id}'")
            seen.add(module_id)
