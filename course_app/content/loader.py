"""Read course.yaml, modules/ and quizzes/ into a Course, collecting every problem on the way."""
from __future__ import annotations

import hashlib
import posixpath
from dataclasses import dataclass
from pathlib import Path

from .blocks import SLOT_PATTERN, extract_reflections
from .model import Course, Lesson, Module, Segment
from .problems import ContentError, Problem, Problems, validate
from .assessment import check_assessment, seat_share, with_rules
from .people import check_signature_image
from .quizload import load_quizzes
from .render import count_words, render_inline, render_markdown
from .schema import CourseFile, LessonMeta, ModuleMeta
from .yamlsource import YamlSyntaxError, parse_yaml


def load_course(root: Path | str) -> tuple[Course | None, list[Problem]]:
    """Load the course under root; return it (None when there are errors) and all problems, sorted."""
    root = Path(root)
    problems = Problems(root)
    spec = _load_course_file(root / "course.yaml", problems)
    drafts, claimed = _read_modules(root / "modules", problems)
    modules = _assemble(drafts, root, problems)
    quizzes = load_quizzes(root / "quizzes", claimed, problems)
    modules = [
        Module(meta=m.meta, folder=m.folder, overview_html=m.overview_html, references_html=m.references_html,
               lessons=m.lessons, quiz=with_rules(quizzes.get(m.meta.id), spec),
               version=_version(m, quizzes.get(m.meta.id)), seat_time_share=seat_share(m.meta, spec))
        for m in modules
    ]
    check_assessment(modules, problems)
    for module in modules:
        _check_hours(module, root / "modules" / module.folder / "module.md", problems)
    if spec is not None:
        _check_programs(spec, claimed, root / "course.yaml", problems)
        check_signature_image(spec, root, root / "course.yaml", problems)
    if problems.errors or spec is None:
        return None, sorted(problems)
    return Course(spec=spec, modules=tuple(sorted(modules, key=lambda m: m.meta.order))), sorted(problems)


def load_course_or_raise(root: Path | str) -> Course:
    """Load the course, raising ContentError with every error when it is broken."""
    course, problems = load_course(root)
    if course is None:
        raise ContentError([p for p in problems if p.severity == "error"])
    return course


def split_front_matter(text: str, path: Path, problems: Problems) -> tuple[dict | None, dict, str, int]:
    """Split '---' YAML front matter from a Markdown body; return data, line map, body, body's first line."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        problems.add(path, 1, "missing front matter: the file must start with a line '---'")
        return None, {}, text, 1
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        problems.add(path, 1, "front matter is not closed: add a line '---' after it")
        return None, {}, text, 1
    try:
        data, line_map = parse_yaml("\n".join(lines[1:end]), first_line=2)
    except YamlSyntaxError as exc:
        problems.add(path, exc.line, str(exc))
        return None, {}, "\n".join(lines[end + 1:]), end + 2
    return data, line_map, "\n".join(lines[end + 1:]), end + 2


@dataclass
class _Draft:
    meta: ModuleMeta
    folder: str
    path: Path
    body: str
    lessons: list  # of (LessonMeta, body, body's first line, path, front matter line map)
    overview_html: str = ""
    references_html: tuple = ()


def _load_course_file(path: Path, problems: Problems) -> CourseFile | None:
    if not path.is_file():
        problems.add(path, 0, "course.yaml is missing: it names the provider, signer and programs")
        return None
    try:
        data, lines = parse_yaml(path.read_text(encoding="utf-8"))
    except YamlSyntaxError as exc:
        problems.add(path, exc.line, str(exc))
        return None
    except UnicodeDecodeError:
        problems.add(path, 0, "not UTF-8 text")
        return None
    return validate(CourseFile, data, path, lines, problems)


def _read_text(path: Path, problems: Problems) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.add(path, 0, f"not UTF-8 text (byte {exc.start})")
        return None


def _read_modules(folder: Path, problems: Problems) -> tuple[list[_Draft], set[str]]:
    """Read every module folder; return the valid drafts and every id claimed (valid or not).

    Ids of modules whose front matter has errors still count as known, so one mistake is reported
    once and not again by every quiz, program and prerequisite that names the module.
    """
    if not folder.is_dir():
        problems.add(folder, 0, "the modules/ folder is missing")
        return [], set()
    drafts: list[_Draft] = []
    claimed: set[str] = set()
    for module_dir in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        index = module_dir / "module.md"
        if not index.is_file():
            problems.add(module_dir, 0, "a module folder needs a module.md with the module's front matter")
            continue
        text = _read_text(index, problems)
        if text is None:
            continue
        data, lines, body, _ = split_front_matter(text, index, problems)
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            claimed.add(data["id"])
        meta = validate(ModuleMeta, data, index, lines, problems) if data is not None else None
        lessons = _read_lessons(module_dir, problems)
        if meta is not None:
            drafts.append(_Draft(meta, module_dir.name, index, body, lessons))
    _check_modules(drafts, claimed, problems)
    return drafts, claimed


def _read_lessons(module_dir: Path, problems: Problems) -> list:
    lessons = []
    files = sorted(p for p in module_dir.glob("*.md") if p.name != "module.md")
    if not files:
        problems.add(module_dir / "module.md", 0, "this module has no lessons: add one Markdown file per lesson")
    for path in files:
        text = _read_text(path, problems)
        if text is None:
            continue
        data, lines, body, first = split_front_matter(text, path, problems)
        meta = validate(LessonMeta, data, path, lines, problems) if data is not None else None
        if meta is not None:
            lessons.append((meta, body, first, path, lines))
    seen: dict[str, Path] = {}
    for meta, _, _, path, lines in lessons:
        if meta.id in seen:
            problems.add(path, lines.get(("id",), 0), f"lesson id '{meta.id}' is already used by {seen[meta.id].name}")
        seen.setdefault(meta.id, path)
    return lessons


def _check_modules(drafts: list[_Draft], claimed: set[str], problems: Problems) -> None:
    ids: dict[str, _Draft] = {}
    orders: dict[int, _Draft] = {}
    for draft in drafts:
        if draft.meta.id in ids:
            problems.add(draft.path, 0, f"module id '{draft.meta.id}' is already used by {ids[draft.meta.id].folder}/")
        if draft.meta.order in orders:
            problems.add(draft.path, 0, f"order {draft.meta.order} is already used by {orders[draft.meta.order].folder}/")
        ids.setdefault(draft.meta.id, draft)
        orders.setdefault(draft.meta.order, draft)
    for draft in drafts:
        for prerequisite in draft.meta.prerequisites:
            if prerequisite == draft.meta.id:
                problems.add(draft.path, 0, "a module cannot be its own prerequisite")
            elif prerequisite not in claimed:
                problems.add(draft.path, 0, f"unknown prerequisite module '{prerequisite}'")
    _check_cycles(ids, problems)


def _check_cycles(ids: dict[str, _Draft], problems: Problems) -> None:
    for start, draft in ids.items():
        seen, stack = set(), list(draft.meta.prerequisites)
        while stack:
            current = stack.pop()
            if current == start:
                problems.add(draft.path, 0, f"prerequisites of '{start}' lead back to itself")
                break
            if current in ids and current not in seen:
                seen.add(current)
                stack.extend(ids[current].meta.prerequisites)


def _assemble(drafts: list[_Draft], root: Path, problems: Problems) -> list[_Draft]:
    """Render every lesson now that every lesson's path is known (links between them can resolve)."""
    lesson_urls = {path.resolve(): f"/modules/{d.meta.id}/lessons/{meta.id}"
                   for d in drafts for meta, _, _, path, _ in d.lessons}
    for draft in drafts:
        resolve = _resolver(draft.path.parent, root, lesson_urls)
        overview = render_markdown(draft.body, resolve)
        _link_problems(overview, draft.path, draft.body, problems)
        draft.overview_html = overview.html
        draft.references_html = tuple(render_inline(ref) for ref in draft.meta.references)
        reflection_ids: dict[str, Path] = {}
        built = []
        for meta, body, first, path, lines in draft.lessons:
            lesson = _build_lesson(draft.meta.id, meta, body, first, path, resolve, problems)
            _check_minutes(lesson, path, lines.get(("minutes",), 0), problems)
            for spec in lesson.reflections:
                if spec.id in reflection_ids:
                    problems.add(path, 0, f"reflection id '{spec.id}' is already used in {reflection_ids[spec.id].name}")
                reflection_ids.setdefault(spec.id, path)
            built.append(lesson)
        draft.lessons = tuple(built)
    return drafts


def _resolver(module_dir: Path, root: Path, lesson_urls: dict[Path, str]):
    def resolve(target: str) -> str | None:
        address, _, anchor = target.partition("#")
        candidate = (module_dir / address).resolve()
        if candidate in lesson_urls:
            return lesson_urls[candidate] + (f"#{anchor}" if anchor else "")
        modules = (root / "modules").resolve()
        if candidate.is_file() and candidate.suffix.lower() in {".png", ".jpg", ".jpeg", ".svg", ".webp", ".gif"} \
                and modules in candidate.parents:
            return "/media/" + candidate.relative_to(modules).as_posix()
        if address.startswith("/") and posixpath.normpath(address) in lesson_urls.values():
            return target
        return None
    return resolve


def _build_lesson(module_id: str, meta: LessonMeta, body: str, first: int, path: Path, resolve,
                  problems: Problems) -> Lesson:
    source, reflections = extract_reflections(body, first, path, problems)
    rendered = render_markdown(source, resolve)
    _link_problems(rendered, path, body, problems, first)
    parts = SLOT_PATTERN.split(rendered.html)
    segments = [Segment(html=parts[0])]
    for index in range(1, len(parts), 2):
        segments.append(Segment(reflection=reflections[int(parts[index])]))
        segments.append(Segment(html=parts[index + 1]))
    words = count_words(source) + sum(count_words(r.prompt + " " + (r.guidance or "")) for r in reflections)
    lesson = Lesson(id=meta.id, module_id=module_id, title=meta.title, minutes=meta.minutes,
                    activity_minutes=meta.activity_minutes, words=words,
                    segments=tuple(s for s in segments if s.reflection or s.html.strip()),
                    toc_html=rendered.toc_html, headings=tuple(rendered.headings),
                    reflections=tuple(reflections), path=str(path), objectives=tuple(meta.objectives))
    return lesson


def _link_problems(rendered, path: Path, source: str, problems: Problems, first: int = 1) -> None:
    for src in rendered.images_without_alt:
        problems.add(path, _line_of(source, src, first), f"image '{src}' has no alt text", "warning")
    for target in rendered.broken_links:
        problems.add(path, _line_of(source, target, first), f"broken internal link '{target}'", "warning")


def _line_of(source: str, needle: str, first: int) -> int:
    for number, line in enumerate(source.splitlines()):
        if needle and needle in line:
            return first + number
    return 0


def _check_minutes(lesson: Lesson, path: Path, line: int, problems: Problems) -> None:
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
    if abs(estimated - declared) > 0.2 * declared:
        problems.add(path, 0, f"its lessons and quiz declare {declared} minutes but words and activities "
                              f"suggest about {round(estimated)} (more than 20% apart)", "warning")


def _check_programs(spec: CourseFile, module_ids: set[str], path: Path, problems: Problems) -> None:
    for program in spec.programs:
        for module_id in program.modules:
            if module_id not in module_ids:
                problems.add(path, 0, f"program '{program.id}' lists unknown module '{module_id}'")


def _version(draft: _Draft, quiz) -> str:
    digest = hashlib.sha256()
    files = [draft.path] + [Path(lesson.path) for lesson in draft.lessons] + ([Path(quiz.path)] if quiz else [])
    for file in files:
        digest.update(file.read_bytes())
    return f"{draft.meta.version}+{digest.hexdigest()[:10]}"
