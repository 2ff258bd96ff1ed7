"""Course content: loading, validating and rendering modules/ and quizzes/ (no Flask, no database)."""
from .loader import load_course, load_course_or_raise
from .model import Course, Lesson, Module, Quiz, Segment
from .problems import ContentError, Problem

__all__ = ["Course", "ContentError", "Lesson", "Module", "Problem", "Quiz", "Segment",
           "load_course", "load_course_or_raise"]
