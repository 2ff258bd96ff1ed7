"""Fixtures: every app test runs on SQLite and on PostgreSQL, each on a freshly migrated database."""
from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from course_app import create_app
from course_app.extensions import db

TESTS = Path(__file__).resolve().parent
FIXTURE_COURSE = TESTS / "fixtures" / "course"
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORD = "correct horse battery staple"


def _migrate(url: str, instance: Path) -> None:
    from flask_migrate import upgrade

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "migrate", "TESTING": True})
    app.instance_path = str(instance)
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file, copied for each test."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.sqlite3"
    _migrate(f"sqlite:///{path}", folder)
    return path


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory):
    """A migrated PostgreSQL database of this test run's own, dropped at the end."""
    try:
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        connection = admin.connect()
    except Exception as error:  # noqa: BLE001 - any failure to connect means "no PostgreSQL here"
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI but not reachable at {POSTGRES_ADMIN_URL}: {error}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}")
    name = f"course_test_{os.getpid()}"
    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    _migrate(url, tmp_path_factory.mktemp("pg-instance"))
    yield url
    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    connection.close()
    admin.dispose()


def _truncate_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        tables = [t for t in inspect(connection).get_table_names() if t != "alembic_version"]
        connection.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    _truncate_postgres(url)
    return url


@pytest.fixture(scope="session")
def signing_key_file(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("keys") / "signing-key.json")


@pytest.fixture
def content_root() -> Path:
    """The course the app serves in a test: a small fixture course unless a test overrides this."""
    return FIXTURE_COURSE


@pytest.fixture
def app(database_url, content_root, signing_key_file, tmp_path):
    app = create_app({
        "DATABASE_URL": database_url, "SECRET_KEY": "test-secret", "TESTING": True,
        "CONTENT_ROOT": str(content_root), "SIGNING_KEY_FILE": signing_key_file,
        "RATELIMIT_ENABLED": False, "PUBLIC_BASE_URL": "https://ce.example.org",
        "MAIL_FOLDER": str(tmp_path / "mail"),  # no SMTP configured: mail lands here, as in development
        "EVEN_ANSWER_SECONDS": 0.01,  # the floor on register/forgot answer times (bench/bench_account_timing.py)
        "INSTRUCTOR_REPORT_SECONDS": 0,  # course-wide figures computed in the request (tests of keeping set it)
    })
    # No app context is held open here: each request must get its own, as in production, or the
    # session's identity map and Flask-Login's cached user would leak from one request into the next.
    yield app
    with app.app_context():
        db.engine.dispose()


class Fresh:
    """Read the database as it is now, in a fresh app context (objects come back detached)."""

    def __init__(self, app):
        self.app = app

    def scalar(self, statement):
        with self.app.app_context():
            value = db.session.scalar(statement)
            if hasattr(value, "__table__"):
                db.session.expunge(value)
            return value

    def scalars(self, statement) -> list:
        with self.app.app_context():
            values = list(db.session.scalars(statement))
            for value in values:
                db.session.expunge(value)
            return values


@pytest.fixture
def fresh(app) -> Fresh:
    return Fresh(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token(client, path: str) -> str:
    """Open a page and return the CSRF token of its first form."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'name="csrf-token" content="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


class Auth:
    """Actions a learner takes with their account, through the real forms."""

    def __init__(self, client):
        self.client = client

    def register(self, email="ana@example.org", name="Ana Ortiz", password=PASSWORD, credential="OTR/L",
                 license_number="OT-12345", license_state="NY", follow=True, confirm=True):
        """Register, then (unless confirm=False) open the emailed confirmation link and log in."""
        token = csrf_token(self.client, "/account/register")
        response = self.client.post("/account/register", data={
            "csrf_token": token, "full_name": name, "email": email, "password": password, "confirm": password,
            "credential": credential, "license_number": license_number, "license_state": license_state,
        }, follow_redirects=follow)
        if not confirm or not follow or response.request.path != "/account/register/check-email":
            return response
        self.confirm_email(email)
        return self.login(email=email, password=password)

    def confirm_email(self, email="ana@example.org"):
        """Follow the newest confirmation link mailed to an address (development mail folder)."""
        from .mailbox import folder_messages, links, path_of

        app = self.client.application
        smtp = app.extensions.get("test_smtp")  # tests/mailbox.py's loopback server, when the app sends through it
        messages = smtp.messages if smtp else folder_messages(app.config["MAIL_FOLDER"])
        sent = [m for m in messages if email.strip().lower() in str(m["To"]).lower()
                and "/account/confirm/" in " ".join(links(m))]
        assert sent, f"no confirmation link was mailed to {email}"
        link = next(link for link in links(sent[-1]) if "/account/confirm/" in link)
        return self.client.get(path_of(link, app.config["PUBLIC_BASE_URL"]))

    def login(self, email="ana@example.org", password=PASSWORD, next_url="", follow=True):
        token = csrf_token(self.client, "/account/login")
        return self.client.post("/account/login", data={"csrf_token": token, "email": email,
                                                        "password": password, "next": next_url},
                                follow_redirects=follow)

    def logout(self):
        token = csrf_token(self.client, "/modules")
        return self.client.post("/account/logout", data={"csrf_token": token}, follow_redirects=True)


@pytest.fixture
def auth(client) -> Auth:
    return Auth(client)


@pytest.fixture
def post_form(client):
    """POST to a URL with a fresh CSRF token taken from a page."""
    def post(url: str, data: dict | None = None, page: str | None = None, **kwargs):
        payload = dict(data or {})
        payload.setdefault("csrf_token", csrf_token(client, page or "/modules"))
        return client.post(url, data=payload, **kwargs)
    return post


# --- the browser: one headless Debian Chromium for the whole session, shared by every browser test file ---

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def chromium() -> Iterator:
    """One headless Debian Chromium for the whole session (Playwright's own browser download is not used)."""
    if not CHROMIUM.exists():
        reason = f"Chromium is not installed at {CHROMIUM}; the browser tests need it (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()
