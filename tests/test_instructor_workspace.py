"""The instructor workspace as instructors use it: find a learner, read her record, follow the funnel, judge
the post-test items, read evaluations. Every test runs on SQLite and PostgreSQL."""
from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from .instructor_seed import T0, Seed, staff
from .test_learning import count_queries

PRIVATE = "A private thought about the Jones family at breakfast"


@pytest.fixture
def seed(app) -> Seed:
    app.config["INSTRUCTOR_REPORT_SECONDS"] = 0  # figures recomputed on every view, so each test sees its data
    return Seed(app)


def text_of(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def test_learners_and_learner_pages_are_for_staff_only(client, auth, seed):
    uid = seed.learner("lee@example.org", "Lee Learner")
    auth.register()
    for path in ("/instructor/", f"/instructor/learners/{uid}", "/instructor/funnel", "/instructor/items",
                 "/instructor/evaluations", "/instructor/exports", "/instructor/exports/completions.csv",
                 "/instructor/certificates"):
        assert client.get(path).status_code == 403, path


def test_search_finds_by_name_email_or_license_however_typed(client, auth, runner, app, seed):
    seed.learner("ana@clinic.org", "Ana Ortiz", "OT 12-345", "FL")
    seed.learner("bo@example.org", "Bo Chen", "99887", "NY")
    seed.learner("cy@example.org", "Cy 100%_Sure")
    staff(app, auth, runner)
    def names(query: str) -> list[str]:
        page = client.get("/instructor/", query_string={"q": query}).get_data(as_text=True)
        return re.findall(r'/instructor/learners/\d+">([^<]+)<', page)
    assert names("ortiz") == ["Ana Ortiz"]
    assert names("CLINIC.ORG") == ["Ana Ortiz"]
    assert names("ot12345") == ["Ana Ortiz"] and names("12-345") == ["Ana Ortiz"]
    assert names("100%") == ["Cy 100%_Sure"] and names("%") == ["Cy 100%_Sure"]  # wildcards are literal
    assert names("nobody") == []
    assert "No learners match." in text_of(client.get("/instructor/?q=nobody"))


def test_filters_by_module_and_furthest_stage(client, auth, runner, app, seed):
    idle = seed.learner("idle@example.org", "Ida Idle")
    reading = seed.learner("read@example.org", "Rae Reading")
    seed.lessons(reading, "basics", ["lesson-one"], done=False)
    passed = seed.learner("pass@example.org", "Pat Passed")
    seed.lessons(passed, "basics", ["lesson-one", "lesson-two"])
    seed.attempt(passed, "basics", 1, {}, {"scope": 1})
    other = seed.learner("next@example.org", "Nia Next")
    seed.lessons(other, "next-steps", ["steps"])
    staff(app, auth, runner)

    def names(**query) -> set[str]:
        page = client.get("/instructor/", query_string=query).get_data(as_text=True)
        return set(re.findall(r'/instructor/learners/\d+">([^<]+)<', page))
    assert names() == {"Ida Idle", "Rae Reading", "Pat Passed", "Nia Next"}
    assert names(module="basics") == {"Rae Reading", "Pat Passed"}
    assert names(module="basics", status="not-started") == {"Ida Idle", "Nia Next"}
    assert names(module="basics", status="in-progress") == {"Rae Reading"}
    assert names(module="basics", status="passed") == {"Pat Passed"}
    assert names(status="in-progress") == {"Rae Reading", "Nia Next"}
    assert names(status="not-started") == {"Ida Idle"}
    assert idle
    page = client.get("/instructor/?module=nope&status=weird&sort=zzz&page=abc")
    assert page.status_code == 200
    assert "There is no module 'nope'" in text_of(page) and "'weird' is not a status" in text_of(page)


def test_learners_come_fifty_a_page_most_recently_active_first(client, auth, runner, app, seed):
    for number in range(55):
        uid = seed.learner(f"l{number:02d}@example.org", f"Learner {number:02d}")
        seed.lessons(uid, "basics", ["lesson-one"], when=T0 + timedelta(hours=number))
    staff(app, auth, runner)
    first = client.get("/instructor/").get_data(as_text=True)
    names = re.findall(r'/instructor/learners/\d+">([^<]+)<', first)
    assert len(names) == 50 and names[:2] == ["Learner 54", "Learner 53"]
    assert "1–50 of 55 learners" in text_of(client.get("/instructor/")) and "Page 1 of 2" in first
    second = client.get("/instructor/?page=2").get_data(as_text=True)
    assert re.findall(r'/instructor/learners/\d+">([^<]+)<', second) == [f"Learner {n:02d}" for n in range(4, -1, -1)]
    assert "Previous page" in second and "Next page" not in second
    by_name = client.get("/instructor/?sort=name").get_data(as_text=True)
    assert re.findall(r'/instructor/learners/\d+">([^<]+)<', by_name)[0] == "Learner 00"


def test_a_learners_record_shows_progress_attempts_and_certificates_but_never_reflections(
        client, auth, runner, app, seed):
    uid = seed.learner("lee@example.org", "Lee Learner", "OT-1", "FL")
    seed.lessons(uid, "basics", ["lesson-one", "lesson-two"], seconds=900)
    seed.reflection(uid, "basics", "my-practice", PRIVATE)
    seed.attempt(uid, "basics", 1, {}, {"scope": 0, "first-question": 1}, when=T0)
    seed.attempt(uid, "basics", 2, {}, {"scope": 1, "first-question": 1}, when=T0 + timedelta(days=1))
    staff(app, auth, runner)
    page = client.get(f"/instructor/learners/{uid}")
    body = text_of(page)
    assert PRIVATE not in page.get_data(as_text=True)
    assert "Active learning time: 30 minutes" in body
    assert "Mar 2, 2026 15:00 UTC" in body and "50%" in body and "100%" in body and "Passed" in body
    assert "Evaluation: not submitted" in body
    assert "Missing Course evaluation" in body and "Missing Certificate" in body
    assert "Next Steps" in body and "Not started." in body
    assert client.get("/instructor/learners/99999").status_code == 404
    assert client.get("/instructor/learners/99999999999").status_code == 404


def test_a_post_test_never_taken_says_not_taken(client, auth, runner, app, seed):
    uid = seed.learner("lee@example.org", "Lee Learner")
    seed.lessons(uid, "basics", ["lesson-one"])
    staff(app, auth, runner)
    body = text_of(client.get(f"/instructor/learners/{uid}"))
    assert "Not taken" in body and "Post-test not passed" not in body


def many(seed, start: int, count: int) -> None:
    """Learners at every stage, so each page reads all kinds of rows."""
    for number in range(start, start + count):
        uid = seed.learner(f"m{number}@example.org", f"Many {number}", f"OT{number}", "FL")
        seed.lessons(uid, "basics", ["lesson-one", "lesson-two"])
        seed.lessons(uid, "next-steps", ["steps"], done=False)
        seed.reflection(uid, "basics", "my-practice", "one two three four five six")
        seed.attempt(uid, "basics", 1, {"scope": "false"}, {"scope": 1, "first-question": 1})
        seed.evaluation(uid, "basics", {"objectives-met": "5", "comments": "Fine"})
        seed.certificate(uid, "basics")


@pytest.mark.parametrize("path", ["/instructor/", "/instructor/?q=many&module=basics&status=certified",
                                  "/instructor/funnel", "/instructor/items?attempts=all", "/instructor/evaluations",
                                  "/instructor/exports?provider=50-123"])
def test_page_queries_do_not_grow_with_learners(client, auth, runner, app, seed, path):
    many(seed, 0, 2)
    staff(app, auth, runner)
    few = count_queries(app, client, path)
    many(seed, 2, 4)
    assert count_queries(app, client, path) == few


def test_learner_page_queries_do_not_grow_with_her_history(client, auth, runner, app, seed):
    uid = seed.learner("lee@example.org", "Lee Learner")
    seed.lessons(uid, "basics", ["lesson-one"])
    staff(app, auth, runner)
    few = count_queries(app, client, f"/instructor/learners/{uid}")
    seed.lessons(uid, "basics", ["lesson-two"])
    seed.lessons(uid, "next-steps", ["steps"])
    for number in (1, 2, 3):
        seed.attempt(uid, "basics", number, {}, {"scope": 1})
    seed.certificate(uid, "basics")
    assert count_queries(app, client, f"/instructor/learners/{uid}") == few
