"""Every page a learner or a verifier sees, checked with axe-core for WCAG 2.2 A and AA, in Chromium."""
from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from .test_browser import (  # noqa: F401  (fixtures are used by name)
    LESSON_TWO, MODULE, chromium, context, finish_lessons, live_server, page, pass_quiz, register, submit_evaluation,
)

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}
AXE = Axe()


def violations(page: Page) -> list[str]:
    result = AXE.run(page, options=WCAG)
    return [f"{page.url}: {v['id']} ({v['help']}) at {v['nodes'][0]['target']}" for v in result.response["violations"]]


@pytest.mark.browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the pages, not the database, are under test
def test_pages_meet_wcag_aa_on_a_phone_and_a_desktop(page: Page, live_server):
    found: list[str] = []
    for width, height in ((390, 844), (1280, 900)):
        page.set_viewport_size({"width": width, "height": height})
        for path in ("/", "/modules", MODULE, "/verify", "/verify?code=nonsense", "/account/login", "/guide/",
                     "/no-such-page"):
            page.goto(path)
            found += violations(page)
        page.goto("/account/register")
        page.get_by_role("button", name="Create account").click()  # an empty form: the error summary
        found += violations(page)
    register(page)
    finish_lessons(page)
    page.goto(LESSON_TWO)
    found += violations(page)
    pass_quiz(page)
    found += violations(page)
    page.get_by_role("link", name="the course evaluation").click()
    page.get_by_role("button", name="Submit evaluation").click()  # errors first
    found += violations(page)
    submit_evaluation(page)
    found += violations(page)
    code = re.search(r"/certificates/([0-9A-Z-]+)", page.url).group(1)
    for path in (f"/verify/{code}", "/certificates", "/journal", "/dashboard", "/account/", "/account/password",
                 f"{MODULE}/quiz"):
        page.goto(path)
        expect(page.locator("main")).to_be_visible()
        found += violations(page)
    assert found == []
