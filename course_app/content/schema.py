"""The shape of every content file, as pydantic models: what authors may write and nothing else."""
from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=80)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Level = Literal["introductory", "intermediate", "advanced"]
Category = Literal["Domain of OT", "OT Process", "Professional Issues"]

# Verbs that name no observable behaviour; AOTA asks for measurable objectives.
VAGUE_VERBS = {"understand", "know", "learn", "appreciate", "realize", "grasp", "be", "become", "see"}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- course.yaml -------------------------------------------------------------------------------

class Provider(Strict):
    name: Text
    approval_number: Text
    statement: Text
    url: str | None = None


class Signer(Strict):
    name: Text
    title: Text


class Program(Strict):
    id: Id
    title: Text
    summary: Text
    modules: list[Id] = Field(min_length=1)


class EvaluationItem(Strict):
    id: Id
    prompt: Text
    kind: Literal["rating", "yes_no", "text"]
    required: bool = True


DEFAULT_EVALUATION = [
    EvaluationItem(id="objectives-met", kind="rating", prompt="The learning objectives were met."),
    EvaluationItem(id="relevance", kind="rating", prompt="The content is relevant to my practice."),
    EvaluationItem(id="quality", kind="rating", prompt="The material was clear, accurate and well organised."),
    EvaluationItem(id="level", kind="rating", prompt="The educational level was appropriate for me."),
    EvaluationItem(id="recommend", kind="yes_no", prompt="I would recommend this module to a colleague."),
    EvaluationItem(id="comments", kind="text", prompt="Comments or suggestions", required=False),
]


class Retention(Strict):
    """How long records outlive an account (issue 11): certificates stay verifiable this many years after issue."""

    certificate_years: int = Field(default=7, ge=1, le=50)


class CourseFile(Strict):
    title: Text
    summary: Text
    provider: Provider
    signer: Signer
    programs: list[Program] = []
    evaluation: list[EvaluationItem] = Field(default_factory=lambda: list(DEFAULT_EVALUATION), min_length=1)
    retention: Retention = Retention()


# --- modules/<folder>/module.md and lessons ----------------------------------------------------

class ModuleMeta(Strict):
    id: Id
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    summary: Text
    order: int = Field(ge=1)
    level: Level
    contact_hours: Decimal = Field(gt=0, le=40)
    objectives: list[Text] = Field(min_length=1)
    prerequisites: list[Id] = []
    categories: list[Category] = []
    references: list[Text] = []
    min_active_minutes: int = Field(default=0, ge=0)
    version: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9.\-]{1,20}$")] = "1"

    @field_validator("contact_hours")
    @classmethod
    def quarter_hours(cls, value: Decimal) -> Decimal:
        if (value * 4) % 1:
            raise ValueError("contact hours must be a multiple of 0.25")
        return value

    @field_validator("objectives")
    @classmethod
    def measurable(cls, objectives: list[str]) -> list[str]:
        for number, objective in enumerate(objectives, 1):
            verb = objective.split()[0].lower().strip(",.:;")
            if verb in VAGUE_VERBS:
                raise ValueError(
                    f"objective {number} starts with '{verb}', which cannot be measured; "
                    "start with an observable verb such as describe, apply or compare"
                )
        return objectives


class LessonMeta(Strict):
    id: Id
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    minutes: int = Field(ge=1, le=240)
    activity_minutes: int = Field(default=0, ge=0, le=240)


class ReflectionSpec(Strict):
    id: Id
    prompt: Text
    guidance: str | None = None
    min_words: int = Field(default=0, ge=0, le=2000)
    required: bool = True
    minutes: int = Field(default=5, ge=0, le=120)


# --- quizzes/<module-id>.yaml ------------------------------------------------------------------

class Choice(Strict):
    id: Id
    text: Text
    correct: bool = False
    rationale: Text


class Pair(Strict):
    id: Id
    prompt: Text
    match: Text
    rationale: Text


class OrderItem(Strict):
    id: Id
    text: Text
    rationale: Text


class Case(Strict):
    id: Id
    title: Text
    text: Text


class Question(Strict):
    id: Id
    type: Literal["single", "multiple", "true_false", "matching", "ordering"]
    prompt: Text
    case: Id | None = None
    pool: Id | None = None
    scoring: Literal["all_or_nothing", "partial"] = "all_or_nothing"
    choices: list[Choice] = []
    pairs: list[Pair] = []
    items: list[OrderItem] = []  # ordering: listed in the correct order
    correct: bool | None = None  # true_false
    rationale_true: str | None = None
    rationale_false: str | None = None

    @model_validator(mode="after")
    def fits_its_type(self) -> Question:
        problem = _type_problem(self)
        if problem:
            raise ValueError(problem)
        return self


def _type_problem(q: Question) -> str | None:
    """Say what a question lacks or carries for its type, or None."""
    used = {"choices": bool(q.choices), "pairs": bool(q.pairs), "items": bool(q.items),
            "correct": q.correct is not None}
    wanted = {"single": "choices", "multiple": "choices", "matching": "pairs",
              "ordering": "items", "true_false": "correct"}[q.type]
    extra = [name for name, present in used.items() if present and name != wanted]
    if extra:
        article = "an" if q.type[0] in "aeiou" else "a"
        return f"{article} {q.type} question does not take '{extra[0]}'"
    if q.type in ("single", "multiple"):
        return _choice_problem(q)
    if q.type == "true_false":
        if q.correct is None:
            return "a true_false question needs 'correct: true' or 'correct: false'"
        if not (q.rationale_true or "").strip() or not (q.rationale_false or "").strip():
            return "a true_false question needs both 'rationale_true' and 'rationale_false'"
    if q.type == "matching" and len(q.pairs) < 2:
        return "a matching question needs at least 2 pairs"
    if q.type == "matching" and len({p.match for p in q.pairs}) < len(q.pairs):
        return "two pairs of a matching question share the same match"
    if q.type == "ordering" and len(q.items) < 2:
        return "an ordering question needs at least 2 items"
    if q.scoring == "partial" and q.type in ("single", "true_false"):
        return f"partial scoring does not apply to a {q.type} question"
    return _duplicate([c.id for c in q.pairs or q.items], "id")


def _choice_problem(q: Question) -> str | None:
    if len(q.choices) < 2:
        return f"a {q.type} question needs at least 2 choices"
    correct = sum(c.correct for c in q.choices)
    if correct == 0:
        return f"a {q.type} question has no correct choice"
    if q.type == "single" and correct > 1:
        return f"a single question has {correct} correct choices; use type: multiple"
    return _duplicate([c.id for c in q.choices], "choice id")


def _duplicate(ids: list[str], what: str) -> str | None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            return f"duplicate {what} '{item}'"
        seen.add(item)
    return None


class QuizFile(Strict):
    module: Id
    title: Text = "Post-test"
    minutes: int = Field(ge=1, le=240)
    pass_mark: int = Field(default=80, ge=1, le=100)
    attempts: int | None = Field(default=None, ge=1)
    wait_minutes: int = Field(default=0, ge=0)
    shuffle_questions: bool = True
    shuffle_choices: bool = True
    reveal_answers_before_pass: bool = False
    pools: dict[Id, int] = {}
    cases: list[Case] = []
    questions: list[Question] = Field(min_length=1)
