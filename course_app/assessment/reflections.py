"""Reflections: read them, and save them without ever overwriting newer text."""
from __future__ import annotations

from sqlalchemy import Row, bindparam, select, update
from sqlalchemy.exc import IntegrityError

from ..content import Lesson
from ..content.render import word_count
from ..content.schema import ReflectionSpec
from ..extensions import db
from ..models import Reflection, utcnow

MAX_CHARACTERS = 20_000


def model_response_open(spec: ReflectionSpec, saved: Reflection | Row | None) -> bool:
    """Say whether a reflection's model response may be shown: only after the minimum words are saved."""
    return bool(spec.model_response) and saved is not None and saved.words >= max(spec.min_words, 1)


class StaleRevision(Exception):
    """The text was saved elsewhere (another tab or device) after this copy was loaded."""

    def __init__(self, current: Reflection):
        super().__init__("newer text exists")
        self.current = current


# Built once, like every statement of a page view; plain rows, which cost half what ORM objects do.
LESSON_REFLECTIONS = select(Reflection.reflection_id, Reflection.text, Reflection.revision, Reflection.words).where(
    Reflection.user_id == bindparam("user_id"), Reflection.module_id == bindparam("module_id"),
    Reflection.reflection_id.in_(bindparam("ids", expanding=True)))


def reflections_for(user_id: int, module_id: str, lesson: Lesson) -> dict[str, Row]:
    """Return the learner's saved reflections for one lesson (text, revision, words), by reflection id."""
    ids = [spec.id for spec in lesson.reflections]
    if not ids:
        return {}
    rows = db.session.execute(LESSON_REFLECTIONS, {"user_id": user_id, "module_id": module_id, "ids": ids})
    return {row.reflection_id: row for row in rows}


def get_reflection(user_id: int, module_id: str, reflection_id: str) -> Reflection | None:
    """The stored reflection as it is in the database now (a copy loaded earlier is brought up to date)."""
    return db.session.scalar(select(Reflection).where(
        Reflection.user_id == user_id, Reflection.module_id == module_id, Reflection.reflection_id == reflection_id)
        .execution_options(populate_existing=True))


# Compare-and-set in one statement, so two saves of the same revision cannot both win; it returns what the
# page is told, so nothing is read again. Built once, like the page views' statements (an UPDATE's parameters
# may not be named after its columns).
SAVE_OVER = (update(Reflection)
             .where(Reflection.user_id == bindparam("learner"), Reflection.module_id == bindparam("module"),
                    Reflection.reflection_id == bindparam("reflection"), Reflection.revision == bindparam("base"))
             .values(text=bindparam("new_text"), words=bindparam("new_words"), revision=Reflection.revision + 1,
                     updated_at=bindparam("now"))
             .returning(Reflection.revision, Reflection.words, Reflection.updated_at))


def save_reflection(user_id: int, module_id: str, reflection_id: str, text: str,
                    base_revision: int) -> Reflection | Row:
    """Store text as the next revision if base_revision is the latest; otherwise raise StaleRevision.

    Returns the saved revision, word count and time (a row, or the new Reflection on a first save).
    """
    now = utcnow()
    if base_revision == 0:
        row = Reflection(user_id=user_id, module_id=module_id, reflection_id=reflection_id, text=text,
                         words=word_count(text), revision=1, created_at=now, updated_at=now)
        try:
            with db.session.begin_nested():
                db.session.add(row)
            return row
        except IntegrityError:  # a first save arrived from elsewhere a moment ago
            current = get_reflection(user_id, module_id, reflection_id)
            if current.text == text:  # the same words: this tab's own earlier save (a quick reload)
                return current
            raise StaleRevision(current) from None
    saved = db.session.connection().execute(SAVE_OVER, {
        "learner": user_id, "module": module_id, "reflection": reflection_id, "base": base_revision,
        "new_text": text, "new_words": word_count(text), "now": now}).first()
    if saved is not None:
        return saved
    current = get_reflection(user_id, module_id, reflection_id)
    if current is None:
        raise StaleRevision(Reflection(text="", revision=0))
    if current.text == text:  # the same words were saved already (this tab, just before a reload): no conflict
        return current
    raise StaleRevision(current)


def may_complete_module(spec: ReflectionSpec, saved: Reflection | Row) -> bool:
    """Say whether a save can be a module's last requirement: a required reflection still short of its
    minimum words cannot (the module's other requirements did not change with it)."""
    return not spec.required or saved.words >= max(spec.min_words, 1)


def journal(user_id: int) -> dict[tuple[str, str], Reflection]:
    """Return all of a learner's reflections keyed by (module id, reflection id)."""
    rows = db.session.scalars(select(Reflection).where(Reflection.user_id == user_id))
    return {(row.module_id, row.reflection_id): row for row in rows}
