"""Database behaviour shared by every connection: SQLite set up to be all or nothing, like PostgreSQL."""
from __future__ import annotations

import sqlite3

from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

_installed = False
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def enable_sqlite_pragmas() -> None:
    """Give every SQLite connection WAL, a busy timeout, enforced foreign keys and real transactions."""
    global _installed
    if _installed:
        return
    _installed = True

    @event.listens_for(Engine, "connect")
    def _on_connect(dbapi_connection, connection_record) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            # SQLAlchemy's recipe for pysqlite: the driver emits no BEGIN or COMMIT of its own, so a
            # savepoint nests inside the request's transaction instead of committing it on release.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

    @event.listens_for(Engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.dialect.name == "sqlite":  # straight to the driver: a fifth of a page view's query time otherwise
            connection.connection.driver_connection.execute(sqlite_begin_statement())


def sqlite_begin_statement() -> str:
    """BEGIN for a page view, BEGIN IMMEDIATE where the transaction may write after reading.

    A deferred transaction that reads and then writes fails at once with "database is locked" when
    another writer committed in between; IMMEDIATE takes the write lock first and waits its turn.
    """
    if has_request_context() and request.method in READ_ONLY_METHODS and not g.get("request_writes"):
        return "BEGIN"
    return "BEGIN IMMEDIATE"


def prepare_to_write() -> None:
    """Before a page view writes: note it, and on SQLite end its read-only transaction so the next is IMMEDIATE."""
    from .extensions import db

    if not has_request_context():
        return  # commands and jobs begin IMMEDIATE already
    already_writing = sqlite_begin_statement() == "BEGIN IMMEDIATE"
    g.request_writes = True
    if already_writing or db.session.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL turns a read into a write without failing
    if db.session().in_transaction():
        db.session.commit()  # nothing was written yet: this only ends the read


def commit_if_changed() -> None:
    """Commit when the request added or changed rows; a page view that wrote nothing keeps what it loaded."""
    from .extensions import db

    session = db.session()
    if session.new or session.dirty or session.deleted or g.get("request_writes"):
        session.commit()
