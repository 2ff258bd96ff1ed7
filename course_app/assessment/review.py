"""After a failed attempt: which objectives to review and where, and when the next attempt opens."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from ..content import Lesson, Module


@dataclass(frozen=True)
class Review:
    objective_id: str
    text: str
    missed: int  # questions on this objective not fully right
    lessons: tuple[Lesson, ...]


def objectives_to_review(module: Module, layout: list[dict], results: dict) -> list[Review]:
    """The objectives of the questions not answered fully right, in the module's order, with their lessons."""
    quiz = module.quiz
    missed: dict[str, int] = {}
    for entry in layout:
        question = quiz.question(entry["id"])
        if question is None or results.get(question.id, {}).get("correct"):
            continue
        for objective in question.objectives:
            missed[objective] = missed.get(objective, 0) + 1
    return [Review(o.id, o.text, missed[o.id], module.lessons_teaching(o.id))
            for o in module.meta.objectives if o.id in missed]


def provider_time(moment: datetime, zone: str) -> str:
    """Say a moment in the provider's time zone, naming the zone: 'Wednesday, December 2, 10:15 AM EST (America/New_York)'."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%A, %B} {local.day}, {local:%-I:%M %p} {local.tzname()} ({zone})"
