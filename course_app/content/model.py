"""The loaded course: immutable objects built once from the content files."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal
from types import MappingProxyType
from typing import Mapping

from .schema import (
    Case,
    CheckSpec,
    CourseFile,
    EvaluationItem,
    ModuleMeta,
    PostTestRules,
    Program,
    Question,
    QuizFile,
    ReflectionSpec,
)

READING_WORDS_PER_MINUTE = 200


@dataclass(frozen=True)
class Segment:
    """A run of lesson HTML, or a reflection form or knowledge check placed between two runs."""

    html: str = ""
    reflection: ReflectionSpec | None = None
    check: CheckSpec | None = None


@dataclass(frozen=True)
class Lesson:
    id: str
    module_id: str
    title: str
    minutes: int
    activity_minutes: int
    words: int
    segments: tuple[Segment, ...]
    toc_html: str
    headings: tuple[dict, ...]
    reflections: tuple[ReflectionSpec, ...]
    path: str
    checks: tuple[CheckSpec, ...] = ()
    # Rendered Markdown of its blocks: "model:<reflection>", "commentary:<reflection>", "prompt:<check>",
    # "choice:<check>:<choice>", "feedback:<check>:<choice>".
    block_html: Mapping[str, str] = field(default_factory=dict)
    objectives: tuple[str, ...] = ()  # module objective ids it teaches

    @property
    def estimated_minutes(self) -> float:
        """Reading time plus the declared time for its activities, reflections and knowledge checks."""
        activities = self.activity_minutes + sum(r.minutes for r in self.reflections) + \
            sum(c.minutes for c in self.checks)
        return self.words / READING_WORDS_PER_MINUTE + activities

    def check(self, check_id: str) -> CheckSpec | None:
        return next((c for c in self.checks if c.id == check_id), None)

    def reflection(self, reflection_id: str) -> ReflectionSpec | None:
        return next((r for r in self.reflections if r.id == reflection_id), None)


@dataclass(frozen=True)
class Quiz:
    spec: QuizFile
    path: str
    html: Mapping[str, str]  # rendered Markdown: "prompt:<q>", "choice:<q>:<c>", "rationale:<q>:<c>", "case:<id>"
    rules: PostTestRules = PostTestRules()  # the quiz's overrides over course.yaml's post_test defaults
    lines: Mapping = field(default_factory=dict, repr=False, compare=False)  # YAML path -> line, for problems

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(self.spec.questions)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.spec.questions if q.id == question_id), None)

    def case(self, case_id: str | None) -> Case | None:
        return next((c for c in self.spec.cases if c.id == case_id), None)

    @property
    def questions_per_attempt(self) -> int:
        pooled = {name: 0 for name in self.spec.pools}
        fixed = 0
        for q in self.spec.questions:
            if q.pool:
                pooled[q.pool] += 1
            else:
                fixed += 1
        return fixed + sum(min(draw, pooled[name]) for name, draw in self.spec.pools.items())


@dataclass(frozen=True)
class Module:
    meta: ModuleMeta
    folder: str
    overview_html: str
    references_html: tuple[str, ...]
    lessons: tuple[Lesson, ...]
    quiz: Quiz | None
    version: str
    seat_time_share: float = 0.8  # the module's own share, else course.yaml's seat_time.share

    def __post_init__(self) -> None:
        # id, title, level, contact_hours, objectives ... straight from the (frozen) front matter, as plain
        # attributes: read through __getattr__ below, each cost fourteen times as much, and a page reads them
        # a hundred times.
        own = {f.name for f in fields(self)}
        for name in type(self.meta).model_fields:
            if name not in own:
                object.__setattr__(self, name, getattr(self.meta, name))

    def __getattr__(self, name: str):
        # Anything else of the front matter's.
        return getattr(self.meta, name)

    @property
    def ceus(self) -> Decimal:
        return self.meta.contact_hours / 10

    @property
    def reflections(self) -> tuple[ReflectionSpec, ...]:
        return tuple(r for lesson in self.lessons for r in lesson.reflections)

    @property
    def declared_minutes(self) -> int:
        return sum(lesson.minutes for lesson in self.lessons) + (self.quiz.spec.minutes if self.quiz else 0)

    @property
    def required_active_seconds(self) -> int:
        """Active learning time the certificate needs: the seat-time share of the declared minutes."""
        return round(self.seat_time_share * self.declared_minutes * 60)

    def objective(self, objective_id: str):
        return next((o for o in self.meta.objectives if o.id == objective_id), None)

    def lessons_teaching(self, objective_id: str) -> tuple[Lesson, ...]:
        """The lessons that declare they teach an objective (all lessons when none declares any)."""
        tagged = tuple(lesson for lesson in self.lessons if objective_id in lesson.objectives)
        return tagged or (self.lessons if not any(lesson.objectives for lesson in self.lessons) else ())

    @property
    def estimated_minutes(self) -> float:
        quiz = self.quiz.spec.minutes if self.quiz else 0
        return sum(lesson.estimated_minutes for lesson in self.lessons) + quiz

    @property
    def words(self) -> int:
        return sum(lesson.words for lesson in self.lessons)

    def lesson(self, lesson_id: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.id == lesson_id), None)

    def neighbours(self, lesson_id: str) -> tuple[Lesson | None, Lesson | None]:
        ids = [lesson.id for lesson in self.lessons]
        index = ids.index(lesson_id)
        before = self.lessons[index - 1] if index > 0 else None
        after = self.lessons[index + 1] if index + 1 < len(ids) else None
        return before, after


@dataclass(frozen=True)
class Course:
    spec: CourseFile
    modules: tuple[Module, ...]
    _by_id: Mapping[str, Module] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", MappingProxyType({m.id: m for m in self.modules}))

    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def provider(self):
        return self.spec.provider

    @property
    def evaluation(self) -> tuple[EvaluationItem, ...]:
        return tuple(self.spec.evaluation)

    @property
    def programs(self) -> tuple[Program, ...]:
        return tuple(self.spec.programs)

    def program(self, program_id: str) -> Program | None:
        return next((p for p in self.spec.programs if p.id == program_id), None)

    def module(self, module_id: str) -> Module | None:
        return self._by_id.get(module_id)

    @property
    def contact_hours(self) -> Decimal:
        return sum((m.contact_hours for m in self.modules), Decimal(0))
