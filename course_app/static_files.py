"""Static files in production: names carrying a content hash, cached for a year, gzip-compressed, by WhiteNoise."""
from __future__ import annotations

import fcntl
import gzip
import hashlib
import os
import re
from pathlib import Path

from flask import Flask

HASHED_NAME = re.compile(r"\.[0-9a-f]{12}\.\w+$")
COMPRESSIBLE = {".css", ".js", ".svg", ".json", ".txt", ".html", ".map"}
ONE_YEAR = 365 * 24 * 3600


def hashed_name(relative: str, data: bytes) -> str:
    """css/site.css -> css/site.<12 hex digits of its SHA-256>.css"""
    stem, dot, suffix = relative.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:12]
    return f"{stem}.{digest}.{suffix}" if dot else f"{relative}.{digest}"


def _write(target: Path, data: bytes) -> None:
    """Write atomically: workers starting together write the same bytes, none sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, target)


def build(static: Path, out: Path) -> dict[str, str]:
    """Copy every static file to out under its hashed name (with a .gz beside it); return name -> hashed name."""
    manifest = {}
    for path in sorted(p for p in static.rglob("*") if p.is_file()):
        relative = path.relative_to(static).as_posix()
        data = path.read_bytes()
        manifest[relative] = hashed_name(relative, data)
        target = out / manifest[relative]
        if not target.exists():
            if path.suffix in COMPRESSIBLE and len(data) > 256:
                _write(target.with_name(target.name + ".gz"), gzip.compress(data, compresslevel=9, mtime=0))
            _write(target, data)
    return manifest


def register(app: Flask) -> None:
    """In production, url_for('static', ...) gives hashed names that WhiteNoise serves with long-lived caching."""
    if app.config["COURSE_ENV"] != "production":
        return  # in development an edited stylesheet shows on the next reload, under its plain name
    from whitenoise import WhiteNoise

    out = Path(app.instance_path) / "static-built"
    out.mkdir(parents=True, exist_ok=True)
    with open(out.parent / ".static-built.lock", "w") as lock:  # workers starting together take turns
        fcntl.flock(lock, fcntl.LOCK_EX)
        manifest = build(Path(app.static_folder), out)

    @app.url_defaults
    def hashed_static_names(endpoint: str, values: dict) -> None:
        if endpoint == "static" and values.get("filename") in manifest:
            values["filename"] = manifest[values["filename"]]

    app.wsgi_app = WhiteNoise(app.wsgi_app, root=str(out), prefix=app.static_url_path.strip("/") + "/",
                              max_age=3600, immutable_file_test=lambda path, url: bool(HASHED_NAME.search(url)),
                              add_headers_function=_add_headers)


def _add_headers(headers, path: str, url: str) -> None:
    headers["X-Content-Type-Options"] = "nosniff"
