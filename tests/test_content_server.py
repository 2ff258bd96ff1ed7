"""Broken content at the server: learners keep the last good course, instructors see every problem."""
from __future__ import annotations

import html as html_text
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import FIXTURE_COURSE, PASSWORD
from .test_instructor import make_instructor

LESSON = Path("modules") / "01-basics" / "01-one.md"
BROKEN_LINE = "modules/01-basics/01-one.md:4: minutes: must be a whole number, not 'four'"


@pytest.fixture
def content_root(tmp_path) -> Path:
    root = tmp_path / "live-course"
    shutil.copytree(FIXTURE_COURSE, root)
    return root


def touch(path: Path, step: int) -> None:
    """Give an edited file a modification time the store cannot miss, even within one clock tick."""
    now = time.time_ns() + step * 1_000_000
    os.utime(path, ns=(now, now))


def break_lesson(root: Path, step: int = 1) -> None:
    path = root / LESSON
    path.write_text(path.read_text().replace("minutes: 4", "minutes: four"))
    touch(path, step)


def mend_lesson(root: Path, step: int = 2) -> None:
    path = root / LESSON
    path.write_text(path.read_text().replace("minutes: four", "minutes: 4"))
    touch(path, step)


def test_a_broken_edit_leaves_learners_the_last_good_course_and_shows_instructors_a_banner(
        app, client, auth, runner, content_root):
    learner = app.test_client()
    type(auth)(learner).register(email="lee@example.org", name="Lee Learner")
    make_instructor(app, auth, runner)
    assert "content-banner" not in client.get("/modules/basics").get_data(as_text=True)
    break_lesson(content_root)
    for page in ("/modules/basics", "/dashboard", "/modules", "/journal", "/no-such-page",
                 "/modules/basics/lessons/lesson-one"):  # a lesson page is kept, its notices are not
        html = html_text.unescape(client.get(page).get_data(as_text=True))
        assert "content-banner" in html and BROKEN_LINE in html, page  # path:line: message on every page
        assert 'href="/instructor/content"' in html
    seen_by_learner = learner.get("/modules/basics")
    assert seen_by_learner.status_code == 200 and "Lesson One" in seen_by_learner.get_data(as_text=True)
    assert BROKEN_LINE not in seen_by_learner.get_data(as_text=True)
    assert "content-banner" not in learner.get("/modules/basics/lessons/lesson-one").get_data(as_text=True)
    listing = html_text.unescape(client.get("/instructor/content").get_data(as_text=True))
    assert BROKEN_LINE in listing and "Learners still see the last version" in listing
    assert learner.get("/instructor/content").status_code == 403
    mend_lesson(content_root)
    assert "content-banner" not in client.get("/modules/basics").get_data(as_text=True)


def test_content_broken_from_the_start_shows_learners_an_updating_page_and_instructors_the_list(
        app, client, auth, runner, content_root):
    break_lesson(content_root)
    for email, role in (("lee@example.org", "learner"), ("teacher@example.org", "instructor")):
        made = runner.invoke(args=["users", "create", email, "--role", role, "--name", "Lee Tess"],
                             input=f"{PASSWORD}\n{PASSWORD}\n")
        assert made.exit_code == 0, made.output
    learner = app.test_client()
    type(auth)(learner).login(email="lee@example.org")
    waiting = learner.get("/modules/basics")
    assert waiting.status_code == 503 and waiting.headers["Retry-After"] == "30"
    text = waiting.get_data(as_text=True)
    assert "The course is being updated" in text and 'http-equiv="refresh"' in text and BROKEN_LINE not in text
    assert learner.get("/modules", headers={"Accept": "application/json"}).get_json()["error"].startswith(
        "The course is being updated")
    auth.login(email="teacher@example.org")
    listing = client.get("/modules/basics")
    assert listing.status_code == 503 and BROKEN_LINE in html_text.unescape(listing.get_data(as_text=True))
    assert "No version of the course has loaded yet" in listing.get_data(as_text=True)
    mend_lesson(content_root)
    assert learner.get("/modules/basics").status_code == 200  # up by itself once the file is fixed
    assert "content-banner" not in client.get("/modules/basics").get_data(as_text=True)


def test_the_problems_page_lists_warnings_too(app, client, auth, runner, content_root):
    path = content_root / LESSON
    path.write_text(path.read_text() + "\n![](missing.png)\n")
    touch(path, 1)
    make_instructor(app, auth, runner)
    page = client.get("/instructor/content").get_data(as_text=True)
    assert "no errors" in page and "warning: image &#39;missing.png&#39; has no alt text" in page
    assert "content-banner" not in page  # warnings alone do not put up the banner


def test_media_never_serves_a_link_that_leads_outside_the_course(client, auth, content_root, tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG private")
    images = content_root / "modules" / "01-basics" / "images"
    images.mkdir()
    os.symlink(secret, images / "leak.png")
    os.symlink("/etc/passwd", images / "passwd.png")
    (images / "real.png").write_bytes(b"\x89PNG inside")
    auth.register()
    assert client.get("/media/01-basics/images/leak.png").status_code == 404
    assert client.get("/media/01-basics/images/passwd.png").status_code == 404
    served = client.get("/media/01-basics/images/real.png")
    assert served.data == b"\x89PNG inside"
    served.close()
    assert client.get("/media/../../etc/passwd.png").status_code == 404


# --- production: the start stops, with the list and no traceback ---------------------------------------------

def production_env(root: Path, tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "COURSE_"))}
    env.update(COURSE_ENV="production", SECRET_KEY="k" * 40, PUBLIC_BASE_URL="https://ce.example.org",
               CONTENT_ROOT=str(root), DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}")
    return env


def run(args: list[str], env: dict, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=60)


FLASK = [sys.executable, "-m", "flask", "--app", "course_app"]
PROJECT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("command", [["run", "--port", "0"], ["users", "list"], ["routes"], ["course", "stats"]],
                         ids=lambda c: " ".join(c[:2]))
def test_production_refuses_every_command_on_broken_content(tmp_path, command):
    root = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, root)
    break_lesson(root)
    done = run(FLASK + command, production_env(root, tmp_path), PROJECT)
    assert done.returncode == 1
    assert BROKEN_LINE in done.stderr and "does not start" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_production_migrations_and_check_still_work_on_broken_content(tmp_path):
    root = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, root)
    break_lesson(root)
    env = production_env(root, tmp_path)
    upgrade = run(FLASK + ["db", "upgrade"], env, PROJECT)
    assert upgrade.returncode == 0, upgrade.stderr
    checked = run(FLASK + ["course", "check"], env, PROJECT)
    assert checked.returncode == 1 and BROKEN_LINE in checked.stdout and "Traceback" not in checked.stderr


def test_gunicorn_refuses_to_start_on_broken_content(tmp_path):
    root = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, root)
    break_lesson(root)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    done = run([str(gunicorn), "-b", "127.0.0.1:0", "course_app:create_app()"], production_env(root, tmp_path),
               PROJECT)
    assert done.returncode == 1
    assert BROKEN_LINE in done.stderr and "Traceback" not in done.stderr


def test_production_starts_on_sound_content(tmp_path):
    done = run(FLASK + ["routes"], production_env(FIXTURE_COURSE, tmp_path), PROJECT)
    assert done.returncode == 0 and "/modules/<module_id>" in done.stdout


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_dev_serve_with_broken_content_still_serves_and_comes_up_when_fixed(tmp_path):
    import urllib.error
    import urllib.request

    root = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, root)
    break_lesson(root)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "COURSE_"))}
    env.update(PORT=str(port), CONTENT_ROOT=str(root), DATABASE_URL=f"sqlite:///{tmp_path / 'dev.sqlite3'}")
    server = subprocess.Popen([sys.executable, "dev.py", "serve"], cwd=PROJECT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)

    def fetch(path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    try:
        for _ in range(120):
            try:
                status, body = fetch("/modules/basics")
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, server.stdout.read()
                time.sleep(0.5)
        else:
            raise AssertionError("dev.py serve did not come up")
        assert status == 503 and "The course is being updated" in body
        mend_lesson(root)
        status, body = fetch("/modules/basics")
        assert status == 200 and "Lesson One" in body
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=10)
    assert "Serving anyway" in output and "Traceback" not in output
