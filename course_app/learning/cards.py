"""A module's card (catalog, dashboard), rendered once per module and point of progress.

Two learners who have done the same lessons, with the same left to do, see the same card; a dashboard of
eight cards rendered each anew was most of its page's time. The address of her certificate, the one part
that is hers alone, goes in the card's slot.
"""
from __future__ import annotations

from flask import url_for
from markupsafe import Markup

from ..completion import LearnerState, requirements
from ..content import Module
from ..page_parts import filled, slotted_part
from . import bp

KEPT_POINTS = 2000  # cards kept per loaded course (a few MB at most); past that, rendered each time


@bp.app_template_global()
def module_card(module: Module, state: LearnerState | None) -> Markup:
    """The card of a module; state None for a visitor."""
    opened = bool(state.opened_lessons) if state else None
    done = len(state.completed_lessons) if state else 0
    left = tuple(requirements(module, state)) if opened else ()
    certified = bool(state and state.certificate_code)
    pieces = slotted_part("learning/_module_card.html", key=("card", module.id, opened, done, left, certified),
                          limit=KEPT_POINTS, module=module, opened=opened, done=done, left=left, certified=certified)
    return filled(pieces, lambda slot: url_for("certificates.show", code=state.certificate_code))
