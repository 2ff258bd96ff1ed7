"""The app against bare Flask on the same gunicorn settings, driven by wrk; ratios from one run count.

    .venv/bin/python bench/bench_http.py                       # SQLite and PostgreSQL, 2 workers, 32 connections
    .venv/bin/python bench/bench_http.py --db sqlite --duration 5 --reps 3
    .venv/bin/python bench/bench_http.py --db sqlite --page autosave --page verify   # only these pages
    .venv/bin/python bench/bench_http.py --limits   # rate limits on, kept in a Redis of the script's own

Production configuration (COURSE_ENV=production). Rate limits are off unless --limits: the verify page's
30 a minute would answer 429, so --limits leaves that page out, and clears its Redis before each of the
setup's logins (10 a minute). Each autosave connection is one learner saving revision after revision; its
first save of a run may be a 409 (the revision it starts from is older), counted as non-2xx. PostgreSQL is
a throwaway server of the script's own (initdb in a temporary folder), so a shared server is neither used
nor disturbed. Needs wrk (Debian: apt-get install wrk).
"""
from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402
    ROOT,
    USER_AGENT,
    Gunicorn,
    Http,
    OwnPostgres,
    OwnRedis,
    app_environment,
    children_of,
    cpu_seconds,
    free_port,
    log_in,
    migrate,
    resident_mib,
    seed,
    temp_folder,
)

APP = 'course_app:create_app({"RATELIMIT_ENABLED": False})'
APP_WITH_LIMITS = "course_app:create_app()"
BARE = "bench.bare_app:app"
AUTOSAVE_LUA = r"""
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  local lines = {}
  for line in io.lines("%(sessions)s") do lines[#lines + 1] = line end
  local cookie, token = lines[(id %% #lines) + 1]:match("([^\t]+)\t([^\t]+)")
  wrk.headers["Cookie"] = cookie
  wrk.headers["X-CSRFToken"] = token
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["User-Agent"] = "%(agent)s"
  revision = 1
end
function request()
  local body = '{"text": "Autosaved while she typed, revision ' .. revision .. '.", "revision": ' .. revision .. '}'
  return wrk.format("POST", "%(path)s", nil, body)
end
function response(status, headers, body)
  local saved = body:match('"revision":%%s*(%%d+)')
  if (status == 200 or status == 409) and saved then revision = tonumber(saved) end
end
"""
GET_LUA = """
wrk.headers["User-Agent"] = "%(agent)s"
%(cookie)s
"""


def parse_wrk(output: str) -> dict:
    """Requests per second, p50 and p99 in ms, and the count of non-2xx/3xx answers from wrk --latency."""
    def ms(text: str) -> float:
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {"rps": rps, "p50": p50, "p99": p99, "requests": requests, "bad": int(bad.group(1)) if bad else 0,
            "socket_errors": sum(map(int, errors.groups())) if errors else 0}


def wrk(port: int, path: str, script: Path, seconds: int, connections: int, watched: dict | None = None) -> dict:
    """One wrk run; with watched ({name: function giving pids}), also each group's CPU ms per request."""
    watched = watched or {}
    before = {name: cpu_seconds(pids()) for name, pids in watched.items()}
    result = subprocess.run(["wrk", "-t", str(connections), "-c", str(connections), "-d", f"{seconds}s", "--latency",
                             "-s", str(script), f"http://127.0.0.1:{port}{path}"],
                            capture_output=True, text=True, timeout=seconds + 60)
    if result.returncode != 0:
        raise RuntimeError(result.stderr or result.stdout)
    figures = parse_wrk(result.stdout)
    for name, pids in watched.items():
        figures[name] = (cpu_seconds(pids()) - before[name]) * 1000 / max(figures["requests"], 1)
    return figures


def endpoints(seeded: dict, session) -> list[tuple[str, str, str | None]]:
    """(name, path, cookie or None) for each page measured; the autosave is marked by its path."""
    module, lesson = seeded["module"], seeded["lesson"]
    return [
        ("home (anonymous)", "/", None),
        ("catalog (anonymous)", "/modules", None),
        ("module (logged in)", f"/modules/{module}", session.cookie),
        ("lesson (logged in)", f"/modules/{module}/lessons/{lesson}", session.cookie),
        ("dashboard (logged in)", "/dashboard", session.cookie),
        ("post-test attempt page", f"/quiz/attempts/{seeded['attempt']}", session.cookie),
        ("reflection autosave", f"/modules/{module}/reflections/{seeded['reflection']}", "autosave"),
        ("verify page (anonymous)", f"/verify/{seeded['code']}", None),
    ]


def run_database(kind: str, args, folder: Path) -> tuple[dict, dict]:
    """Benchmark one database; return per-endpoint medians and memory figures."""
    server = OwnPostgres().create() if kind == "postgresql" else None
    limits = OwnRedis().start() if args.limits else None
    app = bare = None
    try:
        database_url = server.url("postgres") if server else f"sqlite:///{folder / 'bench.sqlite3'}"
        port, bare_port = free_port(), free_port()
        env = app_environment(folder, database_url, port,
                              **({"RATELIMIT_STORAGE_URI": limits.url()} if limits else {}))
        migrate(env)
        seeded = seed(env, args.connections + 1)
        app = Gunicorn(APP_WITH_LIMITS if limits else APP, env, port, workers=args.workers,
                       log=folder / f"{kind}-app.log")
        bare = Gunicorn(BARE, env, bare_port, workers=args.workers)

        def log_in_for_setup(email: str, page: str):
            if limits:  # the setup logs in 33 learners from one address; login allows 10 a minute
                with redis.Redis.from_url(limits.url()) as store:
                    store.flushdb()
            return log_in(port, email, page)

        main = log_in_for_setup(seeded["emails"][0], "/dashboard")
        sessions = folder / f"sessions-{kind}.tsv"
        lesson_page = f"/modules/{seeded['module']}/lessons/{seeded['lesson']}"
        sessions.write_text("".join(f"{s.cookie}\t{s.token}\n" for s in
                                    (log_in_for_setup(email, lesson_page) for email in seeded["emails"][1:])))
        measured = [e for e in endpoints(seeded, main) if not args.page or any(w in e[0] for w in args.page)]
        if limits:
            measured = [e for e in measured if not e[1].startswith("/verify/")]
        scripts = {}
        for name, path, cookie in measured:
            script = folder / f"{kind}-{len(scripts)}.lua"
            if cookie == "autosave":
                script.write_text(AUTOSAVE_LUA % {"sessions": sessions, "agent": USER_AGENT, "path": path})
            else:
                script.write_text(GET_LUA % {"agent": USER_AGENT,
                                             "cookie": f'wrk.headers["Cookie"] = "{cookie}"' if cookie else ""})
                status, _, body = Http(port).request("GET", path, headers={"Cookie": cookie} if cookie else None)
                if status != 200:
                    raise RuntimeError(f"{name} {path} answered {status}: {body[:300]}")
            scripts[name] = script
        bare_script = folder / "bare.lua"
        bare_script.write_text(GET_LUA % {"agent": USER_AGENT, "cookie": ""})

        runs: dict[str, list[dict]] = {name: [] for name, _, _ in measured}
        runs["bare Flask"] = []
        for name, path, _ in measured:  # warm up every page once
            wrk(port, path, scripts[name], 1, args.connections)
        first_workers = set(app.workers())
        watched = {"worker_ms": app.workers}
        if server:
            postmaster = int((server.data / "postmaster.pid").read_text().split()[0])
            watched["database_ms"] = lambda: [postmaster, *children_of(postmaster)]
        for rep in range(args.reps):
            order = list(measured)
            random.Random(rep).shuffle(order)
            runs["bare Flask"].append(wrk(bare_port, "/", bare_script, args.duration, args.connections,
                                          {"worker_ms": bare.workers}))
            for name, path, _ in order:
                result = wrk(port, path, scripts[name], args.duration, args.connections, watched)
                result["ratio"] = result["rps"] / runs["bare Flask"][-1]["rps"]
                runs[name].append(result)
            print(f"  {kind}: repetition {rep + 1} of {args.reps} done", file=sys.stderr, flush=True)
        memory = {"app worker MiB": [round(resident_mib(p), 1) for p in app.workers()],
                  "bare worker MiB": [round(resident_mib(p), 1) for p in bare.workers()],
                  "app workers replaced during the run": len(set(app.workers()) - first_workers)}
        summary = {name: {key: statistics.median(r[key] for r in results) for key in results[0]}
                   | {"bad": sum(r["bad"] for r in results), "socket_errors": sum(r["socket_errors"] for r in results)}
                   for name, results in runs.items()}
        return summary, memory
    except Exception:
        if app and app.log and app.log.exists():
            print(app.log.read_text(errors="replace")[-4000:], file=sys.stderr)
        raise
    finally:
        for process in (app, bare):
            if process:
                process.stop()
        if server:
            server.destroy()
        if limits:
            limits.stop()


def print_table(results: dict[str, dict], args) -> None:
    kinds = list(results)
    print(f"\n{args.workers} sync workers, wrk {args.connections} connections, {args.reps} x {args.duration} s per page, "
          "medians; ratio = req/s over bare Flask's in the same repetition; rate limits "
          + ("on (Redis), verify page left out" if args.limits else "off"))
    header = "| page | " + " | ".join(f"{k} req/s | ratio | p50 ms | p99 ms" for k in kinds) + " |"
    print(header)
    print("|" + "---|" * (1 + 4 * len(kinds)))
    names = list(next(iter(results.values()))[0])
    for name in names:
        cells = []
        for kind in kinds:
            r = results[kind][0][name]
            ratio = f"{r['ratio']:.2f}" if "ratio" in r else "1"
            flag = f" ({r['bad']} non-2xx)" if r["bad"] else ""
            cells.append(f"{r['rps']:.0f}{flag} | {ratio} | {r['p50']:.1f} | {r['p99']:.1f}")
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("\nCPU ms per request, from /proc (the app's workers; on PostgreSQL also the database server, which "
          "shares the machine's cores):")
    columns = [(kind, key) for kind in kinds for key in ("worker_ms", "database_ms")
               if any(key in r for r in results[kind][0].values())]
    print("| page | " + " | ".join(f"{kind} {key.split('_')[0]}" for kind, key in columns) + " |")
    print("|" + "---|" * (1 + len(columns)))
    for name in names:
        cells = [f"{results[kind][0][name][key]:.2f}" if key in results[kind][0][name] else "" for kind, key in columns]
        print(f"| {name} | " + " | ".join(cells) + " |")
    for kind in kinds:
        print(f"{kind}: resident memory per worker after the run: {results[kind][1]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--duration", type=int, default=5, help="seconds per page and repetition")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--page", action="append", help="only the pages whose name holds this word (repeatable)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--limits", action="store_true",
                        help="rate limits on, as in production, kept in a Redis of the script's own")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")
    if args.limits and not OwnRedis.available():
        sys.exit("--limits needs redis-server (Debian: apt-get install redis-server)")
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    results = {}
    for kind in kinds:
        folder = temp_folder(f"bench-{kind}-")
        try:
            results[kind] = run_database(kind, args, folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    print_table(results, args)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
