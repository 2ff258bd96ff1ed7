"""OT coaching continuing-education platform."""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from weakref import WeakKeyDictionary

from flask import Flask

from . import page_parts, urls
from .config import PROJECT_ROOT, load_config


class CourseApp(Flask):
    """Flask, remembering which of its hooks and views are plain functions: Flask asks again on every
    request, eighteen times a page view (its documented place to change that is ensure_sync)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._plain: WeakKeyDictionary = WeakKeyDictionary()  # a function made for one request goes with it

    def ensure_sync(self, func):
        try:
            plain = self._plain.get(func)
            if plain is None:
                plain = self._plain[func] = super().ensure_sync(func) is func
        except TypeError:  # a callable that takes no weak reference
            return super().ensure_sync(func)
        return func if plain else super().ensure_sync(func)


def create_app(config: Mapping | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, error handlers, commands."""
    app = CourseApp(__name__, instance_relative_config=True, template_folder=str(PROJECT_ROOT / "templates"),
                static_folder=str(PROJECT_ROOT / "static"))
    app.config.from_mapping(load_config(app.instance_path, config))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_security_headers(app)
    register_commands(app)
    register_static_files(app)
    urls.register(app)
    page_parts.register(app)
    return app


def register_extensions(app: Flask) -> None:
    from .course_store import CourseStore, refuse_broken_content
    from .database import install_database_events
    from .extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    install_database_events()
    store = CourseStore(app.config["CONTENT_ROOT"], app.config["CONTENT_RELOAD"])
    if not store.reload:
        refuse_broken_content(store)  # in production, broken content stops the start with every problem listed
    app.extensions["course_store"] = store
    from .auth import sessions  # noqa: F401  (registers the user loader)


def register_blueprints(app: Flask) -> None:
    from .assessment import bp as assessment
    from .auth import bp as auth
    from .certificates import bp as certificates
    from .guide import bp as guide
    from .instructor import bp as instructor
    from .learning import bp as learning
    from .privacy import bp as privacy

    for blueprint in (auth, learning, assessment, certificates, instructor, guide, privacy):
        app.register_blueprint(blueprint)


def register_errorhandlers(app: Flask) -> None:
    from .errors import register

    register(app)


def register_security_headers(app: Flask) -> None:
    from .request_policy import register as register_request_policy
    from .security import register

    register(app)
    register_request_policy(app)


def register_static_files(app: Flask) -> None:
    from .static_files import register

    register(app)


def register_commands(app: Flask) -> None:
    from .cli import register_commands as register

    register(app)
