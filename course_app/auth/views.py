"""Register, log in, log out, profile and password."""
from __future__ import annotations

import time

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db, limiter
from ..request_policy import clock
from ..security_log import log_event
from . import bp
from .forms import ConfirmForm, LoginForm, PasswordForm, ProfileForm, RegisterForm
from .operations import (
    AccountError,
    authenticate,
    change_password,
    end_all_sessions,
    password_change_problems,
)
from .recovery import pad_since, register_or_notify
from .sessions import safe_next
from .throttle import clear_failed_logins, client_key, login_throttled, record_failed_login


def _field_error(form, error: AccountError) -> None:
    field = getattr(form, error.field or "", None)
    if field is not None:
        field.errors = list(field.errors) + [str(error)]
    else:
        form.form_errors.append(str(error))


def start_session(user, remember: bool = False) -> None:
    """Log the user in on a fresh session: nothing from before the login carries over."""
    session.clear()
    user.login_started = int(clock())
    login_user(user, remember=remember, fresh=True)
    log_event("login.success", user_id=user.id, remember=remember)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("20/hour", methods=["POST"], key_func=client_key)
def register_view():
    form = RegisterForm()
    if form.validate_on_submit():
        started = time.monotonic()
        try:
            sent = register_or_notify(form.email.data, form.password.data, full_name=form.full_name.data,
                                      credential=form.credential.data, license_number=form.license_number.data,
                                      license_state=form.license_state.data)
        except AccountError as error:
            _field_error(form, error)
        else:
            db.session.commit()
            pad_since(started)
            return redirect(url_for("auth.check_email", sent="1" if sent else "0"), 303)
    return render_template("auth/register.html", form=form), 422 if form.errors else 200


@bp.route("/register/check-email")
def check_email():
    return render_template("auth/check_email.html", sent=request.args.get("sent") != "0")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10/minute;60/hour", methods=["POST"], key_func=client_key)
def login():
    form = LoginForm(next=request.args.get("next", ""))
    wait = 0
    if form.validate_on_submit():
        wait = login_throttled(form.email.data)
        user = None if wait else authenticate(form.email.data, form.password.data)
        if wait:
            log_event("login.throttled", email=form.email.data, wait_seconds=wait)
            form.form_errors.append(f"Too many wrong passwords for this account. Wait {wait // 60 + 1} minutes and "
                                    "try again, or reset your password with the link below.")
        elif user is None:
            record_failed_login(form.email.data)
            log_event("login.failure", email=form.email.data)
            form.form_errors.append("That email and password do not match an account.")
        else:
            clear_failed_logins(form.email.data)
            db.session.commit()  # a rehashed password, if any
            start_session(user, remember=form.remember.data)
            return redirect(safe_next(form.next.data, url_for("learning.dashboard")))
    status = 429 if wait else 422 if (form.errors or form.form_errors) else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout():
    form = ConfirmForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        end_all_sessions(current_user._get_current_object())
        log_event("logout", user_id=current_user.id)
        db.session.commit()
    logout_user()
    flash("You are logged out on every device.", "info")
    return redirect(url_for("learning.home"))


@bp.route("/", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        name_changed = " ".join(form.full_name.data.split()) != current_user.full_name
        current_user.full_name = " ".join(form.full_name.data.split())
        current_user.credential = form.credential.data
        current_user.license_number = (form.license_number.data or "").strip() or None
        current_user.license_state = form.license_state.data or None
        db.session.commit()
        message = "Your profile is saved."
        if name_changed:
            message += " Certificates already issued keep the name they were issued with; you can ask for a reissue."
        flash(message, "success")
        return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form), 422 if form.errors else 200


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit("10/hour", methods=["POST"], key_func=lambda: f"user:{current_user.id}")
def password():
    form = PasswordForm()
    if form.is_submitted():
        valid = form.validate()  # every field's errors, then every account rule's, shown together
        checked = [] if form.csrf_token.errors else password_change_problems(
            current_user, form.current_password.data or "", form.new_password.data or "")
        for problem in checked:
            _field_error(form, problem)
            valid = False
        if valid:
            change_password(current_user, form.current_password.data, form.new_password.data)
            log_event("password.change", user_id=current_user.id)
            db.session.commit()
            login_user(current_user._get_current_object(), fresh=True)  # this session goes on, new version
            flash("Your password is changed. You were logged out everywhere else.", "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/password.html", form=form), 422 if (form.errors or form.form_errors) else 200
