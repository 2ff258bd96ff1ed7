"""The privacy page, Download my data, and Delete my account."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required, logout_user

from ..auth.passwords import verify_password
from ..auth.recovery_forms import PasswordAgainForm
from ..course_store import current_course
from ..downloads import attachment
from ..extensions import db, limiter
from . import bp
from .operations import data_export, delete_account


@bp.route("/")
def policy():
    course = current_course()
    return render_template("privacy/policy.html", years=course.spec.retention.certificate_years,
                           provider=course.spec.provider)


@bp.route("/my-data.zip")
@login_required
@limiter.limit("10/hour", key_func=lambda: f"user:{current_user.id}")
def export():
    return attachment(data_export(current_user), "application/zip", "my-ce-data.zip")


@bp.route("/delete", methods=["GET", "POST"])
@login_required
@limiter.limit("10/hour", methods=["POST"], key_func=lambda: f"user:{current_user.id}")
def delete():
    form = PasswordAgainForm()
    years = current_course().spec.retention.certificate_years
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.password.data):
            form.password.errors = ["Your password is not correct. Nothing was deleted."]
        else:
            kept = delete_account(current_user._get_current_object())
            db.session.commit()
            logout_user()
            flash("Your account and learning records are deleted." + (
                f" Your {kept} certificate{'s stay' if kept != 1 else ' stays'} verifiable for {years} years after "
                "issue, as continuing-education audits require." if kept else ""), "success")
            return redirect(url_for("learning.home"), 303)
    return render_template("privacy/delete.html", form=form, years=years), 422 if form.errors else 200
