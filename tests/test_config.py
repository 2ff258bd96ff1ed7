"""Configuration from the environment, and what production refuses to start without."""
from __future__ import annotations

import shutil

import pytest

from course_app import create_app
from course_app.config import ConfigError, database_url

from .conftest import FIXTURE_COURSE


def test_plain_postgresql_urls_use_psycopg_3(tmp_path):
    assert database_url("postgresql://u@h/db", tmp_path) == "postgresql+psycopg://u@h/db"
    assert database_url("postgres://u@h/db", tmp_path) == "postgresql+psycopg://u@h/db"
    assert database_url(None, tmp_path) == f"sqlite:///{tmp_path / 'course.sqlite3'}"


def test_local_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}", "CONTENT_ROOT": str(FIXTURE_COURSE)})
    second = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}", "CONTENT_ROOT": str(FIXTURE_COURSE)})
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] and len(first.config["SECRET_KEY"]) == 64


@pytest.mark.parametrize("missing, message", [("SECRET_KEY", "SECRET_KEY must be set"),
                                              ("PUBLIC_BASE_URL", "PUBLIC_BASE_URL must be set")])
def test_production_refuses_to_start_without_its_settings(monkeypatch, tmp_path, missing, message):
    settings = {"COURSE_ENV": "production", "SECRET_KEY": "k" * 32, "PUBLIC_BASE_URL": "https://ce.example.org",
                "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}", "CONTENT_ROOT": str(FIXTURE_COURSE)}
    for name in ("SECRET_KEY", "PUBLIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    del settings[missing]
    with pytest.raises(ConfigError, match=message):
        create_app(settings)


def test_production_refuses_to_start_on_broken_content(tmp_path, capsys):
    root = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, root)
    (root / "quizzes" / "basics.yaml").write_text("module: basics\nminutes: 5\nquestions: []\n")
    settings = {"COURSE_ENV": "production", "SECRET_KEY": "k" * 32, "PUBLIC_BASE_URL": "https://ce.example.org",
                "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}", "CONTENT_ROOT": str(root)}
    with pytest.raises(SystemExit) as stopped:
        create_app(settings)
    assert stopped.value.code == 1
    assert "quizzes/basics.yaml:3: questions: needs at least 1 item" in capsys.readouterr().err
    production = create_app({**settings, "CONTENT_ROOT": str(FIXTURE_COURSE)})
    assert production.config["SESSION_COOKIE_SECURE"] and not production.config["CONTENT_RELOAD"]


def test_completion_dates_follow_the_providers_calendar(app):
    from datetime import UTC, date, datetime

    from course_app.certificates.issuance import local_date

    late_evening_in_new_york = datetime(2026, 3, 2, 2, 30, tzinfo=UTC)
    with app.app_context():
        assert local_date(late_evening_in_new_york) == date(2026, 3, 1)
        app.config["PROVIDER_TIMEZONE"] = "UTC"
        assert local_date(late_evening_in_new_york) == date(2026, 3, 2)


def test_unknown_time_zone_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="PROVIDER_TIMEZONE 'Mars/Olympus' is not a time zone"):
        create_app({"PROVIDER_TIMEZONE": "Mars/Olympus", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})


def test_migrations_build_exactly_the_models_tables(app):
    """The migrated database (SQLite and PostgreSQL) matches the models: no change is waiting for a migration."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from course_app.extensions import db

    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []
