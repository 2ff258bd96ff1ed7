"""Time loading the course and serving pages, and measure memory, on a throwaway SQLite database.

    .venv/bin/python bench/bench_pages.py
"""
from __future__ import annotations

import re
import tempfile
import time
import tracemalloc
from pathlib import Path

from course_app import create_app
from harness import median_ms
from course_app.config import PROJECT_ROOT
from course_app.content import load_course


def main() -> None:
    start = time.perf_counter()
    course, _ = load_course(PROJECT_ROOT)
    load_ms = (time.perf_counter() - start) * 1000
    tracemalloc.start()  # measured apart: tracing slows the load several times over
    course, _ = load_course(PROJECT_ROOT)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    words = sum(m.words for m in course.modules)
    print(f"load + validate + render the course ({len(course.modules)} modules, {words} words): {load_ms:.0f} ms, "
          f"{current / 2**20:.1f} MiB held, {peak / 2**20:.1f} MiB peak")

    folder = Path(tempfile.mkdtemp())
    app = create_app({"DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}", "SECRET_KEY": "bench",
                      "RATELIMIT_ENABLED": False, "SIGNING_KEY_FILE": str(folder / "key.json")})
    with app.app_context():
        from flask_migrate import upgrade
        upgrade()
    client = app.test_client()
    page = client.get("/account/register").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/account/register", data={"csrf_token": token, "full_name": "Bench Mark", "email": "b@example.org",
                                           "password": "quiet evening study hours", "confirm": "quiet evening study hours",
                                           "credential": "OTR/L"})
    page = client.get("/account/login").get_data(as_text=True)  # registration no longer logs in (issue 11)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/account/login", data={"csrf_token": token, "email": "b@example.org",
                                        "password": "quiet evening study hours"})
    module = course.modules[0]
    lesson = f"/modules/{module.id}/lessons/{module.lessons[0].id}"
    for path in ("/", "/modules", f"/modules/{module.id}", lesson, "/dashboard"):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code, response.location)
        print(f"GET {path:<55} median {median_ms(lambda: client.get(path)):5.1f} ms")


if __name__ == "__main__":
    main()
