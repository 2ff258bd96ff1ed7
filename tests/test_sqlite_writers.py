"""SQLite writers take turns: a request holds the write lock only for its own writes, the next writer goes the
moment it is free (across processes, and past one that was killed), and autosaves sent to two workers at once
all land, each learner keeping exactly her last saved text."""
from __future__ import annotations

import subprocess
import sys
import threading

import pytest
from sqlalchemy import create_engine, event, select

from bench.harness import Gunicorn, Http, app_environment
from course_app.database import WriterQueue
from course_app.extensions import db
from course_app.models import Reflection

from .conftest import FIXTURE_COURSE, PASSWORD, csrf_token
from .servers import free_port

LESSON = "/modules/basics/lessons/lesson-two"
SAVE = "/modules/basics/reflections/my-practice"


@pytest.fixture
def database_url(tmp_path, sqlite_template):
    """SQLite only: PostgreSQL locks rows, not the whole database."""
    import shutil

    path = tmp_path / "test.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def traced(app, client, method: str, path: str, **kwargs) -> list[str]:
    """Every statement SQLite runs for one request, transaction control included, in order."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def trace(dbapi_connection, *args) -> None:
        dbapi_connection.set_trace_callback(lambda sql: seen.append(" ".join(sql.split())))

    event.listen(engine, "checkout", trace)
    try:
        response = client.open(path, method=method, **kwargs)
        assert response.status_code == 200, response.get_data(as_text=True)
        run = [s for s in seen if not s.startswith("PRAGMA")]
    finally:
        event.remove(engine, "checkout", trace)
        with app.app_context():  # stop tracing the pooled connection
            db.session.connection().connection.driver_connection.set_trace_callback(None)
            db.session.remove()
    return run


def test_an_autosave_takes_the_write_lock_only_for_its_write(app, client, auth):
    auth.register()
    token = csrf_token(client, LESSON)
    assert client.post(SAVE, json={"text": "one two", "revision": 0}, headers={"X-CSRFToken": token}).status_code == 200
    run = traced(app, client, "POST", SAVE, json={"text": "one two three", "revision": 1},
                 headers={"X-CSRFToken": token})
    # The user is read in a plain transaction that ends before the write lock is asked for.
    kinds = [" ".join(s.split()[:2]) if s.startswith("BEGIN") else s.split()[0] for s in run]
    assert kinds == ["BEGIN", "SELECT", "COMMIT", "BEGIN IMMEDIATE", "UPDATE", "COMMIT"], run


def test_a_page_view_still_reads_in_one_plain_transaction(app, client, auth):
    auth.register()
    client.get(LESSON)  # the first visit is recorded; the revisit writes nothing
    run = traced(app, client, "GET", LESSON)
    assert run[0] == "BEGIN" and not any(s.startswith("BEGIN IMMEDIATE") for s in run), run
    assert not any(s.startswith(("INSERT", "UPDATE", "DELETE")) for s in run), run


HOLDER = """
import sys, time
from course_app.database import WriterQueue
queue = WriterQueue(sys.argv[1])
queue.join()
print("holding", flush=True)
time.sleep(60)
"""


def test_a_writer_waits_for_another_process_and_goes_when_that_one_is_killed(tmp_path):
    path = str(tmp_path / "db.sqlite3-writers")
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, path], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        queue = WriterQueue(path)
        waiting = threading.Thread(target=queue.join)
        waiting.start()
        waiting.join(timeout=0.5)
        assert waiting.is_alive() and not queue.held  # the other process is writing
        holder.kill()  # kill -9 mid-write: the kernel ends its turn
        waiting.join(timeout=WriterQueue.WAIT_SECONDS + 5)
        assert queue.held
        queue.leave()
        assert not queue.held
        queue.close()
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


def test_a_second_connection_of_the_same_thread_does_not_wait_for_the_first(tmp_path):
    path = str(tmp_path / "db.sqlite3-writers")
    first, second = WriterQueue(path), WriterQueue(path)
    first.join()
    second.join()  # would wait for its own thread forever; it goes to SQLite's busy handler instead
    assert first.held and not second.held
    first.close()
    second.join()
    assert second.held
    second.close()


def test_autosaves_sent_to_two_workers_at_once_all_land(database_url, signing_key_file, tmp_path, auth):
    emails = [f"learner{n}@example.org" for n in range(4)]
    for n, email in enumerate(emails):
        auth.register(email=email, name=f"Learner Number{n}")
    port = free_port()
    env = app_environment(tmp_path, database_url, port, CONTENT_ROOT=str(FIXTURE_COURSE),
                          SIGNING_KEY_FILE=signing_key_file, SECRET_KEY="test-secret")
    server = Gunicorn('course_app:create_app({"RATELIMIT_ENABLED": False})', env, port, workers=2,
                      log=tmp_path / "gunicorn.log")
    acknowledged: dict[int, str] = {}
    failures: list[tuple[int, int, str]] = []
    try:
        learners = []
        for email in emails:
            http = Http(port)
            status, _, body = http.form("/account/login", {"email": email, "password": PASSWORD, "next": ""})
            assert status == 302, body[:500]
            learners.append((http, http.token(LESSON)))
        start = threading.Barrier(len(learners))

        def type_and_save(n: int) -> None:
            http, token = learners[n]
            start.wait(timeout=30)
            for revision in range(30):
                text = f"Learner {n} typed this, revision {revision + 1}."
                status, _, body = http.json(SAVE, {"text": text, "revision": revision}, token)
                if status != 200:
                    failures.append((n, status, body[:300]))
                    return
                acknowledged[n] = text

        threads = [threading.Thread(target=type_and_save, args=(n,)) for n in range(len(learners))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        log = (tmp_path / "gunicorn.log").read_text(errors="replace")
    finally:
        server.stop()
    assert not failures, failures
    assert "database is locked" not in log and "Traceback" not in log, log[-3000:]
    engine = create_engine(database_url)
    with engine.connect() as connection:
        saved = connection.execute(select(Reflection.text, Reflection.revision)).all()
    engine.dispose()
    assert len(acknowledged) == 4
    assert sorted(saved) == sorted((text, 30) for text in acknowledged.values()), saved
