"""The participant evaluation: a form built from course.yaml, stored once per learner and module."""
from __future__ import annotations

from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ..content.schema import EvaluationItem
from ..extensions import db
from ..models import Evaluation

RATING_CHOICES = [("5", "Strongly agree"), ("4", "Agree"), ("3", "Neutral"), ("2", "Disagree"),
                  ("1", "Strongly disagree")]
YES_NO = [("yes", "Yes"), ("no", "No")]


def objective_items(module) -> list[EvaluationItem]:
    """One rating per module objective, worded as what the learner can now do."""
    return [EvaluationItem(id=f"objective-{o.id}", kind="rating", prompt=f"I can now {_lower_first(o.text)}")
            for o in module.meta.objectives]


def evaluation_items(course, module) -> tuple[EvaluationItem, ...]:
    """The module's evaluation: a rating per objective, then the course's items (bias, change in practice ...)."""
    return tuple(objective_items(module)) + tuple(course.evaluation)


def _lower_first(text: str) -> str:
    """Lowercase an opening verb ('Explain' -> 'explain') but not an acronym ('COPM')."""
    return text[0].lower() + text[1:] if text[:2].istitle() or (text[:1].isupper() and text[1:2].islower()) else text


def evaluation_form(items: tuple[EvaluationItem, ...], formdata=None) -> FlaskForm:
    """Build the evaluation form for the configured items."""

    class EvaluationForm(FlaskForm):
        pass

    for item in items:
        required = [InputRequired("Please answer this question.")] if item.required else [Optional()]
        if item.kind == "text":
            field = TextAreaField(item.prompt, validators=required + [Length(max=4000)])
        else:
            field = RadioField(item.prompt, choices=RATING_CHOICES if item.kind == "rating" else YES_NO,
                               validators=required)
        setattr(EvaluationForm, f"item_{item.id.replace('-', '_')}", field)
    return EvaluationForm(formdata=formdata) if formdata is not None else EvaluationForm()


def answers_from(form: FlaskForm, items: tuple[EvaluationItem, ...]) -> dict[str, str]:
    return {item.id: (form[f"item_{item.id.replace('-', '_')}"].data or "") for item in items}


def get_evaluation(user_id: int, module_id: str) -> Evaluation | None:
    return db.session.scalar(select(Evaluation).where(Evaluation.user_id == user_id,
                                                      Evaluation.module_id == module_id))


def record_evaluation(user_id: int, module_id: str, answers: dict[str, str]) -> Evaluation:
    """Store the evaluation once; a second submission keeps the first."""
    existing = get_evaluation(user_id, module_id)
    if existing:
        return existing
    evaluation = Evaluation(user_id=user_id, module_id=module_id, answers=answers)
    try:
        with db.session.begin_nested():
            db.session.add(evaluation)
    except IntegrityError:
        return get_evaluation(user_id, module_id)
    return evaluation
