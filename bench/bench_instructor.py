"""Time every instructor page and export with 10,000 learners, on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_instructor.py                 # both databases
    .venv/bin/python bench/bench_instructor.py --db sqlite --learners 2000

The shipped course is copied three times over (18 modules, 75 lessons), so learners leave about 500,000
lesson-progress rows and 60,000 post-test attempts. Each page is timed as the median of several requests
through the app (Flask's test client, no network), next to a bare Flask page in the same run, with the
number of SQL statements it ran. Exports are read to the end; their peak Python memory shows they stream.
PostgreSQL uses a throwaway database on TEST_POSTGRES_URL's server, dropped at the end.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, event, insert, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from course_app import create_app  # noqa: E402
from course_app.assessment.grading import draw_layout, grade  # noqa: E402
from course_app.config import PROJECT_ROOT  # noqa: E402
from course_app.content import load_course  # noqa: E402
from course_app.extensions import db  # noqa: E402
from course_app.models import Certificate, Evaluation, LessonProgress, QuizAttempt, Reflection, User  # noqa: E402
from harness import median_ms  # noqa: E402

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
COPIES = 3
START = datetime(2025, 1, 6, 14, 0, tzinfo=UTC)
STATES = ["FL"] * 5 + ["AL", "GA", "TN", "NY", "TX", "CA", "AZ", "LA", None]
CREDENTIALS = ["OTR/L"] * 6 + ["COTA/L"] * 3 + ["OT", "OTA", "student"]
FIRST = ["Ana", "Bo", "Cy", "Dee", "Eli", "Fay", "Gus", "Hana", "Ida", "Jo", "Kai", "Lee", "Mo", "Nia", "Oli", "Pat"]
LAST = ["Ortiz", "Chen", "Smith", "Nguyen", "Okafor", "Kowalski", "Haddad", "Silva", "Jones", "Müller", "Patel"]


# --- a course the size of a large catalogue -------------------------------------------------------------

def build_course(root: Path) -> Path:
    """Copy the shipped course, then each module twice more under new ids (prerequisites stay valid)."""
    target = root / "content"
    shutil.copytree(PROJECT_ROOT / "modules", target / "modules")
    shutil.copytree(PROJECT_ROOT / "quizzes", target / "quizzes")
    shutil.copy(PROJECT_ROOT / "course.yaml", target / "course.yaml")
    for media in ("media",):
        if (PROJECT_ROOT / media).exists():
            shutil.copytree(PROJECT_ROOT / media, target / media)
    originals = sorted(p for p in (target / "modules").iterdir() if p.is_dir())
    for copy in range(2, COPIES + 1):
        for number, folder in enumerate(originals, 1):
            module_md = (folder / "module.md").read_text()
            module_id = re.search(r"^id: (\S+)$", module_md, re.M).group(1)
            new_id = f"{module_id}-{copy}"
            twin = target / "modules" / f"{len(originals) * (copy - 1) + number:02d}-{new_id}"
            shutil.copytree(folder, twin)
            head, body = module_md.split("\n---", 1)
            head = re.sub(r"^id: \S+$", f"id: {new_id}", head, count=1, flags=re.M)
            head = re.sub(r"^order: \d+$", f"order: {len(originals) * (copy - 1) + number}", head, count=1, flags=re.M)
            (twin / "module.md").write_text(head + "\n---" + body)
            quiz = target / "quizzes" / f"{module_id}.yaml"
            if quiz.exists():
                (target / "quizzes" / f"{new_id}.yaml").write_text(
                    re.sub(r"^module: \S+$", f"module: {new_id}", quiz.read_text(), count=1, flags=re.M))
    return target


# --- learners and what they did ------------------------------------------------------------------------

def key_answer(q):
    if q.type == "single":
        return next(c.id for c in q.choices if c.correct)
    if q.type == "multiple":
        return sorted(c.id for c in q.choices if c.correct)
    if q.type == "true_false":
        return "true" if q.correct else "false"
    if q.type == "matching":
        return {p.id: p.id for p in q.pairs}
    return [i.id for i in q.items]


def wrong_answer(q, rng):
    if q.type == "single":
        return rng.choice([c.id for c in q.choices if not c.correct])
    if q.type == "multiple":
        return [q.choices[-1].id]
    if q.type == "true_false":
        return "false" if q.correct else "true"
    if q.type == "matching":
        ids = [p.id for p in q.pairs]
        return dict(zip(ids, ids[1:] + ids[:1]))
    return [i.id for i in reversed(q.items)]


def make_rows(course, learners: int, seed: int = 7) -> dict[str, list[dict]]:
    """Generate every table's rows in memory, the same for both databases."""
    rng = random.Random(seed)
    rows: dict[str, list[dict]] = {name: [] for name in ("user", "progress", "reflection", "attempt", "evaluation",
                                                         "certificate")}
    modules = list(course.modules)
    provider = course.spec.provider
    for uid in range(1, learners + 1):
        joined = START + timedelta(minutes=rng.randrange(0, 600 * 24 * 60))
        state = rng.choice(STATES)
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {uid}"
        credential = rng.choice(CREDENTIALS)
        license_number = f"OT {rng.randrange(1000, 99999)}-{uid}" if state and rng.random() < 0.9 else None
        rows["user"].append(dict(id=uid, email=f"learner{uid}@example.org", password_hash="x", full_name=name,
                                 credential=credential, license_number=license_number, license_state=state,
                                 role="learner", session_version=1, created_at=joined))
        ability = rng.random()
        depth = rng.choices(range(len(modules) + 1), weights=[2] + [1] * (len(modules) // 2)
                            + [5] * (len(modules) - len(modules) // 2))[0]
        moment = joined
        for module in modules[:depth]:
            moment = _module_rows(rows, rng, uid, module, moment, ability, name, credential, license_number, state,
                                  provider)
    return rows


def _module_rows(rows, rng, uid, module, moment, ability, name, credential, license_number, state, provider):
    """Add one learner's lessons, reflections, attempts, evaluation and certificate in one module."""
    finished = rng.random() < 0.9
    lessons = module.lessons if finished else module.lessons[:rng.randrange(1, len(module.lessons) + 1)]
    tested = finished and rng.random() < 0.3
    first_opened = moment
    for lesson in lessons:
        moment += timedelta(minutes=rng.randrange(5, 60))
        done = finished or lesson is not lessons[-1]
        rows["progress"].append(dict(user_id=uid, module_id=module.id, lesson_id=lesson.id, first_opened_at=moment,
                                     last_seen_at=moment + timedelta(minutes=10), completed_at=moment if done else None,
                                     active_seconds=rng.randrange(120, 1500), last_heartbeat_at=None))
        for spec in lesson.reflections:
            if done and rng.random() < 0.9:
                words = rng.randrange(0, 2 * max(spec.min_words, 10))
                rows["reflection"].append(dict(user_id=uid, module_id=module.id, reflection_id=spec.id,
                                               text="word " * words, words=words, revision=1,
                                               created_at=moment, updated_at=moment))
    if not tested or module.quiz is None:
        return moment + timedelta(days=rng.randrange(1, 20))
    passed = False
    for number in range(1, 4):
        moment += timedelta(hours=rng.randrange(1, 48))
        layout = draw_layout(module.quiz.spec, rng)
        answers = {}
        for entry in layout:
            q = module.quiz.question(entry["id"])
            answers[q.id] = key_answer(q) if rng.random() < 0.55 + 0.45 * ability else wrong_answer(q, rng)
        outcome = grade(module.quiz.spec, layout, answers)
        rows["attempt"].append(dict(user_id=uid, module_id=module.id, number=number, layout=layout, answers=answers,
                                    revision=1, started_at=moment - timedelta(minutes=15), submitted_at=moment,
                                    score=outcome.score, passed=outcome.passed, results=outcome.results,
                                    content_version=module.version))
        if outcome.passed:
            passed = True
            break
    if passed and rng.random() < 0.9:
        moment += timedelta(minutes=rng.randrange(2, 30))
        rows["evaluation"].append(dict(user_id=uid, module_id=module.id, submitted_at=moment, answers={
            "objectives-met": str(rng.randrange(3, 6)), "relevance": str(rng.randrange(2, 6)),
            "quality": str(rng.randrange(3, 6)), "level": str(rng.randrange(3, 6)), "time": rng.choice(["yes", "no"]),
            "recommend": rng.choice(["yes", "yes", "no"]), "comments": rng.choice(["", "", "Useful.", "More cases."])}))
        rows["certificate"].append(dict(
            code=f"B{len(rows['certificate']):025d}", user_id=uid, kind="module", subject_id=module.id, generation=1,
            issued_at=moment, completed_on=moment.date(), participant_name=name, participant_credential=credential,
            license_number=license_number, license_state=state, course_title=module.title,
            content_version=module.version, contact_hours=module.contact_hours, ceus=module.contact_hours / 10,
            level=module.level, provider_name=provider.name, provider_number=getattr(provider, "approval_number", ""),
            provider_statement=provider.statement, signer_name="Signer", signer_title="Director"))
    return moment + timedelta(days=rng.randrange(1, 20))


TABLES = (("user", User), ("progress", LessonProgress), ("reflection", Reflection), ("attempt", QuizAttempt),
          ("evaluation", Evaluation), ("certificate", Certificate))


def load(app, rows) -> None:
    """Insert the rows in large batches."""
    with app.app_context():
        for key, model in TABLES:
            batch = rows[key]
            for start in range(0, len(batch), 5000):
                db.session.execute(insert(model), batch[start:start + 5000])
            db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("SELECT setval('user_id_seq', (SELECT max(id) FROM \"user\"))"))
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("ANALYZE"))
        else:
            db.session.execute(text("ANALYZE"))
            db.session.commit()


# --- timing --------------------------------------------------------------------------------------------

def statements(app, client, path: str) -> int:
    """Count the SQL statements of one request, with nothing kept from earlier requests."""
    with app.app_context():
        engine = db.engine
    app.config["INSTRUCTOR_REPORT_SECONDS"] = 0
    seen = []
    listener = lambda *args: seen.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        client.get(path).close()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
        app.config.pop("INSTRUCTOR_REPORT_SECONDS")
    return len(seen)


def bare_flask_ms(runs: int) -> float:
    bare = Flask("bare")
    bare.add_url_rule("/", "ok", lambda: "ok")
    client = bare.test_client()
    return median_ms(lambda: client.get("/"), runs * 4)


def log_in_as_admin(app):
    from course_app.auth.passwords import hash_password

    password = "quiet evening study hours"
    with app.app_context():
        db.session.add(User(email="admin@example.org", password_hash=hash_password(password), full_name="Ada Admin",
                            credential="OTR/L", role="admin"))
        db.session.commit()
    client = app.test_client()
    page = client.get("/account/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/account/login", data={"csrf_token": token, "email": "admin@example.org",
                                                   "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def run(name: str, url: str, content: Path, rows, runs: int, bare: float) -> list[tuple]:
    folder = Path(tempfile.mkdtemp())
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False,
                      "CONTENT_ROOT": str(content), "SIGNING_KEY_FILE": str(folder / "key.json"),
                      "COURSE_ENV": "development"})
    app.extensions["course_store"].reload = False  # as in production: the files are not looked at per request
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
    start = time.perf_counter()
    load(app, rows)
    print(f"  {name}: seeded in {time.perf_counter() - start:.0f} s", flush=True)
    client = log_in_as_admin(app)
    course_modules = [m for m in load_course(content)[0].modules]
    quizzed = next(m for m in course_modules if m.quiz)
    busy = max(range(1, 50), key=lambda uid: sum(1 for r in rows["progress"] if r["user_id"] == uid))
    pages = ["/instructor/", "/instructor/?q=smith", f"/instructor/?module={quizzed.id}&status=certified",
             "/instructor/?status=not-started&sort=name", "/instructor/?page=150", f"/instructor/learners/{busy}",
             "/instructor/funnel", f"/instructor/items?module={quizzed.id}",
             f"/instructor/items?module={quizzed.id}&attempts=all", "/instructor/evaluations",
             f"/instructor/evaluations?module={quizzed.id}&from=2025-06-01&to=2025-12-31",
             "/instructor/exports?provider=50-1234", "/instructor/certificates?q=smith"]
    results = []
    for path in pages:
        start = time.perf_counter()
        response = client.get(path)
        cold = (time.perf_counter() - start) * 1000  # course-wide figures not kept yet: computed in the background
        assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:300])
        while b"Computing the figures" in response.data:  # what the instructor does: look again a moment later
            time.sleep(0.05)
            response = client.get(path)
        ready = (time.perf_counter() - start) * 1000
        size = len(response.data)
        ms = median_ms(lambda: client.get(path).data, runs)
        results.append((name, path, cold, ms, ms / bare, statements(app, client, path), size, None, ready))
    for path in ("/instructor/exports/completions.csv", "/instructor/exports/ce-broker-FL.csv?provider=50-1234",
                 "/instructor/exports/ce-broker-missing.csv", "/instructor/evaluations.csv",
                 "/instructor/exports/annual-2025.csv"):
        start = time.perf_counter()
        response = client.get(path)
        size = len(response.data)
        ms = (time.perf_counter() - start) * 1000
        tracemalloc.start()
        streamed = client.get(path, buffered=False)
        for _chunk in streamed.response:  # read to the end, keeping nothing, as a browser saving a file does
            pass
        streamed.close()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        results.append((name, path, ms, ms, ms / bare, statements(app, client, path), size, peak, ms))
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return results


def postgres_database():
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"course_bench_instructor_{os.getpid()}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return admin, name, make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-instructor-"))
    content = build_course(work)
    course, problems = load_course(content)
    assert course is not None, [str(p) for p in problems if p.severity == "error"]
    rows = make_rows(course, args.learners)
    print(f"{args.learners:,} learners, {len(course.modules)} modules, {sum(len(m.lessons) for m in course.modules)} "
          f"lessons: {len(rows['progress']):,} lesson-progress rows, {len(rows['attempt']):,} attempts, "
          f"{len(rows['reflection']):,} reflections, {len(rows['evaluation']):,} evaluations, "
          f"{len(rows['certificate']):,} certificates", flush=True)
    bare = bare_flask_ms(args.runs)
    print(f"bare Flask page: {bare:.2f} ms (median)")
    results = []
    if args.db in ("sqlite", "both"):
        results += run("sqlite", f"sqlite:///{work / 'bench.sqlite3'}", content, rows, args.runs, bare)
    if args.db in ("postgresql", "both"):
        admin, name, url = postgres_database()
        try:
            results += run("postgresql", url, content, rows, args.runs, bare)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    print("\nfirst ms: the first request; ready ms: until the page shows its figures (course-wide figures are\n"
          "computed in the background, the first view says so); ms: median of the next requests;\n"
          "queries: SQL statements when the figures are computed in the request")
    print(f"{'db':<11}{'page or export':<56}{'first ms':>9}{'ready ms':>9}{'ms':>8}{'x bare':>8}{'queries':>8}"
          f"{'KiB':>7}{'peak MiB':>9}")
    for db_name, path, cold, ms, ratio, queries, size, peak, ready in results:
        peak_text = f"{peak / 2**20:.1f}" if peak is not None else ""
        print(f"{db_name:<11}{path[:55]:<56}{cold:>9.0f}{ready:>9.0f}{ms:>8.1f}{ratio:>8.0f}{queries:>8}"
              f"{size / 1024:>7.0f}{peak_text:>9}")
    slow = [(d, p, round(max(cold, ms))) for d, p, cold, ms, _, _, _, peak, _ in results if peak is None
            and max(cold, ms) > 300]
    print("\nevery page answers under 300 ms, first view included" if not slow else
          f"\npages over 300 ms (first view or median): {slow}")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
