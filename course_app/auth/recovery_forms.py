"""Forms for password reset, email change and account deletion."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from .forms import email_field


class ForgotForm(FlaskForm):
    email = email_field()


class ResetForm(FlaskForm):
    new_password = PasswordField("New password", validators=[DataRequired("Choose a new password.")],
                                 description="At least 12 characters. A short sentence works well.",
                                 render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("New password again", validators=[
        DataRequired("Type the new password again."), EqualTo("new_password", "The two passwords differ.")],
        render_kw={"autocomplete": "new-password"})


class EmailChangeForm(FlaskForm):
    email = EmailField("New email address", filters=[lambda value: value.strip() if isinstance(value, str) else value],
                       validators=[DataRequired("Enter the new email address."), Length(max=254),
                                   Email("Enter an email address like name@example.org.", check_deliverability=False)],
                       render_kw={"autocomplete": "email"})
    password = PasswordField("Your password", validators=[DataRequired("Enter your password."), Length(max=1024)],
                             description="To make sure it is you.", render_kw={"autocomplete": "current-password"})


class PasswordAgainForm(FlaskForm):
    password = PasswordField("Your password", validators=[DataRequired("Enter your password."), Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})
