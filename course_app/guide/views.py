"""The free framework guide, its optional newsletter sign-up, and unsubscribing."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField
from wtforms.validators import Email, Length, Optional

from ..config import PROJECT_ROOT
from ..downloads import attachment
from ..extensions import db, limiter
from . import bp
from .newsletter import (
    CONSENT_TEXT,
    confirm_subscription,
    email_from_token,
    request_subscription,
    unsubscribe,
    unsubscribe_token,
)
from .pdf import guide_pdf

GUIDE_FILE = PROJECT_ROOT / "guide" / "ot-coaching-framework.md"
GUIDE_TITLE = "The OT Coaching Intervention Framework"


class GuideForm(FlaskForm):
    subscribe = BooleanField(CONSENT_TEXT, default=False)
    email = EmailField("Email (only needed for the newsletter)", filters=[lambda v: v.strip() if v else v],
                       validators=[Optional(), Length(max=254), Email("Enter an email address like name@example.org.",
                                                                      check_deliverability=False)],
                       render_kw={"autocomplete": "email"})


@bp.route("/", methods=["GET", "POST"])
@limiter.limit("20/hour", methods=["POST"])
def guide():
    form = GuideForm()
    if form.validate_on_submit():
        if form.subscribe.data and not form.email.data:
            form.email.errors.append("Enter your email address to receive the newsletter, or untick the box.")
        else:
            if form.subscribe.data and request_subscription(form.email.data, source="guide"):
                flash("Almost done: we sent a link to your address. Open it to confirm the newsletter sign-up; "
                      "nothing is sent until you do.", "success")
            elif form.subscribe.data:
                flash("We could not send the confirmation email just now, so you are not signed up yet. "
                      "Please try again in a few minutes.", "error")
            return redirect(url_for("guide.download"))
    return render_template("guide/guide.html", form=form), 422 if form.errors else 200


@bp.route("/ot-coaching-framework.pdf")
def download():
    if not GUIDE_FILE.exists():
        abort(404, "The guide is not available right now.")
    return attachment(guide_pdf(GUIDE_FILE, GUIDE_TITLE), "application/pdf", "ot-coaching-intervention-framework.pdf",
                      private=False)


@bp.route("/newsletter/confirm/<token>")
def confirm_newsletter(token: str):
    subscriber, problem = confirm_subscription(token)
    if subscriber is None:
        abort(400, f"{problem} Nothing was recorded.")
    db.session.commit()
    return render_template("guide/subscribed.html", subscriber=subscriber,
                           unsubscribe_token=unsubscribe_token(subscriber.email))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe_view(token: str):
    email = email_from_token(token)
    if email is None:
        abort(400, "This unsubscribe link is not valid. Copy the whole link from the email and try again.")
    form = FlaskForm()
    if form.validate_on_submit():
        changed = unsubscribe(email)
        db.session.commit()
        return render_template("guide/unsubscribed.html", email=email, changed=changed)
    return render_template("guide/unsubscribe.html", email=email, form=form)
