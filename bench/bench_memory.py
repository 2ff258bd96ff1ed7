"""Resident memory of one app process with the course loaded, and how it grows with the number of modules.

    .venv/bin/python bench/bench_memory.py [--copies 0 1 3 7]

Each worker holds the whole course (parsed, validated, rendered), so this is the memory per gunicorn
worker. Larger courses are made by copying every shipped module (and its post-test) under new ids; each
measurement runs in a fresh process that builds the app in production mode and opens every lesson once.
"""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MEASURE = r"""
import re, sys
from pathlib import Path
from course_app import create_app
from course_app.course_store import current_course
root, db = sys.argv[1], sys.argv[2]
app = create_app({"DATABASE_URL": db, "SECRET_KEY": "m" * 40, "COURSE_ENV": "production", "CONTENT_ROOT": root,
                  "PUBLIC_BASE_URL": "https://ce.example.org", "SIGNING_KEY_FILE": root + "/key.json",
                  "RATELIMIT_ENABLED": False})
client = app.test_client()
with app.app_context():
    course = current_course()
    paths = ["/", "/modules"] + [f"/modules/{m.id}" for m in course.modules]
for path in paths:
    assert client.get(path, base_url="https://ce.example.org").status_code == 200, path  # production: its public address only
rss = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS:")) / 1024
print(len(course.modules), sum(m.words for m in course.modules), round(rss, 1))
"""


def make_root(copies: int, folder: Path) -> Path:
    """The shipped course plus `copies` copies of each module under new ids."""
    root = folder / f"course-{copies}"
    shutil.copytree(ROOT / "modules", root / "modules")
    shutil.copytree(ROOT / "quizzes", root / "quizzes")
    shutil.copy(ROOT / "course.yaml", root / "course.yaml")
    for extra in range(1, copies + 1):
        for module in sorted((ROOT / "modules").iterdir()):
            if not (module / "module.md").exists():
                continue
            text = (module / "module.md").read_text()
            old_id = re.search(r"^id:\s*(\S+)", text, re.M).group(1)
            new_id = f"{old_id}-copy{extra}"
            target = root / "modules" / f"{module.name}-copy{extra}"
            shutil.copytree(module, target)
            text = re.sub(r"^id:\s*\S+", f"id: {new_id}", text, count=1, flags=re.M)
            text = re.sub(r"^prerequisites:.*$", "prerequisites: []", text, count=1, flags=re.M)
            text = re.sub(r"^order:\s*(\d+)", lambda m: f"order: {100 * extra + int(m.group(1))}", text, count=1,
                          flags=re.M)
            (target / "module.md").write_text(text)
            quiz = ROOT / "quizzes" / f"{old_id}.yaml"
            if quiz.exists():
                quiz_text = re.sub(r"^module:\s*\S+", f"module: {new_id}", quiz.read_text(), count=1, flags=re.M)
                (root / "quizzes" / f"{new_id}.yaml").write_text(quiz_text)
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, nargs="+", default=[0, 1, 3, 7])
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    try:
        bare = subprocess.run([sys.executable, "-c", "import flask, sqlalchemy; "
                               "print(next(int(l.split()[1]) for l in open('/proc/self/status') "
                               "if l.startswith('VmRSS:')) / 1024)"], capture_output=True, text=True, check=True)
        print(f"a Python process with Flask and SQLAlchemy imported: {float(bare.stdout):.1f} MiB")
        print("| modules | words | resident MiB | MiB per module beyond the shipped course |")
        print("|---|---|---|---|")
        base = None
        for copies in args.copies:
            root = make_root(copies, folder)
            result = subprocess.run([sys.executable, "-c", MEASURE, str(root), f"sqlite:///{folder / 'm.sqlite3'}"],
                                    cwd=ROOT, capture_output=True, text=True)
            if result.returncode != 0:
                sys.exit(result.stderr[-3000:])
            modules, words, rss = result.stdout.split()
            modules, rss = int(modules), float(rss)
            base = base or (modules, rss)
            per = f"{(rss - base[1]) / (modules - base[0]):.2f}" if modules > base[0] else "-"
            print(f"| {modules} | {words} | {rss:.1f} | {per} |")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
