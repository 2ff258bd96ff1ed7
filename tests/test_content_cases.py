"""Every kind of file an instructor can make, run through `flask course check`.

Each case changes a copy of the fixture course, then asserts the exit status, and that one line of
the output names the file, the line and the words of the message. No message may show a traceback,
a class name or a parser's own wording.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from course_app import create_app

from .conftest import FIXTURE_COURSE

LESSON = "modules/01-basics/01-one.md"
REFLECTING = "modules/01-basics/02-two.md"
MODULE = "modules/01-basics/module.md"
NEXT = "modules/02-next/module.md"
QUIZ = "quizzes/basics.yaml"
COURSE = "course.yaml"
NEW_LESSON = "modules/01-basics/03-new.md"
FRONT = "---\nid: lesson-three\ntitle: Lesson Three\nminutes: 2\n---\n## Three\n\nText to read.\n"
INTERNALS = ("Traceback", "Error(", "pydantic", "Input should", "yaml.", "mapping values are not allowed",
             "could not find expected", "did not find expected", "cannot start any token", "instance of",
             "ValidationError", "ScannerError", "ParserError", "<class", "errors.pydantic.dev")


# --- how a case changes the course ------------------------------------------------------------------------

@dataclass(frozen=True)
class Replace:
    old: str
    new: str


@dataclass(frozen=True)
class Append:
    text: str


@dataclass(frozen=True)
class Link:
    target: str  # relative to the course root, or absolute


class Folder:
    pass


class Delete:
    pass


@dataclass(frozen=True)
class At:
    """The line of the nth occurrence of text in the file as the case left it."""
    text: str
    nth: int = 1


def apply(root: Path, relative: str, change) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(change, Replace):
        text = path.read_text(encoding="utf-8")
        assert change.old in text, f"{change.old!r} not in {relative}"
        path.write_text(text.replace(change.old, change.new, 1), encoding="utf-8")
    elif isinstance(change, Append):
        with path.open("a", encoding="utf-8") as file:
            file.write(change.text)
    elif isinstance(change, Link):
        target = Path(change.target)
        os.symlink(target if target.is_absolute() else root / target, path)
    elif isinstance(change, Folder):
        path.mkdir()
    elif isinstance(change, Delete):
        shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
    elif isinstance(change, bytes):
        path.write_bytes(change)
    else:
        path.write_text(change, encoding="utf-8")


def line_of(root: Path, relative: str, line) -> int:
    if not isinstance(line, At):
        return line
    text = (root / relative).read_bytes().decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
    found = 0
    for number, content in enumerate(text.split("\n"), 1):
        if line.text in content:
            found += 1
            if found == line.nth:
                return number
    raise AssertionError(f"{line.text!r} not in {relative}")


@dataclass(frozen=True)
class Case:
    name: str
    changes: tuple  # of (relative path, change)
    exit: int
    file: str | None = None  # None: the course is accepted with no problem at all
    line: int | At = 0
    words: tuple[str, ...] = ()
    severity: str = "error"
    only: bool = False  # this is the only error (no follow-on errors from other files)


def bom(text: str) -> bytes:
    return b"\xef\xbb\xbf" + text.encode("utf-8")


def fixture_text(relative: str) -> str:
    return (FIXTURE_COURSE / relative).read_text(encoding="utf-8")


def crlf(relative: str) -> bytes:
    return fixture_text(relative).replace("\n", "\r\n").encode("utf-8")


CHECK_BLOCK = """
```check
id: {id}
type: {type}
prompt: Which is change talk?
choices:
  - id: a
    text: I want to cook again.
    correct: {a}
    feedback: It states a wish to change.
  - id: b
    text: I have always done it this way.
    correct: {b}
    feedback: It argues for staying the same.
```
"""


def check(id="a-check", type="single", a="true", b="false") -> str:
    return CHECK_BLOCK.format(id=id, type=type, a=a, b=b)


THIRD_MODULE = ("---\nid: third\ntitle: Third\nsummary: A third module.\norder: 3\nlevel: advanced\n"
                "contact_hours: 0.25\npost_test: false\nprerequisites: [next-steps]\n"
                "objectives:\n  - id: apply-it\n    text: Apply it.\n---\nThird.\n")

CASES = [
    # --- files: valid files that must be accepted -------------------------------------------------------
    Case("bom on a lesson", ((LESSON, bom(fixture_text(LESSON))),), 0),
    Case("bom on module.md", ((MODULE, bom(fixture_text(MODULE))),), 0),
    Case("bom on course.yaml", ((COURSE, bom(fixture_text(COURSE))),), 0),
    Case("bom on a quiz", ((QUIZ, bom(fixture_text(QUIZ))),), 0),
    Case("crlf lesson with blocks", ((REFLECTING, crlf(REFLECTING)),), 0),
    Case("crlf everywhere", ((MODULE, crlf(MODULE)), (QUIZ, crlf(QUIZ)), (COURSE, crlf(COURSE))), 0),
    Case("old mac line ends", ((LESSON, fixture_text(LESSON).replace("\n", "\r").encode()),), 0),
    Case("engine's own marker text in a paragraph",
         ((NEW_LESSON, FRONT + "\nBLOCK-0123456789abcdef-0\n\nREFLECTION-SLOT-0\n\n<p>BLOCK-x-0</p>\n"),), 0),
    # --- files: links, leftovers, folders -----------------------------------------------------------------
    Case("emacs lock file (a dangling link)", (("modules/01-basics/.#01-one.md", Link("/nonexistent/emacs-lock")),),
         0, "modules/01-basics/.#01-one.md", 0, ("skipped", "editor", "lock"), "warning"),
    Case("dangling link", (("modules/01-basics/03-gone.md", Link("modules/01-basics/nothing.md")),), 0,
         "modules/01-basics/03-gone.md", 0, ("skipped", "does not exist"), "warning"),
    Case("lesson linked to /etc/passwd", (("modules/01-basics/03-passwd.md", Link("/etc/passwd")),), 1,
         "modules/01-basics/03-passwd.md", 0, ("outside the content folder", "copy the file")),
    Case("module folder linked outside", (("modules/03-outside", Link("/etc")),), 1,
         "modules/03-outside", 0, ("outside the content folder",)),
    Case("quiz linked outside", (("quizzes/other.yaml", Link("/etc/hostname")),), 1,
         "quizzes/other.yaml", 0, ("outside the content folder",)),
    Case("course.yaml linked outside", ((COURSE, Delete()), (COURSE, Link("/etc/hostname"))), 1,
         COURSE, 0, ("outside the content folder",)),
    Case("backup file~", ((LESSON + "~", fixture_text(LESSON)),), 0, LESSON + "~", 0, ("backup",), "warning"),
    Case("vim swap file", (("modules/01-basics/.01-one.md.swp", b"b0VIM 8.2\x00\x00"),), 0,
         "modules/01-basics/.01-one.md.swp", 0, ("editor",), "warning"),
    Case("macOS resource file", (("modules/01-basics/._01-one.md", b"\x00\x05\x16\x07"),), 0,
         "modules/01-basics/._01-one.md", 0, ("editor",), "warning"),
    Case("emacs autosave", (("modules/01-basics/#01-one.md#", fixture_text(LESSON)),), 0,
         "modules/01-basics/#01-one.md#", 0, ("editor",), "warning"),
    Case("folder named like a lesson", (("modules/01-basics/03-x.md", Folder()),), 0,
         "modules/01-basics/03-x.md", 0, ("folder", "lessons are files"), "warning"),
    Case("folder named like a quiz", (("quizzes/extra.yaml", Folder()),), 0,
         "quizzes/extra.yaml", 0, ("folder", "quizzes are files"), "warning"),
    Case("stray file in modules/", (("modules/notes.md", "notes"),), 0, "modules/notes.md", 0,
         ("only module folders",), "warning"),
    Case("lesson saved as .markdown", (("modules/01-basics/03-new.markdown", FRONT),), 0,
         "modules/01-basics/03-new.markdown", 0, ("rename it to '03-new.md'",), "warning"),
    Case("lesson saved as .MD", (("modules/01-basics/03-new.MD", FRONT),), 0,
         "modules/01-basics/03-new.MD", 0, ("rename it to '03-new.md'",), "warning"),
    Case("quiz saved as .YAML", ((QUIZ, Delete()), ("quizzes/basics.YAML", fixture_text(QUIZ))), 1,
         "quizzes/basics.YAML", 0, ("rename it to 'basics.yaml'",), "warning"),
    Case("Module.md capitalised", ((MODULE, Delete()), ("modules/01-basics/Module.md", fixture_text(MODULE))), 1,
         "modules/01-basics", 0, ("needs a module.md", "rename it to 'module.md'")),
    Case("tilde-fenced reflection", ((NEW_LESSON, FRONT + "\n~~~reflection\nid: x\nprompt: Why?\n~~~\n"),), 0,
         NEW_LESSON, 10, ("not a reflection block", "```reflection"), "warning"),
    Case("capitalised reflection fence", ((NEW_LESSON, FRONT + "\n```Reflection\nid: x\nprompt: Why?\n```\n"),), 0,
         NEW_LESSON, 10, ("not a reflection block", "lowercase"), "warning"),
    Case("capitalised check fence", ((NEW_LESSON, FRONT + check().replace("```check", "```Check")),), 0,
         NEW_LESSON, 10, ("not a check block", "```check"), "warning"),
    # --- files: encodings and size --------------------------------------------------------------------------
    Case("latin-1 lesson", ((NEW_LESSON, (FRONT + "Caf\u00e9 and more\n").encode("latin-1")),), 1,
         NEW_LESSON, 9, ("column 4", "not UTF-8", "re-save it as UTF-8")),
    Case("latin-1 quiz", ((QUIZ, fixture_text(QUIZ).replace("Sam at breakfast", "Sam \u00e0 breakfast")
                           .encode("latin-1")),), 1, QUIZ, At("Sam"), ("column 16", "not UTF-8")),
    Case("utf-16 file", ((NEW_LESSON, FRONT.encode("utf-16")),), 1, NEW_LESSON, 1, ("UTF-16", "save it as UTF-8")),
    Case("binary data as a lesson", ((NEW_LESSON, bytes(range(256)) * 4),), 1, NEW_LESSON, 1, ("binary data",)),
    Case("huge lesson", ((NEW_LESSON, FRONT + "word " * 250_000),), 1, NEW_LESSON, 0, ("at most 1 MB", "split")),
    # --- YAML ------------------------------------------------------------------------------------------------
    Case("duplicate key in front matter", ((LESSON, Replace("minutes: 4\n", "minutes: 4\ntitle: Again\n")),), 1,
         LESSON, 5, ("'title' is written twice", "line 3 and on line 5")),
    Case("duplicate key in a quiz", ((QUIZ, Replace("pass_mark: 80\n", "pass_mark: 80\nminutes: 9\n")),), 1,
         QUIZ, 4, ("'minutes' is written twice", "line 2 and on line 4")),
    Case("duplicate key in course.yaml", ((COURSE, Append("title: Another title\n")),), 1, COURSE,
         At("title: Another title"), ("'title' is written twice", "on line 1")),
    Case("anchor and alias", ((QUIZ, Replace("minutes: 6", "minutes: &m 6\npass_mark_copy: *m")),), 1,
         QUIZ, 2, ("'&m' is a YAML anchor", "do not use")),
    Case("alias bomb", ((COURSE, Append("x: &a [1, 2]\ny: &b [*a, *a]\nz: [*b, *b]\n")),), 1,
         COURSE, At("x: &a"), ("anchor",)),
    Case("emphasis read as an alias", ((REFLECTING, Replace("prompt: Anything else?", "prompt: *Anything* else?")),),
         1, REFLECTING, At("prompt: *Anything*"), ("'*' or '&'", "quotes")),
    Case("alias at a value's start", ((REFLECTING, Replace("prompt: Anything else?", "prompt: *Anything else?")),),
         1, REFLECTING, At("prompt: *Anything"), ("alias", "emphasis", "quotes")),
    Case("colon inside a value", ((LESSON, Replace("title: Lesson One", "title: Goals: what matters")),), 1,
         LESSON, 3, ("': '", "put the whole value in quotes")),
    Case("tab indentation", ((QUIZ, Replace("    type: single", "\ttype: single")),), 1, QUIZ, At("\ttype: single"),
         ("tab", "indent with spaces")),
    Case("apostrophe inside single quotes", ((LESSON, Replace("title: Lesson One", "title: 'It's one'")),), 1,
         LESSON, 3, ("apostrophe", "write it twice")),
    Case("unclosed double quote", ((LESSON, Replace("title: Lesson One", 'title: "Lesson One')),), 1,
         LESSON, 3, ("quote opened on this line is never closed",)),
    Case("unclosed bracket", ((NEXT, Replace("prerequisites: [basics]", "prerequisites: [basics")),), 1,
         NEXT, 8, ("'[' opened on this line is not closed",)),
    Case("list item indented wrongly", ((QUIZ, Replace("      - {id: b, text: \"Have", "     - {id: b, text: \"Have")),),
         1, QUIZ, At('- {id: b, text: "Have'), ("list item", "line up its '-'")),
    Case("list item indented one space too far", ((MODULE, Replace("references:", "categories:\n  - OT Process\n"
                                                                   "   - Professional Issues\nreferences:")),),
         1, MODULE, At("   - Professional Issues"), ("starts with '- '", "line up its '-'"), "warning"),
    Case("python tag", ((QUIZ, Replace("minutes: 6", "minutes: !!python/object:os.system 6")),), 1, QUIZ, 2,
         ("YAML tag", "do not use")),
    Case("nesting too deep", ((COURSE, Append("deep: " + "[" * 60 + "]" * 60 + "\n")),), 1, COURSE,
         At("deep:"), ("nested more than 40 levels",)),
    Case("impossible date", ((LESSON, Replace("title: Lesson One", "title: 2026-13-45")),), 1, LESSON, 3,
         ("cannot be read", "put it in quotes")),
    Case("second document in a quiz", ((QUIZ, Append("---\nmodule: basics\n")),), 1, QUIZ, At("---"),
         ("second '---'", "remove this line")),
    Case("backslash in double quotes", ((LESSON, Replace("title: Lesson One", 'title: "C:\\path"')),), 1,
         LESSON, 3, ("backslash", "single quotes")),
    Case("text after a block scalar mark", ((REFLECTING, Replace("prompt: Anything else?", "prompt: |x\n  text")),),
         1, REFLECTING, At("prompt: |x"), ("'|' or '>'", "next line")),
    Case("value starting with @", ((LESSON, Replace("title: Lesson One", "title: @home")),), 1, LESSON, 3,
         ("cannot start with '@'", "quotes")),
    Case("value starting with a backtick", ((LESSON, Replace("title: Lesson One", "title: `code`")),), 1, LESSON, 3,
         ("cannot start with '`'",)),
    Case("line without a colon", ((LESSON, Replace("minutes: 4\n", "minutes: 4\nsome words\nx: 1\n")),), 1,
         LESSON, 5, ("no 'field: value' colon",)),
    Case("yes read as true", ((REFLECTING, Replace("  - id: a\n", "  - id: yes\n")),), 1, REFLECTING,
         At("  - id: yes"), ("yes/no value", "put it in quotes")),
    Case("a key indented under a value", ((LESSON, Replace("minutes: 4\n", "minutes: 4\n  extra: 1\n")),), 1,
         LESSON, 5, ("indented further",)),
    Case("a number as a field name", ((LESSON, Replace("minutes: 4\n", "minutes: 4\n1: x\n")),), 1, LESSON, 5,
         ("'1' as a field name", "not a word")),
    Case("a field with nothing after its colon", ((QUIZ, Replace("shuffle_questions: true", "shuffle_questions:")),),
         1, QUIZ, At("shuffle_questions:"), ("has no value after its colon",)),
    # --- meaning ---------------------------------------------------------------------------------------------
    Case("course.yaml is a folder", ((COURSE, Delete()), (COURSE, Folder())), 1, COURSE, 0,
         ("is a folder", "must be a file")),
    Case("modules/ missing reported once", (("modules", Delete()),), 1, "modules", 0,
         ("modules/ folder is missing",), only=True),
    Case("empty front matter", ((NEW_LESSON, "---\n---\n## Empty\n"),), 1, NEW_LESSON, 2,
         ("front matter is empty", "id:, title: and minutes:")),
    Case("empty module front matter", ((MODULE, "---\n---\nOverview.\n"),), 1, MODULE, 2,
         ("front matter is empty",), only=True),
    Case("empty quiz file", ((QUIZ, ""),), 1, QUIZ, 1, ("empty",), only=True),
    Case("front matter is a list", ((NEW_LESSON, "---\n- id: x\n---\nText.\n"),), 1, NEW_LESSON, 2,
         ("'name: value'",)),
    Case("blank lines before front matter", ((NEW_LESSON, "\n\n" + FRONT),), 1, NEW_LESSON, 1,
         ("remove the empty lines",)),
    Case("duplicate module id", ((NEXT, Replace("id: next-steps", "id: basics")),), 1, NEXT, 2,
         ("id 'basics' is already used by modules/01-basics/module.md:2",)),
    Case("duplicate module order", ((NEXT, Replace("order: 2", "order: 1")),), 1, NEXT, 5,
         ("order 1 is already used by modules/01-basics/module.md:5",)),
    Case("duplicate lesson id", ((NEW_LESSON, FRONT.replace("lesson-three", "lesson-one")),), 1, NEW_LESSON, 2,
         ("lesson id 'lesson-one' is already used by 01-one.md:2",)),
    Case("self prerequisite", ((NEXT, Replace("prerequisites: [basics]", "prerequisites: [basics, next-steps]")),),
         1, NEXT, 8, ("cannot be its own prerequisite",), only=True),
    Case("unknown prerequisite", ((NEXT, Replace("prerequisites: [basics]", "prerequisites: [basic]")),), 1,
         NEXT, 8, ("unknown prerequisite module 'basic'",)),
    Case("prerequisite cycle of two", ((MODULE, Replace("order: 1", "order: 1\nprerequisites: [next-steps]")),), 1,
         MODULE, 6, ("circle (basics → next-steps → basics)",), only=True),
    Case("prerequisite cycle of three", (("modules/03-third/module.md", THIRD_MODULE),
                                         ("modules/03-third/01-a.md", FRONT),
                                         (MODULE, Replace("order: 1", "order: 1\nprerequisites: [third]"))), 1,
         MODULE, 6, ("circle (basics → third → next-steps → basics)",), only=True),
    Case("prerequisites as a word, not a list", ((NEXT, Replace("prerequisites: [basics]", "prerequisites: basics")),),
         1, NEXT, 8, ("prerequisites: must be a list",)),
    Case("program with an unknown module", ((COURSE, Replace("[basics, next-steps]", "[basics, nxt-steps]")),), 1,
         COURSE, At("[basics, nxt-steps]"), ("program 'whole' lists unknown module 'nxt-steps'",)),
    Case("program listing a module twice", ((COURSE, Replace("[basics, next-steps]", "[basics, next-steps, basics]")),),
         1, COURSE, At("[basics, next-steps, basics]"), ("lists module 'basics' twice", "count twice")),
    Case("duplicate program id", ((COURSE, Append("  - id: whole\n    title: Again\n    summary: Again.\n"
                                                  "    modules: [basics]\n")),), 1, COURSE, At("id: whole", 2),
         ("program id 'whole' is used twice",)),
    Case("duplicate evaluation item id", ((COURSE, Append("evaluation:\n  - {id: useful, kind: rating, prompt: A}\n"
                                                          "  - {id: useful, kind: text, prompt: B}\n")),), 1,
         COURSE, At("{id: useful, kind: text"), ("evaluation item id 'useful' is used twice",)),
    Case("partial scoring on a single question", ((QUIZ, Replace("    type: single\n", "    type: single\n"
                                                                "    scoring: partial\n")),), 1,
         QUIZ, At("scoring: partial"), ("'scoring: partial' does not apply to a single question",)),
    Case("true/false rationale on a choice question", ((QUIZ, Replace("    type: single\n", "    type: single\n"
                                                                     "    rationale_true: Because.\n")),), 1,
         QUIZ, At("rationale_true: Because."), ("'rationale_true' does not apply to a single question",)),
    Case("module without a post-test", ((QUIZ, Delete()),), 1, MODULE, 2,
         ("module 'basics' has no post-test", "post_test: false"), only=True),
    Case("post_test false yet a quiz", ((MODULE, Replace("order: 1", "order: 1\npost_test: false")),), 1,
         MODULE, 6, ("says 'post_test: false'",)),
    Case("broken module.md reported once", ((MODULE, Replace("level: introductory", "level: [introductory")),), 1,
         MODULE, 6, ("'[' opened",), only=True),
    Case("unreadable module.md reported once", ((MODULE, b"---\nid: \xff\xfe\n---\n"),), 1, MODULE, 2,
         ("not UTF-8",), only=True),
    Case("broken quiz reported once", ((QUIZ, Replace("minutes: 6", "minutes: [6")),), 1, QUIZ, 2, ("'['",),
         only=True),
    Case("near-miss field name", ((REFLECTING, Replace("min_words: 5", "min_word: 5")),), 1, REFLECTING,
         At("min_word: 5"), ("unknown field 'min_word'", "did you mean 'min_words'")),
    Case("number where text is wanted", ((LESSON, Replace("title: Lesson One", "title: 12")),), 1, LESSON, 3,
         ("title: must be text", "quotes")),
    Case("commentary without a model response", ((REFLECTING, Replace("prompt: Anything else?",
                                                                      "prompt: Anything else?\ncommentary: Good.")),),
         1, REFLECTING, At("commentary: Good."), ("'commentary'", "add 'model_response'")),
    # --- knowledge checks ------------------------------------------------------------------------------------
    Case("check with no right answer", ((NEW_LESSON, FRONT + check(a="false")),), 1, NEW_LESSON, 11,
         ("check:", "no choice has 'correct: true'")),
    Case("single check with two right answers", ((NEW_LESSON, FRONT + check(b="true")),), 1, NEW_LESSON, 12,
         ("2 choices have 'correct: true'", "type: multiple")),
    Case("multiple check with two right answers", ((NEW_LESSON, FRONT + check(type="multiple", b="true")),), 0),
    Case("check with an unknown type", ((NEW_LESSON, FRONT + check(type="essay")),), 1, NEW_LESSON, 12,
         ("check: type: must be 'single' or 'multiple', not 'essay'",)),
    Case("check choice without feedback", ((NEW_LESSON, FRONT + check().replace(
        "    feedback: It argues for staying the same.\n", "")),), 1, NEW_LESSON, At("  - id: b"),
         ("check: missing required field 'choices.1.feedback'",)),
    Case("check not closed", ((NEW_LESSON, FRONT + check().rstrip().removesuffix("```")),), 1, NEW_LESSON, 10,
         ("check block is not closed",)),
    Case("check id used by a reflection", ((NEW_LESSON, FRONT + check(id="my-practice")),), 1, NEW_LESSON, 11,
         ("check id 'my-practice' is already used in 02-two.md:11",)),
    Case("check with one choice", ((NEW_LESSON, FRONT + check().split("  - id: b")[0] + "```\n"),), 1, NEW_LESSON,
         At("choices:"), ("check: choices: needs at least 2 items",)),
    # --- hostile input ---------------------------------------------------------------------------------------
    Case("a paragraph of brackets", ((NEW_LESSON, FRONT + "\n" + "[a](" * 20_000 + "\n"),), 1, NEW_LESSON, 10,
         ("'[' and '<' characters", "break it up")),
    Case("nesting by indentation", ((NEW_LESSON, FRONT + "".join("  " * i + "- x\n" for i in range(60))),), 1,
         NEW_LESSON, At(" " * 66 + "- x"), ("indented more than 64 spaces",)),
    Case("a YAML file with a vast list", ((QUIZ, Append("extra:\n" + "  - x\n" * 60_000)),), 1, QUIZ, 1,
         ("far more values",)),
]


@pytest.fixture
def check_app(tmp_path):
    return create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'cases.sqlite3'}", "SECRET_KEY": "x"})


def test_there_are_more_than_sixty_distinct_cases():
    assert len({case.name for case in CASES}) == len(CASES) >= 60


def run_check(app, root: Path):
    result = app.test_cli_runner().invoke(args=["course", "check", str(root)])
    return result, result.output.strip().splitlines()[:-1]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_course_check_names_file_line_and_fix(check_app, tmp_path, case: Case):
    root = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, root, symlinks=True)
    _, baseline = run_check(check_app, root)  # the fixture's own warnings (from the item-writing rules)
    for relative, change in case.changes:
        apply(root, relative, change)
    result = check_app.test_cli_runner().invoke(args=["course", "check", str(root)])
    output = result.output
    assert result.exit_code == case.exit, output
    assert not any(word in output for word in INTERNALS), output
    lines = output.strip().splitlines()
    assert lines[-1].endswith("warnings"), output
    problems = [p for p in lines[:-1] if p not in baseline]
    if case.file is None:
        assert problems == [], output
        return
    line = line_of(root, case.file, case.line) if case.line else 0
    where = f"{case.file}:{line}: " if line else f"{case.file}: "
    prefix = where + ("warning: " if case.severity == "warning" else "")
    matching = [p for p in problems if p.startswith(prefix) and all(word in p for word in case.words)]
    assert matching, f"expected {prefix}... with {case.words}, got:\n{output}"
    if case.only:
        errors = [p for p in problems if not p.split(": ", 1)[1].startswith("warning:")]
        assert errors == matching, f"follow-on errors:\n{output}"
