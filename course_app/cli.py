"""Flask commands for instructors and operators: course check, stats, users."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from .content import ContentError, load_course
from .content.release import placeholder_problems
from .content.stats import course_stats, format_stats
from .course_store import current_course
from .extensions import db
from .models import utcnow
from .security_log import log_event

course_cli = AppGroup("course", help="Check and describe the course content.")
users_cli = AppGroup("users", help="Manage accounts.")


@course_cli.command("check")
@click.argument("root", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--release", is_flag=True, help="Treat placeholder values (TBD, example.org ...) as errors.")
def check_command(root: Path | None, release: bool) -> None:
    """Validate course.yaml, modules/ and quizzes/ under ROOT (default: the configured content root)."""
    root = root or Path(current_app.config["CONTENT_ROOT"])
    course, problems = load_course(root)
    if course is not None:
        problems = sorted(problems + placeholder_problems(course, root, "error" if release else "warning"))
    for problem in problems:
        click.echo(str(problem))
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if course is not None:
        lessons = sum(len(m.lessons) for m in course.modules)
        quizzes = sum(1 for m in course.modules if m.quiz)
        click.echo(f"{len(course.modules)} modules, {lessons} lessons, {quizzes} quizzes checked in {root}: "
                   f"{errors} errors, {warnings} warnings")
    else:
        click.echo(f"{root}: {errors} errors, {warnings} warnings")
    sys.exit(1 if errors else 0)


@course_cli.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def stats_command(as_json: bool) -> None:
    """Print words, minutes, hours, reflections and quiz questions per module."""
    try:
        course = current_course()
    except ContentError as broken:
        for problem in broken.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    stats = course_stats(course)
    click.echo(json.dumps(stats, indent=2) if as_json else format_stats(stats))


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["learner", "instructor", "admin"]), default="learner", show_default=True)
@click.option("--name", "full_name", prompt="Full name (as on certificates)")
@click.option("--credential", type=click.Choice(["OTR/L", "COTA/L", "OT", "OTA", "student", "other"]),
              default="OTR/L", show_default=True)
@click.password_option(prompt="Password (at least 12 characters)")
def create_user_command(email: str, role: str, full_name: str, credential: str, password: str) -> None:
    """Create an account with EMAIL and a role."""
    from .auth.operations import AccountError, register

    try:
        user = register(email=email, password=password, full_name=full_name, credential=credential, role=role)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    user.email_confirmed_at = user.created_at or utcnow()  # an operator vouches for the address
    db.session.commit()
    click.echo(f"created {role} {user.email}")


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(["learner", "instructor", "admin"]))
def set_role_command(email: str, role: str) -> None:
    """Give the account with EMAIL another role."""
    user = account_or_fail(email)
    old_role, user.role = user.role, role
    log_event("role.change", user_id=user.id, old=old_role, new=role, by="operator")
    db.session.commit()
    click.echo(f"{user.email} is now {role}")


@users_cli.command("reset-password")
@click.argument("email")
@click.password_option(prompt="New password (at least 12 characters)")
def reset_password_command(email: str, password: str) -> None:
    """Set a new password for EMAIL (for a learner who lost theirs); every session of theirs ends."""
    from .auth.operations import end_all_sessions
    from .auth.passwords import hash_password, password_problem

    user = account_or_fail(email)
    problem = password_problem(password, user.email.split("@")[0], *user.full_name.split())
    if problem:
        raise click.ClickException(problem)
    user.password_hash = hash_password(password)
    user.reset_token_hash, user.reset_sent_at = None, None
    end_all_sessions(user)
    log_event("password.reset", user_id=user.id, by="operator")
    db.session.commit()
    click.echo(f"new password set for {user.email}; they were logged out everywhere")


@users_cli.command("list")
def list_users_command() -> None:
    """List accounts with their role."""
    from .models import User

    for user in db.session.scalars(select(User).order_by(User.id)):
        click.echo(f"{user.id:>5}  {user.role:<10}  {user.email}  ({user.full_name})")


@course_cli.command("revoke")
@click.argument("code")
@click.option("--reason", required=True, help="Why the certificate is revoked; shown on verification.")
def revoke_command(code: str, reason: str) -> None:
    """Revoke the certificate with CODE; its verification page shows it as revoked."""
    from .certificates.issuance import find_certificate, revoke

    certificate = find_certificate(code)
    if certificate is None:
        raise click.ClickException(f"no certificate with code {code}")
    if certificate.revoked_at:
        raise click.ClickException(f"certificate {certificate.code} was already revoked on {certificate.revoked_at:%Y-%m-%d}")
    try:
        revoke(certificate, reason)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"revoked {certificate.code} ({certificate.participant_name}, {certificate.course_title})")


@course_cli.command("verify-credential")
@click.argument("file", type=click.File("r"))
def verify_credential_command(file) -> None:
    """Check a downloaded credential FILE (JWT or JSON, badge or CLR): proofs, issuer key and revocation."""
    from .certificates.credential import CredentialError
    from .certificates.verification import check_text

    try:
        checked = check_text(file.read())
    except CredentialError as exc:
        click.echo(f"INVALID: {exc}")
        sys.exit(1)
    except UnicodeDecodeError:
        click.echo("INVALID: the file is not text (expected a .jwt or .json credential)")
        sys.exit(1)
    for line in _verdict_lines(checked):
        click.echo(line)
    sys.exit(0 if checked.valid else 1)


def _verdict_lines(checked, prefix: str = "") -> list[str]:
    """Describe a checked credential and, for a CLR, each credential inside, one line each."""
    document = checked.credential
    verdict = "REVOKED" if checked.revoked else "VALID"
    if checked.inside:
        lines = [f"{prefix}{verdict}: {document.get('name')} ({len(checked.inside)} credentials), "
                 f"issued {document.get('validFrom')}; {' and '.join(checked.proofs)} checked"]
        for number, item in enumerate(checked.inside, 1):
            lines += _verdict_lines(item, prefix=f"  {number}. ")
        return lines
    subject = document.get("credentialSubject", {})
    achievement = subject.get("achievement", {})
    return [f"{prefix}{verdict}: {achievement.get('name')} ({achievement.get('humanCode')}), "
            f"{subject.get('creditsEarned')} contact hours, issued {document.get('validFrom')}; "
            f"{' and '.join(checked.proofs)} checked"]


@course_cli.command("repair-certificates")
def repair_certificates_command() -> None:
    """Produce the PDF and signed credential of every certificate saved without them (older failures)."""
    from .certificates.issuance import broken_certificates, repair_documents

    broken = broken_certificates()
    for certificate in broken:
        repair_documents(certificate, current_course())
        db.session.commit()
        click.echo(f"repaired {certificate.code} ({certificate.participant_name}, {certificate.course_title})")
    click.echo(f"{len(broken)} certificate(s) repaired; every certificate has its PDF and signed credential")


@course_cli.command("rotate-key")
def rotate_key_command() -> None:
    """Start signing credentials with a new key; the old public key keeps verifying what it signed."""
    from .certificates.documents import rotate_signing_key

    old, new = rotate_signing_key()
    click.echo(f"retired key {old}; new credentials are signed with {new}")


@users_cli.command("export")
@click.argument("email")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the ZIP (what 'Download my data' gives the learner).")
def export_user_command(email: str, output: Path) -> None:
    """Write everything kept about EMAIL to a ZIP file, on the learner's request."""
    from .privacy.operations import data_export

    user = account_or_fail(email)
    output.write_bytes(data_export(user))
    click.echo(f"wrote {output} for {user.email}")


@users_cli.command("delete")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete_user_command(email: str, yes: bool) -> None:
    """Delete the account EMAIL and its learning records on request; its certificates stay verifiable."""
    from .privacy.operations import delete_account

    user = account_or_fail(email)
    if not yes:
        click.confirm(f"Delete {user.email} ({user.full_name}) and all their learning records?", abort=True)
    kept = delete_account(user)
    db.session.commit()
    years = current_course().spec.retention.certificate_years
    click.echo(f"deleted {email}; {kept} certificate(s) kept, verifiable for {years} years after issue")


@course_cli.command("purge-certificates")
def purge_certificates_command() -> None:
    """Delete certificates of deleted accounts once course.yaml's retention period has passed."""
    from .privacy.operations import purge_expired_certificates

    years = current_course().spec.retention.certificate_years
    count = purge_expired_certificates(years)
    db.session.commit()
    click.echo(f"deleted {count} certificate(s) of deleted accounts issued more than {years} years ago")


def register_commands(app) -> None:
    app.cli.add_command(course_cli)
    app.cli.add_command(users_cli)


def account_or_fail(email: str):
    """Return the account with this email, or stop the command saying there is none."""
    from .auth.operations import find_by_email

    user = find_by_email(email)
    if user is None:
        raise click.ClickException(f"no account with email {email}")
    return user
