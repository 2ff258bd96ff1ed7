"""Downloads for the provider and regulators: completions, CE Broker rosters, evaluations, the annual summary."""
from __future__ import annotations

import csv
import io
import re

from flask import abort, current_app, render_template, request
from sqlalchemy import select

from ..certificates.issuance import local_date
from ..certificates.transcript import parse_range, safe_cell
from ..course_store import current_course
from ..downloads import attachment
from ..extensions import db
from ..models import Evaluation, utcnow
from ..urls import absolute_url
from . import bp
from .access import instructor_required
from .annual import annual_summary, years_with_activity
from .exports import csv_download
from .snapshots import snapshot
from .reports import completions, day_bounds, roster_groups
from .roster import (
    COMPLETION_HEADER,
    MISSING_HEADER,
    RosterSettings,
    completion_row,
    missing_for_roster,
    missing_row,
    roster_row,
    strip_prefix,
)

# CE Broker profession codes for the credentials learners choose; check them against CE Broker's list for
# each state before the first upload (help.cebroker.com, "Profession Codes").
PROFESSIONS = {"OTR/L": "OT", "OT": "OT", "COTA/L": "OTA", "OTA": "OTA"}


def ceus_approved(course) -> bool:
    """AOTA CEUs may be claimed only once the provider's approval status says approved."""
    approval = getattr(course.provider, "approval", None)
    return getattr(approval, "status", None) == "approved"


def _range():
    date_from, date_to, problem = parse_range(request.args.get("from", ""), request.args.get("to", ""))
    if problem:
        abort(400, problem)
    return date_from, date_to


def _settings(required: bool) -> RosterSettings:
    typed = request.args.get("provider", "").strip()[:40] or current_app.config.get("CE_BROKER_PROVIDER_NUMBER", "")
    number = strip_prefix(typed, "50-")
    if number and not re.fullmatch(r"\d{1,12}", number):
        abort(400, f"The CE Broker provider number '{typed[:40]}' should be digits, like 50-12345.")
    if required and not number:
        abort(400, "Enter your CE Broker provider number (it starts with 50-) to build a roster.")
    return RosterSettings(number, {}, PROFESSIONS)


@bp.route("/exports")
@instructor_required
def exports():
    course = current_course()
    date_from, date_to, problem = parse_range(request.args.get("from", ""), request.args.get("to", ""))
    settings = _settings(required=False)
    states: dict[str, int] = {}
    missing = 0
    for state, credential, has_license, count in ([] if problem else roster_groups(date_from, date_to)):
        if has_license and re.fullmatch(r"[A-Z]{2}", state) and credential in PROFESSIONS:
            states[state] = states.get(state, 0) + count
        else:
            missing += count
    years = years_with_activity(local_date(utcnow()))
    year = request.args.get("year", "")
    chosen = int(year) if year.isdigit() and int(year) in years else years[0]
    versions = tuple(m.version for m in course.modules)
    annual, annual_at = snapshot(("annual", chosen, versions), lambda: annual_summary(course, chosen))
    return render_template("instructor/exports.html", course=course, problem=problem, settings=settings,
                           states=dict(sorted(states.items())), missing=missing, args=request.args,
                           years=years, year=chosen, annual=annual, annual_at=annual_at,
                           ceus=ceus_approved(course)), 400 if problem else 200


@bp.route("/exports/completions.csv")
@instructor_required
def completions_csv():
    """Every valid module certificate completed in the range: who, which module, hours, date, code."""
    course = current_course()
    date_from, date_to = _range()
    rows = (completion_row(c) for c in completions(course, date_from, date_to))
    return csv_download(COMPLETION_HEADER, rows, "completions.csv")


@bp.route("/exports/ce-broker-<state>.csv")
@instructor_required
def ce_broker_csv(state: str):
    """The CE Broker roster for one license state, in its upload columns A to H (no header row)."""
    if not re.fullmatch(r"[A-Za-z]{2}", state):
        abort(404, "A roster is made per state: use a two-letter state such as FL.")
    course, state = current_course(), state.upper()
    date_from, date_to = _range()
    settings = _settings(required=True)
    rows = (roster_row(c, settings) for c in completions(course, date_from, date_to)
            if missing_for_roster(c, settings) is None and (c.license_state or "").upper() == state)
    return csv_download(None, rows, f"ce-broker-{state}.csv")


@bp.route("/exports/ce-broker-missing.csv")
@instructor_required
def ce_broker_missing_csv():
    """Completions that cannot go on a roster (no license number, state or profession code), to chase."""
    course = current_course()
    date_from, date_to = _range()
    settings = _settings(required=False)
    rows = (missing_row(c, problem) for c in completions(course, date_from, date_to)
            for problem in [missing_for_roster(c, settings)] if problem is not None)
    return csv_download(MISSING_HEADER, rows, "ce-broker-missing-license.csv")


@bp.route("/exports/annual-<int:year>.csv")
@instructor_required
def annual_csv(year: int):
    if not 2000 <= year <= 2200:
        abort(404, "Choose a year such as 2026.")
    course = current_course()
    ratings = [item for item in course.evaluation if item.kind == "rating"]
    header = ["year", "module_id", "module", "participants", "completions", "contact_hours_awarded",
              "attempts", "pass_rate", "first_attempt_pass_rate"] + [f"mean_{item.id}" for item in ratings]
    rows = ([str(year), r.module.id, safe_cell(r.module.title), str(r.participants), str(r.completions),
             f"{r.contact_hours:g}", str(r.attempts), _share(r.pass_rate), _share(r.first_pass_rate)]
            + [f"{r.rating_means[i.id]:.2f}" if r.rating_means[i.id] is not None else "" for i in ratings]
            for r in annual_summary(course, year))
    return csv_download(header, rows, f"annual-summary-{year}.csv")


def _share(value: float | None) -> str:
    return f"{value:.3f}" if value is not None else ""


@bp.route("/evaluations.csv")
@instructor_required
def evaluations_csv():
    """Export participant evaluations, one row per learner and module, without names."""
    course = current_course()
    items = course.evaluation
    module_id = request.args.get("module", "")
    if module_id and course.module(module_id) is None:
        abort(404, f"There is no module '{module_id[:60]}'.")
    start, end = day_bounds(*_range())
    return csv_download(["module", "submitted_at"] + [item.id for item in items] + ["objective_ratings"],
                        _evaluation_rows(items, module_id, start, end), "evaluations.csv")


def _evaluation_rows(items, module_id: str, start, end):
    """Yield evaluation rows, read in batches while the file is sent."""
    query = select(Evaluation.module_id, Evaluation.submitted_at, Evaluation.answers)
    if module_id:
        query = query.where(Evaluation.module_id == module_id)
    if start:
        query = query.where(Evaluation.submitted_at >= start)
    if end:
        query = query.where(Evaluation.submitted_at < end)
    query = query.order_by(Evaluation.module_id, Evaluation.submitted_at).execution_options(yield_per=1000)
    for m, at, answers in db.session.execute(query):
        answers = answers or {}
        objectives = "; ".join(f"{key.removeprefix('objective-')}={value}" for key, value in answers.items()
                               if key.startswith("objective-"))
        yield ([m, local_date(at).isoformat()] + [safe_cell(str(answers.get(item.id, ""))) for item in items]
               + [safe_cell(objectives)])


@bp.route("/subscribers.csv")
@instructor_required
def subscribers_csv():
    """Export newsletter subscribers with their consent record and unsubscribe link."""
    from ..guide.newsletter import subscribers, unsubscribe_token

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["email", "status", "consented_at", "consent_text", "source", "unsubscribed_at", "unsubscribe_url"])
    for row in subscribers():
        writer.writerow([safe_cell(row.email), "unsubscribed" if row.unsubscribed_at else "subscribed",
                         row.consented_at.isoformat(), row.consent_text, row.source,
                         row.unsubscribed_at.isoformat() if row.unsubscribed_at else "",
                         absolute_url("guide.unsubscribe_view", token=unsubscribe_token(row.email))])
    return attachment(out.getvalue(), "text/csv; charset=utf-8", "newsletter-subscribers.csv")
