"""The security log: one JSON line per event, in UTC, with no secrets and nothing that can forge a line.

    from course_app.security_log import log_event
    log_event("login.failure", email="ana@example.org", reason="bad password")

Every value goes through `json.dumps`, so a CR, LF or quote typed by anyone stays inside its string.
Fields whose names suggest a secret (password, token, secret, key, hash) are dropped, whatever the caller
passes. Inside a request the client's address (after ProxyFix), the method and the path are added.
"""
from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from flask import has_request_context, request

LOGGER_NAME = "course_app.security"
SECRET_WORDS = ("password", "token", "secret", "key", "hash", "cookie", "csrf")
MAX_VALUE = 4000  # characters kept of any one text value (a traceback fits)

log = logging.getLogger(LOGGER_NAME)


def _setup() -> None:
    """Write the log to stderr as bare lines (the JSON carries the time), once per process."""
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


def _clean(value: Any) -> Any:
    """Return a JSON-safe value: text shortened, anything else as text."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value]
    return str(value)[:MAX_VALUE]


def is_secret(name: str) -> bool:
    """Tell whether a field name looks like it holds a secret."""
    lowered = name.lower()
    return any(word in lowered for word in SECRET_WORDS)


def event_line(name: str, **fields: Any) -> str:
    """Return the JSON line for one event (pure, apart from the clock and the request)."""
    record: dict[str, Any] = {"time": datetime.now(UTC).isoformat(timespec="milliseconds"), "event": str(name)}
    if has_request_context():
        record.update(ip=request.remote_addr, method=request.method, path=request.path)
    record.update({key: _clean(value) for key, value in fields.items() if not is_secret(key)})
    return json.dumps(record, ensure_ascii=True, separators=(",", ":"))


def log_event(name: str, level: int = logging.INFO, **fields: Any) -> None:
    """Write one security event, e.g. log_event("certificate.revoke", code=code, by=user.id)."""
    _setup()
    log.log(level, event_line(name, **fields))
