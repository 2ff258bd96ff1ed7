"""The loaded course for the running app: loaded once, reloaded in development when a file changes.

When an edit breaks the content, the store keeps serving the last good version and remembers the
problems, so instructors can see them on every page while learners carry on.
"""
from __future__ import annotations

import logging
import os
import sys
import threading
from pathlib import Path

import click
from flask import current_app

from .content import ContentError, Course, Problem, load_course

log = logging.getLogger(__name__)
# Commands that work on broken content in production: migrations need no course, and the check shows it.
TOLERANT_COMMANDS = (("db",), ("course", "check"))


class CourseStore:
    def __init__(self, root: str | Path, reload: bool):
        self.root = Path(root)
        self.reload = reload
        self._course: Course | None = None
        self._problems: list[Problem] = []
        self._signature: tuple | None = None
        self._lock = threading.Lock()

    def get(self) -> Course:
        """Return the course (the last good version while the files are broken).

        Raises ContentError when no version of the content has loaded yet.
        """
        self.refresh()
        if self._course is None:
            raise ContentError(self.errors)
        return self._course

    def refresh(self) -> None:
        """Load the content on first use, and again after any change to its files when reloading."""
        if self._signature is not None and not self.reload:
            return
        signature = self._files_signature()
        with self._lock:
            if signature == self._signature:
                return
            course, problems = load_course(self.root)
            self._signature, self._problems = signature, problems
            if course is not None:
                self._course = course
            errors = [p for p in problems if p.severity == "error"]
            if errors and self.reload:  # in production, refuse_broken_content prints them and stops
                log.error("course content under %s has errors%s:\n%s", self.root,
                          "; still serving the last good version" if self._course else "",
                          "\n".join(str(p) for p in errors))

    @property
    def problems(self) -> list[Problem]:
        """Every problem of the files as they are now (errors and warnings)."""
        return list(self._problems)

    @property
    def has_good_version(self) -> bool:
        return self._course is not None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self._problems if p.severity == "error"]

    def _files_signature(self) -> tuple:
        entries = []
        for folder in ("modules", "quizzes"):
            for dirpath, dirnames, filenames in os.walk(self.root / folder):
                for name in filenames + dirnames:
                    entries.append((dirpath, name) + _stamp(os.path.join(dirpath, name)))
        entries.append(("course.yaml",) + _stamp(str(self.root / "course.yaml")))
        return tuple(sorted(entries))


def _stamp(path: str) -> tuple:
    """Modification time and size of a file, of a link's target when it has one, never an error."""
    for stat in (os.stat, os.lstat):
        try:
            result = stat(path)
            return result.st_mtime_ns, result.st_size
        except OSError:
            continue
    return 0, 0


def current_course() -> Course:
    """Return the course of the current app."""
    return current_app.extensions["course_store"].get()


def refuse_broken_content(store: CourseStore) -> None:
    """In production, stop the start with every problem listed (exit status 1) when the content is broken."""
    store.refresh()
    if not store.errors or _tolerant_command():
        return
    click.echo("The course content has errors, so the app does not start. Fix these and start it again:", err=True)
    for problem in store.errors:
        click.echo(f"  {problem}", err=True)
    click.echo("(`flask course check` lists every problem; `flask db upgrade` works meanwhile.)", err=True)
    sys.exit(1)


def _tolerant_command(argv: list[str] | None = None) -> bool:
    """Say whether this process is a flask command that works on broken content."""
    if click.get_current_context(silent=True) is None:
        return False
    words, skip = [], False
    for arg in (argv or sys.argv)[1:]:
        if skip:
            skip = False
        elif arg in ("--app", "-A", "--env-file", "-e"):
            skip = True
        elif not arg.startswith("-"):
            words.append(arg)
    return any(tuple(words[:len(command)]) == command for command in TOLERANT_COMMANDS)


def check_before_serving() -> None:
    """For gunicorn's master (gunicorn.conf.py): refuse to start on broken content in production."""
    from .config import ENVIRONMENT_SETTINGS

    if os.environ.get("COURSE_ENV", "development") != "production":
        return
    root = os.environ.get("CONTENT_ROOT", ENVIRONMENT_SETTINGS["CONTENT_ROOT"])
    refuse_broken_content(CourseStore(root, reload=False))
