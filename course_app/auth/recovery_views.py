"""Forgot password, reset, address confirmation and resend, email change."""
from __future__ import annotations

import time

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..extensions import db, limiter
from ..page_parts import csrf_token
from . import bp, messages
from .forms import ConfirmForm
from .operations import AccountError
from .recovery import (
    apply_email_change,
    confirm_email,
    pad_since,
    request_email_change,
    request_reset,
    reset_password,
)
from .recovery_forms import EmailChangeForm, ForgotForm, ResetForm
from .sessions import safe_next
from .throttle import clear_failed_logins, client_key, form_email_key
from .tokens import user_for_reset_token

@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit("5/hour", methods=["POST"], key_func=form_email_key)
@limiter.limit("20/hour", methods=["POST"], key_func=client_key)
def forgot_password():
    form = ForgotForm()
    if form.validate_on_submit():
        started = time.monotonic()
        request_reset(form.email.data)
        db.session.commit()
        pad_since(started)
        return redirect(url_for("auth.reset_sent"), 303)
    return render_template("auth/forgot.html", form=form), 422 if form.errors else 200


@bp.route("/forgot/sent")
def reset_sent():
    return render_template("auth/reset_sent.html")


@bp.route("/reset/<token>", methods=["GET", "POST"], endpoint="reset_password")
@limiter.limit("20/hour", methods=["POST"], key_func=client_key)
def reset_password_view(token: str):
    if user_for_reset_token(token) is None:
        return render_template("auth/reset_invalid.html"), 400
    form = ResetForm()
    if form.validate_on_submit():
        try:
            user = reset_password(token, form.new_password.data)
        except AccountError as error:
            form.new_password.errors = list(form.new_password.errors) + [str(error)]
        else:
            db.session.commit()
            clear_failed_logins(user.email)  # the owner proved herself: a throttle from someone's guesses ends
            flash("Your password is changed and you were logged out everywhere. Log in with the new password.",
                  "success")
            return redirect(url_for("auth.login"), 303)
    return render_template("auth/reset.html", form=form), 422 if form.errors else 200


@bp.route("/confirm/<token>", endpoint="confirm_email")
def confirm_email_view(token: str):
    try:
        confirm_email(token)
    except AccountError as error:
        return render_template("auth/link_problem.html", message=str(error)), 400
    db.session.commit()
    flash("Thank you: your email address is confirmed. Certificates can now be issued to you.", "success")
    return redirect(url_for("learning.dashboard" if current_user.is_authenticated else "auth.login"), 303)


@bp.route("/confirm/resend", methods=["POST"])
@login_required
@limiter.limit("5/hour", methods=["POST"], key_func=lambda: f"user:{current_user.id}")
def resend_confirmation():
    ConfirmForm().validate_on_submit() or abort(400, "This form had expired. Reload the page and try again.")
    if current_user.email_confirmed_at is not None:
        flash("Your email address is already confirmed.", "info")
    elif messages.send_confirmation(current_user):
        flash(f"We sent a new confirmation link to {current_user.email}.", "success")
    else:
        flash("We could not send the email just now. Nothing is lost: try Resend again in a few minutes.", "error")
    return redirect(safe_next(request.form.get("back", ""), url_for("auth.profile")), 303)


@bp.route("/email", methods=["GET", "POST"])
@login_required
@limiter.limit("10/hour", methods=["POST"], key_func=lambda: f"user:{current_user.id}")
def change_email():
    form = EmailChangeForm()
    if form.validate_on_submit():
        try:
            sent = request_email_change(current_user, form.email.data, form.password.data)
        except AccountError as error:
            getattr(form, error.field or "email").errors = [str(error)]
        else:
            db.session.commit()
            if sent:
                flash(f"We sent a link to {form.email.data}. Open it to switch your account to that address; "
                      "until then it keeps its current one.", "success")
            else:
                flash("We could not send the email just now. Nothing changed; please try again in a few minutes.",
                      "error")
            return redirect(url_for("auth.profile"), 303)
    return render_template("auth/change_email.html", form=form), 422 if form.errors else 200


@bp.route("/email/confirm/<token>")
def confirm_email_change(token: str):
    try:
        apply_email_change(token)
    except AccountError as error:
        return render_template("auth/link_problem.html", message=str(error)), 400
    db.session.commit()
    flash("Your account now uses its new email address.", "success")
    return redirect(url_for("auth.profile" if current_user.is_authenticated else "auth.login"), 303)


@bp.route("/session")
def session_state():
    """Tell a page's scripts whether the learner is logged in, with a fresh CSRF token (after a login elsewhere)."""
    body = {"logged_in": current_user.is_authenticated, "csrf_token": csrf_token()}
    return body, 200, {"Cache-Control": "no-store"}
