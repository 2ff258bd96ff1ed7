"""What the HTTP benchmarks share: a database to serve from, gunicorn processes, logging in over HTTP."""
from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers import OwnPostgres, OwnRedis, free_port  # noqa: E402

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
USER_AGENT = "bench/1.0"  # the same on every request, so the session's identifier matches
PASSWORD = "quiet evening study hours"


def app_environment(folder: Path, database_url: str, port: int, **extra: str) -> dict[str, str]:
    """The environment of a production instance serving from this folder."""
    env = dict(os.environ)
    env.update({"COURSE_ENV": "production", "SECRET_KEY": "bench-secret-key-" + "x" * 32,
                "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "DATABASE_URL": database_url,
                "SIGNING_KEY_FILE": str(folder / "signing-key.json"), "CONTENT_ROOT": str(ROOT),
                "RATELIMIT_STORAGE_URI": "memory://", **extra})
    return env


def migrate(env: dict[str, str]) -> None:
    subprocess.run([str(Path(sys.executable).with_name("flask")), "--app", "course_app", "db", "upgrade"],
                   env=env, cwd=ROOT, check=True, capture_output=True)


def wait_for_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


class Gunicorn:
    """A gunicorn master with sync workers on a port of its own."""

    def __init__(self, app: str, env: dict[str, str], port: int, workers: int = 2, log: Path | None = None,
                 extra: tuple[str, ...] = (), access_log: bool = False):
        self.port = port
        self.log = log
        self._out = out = open(log, "ab") if log else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [GUNICORN, "-w", str(workers), "-b", f"127.0.0.1:{port}", "--access-logfile", "-" if log and access_log else "/dev/null",
             "--graceful-timeout", "5", "--no-control-socket", *extra, app], env=env, cwd=ROOT, stdout=out, stderr=out)
        wait_for_port(port)

    def workers(self) -> list[int]:
        """The pids of the master's worker processes."""
        return sorted(children_of(self.process.pid))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if self._out is not subprocess.DEVNULL:
            self._out.close()


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time these processes have used so far (those gone count nothing)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def children_of(pid: int) -> list[int]:
    """The pids of a process's direct children."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError):
            continue
    return found


def resident_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Session:
    """A logged-in browser: its cookie header and CSRF token."""

    cookie: str
    token: str


class Http:
    """A tiny HTTP client that keeps one cookie (the Flask session) even when it is marked Secure."""

    def __init__(self, port: int, timeout: float = 30):
        self.port, self.timeout = port, timeout
        self.cookie = ""

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        all_headers = {"User-Agent": USER_AGENT, **(headers or {})}
        if self.cookie:
            all_headers["Cookie"] = self.cookie
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie" and value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        connection.close()
        return response.status, dict(response.getheaders()), data.decode("utf-8", "replace")

    def token(self, path: str) -> str:
        status, _, html = self.request("GET", path)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
            r'name="csrf-token" content="([^"]+)"', html)
        if not match:
            raise RuntimeError(f"no CSRF token on {path} (status {status})")
        return match.group(1)

    def form(self, path: str, fields: dict, token_page: str | None = None):
        from urllib.parse import urlencode

        fields = {"csrf_token": self.token(token_page or path), **fields}
        return self.request("POST", path, urlencode(fields, doseq=True).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def json(self, path: str, payload: dict, token: str):
        return self.request("POST", path, json.dumps(payload).encode(),
                            {"Content-Type": "application/json", "X-CSRFToken": token})


def log_in(port: int, email: str, token_page: str) -> Session:
    """Log in over HTTP and return the session cookie that carries a CSRF token, and that token."""
    client = Http(port)
    status, _, body = client.form("/account/login", {"email": email, "password": PASSWORD, "next": ""})
    if status != 302:
        raise RuntimeError(f"login of {email} answered {status}: {body[:200]}")
    token = client.token(token_page)
    return Session(client.cookie, token)


def seed(env: dict[str, str], learners: int) -> dict:
    """Create learners (learner0 has finished module 1's lessons, reflected, opened its post-test and holds a
    certificate; every learner has saved the first reflection once) and return the addresses to load."""
    from course_app import create_app
    from course_app.assessment.attempts import start_attempt
    from course_app.assessment.reflections import save_reflection
    from course_app.auth.operations import register
    from course_app.certificates.issuance import issue, local_date, module_subject
    from course_app.course_store import current_course
    from course_app.extensions import db
    from course_app.learning.progress import mark_complete
    from course_app.models import utcnow

    app = create_app({"DATABASE_URL": env["DATABASE_URL"], "SECRET_KEY": env["SECRET_KEY"],
                      "SIGNING_KEY_FILE": env["SIGNING_KEY_FILE"], "PUBLIC_BASE_URL": env["PUBLIC_BASE_URL"]})
    with app.app_context():
        course = current_course()
        module = course.modules[0]
        lesson = next(lesson for lesson in module.lessons if lesson.reflections)
        reflection = lesson.reflections[0].id
        users = [register(email=f"learner{i}@example.org", password=PASSWORD, full_name=f"Learner Number{i}",
                          credential="OTR/L") for i in range(learners)]
        for user in users:  # as if each had followed the confirmation link
            user.email_confirmed_at = utcnow()
        db.session.commit()
        main = users[0]
        for each in module.lessons:
            mark_complete(main.id, module.id, each.id)
        words = " ".join(["practice"] * 80)
        for spec in module.reflections:
            save_reflection(main.id, module.id, spec.id, words, 0)
        for user in users[1:]:
            save_reflection(user.id, module.id, reflection, "first words", 0)
        attempt = start_attempt(main.id, module.id, module.quiz)
        certificate = issue(main, module_subject(module), course, local_date(utcnow()))
        db.session.commit()
        seeded = {"module": module.id, "lesson": lesson.id, "reflection": reflection, "attempt": attempt.id,
                  "code": certificate.code, "emails": [u.email for u in users]}
        db.engine.dispose()
    return seeded


def temp_folder(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))


__all__ = ["OwnPostgres", "OwnRedis", "free_port", "cpu_seconds", "children_of", "Gunicorn", "Http", "Session", "log_in", "migrate",
           "app_environment", "resident_mib", "seed", "temp_folder", "wait_for_port", "ROOT", "PASSWORD"]


def times_ms(action, runs: int = 50, warm_up: bool = False) -> list[float]:
    """Run an action `runs` times (after one untimed call when warm_up) and return each run's milliseconds."""
    if warm_up:
        action()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return times


def median_ms(action, runs: int = 50, warm_up: bool = False) -> float:
    """The median of times_ms."""
    return statistics.median(times_ms(action, runs, warm_up))
