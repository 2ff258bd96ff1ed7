"""In a real browser: the instructor's banner of content problems, knowledge checks and model responses."""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import FIXTURE_COURSE
from .test_browser import (  # noqa: F401  (fixtures)
    LESSON_TWO,
    MODULE,
    context,
    live_server,
    no_horizontal_scroll,
    page,
    register,
    violations,
)

SHOTS = Path(os.environ.get("SCREENSHOTS", "/tmp"))
BROKEN = "modules/01-basics/01-one.md:4: minutes: must be a whole number, not 'four'"


@pytest.fixture
def content_root(tmp_path) -> Path:
    root = tmp_path / "browser-course"
    shutil.copytree(FIXTURE_COURSE, root)
    return root


def break_lesson(root: Path) -> None:
    path = root / "modules" / "01-basics" / "01-one.md"
    path.write_text(path.read_text().replace("minutes: 4", "minutes: four"))
    now = time.time_ns() + 5_000_000
    os.utime(path, ns=(now, now))


def sign_in_as_instructor(page: Page, live_server) -> None:  # noqa: F811
    register(page)
    runner = live_server.app.test_cli_runner()
    assert runner.invoke(args=["users", "set-role", "ana@example.org", "instructor"]).exit_code == 0
    page.reload()


@pytest.mark.browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_instructor_sees_the_banner_of_problems_on_every_page_and_the_full_list(
        page: Page, live_server, content_root) -> None:  # noqa: F811
    sign_in_as_instructor(page, live_server)
    banner = page.get_by_role("alert").filter(has_text="The course files have")
    expect(banner).to_have_count(0)
    break_lesson(content_root)
    for path in (MODULE, "/dashboard", "/modules"):
        page.goto(path)
        expect(banner).to_be_visible()
        expect(banner.get_by_text(BROKEN)).to_be_visible()
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert no_horizontal_scroll(page)
        page.screenshot(path=str(SHOTS / f"content-banner-{width}.png"), full_page=False)
    assert violations(page) == []
    banner.get_by_role("link", name="See every problem, with warnings").click()
    expect(page.get_by_role("heading", level=1, name="Content problems")).to_be_visible()
    expect(page.get_by_role("heading", name="Errors (2)")).to_be_visible()
    page.screenshot(path=str(SHOTS / "content-problems-1280.png"), full_page=True)
    path = content_root / "modules" / "01-basics" / "01-one.md"
    path.write_text(path.read_text().replace("minutes: four", "minutes: 4"))
    now = time.time_ns() + 10_000_000
    os.utime(path, ns=(now, now))
    page.goto(MODULE)
    expect(banner).to_have_count(0)


@pytest.mark.browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_knowledge_check_answers_in_place_and_a_model_response_opens_after_saving(page: Page) -> None:  # noqa: F811
    register(page)
    page.goto(LESSON_TWO)
    check = page.get_by_role("region", name="Check your understanding")
    expect(check.get_by_text("states a desire to change")).to_have_count(0)
    check.get_by_role("radio", name="No, sustain talk").check()
    check.get_by_role("button", name="Check my answer").click()
    expect(check.get_by_text("Sustain talk argues for staying the same")).to_be_visible()
    expect(check.get_by_role("status")).to_contain_text("Not yet.")
    assert page.url.endswith(LESSON_TWO)  # answered in place by checks.js, no reload
    check.get_by_role("radio", name="Yes, change talk").check()
    check.get_by_role("button", name="Check again").click()
    expect(check.get_by_role("status")).to_contain_text("Correct.")
    reflection = page.get_by_role("region", name="Reflection", exact=True)
    expect(reflection.get_by_text("I held back my plan")).to_have_count(0)
    reflection.get_by_label("Describe a moment when you listened more than you spoke.").fill(
        "I waited and let her choose what to try first.")
    expect(reflection.get_by_text("I held back my plan")).to_be_visible()  # after the autosave, without a reload
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert no_horizontal_scroll(page)
        check.screenshot(path=str(SHOTS / f"knowledge-check-{width}.png"))
        reflection.screenshot(path=str(SHOTS / f"model-response-{width}.png"))
    assert violations(page) == []
