"""Email: one way to send. Through SMTP when MAIL_URL is set, otherwise into instance/mail/ (development).

Built on the standard library's smtplib and email packages: they are maintained with Python itself, speak
SMTP, STARTTLS, implicit TLS and AUTH, and build correct MIME messages; a wrapper library (Flask-Mail,
Flask-Mailman) would add a dependency to call the same smtplib.

MAIL_URL carries everything in one setting:

    smtp+starttls://user:password@smtp.example.org:587/?from=CE%20Team%20%3Cce@example.org%3E
    smtps://user:password@smtp.example.org:465/?from=ce@example.org      (TLS from the first byte)
    smtp://127.0.0.1:25/?from=ce@example.org                              (no encryption: a local relay)
"""
from __future__ import annotations

import logging
import re
import smtplib
import ssl
import sys
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app

from .security_log import log_event

log = logging.getLogger(__name__)
SECURITY = {"smtp": "none", "smtp+starttls": "starttls", "smtps": "tls"}
DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}
TIMEOUT_SECONDS = 15


def parse_mail_url(url: str) -> dict:
    """Return host, port, security, username, password and sender from a MAIL_URL."""
    from .config import ConfigError

    parts = urlsplit(url.strip())
    if parts.scheme not in SECURITY:
        raise ConfigError(f"MAIL_URL must start with smtp://, smtp+starttls:// or smtps://, not '{parts.scheme}://'.")
    sender = parse_qs(parts.query).get("from", [""])[0]
    if not parts.hostname or "@" not in sender:
        raise ConfigError("MAIL_URL needs a host and a sender, e.g. smtp+starttls://smtp.example.org:587/?from=ce@example.org")
    security = SECURITY[parts.scheme]
    try:
        port = parts.port or DEFAULT_PORTS[security]
    except ValueError:
        raise ConfigError("MAIL_URL has a port that is not a number.") from None
    return {"host": parts.hostname, "port": port, "security": security, "sender": sender,
            "username": unquote(parts.username) if parts.username else None,
            "password": unquote(parts.password) if parts.password else None}


def build_message(to: str, subject: str, body: str, sender: str) -> EmailMessage:
    """Return a plain-text message with the headers mail servers expect."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip(">"))
    message.set_content(body)
    return message


def send_mail(to: str, subject: str, body: str) -> bool:
    """Send one message; return False (and log why) when it could not be sent, never raise."""
    settings = current_app.config.get("MAIL")
    sender = settings["sender"] if settings else "noreply@localhost"
    message = build_message(to, subject, body, sender)
    try:
        if settings:
            _send_smtp(message, settings)
        else:
            _write_to_folder(message, body)
    except (OSError, smtplib.SMTPException) as error:
        log.warning("mail to %r not sent: %s", to, error)
        log_event("mail.failed", level=logging.WARNING, to=to, subject=subject, error=type(error).__name__)
        return False
    return True


def _send_smtp(message: EmailMessage, settings: dict) -> None:
    context = ssl.create_default_context()
    if settings["security"] == "tls":
        client = smtplib.SMTP_SSL(settings["host"], settings["port"], timeout=TIMEOUT_SECONDS, context=context)
    else:
        client = smtplib.SMTP(settings["host"], settings["port"], timeout=TIMEOUT_SECONDS)
    with client:
        if settings["security"] == "starttls":
            client.starttls(context=context)
        if settings["username"]:
            client.login(settings["username"], settings["password"] or "")
        client.send_message(message)


def _write_to_folder(message: EmailMessage, body: str) -> Path:
    """Development: keep the message as a .eml file and print its first link, so no mail server is needed."""
    folder = Path(current_app.config["MAIL_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    slug = re.sub(r"[^a-z0-9]+", "-", str(message["Subject"]).lower()).strip("-")[:40]
    path = folder / f"{stamp}-{slug}.eml"
    path.write_bytes(message.as_bytes())
    link = re.search(r"https?://\S+", body)
    print(f"[mail] to {message['To']}: {message['Subject']} -> {link.group(0) if link else path}",
          file=sys.stderr, flush=True)
    return path
