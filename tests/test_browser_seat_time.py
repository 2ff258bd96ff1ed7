"""Browser: a learner who rushes a module gets no certificate and sees the time still needed; once she has
spent the time (the policy is shortened for the test) the certificate is issued without another click."""
from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import FIXTURE_COURSE
from .test_browser import (  # noqa: F401 - fixtures used by name
    MODULE,
    chromium,
    context,
    fill_evaluation,
    finish_lessons,
    live_server,
    page,
    pass_quiz,
    register,
)

NEEDED_SECONDS = 20


@pytest.fixture
def content_root(tmp_path) -> Path:
    """The fixture course with seat time on, shortened to 20 seconds of its 15 declared minutes."""
    root = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, root)
    path = root / "course.yaml"
    path.write_text(path.read_text().replace("seat_time: {share: 0}",
                                             f"seat_time: {{share: {NEEDED_SECONDS / (15 * 60):.6f}}}"))
    return root


@pytest.mark.browser
def test_a_rushed_module_waits_for_its_time_then_issues_the_certificate_by_itself(page: Page, live_server) -> None:
    live_server.app.config["HEARTBEAT_SECONDS"] = 2  # heartbeats every 2 s instead of 30 s
    register(page)
    finish_lessons(page)
    pass_quiz(page)
    expect(page.get_by_role("heading", name="Before your certificate")).to_be_visible()
    page.get_by_role("link", name="Complete the evaluation").click()
    next_steps = page.get_by_role("region", name="Before your certificate")
    expect(next_steps).to_contain_text("Active learning time")
    expect(next_steps).not_to_contain_text("issued as soon as you submit this evaluation")
    fill_evaluation(page)
    page.get_by_role("button", name="Submit evaluation").click()

    # No certificate: the module page says what is missing and how much time is still needed.
    expect(page.get_by_role("heading", level=1, name="Coaching Basics")).to_be_visible()
    expect(page.get_by_text("Thank you for your evaluation.")).to_be_visible()
    steps = page.get_by_role("region", name="Before your certificate")
    expect(steps).to_contain_text(re.compile(r"Active learning time: \d+ of 1 minute so far; 1 minute still needed"))
    expect(page.get_by_role("link", name="View your certificate")).to_have_count(0)

    # She goes back to the lessons and reads; the heartbeat that completes the time issues the certificate.
    steps.get_by_role("link", name=re.compile("Review the lessons")).click()
    expect(page.get_by_role("heading", level=1, name="Lesson One")).to_be_visible()
    ready = page.locator("[data-certificate-ready]")
    deadline = time.monotonic() + 60
    while not ready.count() and time.monotonic() < deadline:
        page.mouse.move(200 + int(time.monotonic()) % 50, 300)  # reading: the pointer moves now and then
        page.wait_for_timeout(1000)
    expect(ready).to_contain_text("your certificate is issued")
    ready.get_by_role("link", name="View your certificate").click()
    expect(page.get_by_role("heading", level=1, name="Certificate of completion")).to_be_visible()
    expect(page.get_by_role("heading", name="How this certificate was earned")).to_be_visible()
    page.goto(MODULE)
    expect(page.get_by_role("heading", name="Before your certificate")).to_have_count(0)
