"""Bounded load and fault test: simulated learners on gunicorn (4 workers) with Redis-backed rate limits.

    .venv/bin/python bench/load_test.py                        # SQLite and PostgreSQL, 200 learners, 60 s, faults
    .venv/bin/python bench/load_test.py --db postgresql --learners 200 --seconds 60
    .venv/bin/python bench/load_test.py --no-faults

Learners read lessons, autosave a reflection every few seconds, take post-tests and claim certificates
(double-clicking the claim). With faults, one worker is killed with SIGKILL mid-run and, on PostgreSQL,
the database is restarted once. PostgreSQL and Redis are throwaway servers of the script's own.

Passes when: no 500 (a 503 only while the database is down), no "database is locked" reaching anyone,
every acknowledged autosave is stored with exactly the last acknowledged text, exactly one certificate
per learner and module, each with its PDF and signed credential, and service resumes after the faults.
Exit status 0 on a pass, 1 otherwise; prints p50, p95 and p99 per action.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import statistics
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402
    PASSWORD,
    ROOT,
    USER_AGENT,
    Gunicorn,
    OwnPostgres,
    OwnRedis,
    app_environment,
    free_port,
    migrate,
    temp_folder,
)

APP = "course_app:create_app()"
LONG_ENOUGH = " ".join(["reflecting"] * 150)  # past any reflection's minimum, so claims stay complete


@dataclass
class Learner:
    email: str
    cookie: str
    token: str
    claimer: bool
    acked: tuple[int, str] | None = None  # the last (revision, text) the server acknowledged
    in_doubt: list[str] = field(default_factory=list)  # texts sent after it whose answer never came
    revision: int = 0
    certificate_codes: set[str] = field(default_factory=set)


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    failures: list[str] = field(default_factory=list)
    outage: list[tuple[float, float]] = field(default_factory=list)  # database down, from..to (monotonic)
    errors_503: list[float] = field(default_factory=list)
    connection_errors: Counter = field(default_factory=Counter)

    def during_outage(self, moment: float) -> bool:
        return any(start - 15 <= moment <= end + 5 for start, end in self.outage)  # requests queue for seconds


# --- seeding, in-process ------------------------------------------------------------------------

def seed(env: dict[str, str], learners: int, claimers: int) -> tuple[list[Learner], dict]:
    """Learners who finished module 1's lessons and reflections; claimers have also passed its post-test.
    Sessions are made by logging in through an in-process client of the same app and secret key."""
    from sqlalchemy import select, update

    from course_app import create_app
    from course_app.assessment.reflections import save_reflection
    from course_app.auth.operations import register
    from course_app.course_store import current_course
    from course_app.extensions import db
    from course_app.learning.progress import mark_complete
    from course_app.models import LessonProgress, QuizAttempt
    from tests.test_certificates import correct_answers

    app = create_app({"DATABASE_URL": env["DATABASE_URL"], "SECRET_KEY": env["SECRET_KEY"], "RATELIMIT_ENABLED": False,
                      "SIGNING_KEY_FILE": env["SIGNING_KEY_FILE"], "PUBLIC_BASE_URL": env["PUBLIC_BASE_URL"]})
    with app.app_context():
        course = current_course()
        module = course.module(next(m.id for m in course.modules if m.quiz and m.reflections))
        words = " ".join(["practice"] * 200)
        for number in range(learners):
            user = register(email=f"load{number}@example.org", password=PASSWORD, full_name=f"Load Learner{number}",
                            credential="OTR/L")
            db.session.flush()
            for lesson in module.lessons:
                mark_complete(user.id, module.id, lesson.id)
            for spec in module.reflections[1:]:
                save_reflection(user.id, module.id, spec.id, words, 0)
            if number < claimers:
                save_reflection(user.id, module.id, module.reflections[0].id, words, 0)
        db.session.execute(update(LessonProgress).values(active_seconds=3600))  # any seat-time rule is met
        db.session.commit()
        evaluation = {f"item_{item.id.replace('-', '_')}": ("5" if item.kind == "rating" else
                      "yes" if item.kind != "text" else "Clear.") for item in course.evaluation}
        spec = module.quiz.spec
    page = f"/modules/{module.id}/lessons/{module.lessons[0].id}"
    people = []
    for number in range(learners):
        client = app.test_client()
        client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
        token = _token(client.get("/account/login").get_data(as_text=True))
        response = client.post("/account/login", data={"csrf_token": token, "email": f"load{number}@example.org",
                                                        "password": PASSWORD})
        assert response.status_code == 302, response.status_code
        token = _token(client.get(page).get_data(as_text=True))
        if number < claimers:
            start = client.post(f"/modules/{module.id}/quiz/attempts", data={"csrf_token": token})
            assert start.status_code == 302, start.get_data(as_text=True)[:300]
            with app.app_context():
                attempt = db.session.scalars(select(QuizAttempt).where(QuizAttempt.module_id == module.id)
                                             .order_by(QuizAttempt.id.desc())).first()
                form = {"csrf_token": token, "revision": str(attempt.revision), "action": "submit",
                        **correct_answers(spec, attempt.layout)}
            assert client.post(start.location, data=form).status_code == 302
        learner = Learner(f"load{number}@example.org", f"session={client.get_cookie('session').value}", token,
                          number < claimers)
        if learner.claimer:  # their first reflection was seeded long enough for the certificate
            learner.revision, learner.acked = 1, (1, words)
        people.append(learner)
    with app.app_context():
        db.engine.dispose()
    return people, {"module": module.id, "lessons": [lesson.id for lesson in module.lessons],
                    "reflection": module.reflections[0].id, "evaluation": evaluation}


def _token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'name="csrf-token" content="([^"]+)"', html)
    return match.group(1)


# --- the simulated learners ----------------------------------------------------------------------

async def call(session, tally: Tally, learner: Learner, action: str, method: str, url: str, **kwargs):
    """One request; returns (status, text) or (None, "") when the connection failed."""
    import aiohttp

    headers = {"User-Agent": USER_AGENT, "Cookie": learner.cookie, **kwargs.pop("headers", {})}
    started = time.monotonic()
    try:
        async with session.request(method, url, headers=headers, allow_redirects=False, **kwargs) as response:
            body = await response.text()
            status = response.status
            for value in response.headers.getall("Set-Cookie", []):
                if value.startswith("session="):
                    learner.cookie = value.split(";", 1)[0]
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        tally.connection_errors[f"{action}: {type(error).__name__}"] += 1
        return None, ""
    elapsed = (time.monotonic() - started) * 1000
    tally.latencies[action].append(elapsed)
    tally.statuses[action][status] += 1
    if "database is locked" in body:
        tally.failures.append(f"{action}: 'database is locked' reached the learner ({status})")
    if status >= 500:
        if status == 503 and tally.during_outage(started):
            tally.errors_503.append(started)
        elif status == 503 and "Temporarily unavailable" in body:
            tally.failures.append(f"{action} {url}: 503 outside the database outage")
        else:
            tally.failures.append(f"{action} {url}: {status} {body[:200]!r}")
    return status, body


async def autosave(session, tally, learner: Learner, base: str, seeded: dict, moment: int) -> None:
    text = f"{LONG_ENOUGH} {learner.email} reflects, save {moment} at {time.time():.3f}."
    status, body = await call(session, tally, learner, "reflection autosave", "POST",
                              f"{base}/modules/{seeded['module']}/reflections/{seeded['reflection']}",
                              json={"text": text, "revision": learner.revision},
                              headers={"X-CSRFToken": learner.token})
    if status == 200:
        answer = json.loads(body)
        learner.revision = answer["revision"]
        learner.acked, learner.in_doubt = (answer["revision"], text), []
    elif status == 409:  # a save whose answer was lost did land: the server says which text it holds
        answer = json.loads(body)
        learner.revision = answer["revision"]
        if answer["text"] in learner.in_doubt:
            learner.acked, learner.in_doubt = (answer["revision"], answer["text"]), []
        else:
            tally.failures.append(f"autosave 409 for {learner.email} with a text never sent")
    elif status is None or status == 503:
        learner.in_doubt.append(text)


async def claim(session, tally, learner: Learner, base: str, seeded: dict) -> None:
    """Submit the evaluation twice at once (a double click), then claim the certificate again; retry on a 503
    or a cut connection, as a learner would."""
    module = seeded["module"]
    form = {"csrf_token": learner.token, **seeded["evaluation"]}
    learner.certificate_codes.add("claimed")
    for _ in range(10):
        await asyncio.gather(*[call(session, tally, learner, "claim certificate", "POST",
                                    f"{base}/modules/{module}/evaluation", data=form) for _ in range(2)])
        status, _ = await call(session, tally, learner, "claim certificate", "POST",
                               f"{base}/modules/{module}/certificate", data={"csrf_token": learner.token})
        if status == 302:
            return
        await asyncio.sleep(2)
    tally.failures.append(f"{learner.email} could not claim the certificate in ten tries")


async def take_test(session, tally, learner: Learner, base: str, seeded: dict) -> None:
    module = seeded["module"]
    status, _ = await call(session, tally, learner, "start post-test", "POST", f"{base}/modules/{module}/quiz/attempts",
                           data={"csrf_token": learner.token})
    status, page = await call(session, tally, learner, "post-test page", "GET", f"{base}/modules/{module}/quiz")
    match = re.search(r'href="(/quiz/attempts/\d+)"', page or "")
    if not match:
        return
    status, page = await call(session, tally, learner, "post-test page", "GET", base + match.group(1))
    if status != 200 or "revision" not in page:
        return
    answers: dict[str, str] = {}
    for name in re.findall(r'name="(q-[^"]+)"', page):  # option 1 of each choice, rows in shown order
        row = re.fullmatch(r"q-.+-(\d+)", name) if name not in re.findall(r'type="(?:radio|checkbox)" name="([^"]+)"', page) else None
        answers.setdefault(name, row.group(1) if row else "1")
    revision = re.search(r'name="revision" value="(\d+)"', page)
    await call(session, tally, learner, "submit post-test", "POST", base + match.group(1),
               data={"csrf_token": learner.token, "revision": revision.group(1) if revision else "0",
                     "action": "submit", **answers})


async def learner_loop(session, tally, learner: Learner, base: str, seeded: dict, deadline: float, rng) -> None:
    await asyncio.sleep(rng.uniform(0, 3))
    moment, next_read, tested = 0, 0.0, False
    claim_at = time.monotonic() + rng.uniform(5, 40) if learner.claimer else None
    test_at = time.monotonic() + rng.uniform(5, 50) if not learner.claimer and rng.random() < 0.3 else None
    while time.monotonic() < deadline:
        now = time.monotonic()
        if now >= next_read:
            lesson = rng.choice(seeded["lessons"])
            await call(session, tally, learner, "read lesson", "GET", f"{base}/modules/{seeded['module']}/lessons/{lesson}")
            if rng.random() < 0.2:
                await call(session, tally, learner, "dashboard", "GET", f"{base}/dashboard")
            next_read = now + rng.uniform(8, 20)
        moment += 1
        await autosave(session, tally, learner, base, seeded, moment)
        if claim_at and now >= claim_at:
            claim_at = None
            await claim(session, tally, learner, base, seeded)
        if test_at and now >= test_at and not tested:
            tested = True
            await take_test(session, tally, learner, base, seeded)
        await asyncio.sleep(rng.uniform(2, 5))


async def drive(people, seeded, port: int, seconds: int, faults, tally: Tally) -> None:
    import aiohttp

    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout,
                                     cookie_jar=aiohttp.DummyCookieJar()) as session:
        rng = random.Random(7)
        tasks = [asyncio.create_task(learner_loop(session, tally, p, base, seeded, deadline, random.Random(rng.random())))
                 for p in people]
        tasks.append(asyncio.create_task(faults(tally)))
        await asyncio.gather(*tasks)
        # After the run: service is back for everyone (no waiting on a restart by hand).
        statuses = [(await call(session, tally, p, "after the run", "GET", f"{base}/dashboard"))[0] for p in people[:20]]
        if any(s != 200 for s in statuses):
            tally.failures.append(f"service did not come back: {Counter(statuses)}")
        for learner in people:  # settle every save still in doubt, the way the page's script would
            if learner.in_doubt:
                await autosave(session, tally, learner, base, seeded, 10**6)


# --- checks at the end ---------------------------------------------------------------------------

def check_database(env, people, seeded, tally: Tally) -> dict:
    from sqlalchemy import func, select

    from course_app import create_app
    from course_app.extensions import db
    from course_app.models import Certificate, Reflection, User

    app = create_app({"DATABASE_URL": env["DATABASE_URL"], "SECRET_KEY": env["SECRET_KEY"], "RATELIMIT_ENABLED": False,
                      "SIGNING_KEY_FILE": env["SIGNING_KEY_FILE"], "PUBLIC_BASE_URL": env["PUBLIC_BASE_URL"]})
    found = {"autosaves checked": 0, "certificates": 0}
    with app.app_context():
        users = {u.email: u.id for u in db.session.scalars(select(User))}
        rows = {r.user_id: r for r in db.session.scalars(select(Reflection).where(
            Reflection.module_id == seeded["module"], Reflection.reflection_id == seeded["reflection"]))}
        for learner in people:
            row = rows.get(users[learner.email])
            if learner.acked is None:
                continue
            found["autosaves checked"] += 1
            if row is None or (row.revision, row.text) != learner.acked:
                tally.failures.append(f"{learner.email}: stored {row and (row.revision, row.text)!r}, "
                                      f"acknowledged {learner.acked!r}")
        groups = db.session.execute(select(Certificate.user_id, Certificate.subject_id, func.count())
                                    .group_by(Certificate.user_id, Certificate.subject_id)).all()
        for user_id, subject, count in groups:
            if count != 1:
                tally.failures.append(f"user {user_id} holds {count} certificates for {subject}")
        for certificate in db.session.scalars(select(Certificate)):
            found["certificates"] += 1
            if not (certificate.pdf and certificate.pdf.startswith(b"%PDF") and certificate.signed_credential):
                tally.failures.append(f"certificate {certificate.code} lacks its PDF or signed credential")
        holders = {user_id for user_id, _, _ in groups}
        for learner in people:
            if learner.certificate_codes and users[learner.email] not in holders:
                tally.failures.append(f"{learner.email} claimed but holds no certificate")
        db.engine.dispose()
    return found


def warm_up(port: int) -> None:
    """Wait until every worker has booted (each loads the course): several quick answers in a row."""
    from harness import Http

    quick, deadline = 0, time.monotonic() + 120
    while quick < 12 and time.monotonic() < deadline:
        started = time.monotonic()
        status, _, _ = Http(port).request("GET", "/modules")
        quick = quick + 1 if status == 200 and time.monotonic() - started < 0.3 else 0


def run(kind: str, args) -> bool:
    folder = temp_folder(f"load-{kind}-")
    server = OwnPostgres().create() if kind == "postgresql" else None
    redis = OwnRedis().start()
    app = None
    tally = Tally()
    try:
        port = free_port()
        database_url = server.url("postgres") if server else f"sqlite:///{folder / 'load.sqlite3'}"
        env = app_environment(folder, database_url, port, RATELIMIT_STORAGE_URI=redis.url(6))
        migrate(env)
        started = time.monotonic()
        people, seeded = seed(env, args.learners, args.claimers)
        print(f"{kind}: seeded {len(people)} learners in {time.monotonic() - started:.0f} s", flush=True)
        log = folder / "gunicorn.log"
        app = Gunicorn(APP, env, port, workers=4, log=log, extra=("--timeout", "60"))
        warm_up(port)

        async def faults(tally: Tally) -> None:
            if not args.faults:
                return
            await asyncio.sleep(args.seconds * 0.3)
            victim = random.choice(app.workers())
            os.kill(victim, signal.SIGKILL)
            print(f"{kind}: killed worker {victim} with SIGKILL at {args.seconds * 0.3:.0f} s", flush=True)
            if server:
                await asyncio.sleep(args.seconds * 0.25)
                began = time.monotonic()
                tally.outage.append((began, float("inf")))
                await asyncio.get_running_loop().run_in_executor(None, server.restart)
                tally.outage[-1] = (began, time.monotonic())
                print(f"{kind}: restarted PostgreSQL in {time.monotonic() - began:.1f} s", flush=True)

        asyncio.run(drive(people, seeded, port, args.seconds, faults, tally))
        found = check_database(env, people, seeded, tally)
        log_text = log.read_text(errors="replace")
        if "database is locked" in log_text:
            tally.failures.append("'database is locked' in the server log")
        if "Traceback" in log_text:
            tally.failures.append("a traceback in the server log: " + log_text[log_text.index("Traceback"):][:600])
        report(kind, args, tally, found)
        return not tally.failures
    finally:
        if app:
            app.stop()
        redis.stop()
        if server:
            server.destroy()


def report(kind: str, args, tally: Tally, found: dict) -> None:
    print(f"\n{kind}: {args.learners} learners, {args.seconds} s, 4 workers, faults {'on' if args.faults else 'off'}")
    print("| action | requests | statuses | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---|---|---|---|")
    for action, times in sorted(tally.latencies.items()):
        ordered = sorted(times)

        def pct(p: float) -> float:
            return ordered[min(len(ordered) - 1, int(p * len(ordered)))]

        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(tally.statuses[action].items()))
        print(f"| {action} | {len(times)} | {statuses} | {statistics.median(times):.0f} | {pct(0.95):.0f} | {pct(0.99):.0f} |")
    print(f"503 during the database restart: {len(tally.errors_503)}; connections cut (the killed worker, the "
          f"restart): {dict(tally.connection_errors) or 0}")
    print(f"checked: {found['autosaves checked']} learners' last acknowledged autosave, {found['certificates']} "
          "certificates")
    if tally.failures:
        print(f"FAIL: {len(tally.failures)} problem(s)")
        for failure in tally.failures[:30]:
            print("  -", failure)
    else:
        print("PASS: no 500s, nothing acknowledged lost, one complete certificate per learner and module")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--claimers", type=int, default=50, help="learners who claim a certificate during the run")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--no-faults", dest="faults", action="store_false")
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    results = {kind: run(kind, args) for kind in kinds}
    print("\n" + ", ".join(f"{k}: {'PASS' if ok else 'FAIL'}" for k, ok in results.items()))
    sys.exit(0 if all(results.values()) else 1)


if __name__ == "__main__":
    main()
