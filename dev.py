#!/usr/bin/env python3
"""One command to set everything up and run the app or its tests. Needs only Python 3.11+.

    python3 dev.py serve    # install, migrate, check the course, serve http://127.0.0.1:5000 (PORT=8080 for another port)
    python3 dev.py test     # install (with test tools), then run the whole test suite
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def run(*args: str, **kwargs) -> None:
    print("+", " ".join(args), flush=True)
    subprocess.run(args, check=True, cwd=ROOT, **kwargs)


def install(extras: str) -> None:
    """Create the virtual environment and install the project, skipping work already done."""
    if sys.version_info < (3, 11):
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        venv.create(VENV, with_pip=True)
    stamp = VENV / f".installed-{extras or 'app'}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    run(str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(str(PYTHON), "-m", "pip", "install", "--quiet", "-e", f".[{extras}]" if extras else ".")
    stamp.write_text(digest)


def flask(*args: str) -> None:
    run(str(BIN / "flask"), "--app", "course_app", *args)


def ensure_chromium() -> None:
    """Install Debian's Chromium for the browser tests when it is missing and we may (root with apt)."""
    if shutil.which("chromium") or Path("/usr/bin/chromium").exists():
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        run("apt-get", "update", "-q")
        run("apt-get", "install", "-y", "-q", "chromium")
    else:
        print("Chromium is not installed: the browser tests will be skipped (install the 'chromium' package).")


def serve() -> None:
    install("")
    flask("db", "upgrade")
    flask("course", "check")
    port = os.environ.get("PORT", "5000")
    print(f"\nServing the course at http://127.0.0.1:{port}  (Ctrl+C to stop)\n", flush=True)
    os.execv(str(BIN / "flask"), [str(BIN / "flask"), "--app", "course_app", "run", "--host", "127.0.0.1",
                                  "--port", port])


def test(pytest_args: list[str]) -> None:
    install("test")
    ensure_chromium()
    result = subprocess.run([str(PYTHON), "-m", "pytest", *pytest_args], cwd=ROOT)
    sys.exit(result.returncode)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "serve":
        serve()
    elif command == "test":
        test(sys.argv[2:])
    else:
        sys.exit(__doc__)
