"""Profile the logged-in pages in-process with pyinstrument, on a throwaway SQLite database or PostgreSQL server.

    .venv/bin/python bench/profile_pages.py [--runs 200] [--rounds 5] [--page lesson] [--tree] [--db postgresql]

Prints, per page, the median CPU time per request (steadier than wall time on a shared machine) and pyinstrument's call tree (the hot path).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import USER_AGENT, OwnPostgres, app_environment, free_port, migrate, seed, temp_folder  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=1, help="repeat the runs; the fastest round's median is printed")
    parser.add_argument("--page", action="append", help="home, catalog, module, lesson, dashboard, attempt, verify, autosave")
    parser.add_argument("--tree", action="store_true", help="print pyinstrument's call tree")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite",
                        help="postgresql: a throwaway server of the script's own")
    args = parser.parse_args()
    folder = temp_folder("profile-")
    server = OwnPostgres().create() if args.db == "postgresql" else None
    try:
        profile(args, folder, server.url("postgres") if server else f"sqlite:///{folder / 'profile.sqlite3'}")
    finally:
        if server:
            server.destroy()


def profile(args, folder: Path, database_url: str) -> None:
    from pyinstrument import Profiler

    from course_app import create_app
    from harness import PASSWORD

    env = app_environment(folder, database_url, free_port())
    migrate(env)
    seeded = seed(env, 2)
    app = create_app({"DATABASE_URL": env["DATABASE_URL"], "SECRET_KEY": env["SECRET_KEY"], "COURSE_ENV": "production",
                      "PUBLIC_BASE_URL": env["PUBLIC_BASE_URL"], "SIGNING_KEY_FILE": env["SIGNING_KEY_FILE"],
                      "RATELIMIT_ENABLED": False, "SESSION_COOKIE_SECURE": False})
    from flask.testing import FlaskClient

    class AtPublicAddress(FlaskClient):
        def open(self, *args, **kwargs):  # production answers only at its public address
            kwargs.setdefault("base_url", env["PUBLIC_BASE_URL"])
            return super().open(*args, **kwargs)

    app.test_client_class = AtPublicAddress
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
    import re
    page = client.get("/account/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert client.post("/account/login", data={"csrf_token": token, "email": seeded["emails"][0],
                                                "password": PASSWORD}).status_code == 302
    module, lesson = seeded["module"], seeded["lesson"]
    lesson_page = client.get(f"/modules/{module}/lessons/{lesson}").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', lesson_page).group(1)
    revision = [0]

    def autosave():
        from course_app.extensions import db  # noqa: F401
        response = client.post(f"/modules/{module}/reflections/{seeded['reflection']}",
                               json={"text": f"text {revision[0]}", "revision": revision[0] or 1},
                               headers={"X-CSRFToken": token})
        if response.status_code in (200, 409):
            revision[0] = response.get_json()["revision"]
        return response

    pages = {"home": lambda: client.get("/"), "catalog": lambda: client.get("/modules"),
             "module": lambda: client.get(f"/modules/{module}"),
             "lesson": lambda: client.get(f"/modules/{module}/lessons/{lesson}"),
             "dashboard": lambda: client.get("/dashboard"),
             "attempt": lambda: client.get(f"/quiz/attempts/{seeded['attempt']}"),
             "verify": lambda: client.get(f"/verify/{seeded['code']}"), "autosave": autosave}
    for name in args.page or list(pages):
        fetch = pages[name]
        fetch()
        profiler = Profiler(interval=0.0005)
        if args.tree:  # the profiler's own cost inflates the times, so it runs only when its tree is wanted
            profiler.start()
        best = None
        for _ in range(args.rounds):  # a noisy machine slows some rounds; the fastest is the code's own cost
            times, cpu = [], []
            for _ in range(args.runs):
                start, start_cpu = time.perf_counter(), time.process_time()
                status = fetch().status_code
                times.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
            if best is None or statistics.median(cpu) < statistics.median(best[1]):
                best = times, cpu
        times, cpu = best
        if args.tree:
            profiler.stop()
        print(f"{name:<10} status {status}  CPU {statistics.median(cpu):6.2f} ms per request (median; wall "
              f"{statistics.median(times):6.2f} ms, which a busy machine inflates)")
        if args.tree:
            print(profiler.output_text(unicode=False, color=False, show_all=False, short_mode=True))


if __name__ == "__main__":
    main()
