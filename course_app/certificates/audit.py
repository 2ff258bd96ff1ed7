"""The audit record frozen into a certificate at issue: how it was earned, under which rules and content."""
from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from sqlalchemy import select

from ..completion import LearnerState, required_seconds
from ..content import Course, Module
from ..extensions import db
from ..models import Evaluation, LessonProgress, QuizAttempt

CONTENT_PARTS = ("course.yaml", "modules", "quizzes")


def content_version(root: Path) -> dict:
    """Name the content a certificate was earned on: the git commit when root is a checkout, and a file hash."""
    version = {"sha256": content_hash(root)}
    commit = _git(root, "rev-parse", "HEAD")
    if commit:
        version["git_commit"] = commit
        version["git_uncommitted_changes"] = bool(_git(root, "status", "--porcelain", "--", *CONTENT_PARTS))
    return version


def content_hash(root: Path) -> str:
    """Hash every content file's path and bytes, in a stable order."""
    digest = hashlib.sha256()
    root = Path(root)
    files = [root / "course.yaml"] + sorted(p for part in CONTENT_PARTS[1:] for p in (root / part).rglob("*")
                                            if p.is_file() and not p.is_symlink())
    for path in files:
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _git(root: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=5,
                              check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def module_record(user_id: int, module: Module, course: Course, state: LearnerState, root: Path) -> dict:
    """Freeze how a module certificate was earned: rules in force, lessons, attempts, time, evaluation, content."""
    quiz = module.quiz
    attempts = db.session.scalars(select(QuizAttempt).where(
        QuizAttempt.user_id == user_id, QuizAttempt.module_id == module.id,
        QuizAttempt.submitted_at.is_not(None)).order_by(QuizAttempt.number)).all()
    lessons = {row.lesson_id: row for row in db.session.scalars(select(LessonProgress).where(
        LessonProgress.user_id == user_id, LessonProgress.module_id == module.id))}
    evaluation = db.session.scalar(select(Evaluation).where(Evaluation.user_id == user_id,
                                                            Evaluation.module_id == module.id))
    spec = course.spec
    return {
        "requirements": {
            "lessons": len(module.lessons),
            "required_reflections": sum(1 for r in module.reflections if r.required),
            "declared_minutes": module.declared_minutes,
            "seat_time_share": module.seat_time_share,
            "required_active_minutes": round(required_seconds(module) / 60, 1),
            "pass_mark": quiz.rules.pass_mark if quiz else None,
            "attempts_per_cycle": quiz.rules.attempts if quiz else None,
            "wait_hours": quiz.rules.wait_hours if quiz else None,
            "evaluation": True,
        },
        "lessons": [{"title": lesson.title, "minutes": lesson.minutes,
                     "completed_at": _iso(lessons[lesson.id].completed_at) if lesson.id in lessons else None}
                    for lesson in module.lessons],
        "attempts": [{"number": a.number, "started_at": _iso(a.started_at), "submitted_at": _iso(a.submitted_at),
                      "score": float(a.score), "passed": bool(a.passed)} for a in attempts],
        "active_minutes": round(state.active_seconds / 60, 1),
        "evaluation_submitted_at": _iso(evaluation.submitted_at) if evaluation else None,
        "content_version": {"module": module.version, **content_version(root)},
        "module": {"title": module.title, "level": module.level, "format": module.meta.format,
                   "categories": list(module.meta.categories), "activity_number": module.meta.activity_number,
                   "contact_hours": str(module.contact_hours),
                   "objectives": [o.text for o in module.meta.objectives]},
        "provider": {"name": spec.provider.name, "approval_status": spec.provider.approval.status,
                     "approval_number": spec.provider.approval.number, "statement": spec.provider.statement},
        "authors": [{"name": a.name, "credentials": a.credentials, "bio": a.bio,
                     "financial_disclosure": a.disclosures.financial,
                     "non_financial_disclosure": a.disclosures.non_financial} for a in spec.authors],
    }


def program_record(module_codes: dict[str, str], course: Course, root: Path) -> dict:
    """Freeze a program certificate's basis: the module certificates it rests on and the content version."""
    spec = course.spec
    return {"requirements": {"module_certificates": len(module_codes)}, "module_certificates": module_codes,
            "content_version": content_version(root),
            "provider": {"name": spec.provider.name, "approval_status": spec.provider.approval.status,
                         "approval_number": spec.provider.approval.number, "statement": spec.provider.statement},
            "authors": [{"name": a.name, "credentials": a.credentials, "bio": a.bio,
                         "financial_disclosure": a.disclosures.financial,
                         "non_financial_disclosure": a.disclosures.non_financial} for a in spec.authors]}


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None
