"""Database behaviour shared by every connection.

SQLite is set up to be all or nothing, like PostgreSQL, and its writers take turns without sleeping:
- A request that changes something loads the user in a read of its own and takes the write lock with
  the view's first statement, so the lock is held for the view's writes, not for the whole request.
- Writers queue on a lock file beside the database (an exclusive flock, held from BEGIN IMMEDIATE to
  COMMIT or ROLLBACK) and each takes its turn within a fraction of a millisecond of the last one's commit.
  SQLite's own busy handler, which they would otherwise wait in, sleeps 1, 2, 5, 10 ... up to 100 ms
  between looks, so that a writer could wait behind a dozen of the other process's commits.

PostgreSQL is spared the round trips a page view does not need: each one cost a tenth of a millisecond
here, a page view made six, and only three were its own queries.
- A transaction begins with the first statement that writes or locks. A page that only reads runs its
  SELECTs on their own, which at PostgreSQL's READ COMMITTED level see what they would inside one (each
  statement there takes its own snapshot), and sends no BEGIN and no ROLLBACK.
- A pooled connection is pinged before use only when it sat unused for a few seconds, or when the
  server sent it something since its last use (a server that restarts or ends a connection says so
  first). Asking the socket costs no round trip. A dead connection is replaced by the pool before the
  page uses it; if the server is down, the page answers 503.
"""
from __future__ import annotations

import fcntl
import functools
import os
import re
import select
import sqlite3
import threading
import time
from typing import Callable, TypeVar

import psycopg
from psycopg.pq import TransactionStatus

from flask import g, has_request_context, request
from sqlalchemy import event, exc
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import Pool

_installed = False
T = TypeVar("T")
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
            path = next((row[2] for row in cursor.execute("PRAGMA database_list") if row[1] == "main"), "")
            cursor.close()
            if path:  # a file, not an in-memory database
                connection_record.info["writer_queue"] = WriterQueue(path + "-writers")

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
        _leave_writer_queue(connection_record.info)  # the pool rolled back a transaction nobody ended

    @event.listens_for(Pool, "close")
    def _close_writer_queue(dbapi_connection, connection_record) -> None:
        queue = connection_record.info.pop("writer_queue", None)
        if queue is not None:
            queue.close()

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
        if connection.dialect.name != "sqlite":
            return
        driver = connection.connection.driver_connection  # straight to it: a fifth of a page view's query time otherwise
        statement = sqlite_begin_statement()
        queue = connection.connection.info.get("writer_queue") if statement == "BEGIN IMMEDIATE" else None
        if queue is not None:
            queue.join()
        try:
            driver.execute(statement)
        except BaseException:
            if queue is not None:
                queue.leave()
            raise

    # The transaction is ended here, so that the queue moves on the moment it has; SQLAlchemy's own COMMIT or
    # ROLLBACK right after finds no transaction and does nothing (or, if ending it failed here, fails itself).
    @event.listens_for(Engine, "commit")
    def _commit_then_leave(connection: Connection) -> None:
        _end_then_leave(connection, "commit")

    @event.listens_for(Engine, "rollback")
    def _rollback_then_leave(connection: Connection) -> None:
        _end_then_leave(connection, "rollback")


def _end_then_leave(connection: Connection, how: str) -> None:
    if connection.dialect.name != "sqlite" or connection.connection.info.get("writer_queue") is None:
        return
    try:
        getattr(connection.connection.driver_connection, how)()
    except sqlite3.Error:
        pass  # SQLAlchemy's own attempt right after fails the same way and reports it
    finally:
        _leave_writer_queue(connection.connection.info)


def _leave_writer_queue(info: dict) -> None:
    queue = info.get("writer_queue")
    if queue is not None:
        queue.leave()


class WriterQueue:
    """One connection's place in the queue of SQLite writers: an exclusive flock on a file beside the database.

    Every process (gunicorn workers, other instances on the same file, commands) opens the file itself, and
    so does every connection, so threads queue too. The kernel releases the lock of a process that dies. A
    turn is waited for up to WAIT_SECONDS, then BEGIN IMMEDIATE waits in SQLite's busy handler as before; a
    thread that already holds a turn on another connection goes straight there (it would wait for itself).
    """

    WAIT_SECONDS = 5.0
    POLL_SECONDS = 0.0002
    _threads = threading.local()

    def __init__(self, path: str):
        self.path = path
        self.fd: int | None = None
        self.held = False
        self._turns = [0]

    def join(self) -> None:
        """Wait for this connection's turn to write."""
        turns = self._turns_of_this_thread()
        if turns[0]:
            return
        if self.fd is None:
            try:
                # Read access is all a flock needs, so an account that may only read the file queues too.
                self.fd = os.open(self.path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
            except OSError:  # a folder it may not create the file in: SQLite's busy handler alone, as before
                return
        deadline = time.monotonic() + self.WAIT_SECONDS
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return
                time.sleep(self.POLL_SECONDS)
        self.held, self._turns = True, turns
        turns[0] += 1

    def leave(self) -> None:
        """Give the turn to the next writer (nothing when this connection holds none)."""
        if not self.held:
            return
        self.held = False
        self._turns[0] -= 1  # the joining thread's count, whichever thread ends the turn
        fcntl.flock(self.fd, fcntl.LOCK_UN)

    @classmethod
    def _turns_of_this_thread(cls) -> list[int]:
        if not hasattr(cls._threads, "turns"):
            cls._threads.turns = [0]
        return cls._threads.turns

    def close(self) -> None:
        self.leave()
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


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
    if has_request_context() and (g.get("reading_apart") or request.method in READ_ONLY_METHODS
                                  and not g.get("request_writes")):
        return "BEGIN"
    return "BEGIN IMMEDIATE"


def read_apart(read: Callable[[], T]) -> T:
    """Run a read that comes before a request's writes (the user's row) outside its write transaction.

    On SQLite a request that changes something takes the write lock with its first statement, and every
    other writer waits until it commits: loading the user there held the lock for the whole request. The read
    runs in a transaction of its own, ended without expiring what it loaded (nothing was written, and the
    user is not read again), so the view's first statement takes the lock. What was read may change before
    the view writes, as between any two statements on PostgreSQL.
    """
    from .extensions import db

    if not has_request_context() or request.method in READ_ONLY_METHODS or g.get("request_writes"):
        return read()
    session = db.session()
    if (session.in_transaction() or session.new or session.dirty or session.deleted  # the view began already
            or session.get_bind().dialect.name != "sqlite"):
        return read()
    g.reading_apart = True
    try:
        result = read()
    finally:
        g.reading_apart = False
    if session.in_transaction():
        session.expire_on_commit = False
        try:
            session.commit()
        finally:
            session.expire_on_commit = True
    return result


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
