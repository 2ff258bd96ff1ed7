"""Numbers an instructor checks before claiming contact hours."""
from __future__ import annotations

from .assessment import questions_per_objective
from .model import Course


def course_stats(course: Course) -> dict:
    """Return per-module words, minutes, hours, reflections and questions, with the total hours."""
    modules = [
        {
            "id": m.id,
            "title": m.title,
            "lessons": len(m.lessons),
            "words": m.words,
            "estimated_minutes": round(m.estimated_minutes),
            "declared_minutes": m.declared_minutes,
            "contact_hours": float(m.contact_hours),
            "reflections": len(m.reflections),
            "quiz_questions": len(m.quiz.questions) if m.quiz else 0,
            "questions_per_objective": dict(questions_per_objective(m, m.quiz)) if m.quiz else {},
        }
        for m in course.modules
    ]
    return {"modules": modules, "total_contact_hours": float(course.contact_hours)}


def format_stats(stats: dict) -> str:
    """Lay the stats out as a plain-text table."""
    header = f"{'module':<28} {'lessons':>7} {'words':>6} {'est.min':>7} {'decl.min':>8} {'hours':>5} {'refl.':>5} {'quest.':>6}"
    rows = [header, "-" * len(header)]
    for m in stats["modules"]:
        rows.append(f"{m['id'][:28]:<28} {m['lessons']:>7} {m['words']:>6} {m['estimated_minutes']:>7} "
                    f"{m['declared_minutes']:>8} {m['contact_hours']:>5g} {m['reflections']:>5} {m['quiz_questions']:>6}")
    rows.append(f"total contact hours: {stats['total_contact_hours']:g}")
    rows.append("")
    rows.append("questions per objective")
    for m in stats["modules"]:
        rows.append(f"  {m['id']}")
        rows.extend(f"    {objective:<40} {count:>3}" for objective, count in m["questions_per_objective"].items())
    return "\n".join(rows)
