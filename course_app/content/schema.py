"""The shape of every content file, as pydantic models: what authors may write and nothing else."""
from __future__ import annotations

from datetime import date
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

ApprovalStatus = Literal["approved", "pending", "not_approved"]
Email = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                                         max_length=254)]


class Approval(Strict):
    """The provider's standing with the approving body; the statement is printed word for word."""

    status: ApprovalStatus
    number: Text | None = None
    ceu_label: Text = "CEUs"  # how CEUs are named while approved, for example "AOTA CEUs"
    statement: Text

    @model_validator(mode="after")
    def consistent(self) -> Approval:
        if self.status == "approved" and not self.number:
            raise ValueError("an approved provider needs its approval 'number'")
        if self.status != "approved" and "ceu" in self.statement.lower():
            raise ValueError("the statement mentions CEUs, which only an approved provider may award; "
                             "say what the contact hours are instead")
        return self


class Provider(Strict):
    name: Text
    approval: Approval
    privacy_contact: Email
    url: str | None = None

    @property
    def approved(self) -> bool:
        return self.approval.status == "approved"

    @property
    def statement(self) -> str:
        return self.approval.statement

    @property
    def approval_number(self) -> str:
        """The number certificates print: the approval number, or the status in words."""
        if self.approved:
            return self.approval.number or ""
        return {"pending": "Approval pending", "not_approved": "Not an approved provider"}[self.approval.status]


class Disclosures(Strict):
    financial: Text
    non_financial: Text


class Author(Strict):
    name: Text
    credentials: Text
    bio: Text
    disclosures: Disclosures


class Signer(Strict):
    name: Text
    credentials: Text
    title: Text
    signature_image: str | None = None  # a PNG or JPEG path relative to the content root


class Policies(Strict):
    refund: Text
    accommodations: Text
    content_reviewed: date


class SeatTime(Strict):
    """A module's certificate needs active time of at least share x its declared minutes (0 turns it off)."""

    share: float = Field(default=0.8, ge=0, le=1)


class PostTestRules(Strict):
    """Pass mark, attempts per cycle, and the wait before the next cycle once a cycle is used up."""

    pass_mark: int = Field(default=80, ge=1, le=100)
    attempts: int = Field(default=3, ge=1, le=100)
    wait_hours: float = Field(default=24, ge=0, le=24 * 90)


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
    EvaluationItem(id="commercial-bias", kind="yes_no",
                   prompt="The content was free of commercial bias: it promoted no company, product or service."),
    EvaluationItem(id="practice-change", kind="text",
                   prompt="What is one change you intend to make in your practice after this module?"),
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
    authors: list[Author] = Field(min_length=1)
    signer: Signer
    policies: Policies
    seat_time: SeatTime = SeatTime()
    post_test: PostTestRules = PostTestRules()
    programs: list[Program] = []
    evaluation: list[EvaluationItem] = Field(default_factory=lambda: list(DEFAULT_EVALUATION), min_length=1)
    retention: Retention = Retention()


# --- modules/<folder>/module.md and lessons ----------------------------------------------------

class Objective(Strict):
    id: Id
    text: Text

    def __str__(self) -> str:
        return self.text


DEFAULT_FORMAT = "Distance Learning - Independent"


class ModuleMeta(Strict):
    id: Id
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    summary: Text
    order: int = Field(ge=1)
    level: Level
    contact_hours: Decimal = Field(gt=0, le=40)
    objectives: list[Objective] = Field(min_length=1)
    prerequisites: list[Id] = []
    categories: list[Category] = []
    format: Text = DEFAULT_FORMAT
    activity_number: Text | None = None  # the approving body's number for this activity, once approved
    seat_time_share: float | None = Field(default=None, ge=0, le=1)  # overrides course.yaml's seat_time.share
    references: list[Text] = []
    min_active_minutes: int = Field(default=0, ge=0)  # older files; the seat-time policy replaces it
    post_test: bool = True  # false: this module has no post-test (course check asks for one otherwise)
    version: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9.\-]{1,20}$")] = "1"

    @field_validator("contact_hours")
    @classmethod
    def quarter_hours(cls, value: Decimal) -> Decimal:
        if (value * 4) % 1:
            raise ValueError("contact hours must be a multiple of 0.25")
        return value

    @field_validator("objectives", mode="before")
    @classmethod
    def with_ids(cls, objectives: object) -> object:
        for number, objective in enumerate(objectives if isinstance(objectives, list) else [], 1):
            if isinstance(objective, str):
                raise ValueError(f"objective {number} needs an id: write it as '- id: short-name' "
                                 "with the sentence under 'text:'")
        return objectives

    @field_validator("objectives")
    @classmethod
    def measurable(cls, objectives: list[Objective]) -> list[Objective]:
        seen: set[str] = set()
        for number, objective in enumerate(objectives, 1):
            verb = objective.text.split()[0].lower().strip(",.:;")
            if verb in VAGUE_VERBS:
                raise ValueError(
                    f"objective {number} starts with '{verb}', which cannot be measured; "
                    "start with an observable verb such as describe, apply or compare"
                )
            if objective.id in seen:
                raise ValueError(f"objective {number} repeats the id '{objective.id}'")
            seen.add(objective.id)
        return objectives


class LessonMeta(Strict):
    id: Id
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    minutes: int = Field(ge=1, le=240)
    activity_minutes: int = Field(default=0, ge=0, le=240)
    objectives: list[Id] = []  # optional: the module objectives this lesson teaches (a failed post-test links here)


class ReflectionSpec(Strict):
    id: Id
    prompt: Text
    guidance: str | None = None
    min_words: int = Field(default=0, ge=0, le=2000)
    required: bool = True
    minutes: int = Field(default=5, ge=0, le=120)
    model_response: Text | None = None  # shown once the learner has saved at least min_words
    commentary: Text | None = None  # what makes the model response good; shown with it

    @model_validator(mode="after")
    def commentary_has_a_response(self) -> ReflectionSpec:
        if self.commentary and not self.model_response:
            raise ValueError("'commentary' explains a model response: add 'model_response' too")
        return self


class CheckChoice(Strict):
    id: Id
    text: Text
    correct: bool = False
    feedback: Text  # shown when the learner picks this choice


class CheckSpec(Strict):
    """A knowledge check inside a lesson: practice with feedback, never scored."""

    id: Id
    type: Literal["single", "multiple"] = "single"
    prompt: Text
    choices: list[CheckChoice] = Field(min_length=2, max_length=10)
    minutes: int = Field(default=1, ge=0, le=30)

    @model_validator(mode="after")
    def has_a_key(self) -> CheckSpec:
        correct = sum(choice.correct for choice in self.choices)
        if correct == 0:
            raise ValueError("no choice has 'correct: true': mark the right answer")
        if self.type == "single" and correct > 1:
            raise ValueError(f"{correct} choices have 'correct: true' in a 'type: single' check: "
                             "keep one, or write 'type: multiple'")
        problem = _duplicate([choice.id for choice in self.choices], "choice id")
        if problem:
            raise ValueError(problem)
        return self


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
    pool: Id | None = None  # the objective it mainly assesses; an attempt draws from that pool
    objectives: list[Id] = Field(min_length=1)  # every module objective it assesses
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
    if q.scoring == "partial" and q.type in ("single", "true_false"):
        return f"'scoring: partial' does not apply to a {q.type} question (it has one answer): remove it"
    used = {"choices": bool(q.choices), "pairs": bool(q.pairs), "items": bool(q.items),
            "correct": q.correct is not None,
            "rationale_true": q.rationale_true is not None, "rationale_false": q.rationale_false is not None}
    if q.type == "true_false":
        used["correct"] = used["rationale_true"] = used["rationale_false"] = False
    wanted = {"single": "choices", "multiple": "choices", "matching": "pairs",
              "ordering": "items", "true_false": "true_false"}[q.type]
    extra = [name for name, present in used.items() if present and name != wanted]
    if extra:
        article = "an" if q.type[0] in "aeiou" else "a"
        return f"'{extra[0]}' does not apply to {article} {q.type} question: remove it"
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
    # Omitted: course.yaml's post_test defaults apply.
    pass_mark: int | None = Field(default=None, ge=1, le=100)
    attempts: int | None = Field(default=None, ge=1, le=100)
    wait_hours: float | None = Field(default=None, ge=0, le=24 * 90)
    shuffle_questions: bool = True
    shuffle_choices: bool = True
    reveal_answers_before_pass: bool = False
    pools: dict[Id, int] = {}
    cases: list[Case] = []
    questions: list[Question] = Field(min_length=1)
