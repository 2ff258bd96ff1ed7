"""Response headers that keep pages from being framed, sniffed or made to load anything from elsewhere."""
from __future__ import annotations

from flask import Flask, Response, abort, request

# Every script, style and font is served by the app itself; inline style attributes are allowed only
# for the width of progress bars.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
                           "img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; "
                           "frame-ancestors 'none'; base-uri 'none'; object-src 'none'")


FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def field_with_nul() -> str | None:
    """Name the first part of the request holding a NUL character, which no text field (or database) accepts."""
    sources = [request.view_args or {}]
    if request.query_string:
        sources.append(request.args.to_dict(flat=False))
    if request.mimetype in FORM_TYPES:  # the only bodies Werkzeug reads as a form
        sources.append(request.form.to_dict(flat=False))
    elif request.is_json:
        sources.append(request.get_json(silent=True))
    for source in sources:
        name = _find_nul(source, "")
        if name is not None:
            return name
    return None


def _find_nul(value, name: str) -> str | None:
    if isinstance(value, str):
        return name or "request" if "\x00" in value else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found = _find_nul(item, key if isinstance(key, str) else name) or (
            key if isinstance(key, str) and "\x00" in key else None)
        if found is not None:
            return found
    return None


def register(app: Flask) -> None:
    production = app.config["COURSE_ENV"] == "production"

    @app.before_request
    def refuse_nul_characters() -> None:
        name = field_with_nul()
        if name is not None:
            abort(400, f"The field '{name[:40]}' contains a NUL character (\\0), which cannot be stored. "
                       "Nothing was changed; remove it and try again.")

    headers = [("Content-Security-Policy", CONTENT_SECURITY_POLICY), ("X-Content-Type-Options", "nosniff"),
               ("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin")]
    if production:
        headers.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        """Each header unless the page set its own (one look at the response's headers, not one per header)."""
        present = {name.lower() for name in response.headers.keys()}
        response.headers.extend([(name, value) for name, value in headers if name.lower() not in present])
        return response
