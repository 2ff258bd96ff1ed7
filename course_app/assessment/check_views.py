"""The knowledge-check form: a plain POST that works without JavaScript (checks.js makes it inline)."""
from __future__ import annotations

from flask import abort, flash, get_template_attribute, redirect, request, session, url_for
from flask_login import login_required

from ..auth.forms import ConfirmForm
from ..errors import wants_json
from ..learning.access import get_lesson, missing_prerequisites
from . import bp
from .checks import SESSION_KEY, CheckAnswerError, check_answer, read_choices

MAX_KEPT = 200  # answers kept per session; the oldest go first


@bp.route("/modules/<module_id>/lessons/<lesson_id>/checks/<check_id>", methods=["POST"], endpoint="answer_check")
@login_required
def answer_check_view(module_id: str, lesson_id: str, check_id: str):
    module, lesson = get_lesson(module_id, lesson_id)
    spec = lesson.check(check_id) or abort(404, f"Lesson '{lesson.title}' has no knowledge check '{check_id}'.")
    if missing_prerequisites(module):
        abort(403, "Complete the prerequisite modules first.")
    ConfirmForm().validate_on_submit() or abort(400, "This form had expired. Reload the lesson and try again.")
    back = url_for("learning.lesson", module_id=module.id, lesson_id=lesson.id) + f"#check-{spec.id}"
    try:
        result = check_answer(spec, read_choices(spec, request.form.getlist("choice")))
    except CheckAnswerError as problem:
        if wants_json():
            return {"error": str(problem)}, 422
        flash(str(problem), "error")
        return redirect(back)
    _keep(f"{module.id}/{spec.id}", list(result.selected))
    if wants_json():
        html = get_template_attribute("assessment/_check.html", "knowledge_check")(module, lesson, spec, result)
        return {"correct": result.correct, "html": html}
    return redirect(back)


def _keep(key: str, selected: list[str]) -> None:
    kept = dict(session.get(SESSION_KEY) or {})
    kept.pop(key, None)
    kept[key] = selected
    while len(kept) > MAX_KEPT:
        kept.pop(next(iter(kept)))
    session[SESSION_KEY] = kept
