"""Absolute addresses for things people open later: QR codes, credentials, unsubscribe links."""
from __future__ import annotations

from flask import current_app, has_request_context, request, url_for


def absolute_url(endpoint: str, **values) -> str:
    """Return the public address of an endpoint, inside a request or outside one (commands, jobs)."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if has_request_context():
        return (base or request.host_url.rstrip("/")) + url_for(endpoint, **values)
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return (base or "http://127.0.0.1:5000") + path
