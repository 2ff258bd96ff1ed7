"""What a page view costs: a revisited lesson reads in two statements and writes nothing, progress pages count
reflection words from the stored count (never loading the texts), and the stored count is right."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from sqlalchemy import event, select, text, update

from course_app.content.render import word_count
from course_app.extensions import db
from course_app.models import LessonProgress, Reflection, utcnow

from .conftest import Auth, csrf_token

LESSON = "/modules/basics/lessons/lesson-two"
CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def watch_request(app, client, hook: str, note, method: str, path: str, **kwargs) -> None:
    """Run one request with note(connection, statement) called at the engine's hook for each statement."""
    with app.app_context():
        engine = db.engine

    def listener(conn, cursor, statement, *args):
        note(conn, statement)

    event.listen(engine, hook, listener)
    try:
        response = client.open(path, method=method, **kwargs)
        assert response.status_code in (200, 302), response.status_code
    finally:
        event.remove(engine, hook, listener)


def statements(app, client, method: str, path: str, **kwargs) -> list[str]:
    """The SQL statements one request runs (transaction control left out)."""
    seen: list[str] = []

    def note(conn, statement):
        if not statement.lstrip().upper().startswith(CONTROL):
            seen.append(" ".join(statement.split()))

    watch_request(app, client, "before_cursor_execute", note, method, path, **kwargs)
    return seen


def test_a_revisited_lesson_reads_in_two_statements_and_writes_nothing(app, client, auth, fresh):
    auth.register()
    first = statements(app, client, "GET", LESSON)
    assert any(s.startswith("INSERT INTO lesson_progress") for s in first)  # the first visit is recorded
    again = statements(app, client, "GET", LESSON)
    assert len(again) == 2, again  # the user; the lesson's progress with its reflections
    assert all(s.startswith("SELECT") for s in again), again


def test_last_seen_is_refreshed_once_it_is_a_few_minutes_old(app, client, auth, fresh):
    auth.register()
    client.get(LESSON)
    with app.app_context():
        db.session.execute(update(LessonProgress).values(last_seen_at=utcnow() - timedelta(minutes=6)))
        db.session.commit()
    before = fresh.scalar(select(LessonProgress)).last_seen_at
    assert any(s.startswith("UPDATE lesson_progress") for s in statements(app, client, "GET", LESSON))
    assert fresh.scalar(select(LessonProgress)).last_seen_at > before + timedelta(minutes=5)


def test_progress_pages_count_words_without_loading_reflection_texts(app, client, auth, fresh):
    auth.register()
    token = csrf_token(client, LESSON)
    typed = "I waited, and then I asked what mattered most to her at breakfast."
    saved = client.post("/modules/basics/reflections/my-practice", json={"text": typed, "revision": 0},
                        headers={"X-CSRFToken": token})
    assert saved.get_json()["words"] == word_count(typed) == 13
    assert fresh.scalar(select(Reflection)).words == 13
    for path in ("/dashboard", "/modules", "/modules/basics"):
        run = statements(app, client, "GET", path)
        assert not [s for s in run if "reflection.text" in s], (path, run)


def test_the_migration_counts_words_of_reflections_saved_before_it(tmp_path):
    from flask_migrate import upgrade

    from course_app import create_app

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "x", "TESTING": True,
                      "SIGNING_KEY_FILE": str(tmp_path / "key.json")})
    with app.app_context():
        upgrade(revision="0001")
        db.session.execute(text("INSERT INTO user (id, email, password_hash, full_name, credential, role, "
                                "session_version, created_at) VALUES (1, 'a@example.org', 'x', 'A B', 'OTR/L', "
                                "'learner', 1, '2026-01-01')"))
        db.session.execute(text("INSERT INTO reflection (user_id, module_id, reflection_id, text, revision, "
                                "created_at, updated_at) VALUES (1, 'm', 'r', 'Three short words', 1, "
                                "'2026-01-01', '2026-01-01')"))
        db.session.commit()
        upgrade()
        assert db.session.scalar(text("SELECT words FROM reflection")) == 3
        db.engine.dispose()


def test_pages_for_visitors_are_rendered_once_and_never_shown_to_a_learner(app, client, auth, monkeypatch):
    import course_app.learning.views as views

    renders = []
    real = views.render_template
    monkeypatch.setattr(views, "render_template", lambda *a, **k: renders.append(a[0]) or real(*a, **k))
    for _ in range(3):
        assert "Create account" in client.get("/").get_data(as_text=True)
        assert "Create account" in client.get("/modules").get_data(as_text=True)
    assert renders == ["learning/home.html", "learning/catalog.html"]

    auth.register()
    home, catalog = client.get("/").get_data(as_text=True), client.get("/modules").get_data(as_text=True)
    assert "Log out" in home and "Create account" not in home and "Continue learning" in home
    assert "Log out" in catalog and "Create account" not in catalog
    auth.logout()
    assert "Create account" in client.get("/").get_data(as_text=True)  # the logout message is shown, then the cache


def test_an_edited_course_replaces_the_page_for_visitors(client, content_root, app):
    first = client.get("/").get_data(as_text=True)
    with app.app_context():
        store = app.extensions["course_store"]
        store._signature = None  # as when a file changes in development
    assert client.get("/").get_data(as_text=True) == first  # reloaded, same text: a fresh render, same page
    assert app.extensions["pages_for_visitors"]["learning.home"][0] is store.get()


def test_the_learners_own_pages_read_her_records_in_one_statement(app, client, auth):
    """Dashboard, catalog and module page: the user, and one statement for all her records (the dashboard's
    "where you left off" among them), whatever her progress."""
    auth.register()
    client.get(LESSON)
    expected = {"/dashboard": 2, "/modules": 2, "/modules/basics": 2}
    found = {path: [s for s in statements(app, client, "GET", path) if not s.startswith("BEGIN")]
             for path in expected}
    assert {path: len(seen) for path, seen in found.items()} == expected, found
    assert all(s.startswith("SELECT") for seen in found.values() for s in seen)


def transaction_states(app, client, method: str, path: str, **kwargs) -> list[tuple[str, str]]:
    """Each statement of one request, with whether PostgreSQL had a transaction open after it."""
    seen: list[tuple[str, str]] = []

    def note(conn, statement):
        status = conn.connection.driver_connection.info.transaction_status.name
        seen.append((statement.split()[0].upper(), status))

    watch_request(app, client, "after_cursor_execute", note, method, path, **kwargs)
    return seen


def test_on_postgresql_a_page_that_only_reads_opens_no_transaction_and_the_first_write_begins_one(
        app, client, auth, database_url):
    """No BEGIN and ROLLBACK around the reads of a page view. A request that writes is in one transaction
    from its first write (test_atomic_requests.py shows such a request keeps nothing when it fails)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no round trips to spare")
    auth.register()
    client.get(LESSON)
    reads = transaction_states(app, client, "GET", LESSON)
    assert len(reads) == 2 and all(state == ("SELECT", "IDLE") for state in reads), reads

    token = csrf_token(client, LESSON)
    writes = transaction_states(app, client, "POST", LESSON + "/complete", data={"csrf_token": token})
    first_write = next(i for i, (verb, _) in enumerate(writes) if verb != "SELECT")
    assert all(status == "INTRANS" for _, status in writes[first_write:]), writes


def test_on_postgresql_a_connection_the_server_ended_between_pages_is_replaced_unseen(
        app, client, auth, database_url):
    """The server ends the pooled connection (a restart, an administrator) while no page uses it: the next
    page is served on a fresh connection, not answered 503."""
    if not database_url.startswith("postgresql"):
        pytest.skip("a server ending a connection is a PostgreSQL event")
    from sqlalchemy import create_engine

    auth.register()
    assert client.get("/dashboard").status_code == 200
    with app.app_context():
        pids = {row[0] for row in db.session.execute(text("select pg_backend_pid()"))}
        db.session.remove()
    other = create_engine(database_url)
    with other.connect() as connection:
        for pid in pids:
            connection.execute(text("select pg_terminate_backend(:pid, 5000)"), {"pid": pid})
    other.dispose()
    assert client.get("/dashboard").status_code == 200
    assert client.get(LESSON).status_code == 200


def test_the_menu_is_rendered_once_per_kind_of_visitor_and_marks_the_page_she_is_on(app, client, auth):
    auth.register()
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert re.search(r'href="/dashboard"\s+aria-current="page">My learning', dashboard)
    journal = client.get("/journal").get_data(as_text=True)
    assert 'aria-current="page">My learning' not in journal and 'aria-current="page">Journal' in journal
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', client.get(LESSON).get_data(as_text=True))
    logout_token = re.search(r'action="/account/logout"[^>]*>\s*<input type="hidden" name="csrf_token" value="([^"]+)"',
                             client.get(LESSON).get_data(as_text=True))
    assert token and logout_token and "__csrf" not in dashboard
    auth.logout()
    visitor = client.get("/about").get_data(as_text=True)
    assert "Log out" not in visitor and "Create account" in visitor and "csrf_token" not in visitor.split("</header>")[0]
    with app.app_context():
        kinds = {dict(key[2:])["kind"] for key in app.extensions["page_parts"]
                 if key != "course" and key[0] == "_site_header.html"}
    assert kinds == {"learner", "visitor"}


def test_a_lesson_rendered_once_shows_each_learner_only_her_own_parts(app, auth):
    """The lesson's frame is kept between page views; her text, answers, completion and token are hers."""
    ana, ben = app.test_client(), app.test_client()
    Auth(ana).register()
    Auth(ben).register(email="ben@example.org", name="Ben Ode")
    token = csrf_token(ana, LESSON)
    typed = "I waited & asked <what> mattered most to her."
    assert ana.post("/modules/basics/reflections/my-practice", json={"text": typed, "revision": 0},
                    headers={"X-CSRFToken": token}).status_code == 200
    ana.post(f"{LESSON}/checks/change-or-sustain", data={"csrf_token": token, "choice": "b"})
    ana.post(f"{LESSON}/complete", data={"csrf_token": token})

    mine = ana.get(LESSON).get_data(as_text=True)
    assert "I waited &amp; asked &lt;what&gt; mattered most to her.</textarea>" in mine  # escaped, not markup
    assert 'name="revision" value="1"' in mine and f"{word_count(typed)} words of at least 5" in mine
    assert ">Saved<" in mine
    assert "I held back my plan" in mine  # her words opened the model response
    assert "Not quite. Sustain talk" in mine and 'value="b" checked' in mine
    assert "You completed this lesson on" in mine and "Mark complete" not in mine
    assert 'data-storage-key="reflection:1:basics:my-practice"' in mine

    theirs = ben.get(LESSON).get_data(as_text=True)
    assert "I waited" not in theirs and 'name="revision" value="1"' not in theirs
    assert "0 words of at least 5" in theirs and "Not saved yet" in theirs
    assert "I held back my plan" not in theirs and "appears here once you have saved at least 5 words" in theirs
    assert "Not quite" not in theirs and "checked" not in theirs and "Check my answer" in theirs
    assert "Mark complete" in theirs and "You completed" not in theirs
    assert 'data-storage-key="reflection:2:basics:my-practice"' in theirs
    ben_token = csrf_token(ben, LESSON)
    assert ben_token != token and theirs.count(f'value="{ben_token}"') == 5  # header, 2 reflections, check, complete
    assert "__csrf_token" not in theirs and "\x00" not in theirs


def test_a_function_made_for_one_request_is_not_kept_after_it(app, client):
    """The app remembers which hooks are plain functions; one made for a single request still goes with it."""
    import gc
    import weakref

    from flask import after_this_request

    made = []

    @app.route("/one-off-hook")
    def one_off_hook():
        @after_this_request
        def note(response):
            response.headers["X-Noted"] = "yes"
            return response

        made.append(weakref.ref(note))
        return "ok"

    assert client.get("/one-off-hook").headers["X-Noted"] == "yes"
    assert client.get("/one-off-hook").headers["X-Noted"] == "yes"
    gc.collect()
    assert [ref() for ref in made] == [None, None]


def test_a_first_visit_and_a_visit_after_a_while_still_show_her_saved_reflection(app, client, auth):
    """The lesson's one read covers a revisit; a first visit, or one after minutes away, reads her text too."""
    auth.register()
    token = csrf_token(client, "/modules/basics/lessons/lesson-one")
    saved = client.post("/modules/basics/reflections/my-practice", json={"text": "Saved before I opened it.",
                                                                        "revision": 0}, headers={"X-CSRFToken": token})
    assert saved.status_code == 200
    assert "Saved before I opened it.</textarea>" in client.get(LESSON).get_data(as_text=True)  # first visit
    with app.app_context():
        db.session.execute(update(LessonProgress).values(last_seen_at=utcnow() - timedelta(minutes=6)))
        db.session.commit()
    assert "Saved before I opened it.</textarea>" in client.get(LESSON).get_data(as_text=True)  # after a while
    assert "Saved before I opened it.</textarea>" in client.get(LESSON).get_data(as_text=True)  # revisit


def test_an_autosave_writes_once_and_reads_only_what_may_issue_a_certificate(app, client, auth, fresh):
    """The user, then the compare-and-set UPDATE that returns what the page is told; her module's records
    (is a certificate due?) only once the text reaches the reflection's minimum words (5 here)."""
    auth.register()
    token = csrf_token(client, LESSON)
    url = "/modules/basics/reflections/my-practice"
    assert client.post(url, json={"text": "one two", "revision": 0}, headers={"X-CSRFToken": token}).status_code == 200
    short = statements(app, client, "POST", url, json={"text": "one two three", "revision": 1},
                       headers={"X-CSRFToken": token})
    assert [s.split()[0] for s in short] == ["SELECT", "UPDATE"], short
    assert "RETURNING" in short[1]
    long = statements(app, client, "POST", url, json={"text": "one two three four five", "revision": 2},
                      headers={"X-CSRFToken": token})
    assert [s.split()[0] for s in long] == ["SELECT", "UPDATE", "SELECT"], long
    row = fresh.scalar(select(Reflection))
    assert (row.text, row.revision, row.words) == ("one two three four five", 3, 5)


def test_a_kept_lesson_page_shows_her_message_once_and_to_no_one_else(app, auth):
    ana, ben = app.test_client(), app.test_client()
    Auth(ana).register()
    Auth(ben).register(email="ben@example.org", name="Ben Ode")
    assert "is marked complete" not in ben.get(LESSON).get_data(as_text=True)  # the page is kept from here on
    token = csrf_token(ana, "/modules/basics/lessons/lesson-one")
    moved = ana.post("/modules/basics/lessons/lesson-one/complete", data={"csrf_token": token},
                     follow_redirects=True)
    assert moved.request.path == LESSON and "“Lesson One” is marked complete." in moved.get_data(as_text=True)
    assert "is marked complete" not in ana.get(LESSON).get_data(as_text=True)  # shown once
    assert "is marked complete" not in ben.get(LESSON).get_data(as_text=True)


def test_a_kept_module_page_shows_each_learner_her_own_lessons_done(app, auth):
    ana, ben, visitor = app.test_client(), app.test_client(), app.test_client()
    Auth(ana).register()
    Auth(ben).register(email="ben@example.org", name="Ben Ode")
    done = re.compile(r'<li class="lesson-item is-done">\s*<a class="lesson-title" href="/modules/basics/lessons/'
                      r'lesson-one">')
    assert not done.search(ben.get("/modules/basics").get_data(as_text=True))  # the column is kept from here on
    token = csrf_token(ana, "/modules/basics/lessons/lesson-one")
    ana.post("/modules/basics/lessons/lesson-one/complete", data={"csrf_token": token})
    assert done.search(ana.get("/modules/basics").get_data(as_text=True))
    theirs = ben.get("/modules/basics").get_data(as_text=True)
    assert not done.search(theirs) and "Go to the post-test" in theirs
    page = visitor.get("/modules/basics").get_data(as_text=True)
    assert "Lesson One" in page and "Not completed" not in page and "Go to the post-test" not in page


def test_a_kept_dashboard_shows_each_learner_her_own_next_step_and_progress(app, auth):
    ana, ben = app.test_client(), app.test_client()
    Auth(ana).register()
    Auth(ben).register(email="ben@example.org", name="Ben Ode")
    assert "Start your first module" in ben.get("/dashboard").get_data(as_text=True)
    ana.get(LESSON)
    mine = ana.get("/dashboard").get_data(as_text=True)
    assert "Continue where you left off" in mine and "Continue: Lesson Two" in mine
    theirs = ben.get("/dashboard").get_data(as_text=True)
    assert "Start your first module" in theirs and "Continue where you left off" not in theirs
    assert csrf_token(ben, "/dashboard") in theirs and csrf_token(ana, "/dashboard") not in theirs
