"""The security log: one JSON line per event (a stand-in with the shared signature until the full helper lands).

    from course_app.security_log import log_event
    log_event("certificate.revoke", code=code, by=user.id)
"""
from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from flask import has_request_context, request

log = logging.getLogger("course_app.security")


def log_event(name: str, **fields: Any) -> None:
    """Write one security event as a JSON line; values are quoted by json, so no one can forge a line."""
    record: dict[str, Any] = {"time": datetime.now(UTC).isoformat(timespec="milliseconds"), "event": name}
    if has_request_context():
        record.update(ip=request.remote_addr, method=request.method, path=request.path)
    record.update({key: value if isinstance(value, int | float | bool) or value is None else str(value)
                   for key, value in fields.items()})
    log.warning(json.dumps(record, ensure_ascii=True, separators=(",", ":")))
