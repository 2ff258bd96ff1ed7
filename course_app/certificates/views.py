"""Evaluation, issuance, my certificates, transcript, public verification and the issuer profile."""
from __future__ import annotations

import logging
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ..auth.forms import ConfirmForm
from ..completion import certificate_ready, is_complete
from ..course_store import current_course
from ..downloads import attachment
from ..extensions import db, limiter
from ..learning.access import get_module
from ..learning.next_steps import next_steps
from ..learning.progress import learner_states
from ..models import Certificate, utcnow
from . import bp, credential
from .codes import normalize_code
from .documents import issuer_id, known_public_jwks, signing_key
from .audit import program_record
from .auto import issue_when_ready
from .packet import audit_packet
from .evaluation import answers_from, evaluation_form, evaluation_items, get_evaluation, record_evaluation
from .issuance import (
    ReissueConflict,
    current_certificate,
    find_certificate,
    issue,
    local_date,
    module_subject,
    program_subject,
    reissue,
    repair_documents,
)
from .transcript import parse_range, transcript_csv, transcript_pdf_for
from .verification import signature_problem

VERIFY_LIMIT = "30/minute;300/hour"
log = logging.getLogger(__name__)


def own_certificate(code: str) -> Certificate:
    """Return the current learner's certificate with this code, or 404."""
    certificate = find_certificate(code)
    if certificate is None or (certificate.user_id != current_user.id and not current_user.is_instructor):
        abort(404, "There is no certificate with that code among yours.")
    return complete(certificate)


def complete(certificate: Certificate) -> Certificate:
    """Give a certificate saved without its PDF or credential (an older failure) its files, and keep them."""
    if repair_documents(certificate, current_course()):
        db.session.commit()
        log.warning("certificate %s was missing its files; they were produced now", certificate.code)
    return certificate


def _require_confirmed_email() -> None:
    if current_user.email_confirmed_at is None:
        abort(409, "Certificates are issued only to a confirmed email address. Open the link we emailed you, "
                   "or ask for a new one on your account page.")


@bp.route("/modules/<module_id>/evaluation", methods=["GET", "POST"])
@login_required
def evaluation(module_id: str):
    module = get_module(module_id)
    course = current_course()
    state = learner_states(current_user.id, [module])[module.id]
    if not state.quiz_passed and module.quiz is not None:
        abort(409, "The evaluation opens once you have passed the post-test.")
    if get_evaluation(current_user.id, module.id):
        flash("You have already submitted the evaluation for this module. Thank you.", "info")
        return redirect(url_for("learning.module", module_id=module.id))
    items = evaluation_items(course, module)
    form = evaluation_form(items)
    if form.validate_on_submit():
        record_evaluation(current_user.id, module.id, answers_from(form, items))
        certificate = issue_when_ready(current_user, module, course)
        db.session.commit()
        if certificate:
            return redirect(url_for("certificates.show", code=certificate.code))
        flash("Thank you for your evaluation. The list below shows what your certificate still needs.", "success")
        return redirect(url_for("learning.module", module_id=module.id) + "#your-progress")
    steps = next_steps(module, state, skip=("evaluation",))
    return render_template("certificates/evaluation.html", module=module, form=form, steps=steps,
                           after_evaluation=True), 422 if form.errors else 200


@bp.route("/modules/<module_id>/certificate", methods=["POST"], endpoint="issue")
@login_required
def issue_module(module_id: str):
    module = get_module(module_id)
    ConfirmForm().validate_on_submit() or abort(400, "This form had expired. Reload the page and try again.")
    state = learner_states(current_user.id, [module])[module.id]
    if not certificate_ready(module, state):
        abort(409, "This module is not complete yet: the module page lists what is left.")
    _require_confirmed_email()
    evaluation = get_evaluation(current_user.id, module.id)
    completed = local_date(evaluation.submitted_at if evaluation else utcnow())
    certificate = issue(current_user, module_subject(module), current_course(), completed)
    db.session.commit()
    return redirect(url_for("certificates.show", code=certificate.code))


@bp.route("/programs/<program_id>/certificate", methods=["POST"])
@login_required
def issue_program(program_id: str):
    course = current_course()
    program = course.program(program_id) or abort(404, f"There is no program '{program_id}'.")
    ConfirmForm().validate_on_submit() or abort(400, "This form had expired. Reload the page and try again.")
    modules = [course.module(m) for m in program.modules]
    states = learner_states(current_user.id, modules)
    if not all(current_certificate(current_user.id, "module", m.id) and is_complete(m, states[m.id]) for m in modules):
        abort(409, "Every module of the program needs its certificate first.")
    _require_confirmed_email()
    codes = {m.id: current_certificate(current_user.id, "module", m.id).code for m in modules}
    record = program_record(codes, course, Path(current_app.config["CONTENT_ROOT"]))
    certificate = issue(current_user, program_subject(program, course), course, local_date(utcnow()), record)
    db.session.commit()
    return redirect(url_for("certificates.show", code=certificate.code))


@bp.route("/certificates")
@login_required
def mine():
    return my_certificates_page()


def my_certificates_page(range_problems: dict[str, str] | None = None):
    """Render My certificates; with problems in the transcript dates, show them beside the fields (422)."""
    course = current_course()
    certificates = db.session.scalars(select(Certificate).where(Certificate.user_id == current_user.id)
                                      .order_by(Certificate.issued_at.desc())).all()
    have = {c.subject_id for c in certificates if c.kind == "module" and c.status == "valid"}
    programs = [(p, sum(m in have for m in p.modules), current_certificate(current_user.id, "program", p.id))
                for p in course.programs]
    page = render_template("certificates/mine.html", certificates=certificates, programs=programs,
                           form=ConfirmForm(), range_problems=range_problems or {},
                           range_values={"from": request.args.get("from", "")[:20],
                                         "to": request.args.get("to", "")[:20]})
    return page, 422 if range_problems else 200


@bp.route("/certificates/<code>")
@login_required
def show(code: str):
    certificate = own_certificate(code)
    return render_template("certificates/show.html", certificate=certificate, form=ConfirmForm(),
                           name_changed=certificate.participant_name != current_user.full_name
                           or certificate.participant_credential != current_user.credential)


@bp.route("/certificates/<code>.pdf")
@login_required
def pdf(code: str):
    certificate = own_certificate(code)
    return attachment(certificate.pdf, "application/pdf", f"certificate-{certificate.code}.pdf")


@bp.route("/certificates/<code>/audit.pdf")
@login_required
def audit_pdf(code: str):
    """The audit packet: the certificate, how it was earned, the outline, the statement and the authors."""
    certificate = own_certificate(code)
    if not certificate.pdf:
        abort(404, "This certificate has no stored PDF to put in an audit packet.")
    return attachment(audit_packet(certificate), "application/pdf", f"audit-packet-{certificate.code}.pdf")


@bp.route("/certificates/<code>/credential.jwt")
def credential_file(code: str):
    """The signed credential: public like the verification page, since it states only what that page states."""
    certificate = find_certificate(code)
    if certificate is None:
        abort(404, "There is no credential with that code.")
    complete(certificate)
    return attachment(certificate.signed_credential, "application/vc+jwt", f"credential-{certificate.code}.jwt",
                      private=False)


@bp.route("/certificates/<code>/reissue", methods=["POST"])
@login_required
def reissue_view(code: str):
    certificate = own_certificate(code)
    ConfirmForm().validate_on_submit() or abort(400, "This form had expired. Reload the page and try again.")
    if certificate.user_id != current_user.id:
        abort(403, "Only the learner can ask for a reissue of their certificate.")
    if certificate.status != "valid":
        abort(409, f"This certificate is {certificate.status}; only a valid certificate can be reissued.")
    try:
        new = reissue(certificate, current_user, current_course())
    except ReissueConflict:
        db.session.rollback()
        abort(409, "This certificate was just reissued in another tab.")
    db.session.commit()
    flash("Your certificate was reissued with your current name and credential. The old one now shows as "
          "superseded.", "success")
    return redirect(url_for("certificates.show", code=new.code))


@bp.route("/certificates/transcript.<any(pdf, csv):kind>")
@login_required
def transcript(kind: str):
    date_from, date_to, problems = parse_range(request.args.get("from", ""), request.args.get("to", ""))
    if problems:
        return my_certificates_page(problems)
    if kind == "csv":
        body, mimetype = transcript_csv(current_user, date_from, date_to), "text/csv; charset=utf-8"
    else:
        body, mimetype = transcript_pdf_for(current_user, date_from, date_to), "application/pdf"
    return attachment(body, mimetype, f"ce-transcript.{kind}")


@bp.route("/verify")
@limiter.limit(VERIFY_LIMIT)
def verify_form():
    typed = request.args.get("code", "")
    if not typed:
        return render_template("certificates/verify_form.html", problem=None)
    code = normalize_code(typed[:100])
    if code is None:
        return render_template("certificates/verify_form.html", typed=typed[:100], problem=(
            "A certificate code has 26 letters and digits, usually in groups of four such as 7QF2-M9XK-…. "
            "Check what you typed.")), 400
    return redirect(url_for("certificates.verify", code=code))


@bp.route("/verify/<code>")
@limiter.limit(VERIFY_LIMIT)
def verify(code: str):
    certificate = find_certificate(code)
    if certificate is None:
        return render_template("certificates/verify_not_found.html"), 404
    complete(certificate)
    successor = db.session.get(Certificate, certificate.superseded_by_id) if certificate.superseded_by_id else None
    signature = signature_problem(certificate.signed_credential or "")
    return render_template("certificates/verify.html", certificate=certificate, successor=successor,
                           signature=signature)


@bp.route("/issuer")
def issuer():
    profile = credential.issuer_profile(issuer_id(), current_course().provider.name,
                                        current_course().provider.url, signing_key())
    return profile


@bp.route("/issuer/jwks.json")
def jwks():
    return {"keys": known_public_jwks()}
