"""The loaded course for the running app: loaded once, reloaded in development when a file changes."""
from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from flask import current_app

from .content import Course, load_course_or_raise

log = logging.getLogger(__name__)


class CourseStore:
    def __init__(self, root: str | Path, reload: bool):
        self.root = Path(root)
        self.reload = reload
        self._course: Course | None = None
        self._signature: tuple = ()
        self._lock = threading.Lock()

    def get(self) -> Course:
        """Return the course, loading it on first use (and after any change when reloading)."""
        if self._course is not None and not self.reload:
            return self._course
        signature = self._files_signature() if self.reload else ()
        with self._lock:
            if self._course is None or signature != self._signature:
                self._course = load_course_or_raise(self.root)  # raises ContentError on broken content
                self._signature = signature
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
