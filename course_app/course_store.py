"""The loaded course for the running app: loaded once, reloaded in development when a file changes."""
from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from flask import current_app

from .content import ContentError, Course, load_course_or_raise

log = logging.getLogger(__name__)


class CourseStore:
    def __init__(self, root: str | Path, reload: bool):
        self.root = Path(root)
        self.reload = reload
        self._course: Course | None = None
        self._signature: tuple | None = None
        self._error: ContentError | None = None
        self._lock = threading.Lock()

    def get(self) -> Course:
        """Return the course, loading it on first use (and after any change when reloading).

        Broken content raises ContentError, once loaded and then from memory until a file changes.
        """
        if self._course is not None and not self.reload:
            return self._course
        signature = self._files_signature() if self.reload else ()
        with self._lock:
            if signature != self._signature:
                self._signature = signature
                try:
                    self._course, self._error = load_course_or_raise(self.root), None
                except ContentError as error:
                    log.error("course content under %s has errors:\n%s", self.root, error)
                    self._error = error
            if self._error is not None:
                raise self._error
        return self._course

    def _files_signature(self) -> tuple:
        entries = []
        for folder in ("modules", "quizzes"):
            for dirpath, _, filenames in os.walk(self.root / folder):
                for name in filenames:
                    stat = os.stat(os.path.join(dirpath, name))
                    entries.append((dirpath, name, stat.st_mtime_ns, stat.st_size))
        course_file = self.root / "course.yaml"
        if course_file.exists():
            stat = course_file.stat()
            entries.append(("course.yaml", stat.st_mtime_ns, stat.st_size))
        return tuple(sorted(entries))


def current_course() -> Course:
    """Return the course of the current app."""
    return current_app.extensions["course_store"].get()
