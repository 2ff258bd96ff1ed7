"""Read course.yaml, modules/ and quizzes/ into a Course, collecting every problem on the way."""
from __future__ import annotations

import hashlib
import logging
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from .crosscheck import Known, check_course_file, check_modules, check_post_tests, check_programs
from .files import LESSON_NEAR_MISSES, entries, inside, near_miss, read_text
from .lessons import build_lesson, check_block_ids
from .model import Course, Module
from .assessment import check_assessment, seat_share, with_rules
from .people import check_signature_image
from .problems import ContentError, Problem, Problems, validate
from .quizload import load_quizzes
from .render import render_inline, render_markdown
from .schema import CourseFile, LessonMeta, ModuleMeta
from .yamlsource import YamlSyntaxError, parse_yaml

log = logging.getLogger(__name__)
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".svg", ".webp", ".gif"}
FRONT_MATTER_FIELDS = {"module.md": "id:, title:, summary:, order:, level:, contact_hours: and objectives:",
                       "lesson": "id:, title: and minutes:"}


def load_course(root: Path | str) -> tuple[Course | None, list[Problem]]:
    """Load the course under root; return it (None when there are errors) and all problems, sorted."""
    root = Path(root)
    problems = Problems(root)
    try:
        course = _load(root, problems)
    except RecursionError:
        problems.add(root, 0, "a file nests its content too deeply to read (lists or quotes inside each other "
                              "hundreds of times): simplify it")
        course = None
    except Exception as error:  # noqa: BLE001 - an author gets a sentence; the log keeps the details
        log.warning("content engine failed under %s: %r", root, error, exc_info=log.isEnabledFor(logging.DEBUG))
        problems.add(root, 0, "the course could not be read to the end because of a fault in the content "
                              "engine itself, not in your files; the server log has the details")
        course = None
    if problems.errors:
        course = None
    return course, sorted(set(problems))


def load_course_or_raise(root: Path | str) -> Course:
    """Load the course, raising ContentError with every error when it is broken."""
    course, problems = load_course(root)
    if course is None:
        raise ContentError([p for p in problems if p.severity == "error"])
    return course


def _load(root: Path, problems: Problems) -> Course | None:
    known = Known()
    spec, spec_lines = _load_course_file(root, problems)
    drafts = _read_modules(root, known, problems)
    check_modules(drafts, known, problems)
    _assemble(drafts, root, problems)
    quizzes = load_quizzes(root / "quizzes", root, known, problems)
    check_post_tests(drafts, quizzes, known, problems)
    modules = [Module(meta=d.meta, folder=d.folder, overview_html=d.overview_html,
                      references_html=d.references_html, lessons=tuple(d.lessons),
                      quiz=with_rules(quizzes.get(d.meta.id), spec), version=_version(d, quizzes.get(d.meta.id)),
                      seat_time_share=seat_share(d.meta, spec))
               for d in drafts]
    check_assessment(modules, problems)
    broken = {p.path.split("/")[1] for p in problems.errors if p.path.startswith("modules/") and "/" in p.path}
    for module in modules:  # a module with a broken lesson would only get follow-on warnings about its hours
        quiz_broken = module.quiz is None and module.id in known.quiz_modules
        if module.folder not in broken and not quiz_broken:
            _check_hours(module, root / "modules" / module.folder / "module.md", problems)
    if spec is not None:
        check_course_file(spec, spec_lines, root / "course.yaml", problems)
        check_programs(spec, spec_lines, known, root / "course.yaml", problems)
        check_signature_image(spec, root, root / "course.yaml", problems)
    if problems.errors or spec is None:
        return None
    return Course(spec=spec, modules=tuple(sorted(modules, key=lambda m: m.meta.order)))


def split_front_matter(text: str, path: Path, problems: Problems, kind: str = "lesson"
                       ) -> tuple[dict | None, dict, str, int]:
    """Split '---' YAML front matter from a Markdown body; return data, line map, body, body's first line."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        blank = next((i for i, line in enumerate(lines) if line.strip()), None)
        if blank and lines[blank].strip() == "---":
            problems.add(path, 1, "remove the empty lines before the first '---': the file must start with it")
        else:
            problems.add(path, 1, "missing front matter: the file must start with a line '---', then its fields "
                                  f"({FRONT_MATTER_FIELDS[kind]}), then a line '---'")
        return None, {}, text, 1
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        problems.add(path, 1, "front matter is not closed: add a line '---' after its fields")
        return None, {}, text, 1
    body, first = "\n".join(lines[end + 1:]), end + 2
    warnings: list = []
    try:
        data, line_map = parse_yaml("\n".join(lines[1:end]), first_line=2, warnings=warnings)
    except YamlSyntaxError as exc:
        problems.add(path, exc.line, str(exc))
        return None, {}, body, first
    for line, message in warnings:
        problems.add(path, line, message, "warning")
    if data is None:
        problems.add(path, 2, f"the front matter is empty: write its fields ({FRONT_MATTER_FIELDS[kind]}) "
                              "between the two '---' lines")
        return None, {}, body, first
    return data, line_map, body, first


@dataclass
class Draft:
    meta: ModuleMeta
    folder: str
    path: Path
    body: str
    lines: dict  # the front matter's line map
    lessons: list  # of (LessonMeta, body, body's first line, path, front matter line map), then of Lesson
    overview_html: str = ""
    references_html: tuple = ()
    sources: list = field(default_factory=list)


def _load_course_file(root: Path, problems: Problems) -> tuple[CourseFile | None, dict]:
    path = root / "course.yaml"
    if path.is_dir() and not path.is_symlink():
        problems.add(path, 0, "course.yaml is a folder; it must be a file naming the provider, signer and programs")
        return None, {}
    if not path.is_file() and not path.is_symlink():
        near = [p.name for p in root.glob("*") if p.name.lower() in {"course.yml", "course.yaml", "course.yaml.txt"}]
        hint = f" (found '{near[0]}': rename it to 'course.yaml')" if near else ""
        problems.add(path, 0, f"course.yaml is missing: it names the provider, signer and programs{hint}")
        return None, {}
    if not inside(path, root) or not path.exists():
        problems.add(path, 0, "course.yaml is a link to a file outside the content folder (or to nothing): "
                              "put the real file here")
        return None, {}
    text = read_text(path, problems)
    if text is None:
        return None, {}
    data, lines = _parse_file(text, path, problems)
    if data is None:
        return None, {}
    return validate(CourseFile, data, path, lines, problems), lines


def _parse_file(text: str, path: Path, problems: Problems) -> tuple[object, dict]:
    """Parse a whole YAML file, reporting its syntax problems; return (None, {}) when it cannot be read."""
    warnings: list = []
    try:
        data, lines = parse_yaml(text, warnings=warnings)
    except YamlSyntaxError as exc:
        problems.add(path, exc.line, str(exc))
        return None, {}
    for line, message in warnings:
        problems.add(path, line, message, "warning")
    if data is None:
        problems.add(path, 1, "this file is empty: write its fields")
    return data, lines


def _read_modules(root: Path, known: Known, problems: Problems) -> list[Draft]:
    """Read every module folder; return the valid drafts, noting every id claimed (valid or not) in known.

    Ids of modules whose front matter has errors still count as known, so one mistake is reported
    once and not again by every quiz, program and prerequisite that names the module.
    """
    folder = root / "modules"
    if not folder.is_dir():
        problems.add(folder, 0, "the modules/ folder is missing: it holds one folder per module")
        known.unreadable_module = True
        return []
    drafts: list[Draft] = []
    for entry in entries(folder, root, problems):
        if not entry.is_dir():
            problems.add(entry, 0, "skipped: only module folders are read in modules/ (lessons go inside a "
                                   "module's folder)", "warning")
            continue
        draft = _read_module(entry, root, known, problems)
        if draft is not None:
            drafts.append(draft)
    return drafts


def _read_module(module_dir: Path, root: Path, known: Known, problems: Problems) -> Draft | None:
    children = entries(module_dir, root, problems)
    index = module_dir / "module.md"
    if index not in children or not index.is_file():
        near = [p.name for p in children if p.name.lower().startswith("module.") and p.name != "module.md"]
        hint = f" (found '{near[0]}': rename it to 'module.md')" if near else ""
        if index in children:
            hint = " ('module.md' here is a folder, not a file)"
        problems.add(module_dir, 0, f"a module folder needs a module.md with the module's front matter{hint}")
        known.unreadable_module = True
        return None
    text = read_text(index, problems)
    data, lines, body = None, {}, ""
    if text is not None:
        data, lines, body, _ = split_front_matter(text, index, problems, "module.md")
    claimed = data.get("id") if isinstance(data, dict) else _salvage(text, "id")
    if isinstance(claimed, str):
        known.modules.add(claimed)
    else:
        known.unreadable_module = True
    meta = validate(ModuleMeta, data, index, lines, problems) if data is not None else None
    lessons = _read_lessons(module_dir, children, problems)
    if meta is None:
        return None
    return Draft(meta, module_dir.name, index, body, lines, lessons)


def _salvage(text: str | None, key: str) -> str | None:
    """Find 'key: value' in text that could not be parsed, so references to it are not reported too."""
    match = re.search(rf"^{key}:\s*['\"]?([a-z0-9]+(?:-[a-z0-9]+)*)['\"]?\s*$", text or "", re.MULTILINE)
    return match.group(1) if match else None


def _read_lessons(module_dir: Path, children: list[Path], problems: Problems) -> list:
    lessons = []
    files = []
    for path in children:
        if path.name == "module.md":
            continue
        if path.suffix == ".md" and path.is_dir():
            problems.add(path, 0, "skipped: a folder named like a lesson file; lessons are files", "warning")
        elif path.suffix == ".md":
            files.append(path)
        elif path.is_file() and (hint := near_miss(path, ".md", LESSON_NEAR_MISSES)):
            problems.add(path, 0, hint, "warning")
    if not files:
        problems.add(module_dir / "module.md", 0, "this module has no lessons: add one Markdown file per lesson")
    for path in files:
        text = read_text(path, problems)
        if text is None:
            continue
        data, lines, body, first = split_front_matter(text, path, problems)
        meta = validate(LessonMeta, data, path, lines, problems) if data is not None else None
        if meta is not None:
            lessons.append((meta, body, first, path, lines))
    seen: dict[str, tuple[Path, int]] = {}
    for meta, _, _, path, lines in lessons:
        line = lines.get(("id",), 0)
        if meta.id in seen:
            other, other_line = seen[meta.id]
            problems.add(path, line, f"lesson id '{meta.id}' is already used by {other.name}:{other_line}; "
                                     "give each lesson its own id")
        seen.setdefault(meta.id, (path, line))
    return lessons


def _assemble(drafts: list[Draft], root: Path, problems: Problems) -> None:
    """Render every lesson now that every lesson's path is known (links between them can resolve)."""
    lesson_urls = {path.resolve(): f"/modules/{d.meta.id}/lessons/{meta.id}"
                   for d in drafts for meta, _, _, path, _ in d.lessons}
    for draft in drafts:
        resolve = _resolver(draft.path.parent, root, lesson_urls)
        overview = render_markdown(draft.body, resolve)
        _link_problems(overview, draft.path, draft.body, problems)
        draft.overview_html = overview.html
        draft.references_html = tuple(render_inline(ref) for ref in draft.meta.references)
        built = []
        for meta, body, first, path, lines in draft.lessons:
            lesson, rendered, block_lines = build_lesson(draft.meta.id, meta, body, first, path, resolve, problems)
            _link_problems(rendered, path, body, problems, first)
            _check_minutes(lesson, path, lines.get(("minutes",), 0), problems)
            built.append((lesson, block_lines))
        check_block_ids(built, problems)
        built = [lesson for lesson, _ in built]
        draft.sources = [Path(lesson.path) for lesson in built]
        draft.lessons = built


def _resolver(module_dir: Path, root: Path, lesson_urls: dict[Path, str]):
    modules = (root / "modules").resolve()

    def resolve(target: str) -> str | None:
        address, _, anchor = target.partition("#")
        try:
            candidate = (module_dir / address).resolve()
        except (OSError, RuntimeError, ValueError):
            return None
        if candidate in lesson_urls:
            return lesson_urls[candidate] + (f"#{anchor}" if anchor else "")
        if candidate.suffix.lower() in IMAGE_SUFFIXES and modules in candidate.parents and candidate.is_file():
            return "/media/" + candidate.relative_to(modules).as_posix()
        if address.startswith("/") and posixpath.normpath(address) in lesson_urls.values():
            return target
        return None
    return resolve


def _link_problems(rendered, path: Path, source: str, problems: Problems, first: int = 1) -> None:
    for src in rendered.images_without_alt:
        problems.add(path, _line_of(source, src, first), f"image '{src}' has no alt text: describe it between "
                                                         "the brackets, ![like this](file.png)", "warning")
    for target in rendered.broken_links:
        problems.add(path, _line_of(source, target, first), f"broken internal link '{target}': no lesson or "
                                                            "image inside the course has that path", "warning")


def _line_of(source: str, needle: str, first: int) -> int:
    for number, line in enumerate(source.split("\n")):
        if needle and needle in line:
            return first + number
    return 0


def _check_minutes(lesson, path: Path, line: int, problems: Problems) -> None:
    estimate = lesson.estimated_minutes
    if abs(estimate - lesson.minutes) > max(5, 0.5 * lesson.minutes):
        problems.add(path, line, f"declares {lesson.minutes} minutes but its words and activities suggest "
                                 f"about {round(estimate)}", "warning")


def _check_hours(module: Module, path: Path, problems: Problems) -> None:
    """Warn when the hours a module claims are not backed by the time its content takes."""
    claimed = float(module.contact_hours) * 60
    declared, estimated = module.declared_minutes, module.estimated_minutes
    if not 0.8 * claimed <= declared <= 1.25 * claimed:
        problems.add(path, 0, f"claims {module.contact_hours} contact hours ({claimed:g} minutes) but its lessons "
                              f"and quiz declare {declared} minutes", "warning")
    if declared and abs(estimated - declared) > 0.2 * declared:
        problems.add(path, 0, f"its lessons and quiz declare {declared} minutes but words and activities "
                              f"suggest about {round(estimated)} (more than 20% apart)", "warning")


def _version(draft: Draft, quiz) -> str:
    digest = hashlib.sha256()
    for file in [draft.path, *draft.sources] + ([Path(quiz.path)] if quiz else []):
        digest.update(file.read_bytes())
    return f"{draft.meta.version}+{digest.hexdigest()[:10]}"
