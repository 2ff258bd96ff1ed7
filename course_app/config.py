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
    "MAIL_URL": None,  # smtp+starttls://user:password@smtp.example.org:587/?from=ce@example.org; unset: instance/mail/
    "TRUSTED_PROXY_COUNT": "0",  # reverse proxies in front of the app whose X-Forwarded-For/-Proto are believed
    "SESSION_IDLE_MINUTES": "120",  # a session unused this long ends (unless "keep me logged in" was ticked)
    "SESSION_LIFETIME_DAYS": "30",  # no session or remember-me cookie lives longer than this
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
        "PUBLIC_BASE_URL": (env["PUBLIC_BASE_URL"] or "").rstrip("/") or "http://127.0.0.1:5000",
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
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        **account_settings(env, instance, production),
    }
    if config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # An unreachable host answers 503 in seconds. Dead connections are noticed by the ping of
        # database.py, which spares a connection in steady use (pool_pre_ping would ping before every use).
        # Transactions begin with their first write (database.py).
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"connect_timeout": 5, "autocommit": True},
                                               "execution_options": {"begin_on_first_write": True}}
    if production and not env["PUBLIC_BASE_URL"]:
        raise ConfigError("PUBLIC_BASE_URL must be set when COURSE_ENV=production (QR codes point to it).")
    if overrides:
        config.update({k: v for k, v in overrides.items() if k not in ENVIRONMENT_SETTINGS})
    return config


def account_settings(env: Mapping, instance: Path, production: bool) -> dict:
    """Return mail, proxy and session settings (issue 11), checked."""
    from datetime import timedelta
    from urllib.parse import urlsplit

    from .mail import parse_mail_url

    if production and not env["MAIL_URL"]:
        import logging

        logging.getLogger(__name__).warning("MAIL_URL is not set: email is written to %s instead of being sent "
                                            "(learners get no confirmation or reset links).", instance / "mail")
    idle = _whole_number(env, "SESSION_IDLE_MINUTES")
    lifetime = timedelta(days=_whole_number(env, "SESSION_LIFETIME_DAYS"))
    return {
        "MAIL": parse_mail_url(env["MAIL_URL"]) if env["MAIL_URL"] else None,
        "MAIL_FOLDER": str(instance / "mail"),
        "TRUSTED_PROXY_COUNT": _whole_number(env, "TRUSTED_PROXY_COUNT"),
        "SESSION_IDLE_SECONDS": idle * 60,
        "PERMANENT_SESSION_LIFETIME": lifetime,
        "REMEMBER_COOKIE_DURATION": lifetime,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "TRUSTED_HOSTS": [urlsplit(env["PUBLIC_BASE_URL"]).hostname] if production and env["PUBLIC_BASE_URL"] else None,
    }


def _whole_number(env: Mapping, name: str) -> int:
    value = str(env[name]).strip()
    if not value.isdigit():
        raise ConfigError(f"{name} must be a whole number, not '{value}'.")
    return int(value)


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
