"""Small hand-made data sets for the instructor tests, written straight to the database."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from course_app.certificates.issuance import issue, module_subject
from course_app.course_store import current_course
from course_app.extensions import db
from course_app.models import Evaluation, LessonProgress, QuizAttempt, Reflection, User

from .conftest import PASSWORD, csrf_token

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


class Seed:
    """Add learners and what they did, inside one app context per call."""

    def __init__(self, app):
        self.app = app

    def learner(self, email: str, name: str, license_number: str | None = None, state: str | None = None,
                credential: str = "OTR/L", created: datetime = T0) -> int:
        with self.app.app_context():
            user = User(email=email, password_hash="x", full_name=name, credential=credential,
                        license_number=license_number, license_state=state, role="learner", created_at=created)
            db.session.add(user)
            db.session.commit()
            return user.id

    def lessons(self, user_id: int, module: str, lessons: list[str], done: bool = True, seconds: int = 600,
                when: datetime = T0) -> None:
        with self.app.app_context():
            for lesson in lessons:
                db.session.add(LessonProgress(user_id=user_id, module_id=module, lesson_id=lesson, first_opened_at=when,
                                              last_seen_at=when, completed_at=when if done else None,
                                              active_seconds=seconds))
            db.session.commit()

    def reflection(self, user_id: int, module: str, reflection: str, text: str) -> None:
        from course_app.content.render import word_count

        with self.app.app_context():
            db.session.add(Reflection(user_id=user_id, module_id=module, reflection_id=reflection, text=text,
                                      words=word_count(text), revision=1))
            db.session.commit()

    def attempt(self, user_id: int, module: str, number: int, answers: dict, points: dict, version: str = "v1",
                when: datetime = T0, submitted: bool = True) -> None:
        score = round(100 * sum(points.values()) / len(points), 2)
        with self.app.app_context():
            db.session.add(QuizAttempt(
                user_id=user_id, module_id=module, number=number, layout=[{"id": q, "order": []} for q in points],
                answers=answers, started_at=when, submitted_at=when if submitted else None,
                score=score if submitted else None, passed=score >= 80 if submitted else None,
                results={q: {"points": p, "correct": p == 1} for q, p in points.items()} if submitted else None,
                content_version=version))
            db.session.commit()

    def evaluation(self, user_id: int, module: str, answers: dict, when: datetime = T0) -> None:
        with self.app.app_context():
            db.session.add(Evaluation(user_id=user_id, module_id=module, answers=answers, submitted_at=when))
            db.session.commit()

    def certificate(self, user_id: int, module: str, completed: date = date(2026, 3, 9)) -> str:
        with self.app.app_context():
            course = current_course()
            certificate = issue(db.session.get(User, user_id), module_subject(course.module(module)), course, completed)
            db.session.commit()
            return certificate.code


def staff(app, auth, runner, role: str = "instructor", email: str = "teacher@example.org") -> None:
    """Register a staff account through the forms, give it a role, and stay logged in as it."""
    auth.register(email=email, name="Tess Teacher")
    runner.invoke(args=["users", "set-role", email, role])
    auth.logout()
    auth.login(email=email, password=PASSWORD)


def post(client, url: str, data: dict, page: str):
    return client.post(url, data={"csrf_token": csrf_token(client, page), **data})
