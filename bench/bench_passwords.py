"""Time argon2id hashing and verification with the app's parameters, against the library default.

    .venv/bin/python bench/bench_passwords.py
"""
from __future__ import annotations

import statistics
import time

from argon2 import PasswordHasher

from course_app.auth.passwords import HASHER


def timed(fn, runs: int = 20) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    for name, hasher in (("app (19 MiB, t=2, p=1)", HASHER), ("argon2-cffi default", PasswordHasher())):
        stored = hasher.hash("correct horse battery staple")
        cpu_start = time.process_time()
        wall_start = time.perf_counter()
        median, worst = timed(lambda: hasher.verify(stored, "correct horse battery staple"))
        cores = (time.process_time() - cpu_start) / (time.perf_counter() - wall_start)
        print(f"{name:<26} verify: median {median:6.1f} ms, max {worst:6.1f} ms, ~{cores:.1f} cores busy; "
              f"~{1000 / median * 2 / max(cores, 1):.0f} logins/s on 2 cores")


if __name__ == "__main__":
    main()
