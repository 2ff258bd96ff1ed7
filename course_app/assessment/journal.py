"""My journal: a learner's reflections gathered by module, and its Markdown and PDF exports."""
from __future__ import annotations

import io
from dataclasses import dataclass

from ..content import Course, Lesson, Module
from ..content.render import word_count
from ..content.schema import ReflectionSpec
from ..models import Reflection, User, utcnow
from .reflections import journal


@dataclass(frozen=True)
class Entry:
    spec: ReflectionSpec
    lesson: Lesson
    saved: Reflection | None

    @property
    def words(self) -> int:
        return word_count(self.saved.text) if self.saved else 0


def journal_sections(user_id: int, course: Course) -> list[tuple[Module, list[Entry]]]:
    """Return, per module in course order, every reflection prompt with what the learner wrote."""
    saved = journal(user_id)
    sections = []
    for module in course.modules:
        entries = [Entry(spec, lesson, saved.get((module.id, spec.id)))
                   for lesson in module.lessons for spec in lesson.reflections]
        if entries:
            sections.append((module, entries))
    return sections


def journal_markdown(user: User, sections: list[tuple[Module, list[Entry]]]) -> str:
    """Write the journal as a Markdown document."""
    lines = [f"# Reflection journal: {user.full_name}", "",
             f"Exported {utcnow():%B %d, %Y}. Private: written by {user.full_name} for their own learning.", ""]
    for module, entries in sections:
        lines += [f"## {module.title}", ""]
        for entry in entries:
            lines += [f"### {entry.spec.prompt}", "", f"*Lesson: {entry.lesson.title}*", ""]
            if entry.saved and entry.saved.text.strip():
                lines += [entry.saved.text.strip(), "", f"*{entry.words} words, last saved "
                          f"{entry.saved.updated_at:%B %d, %Y}*", ""]
            else:
                lines += ["*Not written yet.*", ""]
    return "\n".join(lines)


def journal_pdf(user: User, sections: list[tuple[Module, list[Entry]]]) -> bytes:
    """Lay the journal out as a PDF with embedded fonts."""
    from reportlab.lib.pagesizes import LETTER
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import inch
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    from ..pdf_fonts import markup, registered_fonts

    registered_fonts()
    body = ParagraphStyle("body", fontName="DejaVuSans", fontSize=10.5, leading=15)
    styles = {
        "h1": ParagraphStyle("h1", parent=body, fontName="DejaVuSans-Bold", fontSize=18, leading=24, spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=body, fontName="DejaVuSans-Bold", fontSize=14, leading=19, spaceBefore=14),
        "h3": ParagraphStyle("h3", parent=body, fontName="DejaVuSans-Bold", fontSize=11, leading=15, spaceBefore=10),
        "meta": ParagraphStyle("meta", parent=body, fontSize=9, textColor="#555555"),
    }

    def para(text: str, style: ParagraphStyle) -> Paragraph:
        return Paragraph(markup(text).replace("\n", "<br/>"), style)

    story = [para(f"Reflection journal: {user.full_name}", styles["h1"]),
             para(f"Exported {utcnow():%B %d, %Y}. Private to its author.", styles["meta"])]
    for module, entries in sections:
        story.append(para(module.title, styles["h2"]))
        for entry in entries:
            story += [para(entry.spec.prompt, styles["h3"]), para(f"Lesson: {entry.lesson.title}", styles["meta"]),
                      Spacer(1, 4)]
            text = entry.saved.text.strip() if entry.saved else ""
            story.append(para(text or "Not written yet.", body if text else styles["meta"]))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=LETTER, leftMargin=inch, rightMargin=inch, topMargin=0.8 * inch,
                            bottomMargin=0.8 * inch, title="Reflection journal", author=user.full_name)
    doc.build(story)
    return buffer.getvalue()
