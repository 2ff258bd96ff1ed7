"""Addresses: absolute ones for things people open later (QR codes, credentials, unsubscribe links), and
the fixed ones every page links to (menu, footer, stylesheets), built once per process."""
from __future__ import annotations

from flask import current_app, has_request_context, request, url_for


def absolute_url(endpoint: str, **values) -> str:
    """Return the public address of an endpoint, inside a request or outside one (commands, jobs)."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if has_request_context():
        return (base or request.host_url.rstrip("/")) + url_for(endpoint, **values)
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return (base or "http://127.0.0.1:5000") + path


def link(endpoint: str, **values) -> str:
    """url_for for an address that never changes while the app runs (the menu, the footer, a static file).

    Every page has a score of these, and building each one anew was a tenth of a page's time."""
    fixed = current_app.extensions["fixed_links"]
    key = (request.script_root, endpoint, *sorted(values.items()))
    found = fixed.get(key)
    if found is None:
        found = url_for(endpoint, **values)
        if len(fixed) < 500:  # only the templates' own literal addresses come here; this is a safety bound
            fixed[key] = found
    return found


def register(app) -> None:
    app.extensions["fixed_links"] = {}
    app.jinja_env.globals["link"] = link
