"""Reflections (autosave and plain form), the journal, and the post-test."""
from __future__ import annotations

from flask import abort, current_app, flash, get_template_attribute, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from ..auth.forms import ConfirmForm
from ..completion import is_complete, lessons_done, time_detail, time_ok
from ..course_store import current_course
from ..downloads import attachment
from ..errors import wants_json
from ..extensions import db
from ..learning.access import get_module, missing_prerequisites
from ..certificates.auto import issue_when_ready
from ..learning.progress import learner_states, record_quiz_activity
from ..learning.next_steps import next_steps
from ..learning.seat_time import heartbeat_visible
from ..models import QuizAttempt
from . import bp
from .attempts import (
    AttemptRefused,
    attempts_left,
    attempts_of,
    next_start,
    open_attempt,
    save_answers,
    start_attempt,
    submit_attempt,
)
from .grading import AnswerError, case_groups, read_answers, unanswered
from .questions import question_block
from .journal import journal_markdown, journal_sections
from .review import objectives_to_review, provider_time
from .journal import journal_pdf as build_journal_pdf
from .reflections import MAX_CHARACTERS, StaleRevision, may_complete_module, model_response_open, save_reflection


# A template global rather than a context processor: macros imported without the page's context see it.
@bp.app_template_global()
def model_open(spec, saved) -> bool:
    return model_response_open(spec, saved)


def _reflection_spec(module, reflection_id: str):
    spec = next((r for r in module.reflections if r.id == reflection_id), None)
    if spec is None:
        abort(404, f"Module '{module.title}' has no reflection '{reflection_id}'.")
    return spec


@bp.route("/modules/<module_id>/reflections/<reflection_id>", methods=["POST"], endpoint="save_reflection")
@login_required
def save_reflection_view(module_id: str, reflection_id: str):
    module = get_module(module_id)
    spec = _reflection_spec(module, reflection_id)
    text, revision, back = _reflection_request(module)
    try:
        row = save_reflection(current_user.id, module.id, reflection_id, text, revision)
        if may_complete_module(spec, row):
            issue_when_ready(current_user, module, current_course())
    except StaleRevision as stale:
        db.session.rollback()
        if request.is_json:
            return {"error": "This reflection was saved from another tab or device after you opened it.",
                    "revision": stale.current.revision, "text": stale.current.text}, 409
        return render_template("assessment/reflection_conflict.html", module=module, yours=text,
                               theirs=stale.current, back=back, reflection_id=reflection_id), 409
    # What the script is told, read before the commit expires the row (reading it after would load it again);
    # it is sent only once the commit has succeeded.
    saved = {"revision": row.revision, "words": row.words, "saved_at": row.updated_at.isoformat(),
             "model_html": _model_html(module, spec, row)} if request.is_json else None
    db.session.commit()
    if saved is not None:
        return saved
    flash("Your reflection is saved.", "success")
    return redirect(f"{back}#reflection-{reflection_id}")


def _model_html(module, spec, saved) -> str | None:
    """The model response, rendered for the page, once the saved text has reached the minimum words."""
    if not model_response_open(spec, saved):
        return None
    lesson = next(lesson for lesson in module.lessons if spec in lesson.reflections)
    return get_template_attribute("assessment/_model_response.html", "model_response")(lesson, spec)


def _reflection_request(module) -> tuple[str, int, str]:
    """Read text, base revision and the page to return to from a form or JSON save; 4xx when malformed."""
    data = request.get_json(silent=True) if request.is_json else request.form
    if not isinstance(data, dict):
        abort(400, "Send the reflection as a form or a JSON object with 'text' and 'revision'.")
    text, revision = data.get("text"), str(data.get("revision", ""))
    if not isinstance(text, str) or not revision.isdigit():
        abort(400, "The reflection needs 'text' and a whole-number 'revision'.")
    if len(text) > MAX_CHARACTERS:
        abort(413, f"A reflection can hold up to {MAX_CHARACTERS:,} characters; this one has {len(text):,}. "
                   "Your text is still in the box: shorten it and save again.")
    lesson_id = data.get("lesson_id") if isinstance(data.get("lesson_id"), str) else ""
    back = url_for("learning.lesson", module_id=module.id, lesson_id=lesson_id) if module.lesson(lesson_id) \
        else url_for("learning.module", module_id=module.id)
    return text.replace("\r\n", "\n"), int(revision), back


@bp.route("/journal")
@login_required
def journal():
    sections = journal_sections(current_user.id, current_course())
    return render_template("assessment/journal.html", sections=sections)


@bp.route("/journal.md")
@login_required
def journal_export():
    text = journal_markdown(current_user, journal_sections(current_user.id, current_course()))
    return attachment(text, "text/markdown; charset=utf-8", "reflection-journal.md")


@bp.route("/journal.pdf")
@login_required
def journal_pdf():
    pdf = build_journal_pdf(current_user, journal_sections(current_user.id, current_course()))
    return attachment(pdf, "application/pdf", "reflection-journal.pdf")


# --- post-test ---------------------------------------------------------------------------------

def _quiz_module(module_id: str):
    module = get_module(module_id)
    if module.quiz is None:
        abort(404, f"Module '{module.title}' has no post-test.")
    if missing_prerequisites(module):
        abort(403, "Complete the prerequisite modules first.")
    return module


def get_attempt(attempt_id: int) -> QuizAttempt:
    """Return the current learner's own attempt, or 404 (another learner's attempt is never shown)."""
    attempt = db.session.get(QuizAttempt, attempt_id) if 0 < attempt_id < 2**31 else None  # ids are 32-bit
    if attempt is None or attempt.user_id != current_user.id:
        abort(404, "There is no such attempt among yours.")
    return attempt


@bp.route("/modules/<module_id>/quiz")
@login_required
def quiz(module_id: str):
    module = _quiz_module(module_id)
    attempts = attempts_of(current_user.id, module.id)
    state = learner_states(current_user.id, [module])[module.id]
    wait_until = next_start(module.quiz, attempts)
    return render_template("assessment/quiz_intro.html", module=module, quiz=module.quiz, attempts=attempts,
                           current=open_attempt(attempts), wait_until=wait_until,
                           opens=provider_time(wait_until, _zone()) if wait_until else None,
                           attempts_left=attempts_left(module.quiz, attempts),
                           lessons_left=len(module.lessons) - lessons_done(module, state),
                           complete=is_complete(module, state), form=ConfirmForm())


@bp.route("/modules/<module_id>/quiz/attempts", methods=["POST"])
@login_required
def start_quiz(module_id: str):
    module = _quiz_module(module_id)
    ConfirmForm().validate_on_submit() or abort(400, "This form had expired. Reload the page and try again.")
    state = learner_states(current_user.id, [module])[module.id]
    if lessons_done(module, state) < len(module.lessons):
        abort(409, "Complete every lesson of this module before the post-test.")
    try:
        attempt = start_attempt(current_user.id, module.id, module.quiz, content_version=module.version)
    except AttemptRefused as refused:
        db.session.rollback()
        abort(refused.status, str(refused))
    db.session.commit()
    return redirect(url_for("assessment.attempt", attempt_id=attempt.id))


@bp.route("/quiz/attempts/<int:attempt_id>")
@login_required
def attempt(attempt_id: int):
    attempt = get_attempt(attempt_id)
    module = get_module(attempt.module_id)
    if attempt.submitted_at is None:
        return _again(module, attempt, attempt.answers, [], None, 200)
    reveal = bool(attempt.passed) or module.quiz.spec.reveal_answers_before_pass
    attempts = attempts_of(current_user.id, module.id)
    state = learner_states(current_user.id, [module])[module.id]
    wait_until = next_start(module.quiz, attempts)
    return render_template("assessment/result.html", module=module, quiz=module.quiz, attempt=attempt, reveal=reveal,
                           groups=case_groups(attempt.layout, module.quiz.spec), state=state,
                           attempts_left=attempts_left(module.quiz, attempts) if not state.quiz_passed else 0,
                           wait_until=wait_until, opens=provider_time(wait_until, _zone()) if wait_until else None,
                           review=objectives_to_review(module, attempt.layout, attempt.results or {}),
                           steps=next_steps(module, state) if state.quiz_passed else [],
                           time_left=None if time_ok(module, state) else time_detail(module, state))


def _zone() -> str:
    return current_app.config["PROVIDER_TIMEZONE"]


@bp.route("/quiz/attempts/<int:attempt_id>", methods=["POST"])
@login_required
def answer(attempt_id: int):
    attempt = get_attempt(attempt_id)
    module = get_module(attempt.module_id)
    if not ConfirmForm().validate_on_submit():
        abort(400, "This form had expired. Your saved answers are kept; reload the page and submit again.")
    if attempt.submitted_at is not None:
        return _already_submitted(attempt)
    try:
        answers = read_answers(module.quiz.spec, attempt.layout, request.form.to_dict(flat=False))
    except AnswerError as error:
        abort(400, f"The answers could not be read: {error}. Nothing was recorded.")
    revision = request.form.get("revision", "")
    if not revision.isdigit():
        abort(400, "The form is missing its revision number. Reload the page; your saved answers are kept.")
    # A stale revision matters only when the answers differ from the saved ones (an autosave in flight is not).
    if int(revision) != attempt.revision and answers != attempt.answers:
        message = "These answers were changed in another tab after this page was opened."
        if wants_json():
            return {"error": message, "revision": attempt.revision}, 409
        return _again(module, attempt, answers, [], message + " Check them below and submit again.", 409)
    missing = unanswered(attempt.layout, answers, module.quiz.spec)
    try:
        if request.form.get("action") == "save" or missing:
            save_answers(attempt, answers, attempt.revision)
            db.session.commit()
            if request.form.get("action") == "save":
                return _saved_response(attempt)
            return _again(module, attempt, answers, missing, None, 422)
        submit_attempt(attempt, module.quiz, answers)
        issue_when_ready(current_user, module, current_course())
    except AttemptRefused as refused:
        db.session.rollback()
        if attempt.submitted_at is not None and not wants_json():  # a double click: the first one counted
            return _already_submitted(attempt)
        abort(refused.status, str(refused))
    db.session.commit()
    return redirect(url_for("assessment.attempt", attempt_id=attempt.id))


def _already_submitted(attempt: QuizAttempt):
    flash("This attempt was already submitted (perhaps in another tab). Here is its result.", "info")
    return redirect(url_for("assessment.attempt", attempt_id=attempt.id), 303)
@bp.route("/quiz/attempts/<int:attempt_id>/activity", methods=["POST"])
@login_required
def attempt_activity(attempt_id: int):
    """A heartbeat from an open post-test: it counts toward the module's active learning time."""
    attempt = get_attempt(attempt_id)
    module = get_module(attempt.module_id)
    record_quiz_activity(attempt, visible=heartbeat_visible(), interval=current_app.config["HEARTBEAT_SECONDS"])
    certificate = issue_when_ready(current_user, module, current_course())
    db.session.commit()
    return {"active_seconds": attempt.active_seconds, "certificate": certificate.code if certificate else None}


def _again(module, attempt: QuizAttempt, answers: dict, missing: list[str], message: str | None, status: int):
    """Show the attempt again with the learner's answers as sent, so nothing typed is lost.

    The questions are joined here, each a kept block (questions.py), case by case: called from the template,
    each block cost as much again in the template's own calls."""
    total = len(attempt.layout)
    groups = [(module.quiz.case(case_id),
               Markup().join(question_block(module, entry, position, total, answers.get(entry["id"]),
                                            entry["id"] in missing) for position, entry in entries))
              for case_id, entries in case_groups(attempt.layout, module.quiz.spec)]
    return render_template("assessment/attempt.html", module=module, quiz=module.quiz, attempt=attempt,
                           groups=groups, missing=missing, message=message), status


def _saved_response(attempt: QuizAttempt):
    if wants_json():
        return {"revision": attempt.revision}
    flash("Your answers are saved. You can come back and finish later.", "success")
    return redirect(url_for("assessment.attempt", attempt_id=attempt.id))
