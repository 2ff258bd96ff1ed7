"""Response headers that keep pages from being framed, sniffed or made to load anything from elsewhere."""
from __future__ import annotations

from flask import Flask, Response

# Every script, style and font is served by the app itself; inline style attributes are allowed only
# for the width of progress bars.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
                           "img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; "
                           "frame-ancestors 'none'; base-uri 'none'; object-src 'none'")


def register(app: Flask) -> None:
    production = app.config["COURSE_ENV"] == "production"

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if production:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response
