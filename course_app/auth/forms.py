"""Account forms. Every field has a visible label and a length limit."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp

CREDENTIALS = [
    ("OTR/L", "OTR/L – registered, licensed occupational therapist"),
    ("COTA/L", "COTA/L – certified, licensed occupational therapy assistant"),
    ("OT", "OT – occupational therapist"),
    ("OTA", "OTA – occupational therapy assistant"),
    ("student", "Student"),
    ("other", "Other"),
]
STATES = ["AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
          "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC",
          "ND", "OH", "OK", "OR", "PA", "PR", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI",
          "WY", "GU", "VI"]
STATE_CHOICES = [("", "— none —")] + [(s, s) for s in STATES]

name_field = lambda: StringField(  # noqa: E731
    "Full name, as it should appear on certificates",
    validators=[DataRequired("Enter your full name."), Length(max=120, message="Use at most 120 characters.")],
    render_kw={"autocomplete": "name"})
email_field = lambda: EmailField(  # noqa: E731
    "Email", filters=[lambda value: value.strip() if isinstance(value, str) else value],
    validators=[DataRequired("Enter your email address."), Length(max=254),
                         Email("Enter an email address like name@example.org.", check_deliverability=False)],
    render_kw={"autocomplete": "email"})


class ProfileFields:
    credential = SelectField("Professional credential", choices=CREDENTIALS,
                             validators=[DataRequired("Choose your credential.")])
    license_number = StringField("License number (optional)", validators=[
        Optional(), Length(max=40, message="Use at most 40 characters."),
        Regexp(r"^[A-Za-z0-9\-./ ]+$", message="Use letters, digits, hyphens, dots, slashes and spaces only.")])
    license_state = SelectField("License state (optional)", choices=STATE_CHOICES, validators=[Optional()])


class RegisterForm(ProfileFields, FlaskForm):
    full_name = name_field()
    email = email_field()
    password = PasswordField("Password", validators=[DataRequired("Choose a password.")],
                             description="At least 12 characters. A short sentence works well.",
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("Password again", validators=[
        DataRequired("Type the password again."), EqualTo("password", "The two passwords differ.")],
        render_kw={"autocomplete": "new-password"})


class LoginForm(FlaskForm):
    email = email_field()
    password = PasswordField("Password", validators=[DataRequired("Enter your password."), Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField("Keep me logged in on this device")
    next = HiddenField()


class ProfileForm(ProfileFields, FlaskForm):
    full_name = name_field()


class PasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired("Enter your current password.")],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField("New password", validators=[DataRequired("Choose a new password.")],
                                 description="At least 12 characters.", render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("New password again", validators=[
        DataRequired("Type the new password again."), EqualTo("new_password", "The two passwords differ.")],
        render_kw={"autocomplete": "new-password"})


class ConfirmForm(FlaskForm):
    """A form with only its CSRF token, for buttons that change state (log out, mark complete)."""
