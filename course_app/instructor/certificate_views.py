"""Certificates from the web, for admins: find one by code or name, revoke it, or reissue it after a name fix.

Each change asks for confirmation on a second page and leaves a line in the security log.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import or_, select
from sqlalchemy.orm import defer
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..certificates.codes import normalize_code
from ..certificates.issuance import ReissueConflict, find_certificate, reissue, revoke
from ..course_store import current_course
from ..extensions import db
from ..models import Certificate, User
from ..security_log import log_event
from . import bp
from .access import admin_required

RESULTS = 50


class RevokeForm(FlaskForm):
    reason = TextAreaField("Reason for revoking (shown on the verification page)", validators=[
        DataRequired("Say why the certificate is revoked."), Length(max=500, message="Use at most 500 characters.")])
    confirmed = HiddenField()


class ReissueForm(FlaskForm):
    full_name = StringField("Name as it should appear on the new certificate", validators=[
        DataRequired("Enter the corrected name."), Length(max=120, message="Use at most 120 characters.")])
    confirmed = HiddenField()


def certificate_or_404(code: str) -> Certificate:
    certificate = find_certificate(code)
    if certificate is None:
        abort(404, "There is no certificate with that code.")
    return certificate


def search_certificates(typed: str) -> list[Certificate]:
    """Find certificates by code (however typed) or by part of the participant's name, newest first."""
    code = normalize_code(typed[:100])
    condition = Certificate.participant_name.icontains(typed, autoescape=True)
    if code:
        condition = or_(condition, Certificate.code == code)
    columns = select(Certificate).options(defer(Certificate.pdf), defer(Certificate.signed_credential))
    return list(db.session.scalars(columns.where(condition).order_by(Certificate.issued_at.desc()).limit(RESULTS)))


@bp.route("/certificates")
@admin_required
def certificates():
    typed = request.args.get("q", "").strip()[:100]
    found = search_certificates(typed) if typed else []
    return render_template("instructor/certificates.html", typed=typed, found=found, limit=RESULTS)


@bp.route("/certificates/<code>")
@admin_required
def certificate(code: str):
    found = certificate_or_404(code)
    owner = db.session.get(User, found.user_id)
    return render_template("instructor/certificate.html", certificate=found, owner=owner,
                           revoke_form=RevokeForm(), reissue_form=ReissueForm(full_name=owner.full_name))


@bp.route("/certificates/<code>/revoke", methods=["POST"])
@admin_required
def revoke_certificate(code: str):
    found = certificate_or_404(code)
    form = RevokeForm()
    if found.status != "valid":
        abort(409, f"This certificate is {found.status}; only a valid certificate can be revoked.")
    if not form.validate_on_submit() or form.confirmed.data != "yes":
        owner = db.session.get(User, found.user_id)
        return render_template("instructor/confirm_revoke.html", certificate=found, owner=owner, form=form), \
            (400 if form.errors else 200)
    revoke(found, form.reason.data)
    log_event("certificate.revoke", code=found.code, user_id=found.user_id, by=current_user.id,
              reason=form.reason.data.strip())
    db.session.commit()
    flash(f"Certificate {found.code} is revoked. Its verification page now says so.", "success")
    return redirect(url_for("instructor.certificate", code=found.code))


@bp.route("/certificates/<code>/reissue", methods=["POST"])
@admin_required
def reissue_certificate(code: str):
    found = certificate_or_404(code)
    form = ReissueForm()
    if found.status != "valid":
        abort(409, f"This certificate is {found.status}; only a valid certificate can be reissued.")
    owner = db.session.get(User, found.user_id)
    if not form.validate_on_submit() or form.confirmed.data != "yes":
        return render_template("instructor/confirm_reissue.html", certificate=found, owner=owner, form=form), \
            (400 if form.errors else 200)
    old_name, owner.full_name = owner.full_name, form.full_name.data.strip()
    try:
        new = reissue(found, owner, current_course())
    except ReissueConflict:
        db.session.rollback()
        abort(409, "This certificate was just reissued by someone else. Reload to see the new one.")
    log_event("certificate.reissue", code=found.code, new_code=new.code, user_id=owner.id, by=current_user.id,
              old_name=old_name, new_name=owner.full_name)
    db.session.commit()
    flash(f"Certificate reissued as {new.code} for {owner.full_name}. The old one now shows as superseded.",
          "success")
    return redirect(url_for("instructor.certificate", code=new.code))
