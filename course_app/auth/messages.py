"""The emails accounts send, as plain text. Every link is built from PUBLIC_BASE_URL, never the request's Host."""
from __future__ import annotations

from ..course_store import current_course
from ..mail import send_mail
from ..models import User
from ..urls import absolute_url
from .tokens import signed_token


def _site() -> str:
    return current_course().spec.provider.name


def send_confirmation(user: User) -> bool:
    """Send the link that confirms the account's address."""
    link = absolute_url("auth.confirm_email", token=signed_token("confirm", {"u": user.id, "e": user.email}))
    return send_mail(user.email, "Confirm your email address", (
        f"Hello {user.full_name},\n\nPlease confirm that this is your email address by opening this link:\n\n{link}\n\n"
        "You can keep learning in the meantime; certificates are issued only to a confirmed address.\n"
        f"The link works for 7 days. If you did not create an account with {_site()}, ignore this message.\n"))


def send_already_registered(user: User) -> bool:
    """Tell the owner of an address that someone tried to register it again."""
    return send_mail(user.email, "Someone tried to create an account with your address", (
        f"Hello {user.full_name},\n\nSomeone (perhaps you) tried to create a new account with this email address. "
        "You already have an account, so nothing was changed.\n\n"
        f"To log in: {absolute_url('auth.login')}\nForgot your password? {absolute_url('auth.forgot_password')}\n\n"
        "If it was not you, you can ignore this message.\n"))


def send_reset_link(user: User, token: str) -> bool:
    link = absolute_url("auth.reset_password", token=token)
    return send_mail(user.email, "Reset your password", (
        f"Hello {user.full_name},\n\nTo choose a new password, open this link within one hour:\n\n{link}\n\n"
        "The link works once. Choosing a new password logs you out on every device.\n"
        "If you did not ask for this, ignore this message: your password stays as it is.\n"))


def send_no_account(email: str) -> bool:
    """Answer a reset request for an address with no account (so the owner knows, and both answers take as long)."""
    return send_mail(email, "Password reset requested", (
        f"Someone (perhaps you) asked to reset the password for this address at {_site()}, but no account uses it.\n\n"
        f"To create one: {absolute_url('auth.register_view')}\n\nIf it was not you, ignore this message.\n"))


def send_email_change(user: User, new_email: str) -> bool:
    link = absolute_url("auth.confirm_email_change",
                        token=signed_token("change", {"u": user.id, "e": new_email, "old": user.email}))
    return send_mail(new_email, "Confirm your new email address", (
        f"Hello {user.full_name},\n\nTo use this address for your account, open this link:\n\n{link}\n\n"
        "Until you do, your account keeps its current address. The link works for 7 days.\n"))


def send_email_changed_notice(user: User, old_email: str) -> bool:
    return send_mail(old_email, "Your account's email address was changed", (
        f"Hello {user.full_name},\n\nYour account now uses {user.email} instead of this address.\n"
        f"If you did not do this, reset your password at {absolute_url('auth.forgot_password')} and contact us.\n"))


def send_newsletter_confirmation(email: str, token: str) -> bool:
    link = absolute_url("guide.confirm_newsletter", token=token)
    return send_mail(email, "Confirm your newsletter sign-up", (
        f"Please confirm that you want the {_site()} newsletter by opening this link:\n\n{link}\n\n"
        "Nothing is sent until you do. If you did not sign up, ignore this message.\n"))
