"""One lesson from its Markdown: blocks taken out, the rest rendered, the blocks put back as segments."""
from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

from .blocks import Block, extract_blocks, slot_pattern
from .model import Lesson, Segment
from .problems import Problems
from .render import Rendered, count_words, render_inline, render_markdown, too_complex
from .schema import CheckSpec, LessonMeta, ReflectionSpec


def build_lesson(module_id: str, meta: LessonMeta, body: str, first: int, path: Path, resolve,
                 problems: Problems) -> tuple[Lesson, Rendered, list]:
    """Build a lesson; return it, its rendering (for link and image problems) and its blocks' lines."""
    source, blocks, token = extract_blocks(body, first, path, problems)
    complex_ = too_complex(body)
    if complex_:
        problems.add(path, first + complex_[0], complex_[1])
    rendered = render_markdown(source, resolve)
    parts = slot_pattern(token).split(rendered.html)
    segments = [Segment(html=parts[0])]
    for index in range(1, len(parts), 2):
        block = blocks[int(parts[index])]
        segments.append(Segment(reflection=block.spec) if block.kind == "reflection" else Segment(check=block.spec))
        segments.append(Segment(html=parts[index + 1]))
    reflections = tuple(b.spec for b in blocks if b.kind == "reflection")
    checks = tuple(b.spec for b in blocks if b.kind == "check")
    lesson = Lesson(id=meta.id, module_id=module_id, title=meta.title, minutes=meta.minutes,
                    activity_minutes=meta.activity_minutes, words=count_words(source) + _block_words(blocks),
                    segments=tuple(s for s in segments if s.reflection or s.check or s.html.strip()),
                    toc_html=rendered.toc_html, headings=tuple(rendered.headings),
                    reflections=reflections, path=str(path), objectives=tuple(meta.objectives), checks=checks,
                    block_html=MappingProxyType(_block_html(reflections, checks)))
    return lesson, rendered, [(b.kind, b.spec.id, b.line) for b in blocks]


def _block_words(blocks: list[Block]) -> int:
    words = 0
    for block in blocks:
        spec = block.spec
        if isinstance(spec, ReflectionSpec):
            words += count_words(" ".join(filter(None, (spec.prompt, spec.guidance, spec.model_response,
                                                        spec.commentary))))
        else:
            words += count_words(" ".join([spec.prompt] + [c.text for c in spec.choices]))
    return words


def _block_html(reflections: tuple[ReflectionSpec, ...], checks: tuple[CheckSpec, ...]) -> dict[str, str]:
    html: dict[str, str] = {}
    for spec in reflections:
        if spec.model_response:
            html[f"model:{spec.id}"] = render_markdown(spec.model_response).html
        if spec.commentary:
            html[f"commentary:{spec.id}"] = render_markdown(spec.commentary).html
    for check in checks:
        html[f"prompt:{check.id}"] = _unwrap(render_inline(check.prompt))
        for choice in check.choices:
            html[f"choice:{check.id}:{choice.id}"] = _unwrap(render_inline(choice.text))
            html[f"feedback:{check.id}:{choice.id}"] = render_inline(choice.feedback)
    return html


def _unwrap(html: str) -> str:
    """Drop the paragraph around a one-paragraph text, so it can sit in a legend or a label."""
    inner = html.strip().removeprefix("<p>").removesuffix("</p>")
    return inner if "<p>" not in inner and "</p>" not in inner and "<" + "div" not in inner else html


def check_block_ids(lessons: list[tuple[Lesson, list]], problems: Problems) -> None:
    """Refuse a reflection or check id used twice in one module, naming both places."""
    seen: dict[str, tuple[str, int]] = {}
    for lesson, blocks in lessons:
        for kind, block_id, line in blocks:
            if block_id in seen:
                where, other = seen[block_id]
                problems.add(Path(lesson.path), line, f"{kind} id '{block_id}' is already used in {where}:{other}; "
                                                      "reflection and check ids are unique within a module")
            else:
                seen[block_id] = (Path(lesson.path).name, line)
