"""The content engine: valid content loads and renders; each kind of broken content gets its own message."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from course_app.content import load_course
from course_app.content.render import render_markdown

from .conftest import FIXTURE_COURSE


@pytest.fixture
def course_copy(tmp_path) -> Path:
    root = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, root)
    return root


def edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text()
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1))


def messages(root: Path) -> list[str]:
    return [str(p) for p in load_course(root)[1]]


def test_fixture_course_loads_in_order_with_everything_rendered():
    course, problems = load_course(FIXTURE_COURSE)
    # The fixture's quiz has no pools, so every retake is the same form, and its one single-choice key is the
    # longest option: both true, and worth saying.
    assert [(p.path, p.severity, p.message.split(",")[0][:40]) for p in problems] == [
        ("quizzes/basics.yaml", "warning", "every attempt draws the same questions"),
        ("quizzes/basics.yaml", "warning", "the key is strictly the longest option i")]
    assert [m.id for m in course.modules] == ["basics", "next-steps"]
    basics = course.module("basics")
    assert [lesson.id for lesson in basics.lessons] == ["lesson-one", "lesson-two"]
    assert basics.ceus == basics.contact_hours / 10
    assert "/modules/basics/lessons/lesson-two" in basics.overview_html  # a link to a lesson file resolves
    lesson = basics.lesson("lesson-one")
    assert '<h2 id="first-ideas">' in lesson.segments[0].html
    assert 'href="#a-smaller-heading"' in lesson.toc_html
    reflections = [s.reflection.id for s in basics.lesson("lesson-two").segments if s.reflection]
    assert reflections == ["my-practice", "optional-note"]
    assert len(basics.quiz.questions) == 5


def test_markdown_is_sanitized_and_keeps_tables_admonitions_and_footnotes():
    rendered = render_markdown(
        "## Title\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n!!! note \"Case\"\n    Inside.\n\nText[^1]\n\n[^1]: Note.\n"
        '\n<img src="x" onerror="alert(1)">\n')
    html = rendered.html
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html
    assert "<table>" in html and 'class="admonition note"' in html and 'class="footnote"' in html


BROKEN = [
    # (file, old text, new text, expected "path:line: message" fragment)
    ("modules/01-basics/module.md", "level: introductory", "level: beginner",
     "modules/01-basics/module.md:6: level: must be 'introductory', 'intermediate' or 'advanced', not 'beginner'"),
    ("modules/01-basics/module.md", "contact_hours: 0.25", "contact_hours: 0.3",
     "modules/01-basics/module.md:7: contact_hours: contact hours must be a multiple of 0.25"),
    ("modules/01-basics/module.md", "    text: Describe the partnership stance.", "    text: Understand the partnership stance.",
     "modules/01-basics/module.md:8: objectives: objective 1 starts with 'understand', which cannot be measured"),
    ("modules/01-basics/module.md", "id: basics", "id: Basics Module",
     "modules/01-basics/module.md:2: id: 'Basics Module' is not a valid id"),
    ("modules/01-basics/module.md", "summary: The first module.\n", "",
     "modules/01-basics/module.md:2: missing required field 'summary'"),
    ("modules/01-basics/module.md", "order: 1", "order: 1\ncolour: blue",
     "modules/01-basics/module.md:6: unknown field 'colour'"),
    ("modules/01-basics/01-one.md", "---\nid: lesson-one", "id: lesson-one",
     "modules/01-basics/01-one.md:1: missing front matter"),
    ("modules/01-basics/01-one.md", "minutes: 4\n", "minutes: [4\n",
     "modules/01-basics/01-one.md:4: the '[' opened on this line is not closed"),
    ("modules/01-basics/01-one.md", "minutes: 4\n", "minutes: four\n",
     "modules/01-basics/01-one.md:4: minutes: must be a whole number, not 'four'"),
    ("modules/01-basics/02-two.md", "id: lesson-two", "id: lesson-one",
     "modules/01-basics/02-two.md:2: lesson id 'lesson-one' is already used by 01-one.md"),
    ("modules/01-basics/02-two.md", "min_words: 5", "minwords: 5",
     "modules/01-basics/02-two.md:14: reflection: unknown field 'minwords'"),
    ("modules/01-basics/02-two.md", "minutes: 1\n```", "minutes: 1\n",
     "modules/01-basics/02-two.md:35: reflection block is not closed"),
    ("modules/01-basics/02-two.md", "id: optional-note", "id: my-practice",
     "modules/01-basics/02-two.md:36: reflection id 'my-practice' is already used in 02-two.md:11"),
    ("modules/02-next/module.md", "prerequisites: [basics]", "prerequisites: [advanced-stuff]",
     "modules/02-next/module.md:8: unknown prerequisite module 'advanced-stuff'"),
    ("modules/02-next/module.md", "id: next-steps", "id: basics",
     "modules/02-next/module.md:2: id 'basics' is already used by modules/01-basics/module.md:2"),
    ("modules/02-next/module.md", "order: 2", "order: 1",
     "modules/02-next/module.md:5: order 1 is already used by modules/01-basics/module.md:5"),
    ("course.yaml", "modules: [basics, next-steps]", "modules: [basics, missing-one]",
     "course.yaml:26: program 'whole' lists unknown module 'missing-one'"),
    ("course.yaml", "signer: {name: Pat Signer, credentials: \"MS, OTR/L\", title: Director}", "",
     "course.yaml:1: missing required field 'signer'"),
]


@pytest.mark.parametrize("relative, old, new, expected", BROKEN, ids=[b[3].split(": ", 1)[1][:40] for b in BROKEN])
def test_broken_content_names_file_line_and_problem(course_copy, relative, old, new, expected):
    edit(course_copy, relative, old, new)
    found = messages(course_copy)
    assert any(expected in message for message in found), found
    assert load_course(course_copy)[0] is None  # an error means the course does not load


def test_prerequisite_cycle_is_refused(course_copy):
    edit(course_copy, "modules/01-basics/module.md", "order: 1", "order: 1\nprerequisites: [next-steps]")
    assert ("modules/01-basics/module.md:6: prerequisites go round in a circle (basics → next-steps → basics), so "
            "none of these modules could ever open: remove one of them") in messages(course_copy)


def test_module_folder_without_module_md(course_copy):
    (course_copy / "modules" / "03-empty").mkdir()
    assert "modules/03-empty: a module folder needs a module.md with the module's front matter" in messages(course_copy)


def test_file_that_is_not_utf8(course_copy):
    (course_copy / "modules" / "01-basics" / "03-bad.md").write_bytes(b"---\nid: x\n\xff\xfe---\n")
    assert any(m.startswith("modules/01-basics/03-bad.md:3: column 1: this file is not UTF-8 text")
               for m in messages(course_copy))


WARNINGS = [
    ("modules/01-basics/01-one.md", "More text here to read.", "![](pic.png)",
     "modules/01-basics/01-one.md:14: warning: image 'pic.png' has no alt text"),
    ("modules/01-basics/01-one.md", "More text here to read.", "See [missing](09-none.md).",
     "modules/01-basics/01-one.md:14: warning: broken internal link '09-none.md'"),
    ("modules/01-basics/01-one.md", "minutes: 4\n", "minutes: 40\n",
     "modules/01-basics/01-one.md:4: warning: declares 40 minutes but its words and activities suggest about 4"),
]


@pytest.mark.parametrize("relative, old, new, expected", WARNINGS, ids=["alt", "link", "minutes"])
def test_warnings_leave_the_course_loadable(course_copy, relative, old, new, expected):
    edit(course_copy, relative, old, new)
    course, problems = load_course(course_copy)
    assert course is not None
    assert any(str(p).startswith(expected) for p in problems), problems
