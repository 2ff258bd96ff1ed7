"""Instructor pages: learners, one learner's record, the module funnel, item analysis, evaluations.

Reflection text is private to each learner and never read here.
"""
from __future__ import annotations

from flask import abort, render_template, request

from ..certificates.evaluation import evaluation_items
from ..certificates.transcript import parse_range
from ..course_store import current_course
from ..extensions import db
from ..models import User
from . import bp
from .access import instructor_required
from .analytics import by_version, first_attempts, item_analysis
from .charts import bar_chart
from .learners import PAGE_SIZE, SORTS, STATUSES, find_learners, learner_record, read_filter
from .reports import STAGES, attempt_rows, evaluation_summary, funnel, stages_of
from .snapshots import StillComputing, snapshot


@bp.errorhandler(StillComputing)
def still_computing(error: StillComputing):
    """A report whose figures are not ready yet says so at once (they are computed in the background)."""
    return render_template("instructor/computing.html", started=error.started)


@bp.route("/")
@instructor_required
def overview():
    """The learners list: search, filter, sort, 50 a page."""
    course = current_course()
    wanted, problems = read_filter(request.args, course)
    rows, total = find_learners(wanted, course.modules)
    pages = max(1, -(-total // PAGE_SIZE))
    query = {k: v for k, v in {"q": wanted.search, "module": wanted.module_id, "status": wanted.status,
                               "sort": wanted.sort if wanted.sort != "activity" else ""}.items() if v}
    return render_template("instructor/learners.html", course=course, rows=rows, total=total, wanted=wanted,
                           pages=pages, problems=problems, statuses=STATUSES, sorts=SORTS, page_size=PAGE_SIZE,
                           query=query)


@bp.route("/learners/<int:user_id>")
@instructor_required
def learner(user_id: int):
    user = db.session.get(User, user_id) if 0 < user_id < 2**31 else None
    if user is None:
        abort(404, "There is no learner with that number.")
    records, certificates = learner_record(user, current_course())
    return render_template("instructor/learner.html", learner=user, records=records, certificates=certificates)


@bp.route("/funnel")
@instructor_required
def funnel_view():
    course = current_course()
    funnels, computed_at = snapshot(("funnel", _versions(course)), lambda: funnel(course))
    charts = {f.module.id: bar_chart([(label, f.counts[key]) for key, label in stages_of(f.module)])
              for f in funnels}
    return render_template("instructor/funnel.html", funnels=funnels, charts=charts, stages=STAGES,
                           computed_at=computed_at)


def _versions(course) -> tuple[str, ...]:
    """The content versions figures depend on: edited content gives new figures at once."""
    return tuple(m.version for m in course.modules)


@bp.route("/items")
@instructor_required
def items():
    """Item analysis for one module's post-test, per content version."""
    course = current_course()
    quizzed = [m for m in course.modules if m.quiz]
    module_id = request.args.get("module", "")
    module = course.module(module_id) if module_id else (quizzed[0] if quizzed else None)
    if module_id and (module is None or module.quiz is None):
        abort(404, f"There is no post-test for a module '{module_id[:60]}'.")
    which = "all" if request.args.get("attempts") == "all" else "first"
    versions, computed_at = [], None
    if module is not None:
        versions, computed_at = snapshot(("items", module.id, module.version, which),
                                         lambda: _item_versions(module, which))
    return render_template("instructor/items.html", modules=quizzed, module=module, which=which,
                           versions=versions, current_version=module.version if module else None,
                           computed_at=computed_at)


def _item_versions(module, which: str) -> list:
    rows = attempt_rows(module.id)
    rows = first_attempts(rows) if which == "first" else rows
    return [(version, len(group), item_analysis(module.quiz.questions, group)) for version, group in by_version(rows)]


@bp.route("/evaluations")
@instructor_required
def evaluations():
    course = current_course()
    module_id = request.args.get("module", "")
    module = course.module(module_id) if module_id else None
    if module_id and module is None:
        abort(404, f"There is no module '{module_id[:60]}'.")
    date_from, date_to, problem = parse_range(request.args.get("from", ""), request.args.get("to", ""))
    items = evaluation_items(course, module) if module else course.evaluation  # objectives are per module
    (count, summary), computed_at = ((0, []), None) if problem else snapshot(
        ("evaluations", module_id, date_from, date_to, _versions(course)),
        lambda: evaluation_summary(items, module_id or None, date_from, date_to))
    return render_template("instructor/evaluations.html", course=course, module=module, summary=summary,
                           count=count, problem=problem, args=request.args, computed_at=computed_at), \
        400 if problem else 200
