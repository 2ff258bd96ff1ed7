"""Reading the mail the app sent: from the development folder, or from a real SMTP server on loopback."""
from __future__ import annotations

import re
import socket
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

LINK = re.compile(r"https?://\S+")


def folder_messages(folder: str | Path) -> list[EmailMessage]:
    """Return the messages written to the development mail folder, oldest first."""
    paths = sorted(Path(folder).glob("*.eml")) if Path(folder).exists() else []
    return [message_from_bytes(path.read_bytes(), policy=policy.default) for path in paths]


def body(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def links(message: EmailMessage) -> list[str]:
    return LINK.findall(body(message))


def path_of(url: str, base: str = "https://ce.example.org") -> str:
    """Return the path of a link built from PUBLIC_BASE_URL (the test client opens paths)."""
    assert url.startswith(base + "/"), f"{url} is not built from {base}"
    return url[len(base):]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SMTPServer:
    """A real SMTP server (aiosmtpd) on a free loopback port, keeping every message it receives."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}/?from=CE%20Team%20%3Cce@example.org%3E"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    def start(self) -> SMTPServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


@pytest.fixture
def smtp():
    """A real SMTP server on loopback for one test."""
    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(app, smtp):
    """The test app sending through the loopback SMTP server (MAIL_URL set, as in production)."""
    from course_app.mail import parse_mail_url

    app.config["MAIL"] = parse_mail_url(smtp.url)
    app.extensions["test_smtp"] = smtp  # conftest's Auth.register reads its confirmation link here
    return app
