"""A question of an open post-test, rendered once per loaded course and what the learner sees of it.

Two learners shown the same question at the same place, in the same option order and with the same answer
chosen, see the same block; rendering every question anew was half of the attempt page's time.
"""
from __future__ import annotations

import json

from markupsafe import Markup

from ..content import Module
from ..page_parts import shared_part

KEPT_QUESTIONS = 4000  # blocks kept per loaded course (a few MB at most); past that, rendered each time


def question_block(module: Module, entry: dict, position: int, total: int, answer, is_missing: bool) -> Markup:
    """One question of an attempt's layout entry ({"id", "order"}), with her answer chosen (None for none)."""
    key = (module.id, entry["id"], tuple(entry["order"]), position, total, json.dumps(answer, sort_keys=True),
           is_missing)
    return shared_part("assessment/_question.html", key, KEPT_QUESTIONS, quiz=module.quiz, entry=entry,
                       position=position, total=total, answer=answer, is_missing=is_missing)
