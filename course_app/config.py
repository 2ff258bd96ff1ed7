"""Configuration: defaults, then the environment, then a test mapping."""
from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Every setting the environment may give, with its default. The README's table mirrors this.
ENVIRONMENT_SETTINGS = {
    "DATABASE_URL": None,  # default: sqlite file in the instance folder
    "SECRET_KEY": None,  # default: generated once into the instance folder (not in production)
    "CONTENT_ROOT": str(PROJECT_ROOT),  # holds course.yaml, modules/ and quizzes/
    "RATELIMIT_STORAGE_URI": "memory://",  # redis://127.0.0.1:6379 once several processes serve
    "PUBLIC_BASE_URL": None,  # e.g. https://ce.example.org: used in QR codes and credentials
    "SIGNING_KEY_FILE": None,  # default: instance/credential-signing-key.json
    "COURSE_ENV": "development",  # "production" requires SECRET_KEY and PUBLIC_BASE_URL
    "PROVIDER_TIMEZONE": "America/New_York",  # the calendar that completion dates on certificates follow
    "CE_BROKER_PROVIDER_NUMBER": "",  # CE Broker provider tracking number, for the roster export
}


class ConfigError(RuntimeError):
    """The environment is missing or misstates a required setting."""


def load_config(instance_path: str, overrides: Mapping | None = None) -> dict:
    """Return the app's configuration for one instance folder."""
    env = {name: os.environ.get(name, default) for name, default in ENVIRONMENT_SETTINGS.items()}
    if overrides:
        env.update({k: v for k, v in overrides.items() if k in ENVIRONMENT_SETTINGS})
    production = env["COURSE_ENV"] == "production"
    instance = Path(instance_path)
    config = {
        "COURSE_ENV": env["COURSE_ENV"],
        "SQLALCHEMY_DATABASE_URI": database_url(env["DATABASE_URL"], instance),
        "SECRET_KEY": env["SECRET_KEY"] or _local_secret_key(instance, production),
        "CONTENT_ROOT": env["CONTENT_ROOT"],
        "RATELIMIT_STORAGE_URI": env["RATELIMIT_STORAGE_URI"],
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,  # Redis down: limits fail open, one log line (outages.py)
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        "PUBLIC_BASE_URL": (env["PUBLIC_BASE_URL"] or "").rstrip("/") or None,
        "SIGNING_KEY_FILE": env["SIGNING_KEY_FILE"] or str(instance / "credential-signing-key.json"),
        "CONTENT_RELOAD": not production,
        "PROVIDER_TIMEZONE": _timezone(env["PROVIDER_TIMEZONE"]),
        "CE_BROKER_PROVIDER_NUMBER": env["CE_BROKER_PROVIDER_NUMBER"],
        "HEARTBEAT_SECONDS": 30,  # how often a visible, active page reports learning time (tests shorten it)
        "MAX_CONTENT_LENGTH": 512 * 1024,  # no form here needs more; larger bodies get a 413
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,  # a reflection page may stay open all day
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    }
    if config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):  # an unreachable host answers 503 in seconds
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {**config["SQLALCHEMY_ENGINE_OPTIONS"], "connect_args": {"connect_timeout": 5}}
    if production and not env["PUBLIC_BASE_URL"]:
        raise ConfigError("PUBLIC_BASE_URL must be set when COURSE_ENV=production (QR codes point to it).")
    if overrides:
        config.update({k: v for k, v in overrides.items() if k not in ENVIRONMENT_SETTINGS})
    return config


def _timezone(name: str) -> str:
    """Check that a time zone name is known (e.g. America/Chicago) and return it."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"PROVIDER_TIMEZONE '{name}' is not a time zone name such as America/Chicago.") from None
    return name


def database_url(url: str | None, instance: Path) -> str:
    """Return the SQLAlchemy URL, choosing psycopg 3 for plain PostgreSQL URLs."""
    if not url:
        return f"sqlite:///{instance / 'course.sqlite3'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _local_secret_key(instance: Path, production: bool) -> str:
    """Read the instance's secret key, creating it on first use outside production."""
    if production:
        raise ConfigError("SECRET_KEY must be set when COURSE_ENV=production.")
    path = instance / "secret-key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
