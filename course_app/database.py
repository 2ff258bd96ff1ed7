"""Database behaviour shared by every connection.

SQLite is set up to be all or nothing, like PostgreSQL. PostgreSQL is spared the round trips a page view
does not need: each one cost a tenth of a millisecond here, a page view made six, and only three were its
own queries.
- A transaction begins with the first statement that writes or locks. A page that only reads runs its
  SELECTs on their own, which at PostgreSQL's READ COMMITTED level see what they would inside one (each
  statement there takes its own snapshot), and sends no BEGIN and no ROLLBACK.
- A pooled connection is pinged before use only when it sat unused for a few seconds, or when the
  server sent it something since its last use (a server that restarts or ends a connection says so
  first). Asking the socket costs no round trip. A dead connection is replaced by the pool before the
  page uses it; if the server is down, the page answers 503.
"""
from __future__ import annotations

import functools
import re
import select
import sqlite3
import time

import psycopg
from psycopg.pq import TransactionStatus

from flask import g, has_request_context, request
from sqlalchemy import event, exc
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import Pool

_installed = False
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
IDLE_PING_SECONDS = 5.0
IDLE = TransactionStatus.IDLE
# The app's PostgreSQL engine has this execution option and connections in the driver's autocommit mode
# (config.py); the BEGIN it would otherwise send at once comes from _begin_before_writing.
BEGIN_ON_FIRST_WRITE = "begin_on_first_write"
# A SELECT that neither locks rows nor changes anything; everything else begins the transaction first.
PLAIN_READ = re.compile(r"\s*SELECT\b(?!.*\bFOR\s+(UPDATE|SHARE|NO\s+KEY|KEY\s+SHARE)\b)(?!.*\b(nextval|setval|pg_advisory)\w*\s*\()",
                        re.IGNORECASE | re.DOTALL)


def install_database_events() -> None:
    """SQLite: WAL, a busy timeout, enforced foreign keys and real transactions. PostgreSQL: the round trips
    above."""
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

    @event.listens_for(Engine, "before_cursor_execute")
    def _begin_before_writing(connection, cursor, statement, parameters, context, executemany) -> None:
        if not connection.get_execution_options().get(BEGIN_ON_FIRST_WRITE):
            return  # an engine of the app's (config.py), not one of a command or a test of its own
        driver = connection.connection.driver_connection
        if driver.info.transaction_status == IDLE and (
                begins_transaction(statement) or isinstance(cursor, psycopg.ServerCursor)):  # streaming needs one
            driver.execute("BEGIN")

    @event.listens_for(Pool, "checkin")
    def _note_checkin(dbapi_connection, connection_record) -> None:
        connection_record.info["checked_in"] = time.monotonic()

    @event.listens_for(Pool, "checkout")
    def _ping_after_idle(dbapi_connection, connection_record, connection_proxy) -> None:
        if not _is_postgresql(dbapi_connection):
            return
        idle = time.monotonic() - connection_record.info.get("checked_in", 0)
        if idle < IDLE_PING_SECONDS and not _server_has_spoken(dbapi_connection):
            return
        try:
            dbapi_connection.execute(";")
        except Exception as error:  # the pool tries a fresh connection, and answers 503 if there is none
            raise exc.DisconnectionError() from error

    @event.listens_for(Engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.dialect.name == "sqlite":  # straight to the driver: a fifth of a page view's query time otherwise
            connection.connection.driver_connection.execute(sqlite_begin_statement())


@functools.lru_cache(maxsize=1024)  # the statements of a running app are a few hundred, each compiled once
def begins_transaction(statement: str) -> bool:
    """Say whether a PostgreSQL statement must run inside a transaction: all but a plain SELECT."""
    return PLAIN_READ.match(statement) is None


def _server_has_spoken(dbapi_connection) -> bool:
    """Say whether an idle connection has something to read: a server that ends a connection (a restart,
    an administrator) says so before closing it, and a connection between requests is sent nothing else."""
    try:
        readable, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
    except (OSError, ValueError, psycopg.Error):  # closed already
        return True
    return bool(readable)


def _is_postgresql(dbapi_connection) -> bool:
    return type(dbapi_connection).__module__.startswith("psycopg")


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
