"""Funnel, item analysis, evaluations, regulator exports and certificates from the web, checked against small
data sets whose figures are worked out by hand. Every test runs on SQLite and PostgreSQL."""
from __future__ import annotations

import csv
import html
import io
import logging
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from course_app.models import Certificate, User

from .instructor_seed import T0, Seed, post, staff


@pytest.fixture
def seed(app) -> Seed:
    app.config["INSTRUCTOR_REPORT_SECONDS"] = 0  # figures recomputed on every view, so each test sees its data
    return Seed(app)


def text_of(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))  # spreadsheets need the BOM


def test_funnel_counts_each_step_with_medians_in_a_table_and_an_svg(client, auth, runner, app, seed):
    # Four learners in `basics` (2 lessons, 1 required reflection of 5 words):
    #   a: both lessons, reflection, passed, evaluated, certified; 20 + 20 active minutes
    #   b: both lessons, reflection, passed, evaluated, certified; 10 + 10 minutes
    #   c: one lesson, a too-short reflection
    #   d: registered only
    a, b, c, _ = (seed.learner(f"{x}@example.org", f"Learner {x}") for x in "abcd")
    for uid, seconds in ((a, 1200), (b, 600)):
        seed.lessons(uid, "basics", ["lesson-one", "lesson-two"], seconds=seconds)
        seed.reflection(uid, "basics", "my-practice", "one two three four five")
        seed.attempt(uid, "basics", 1, {}, {"scope": 1})
        seed.evaluation(uid, "basics", {"objectives-met": "5"})
        seed.certificate(uid, "basics")
    seed.lessons(c, "basics", ["lesson-one"])
    seed.reflection(c, "basics", "my-practice", "too short")
    staff(app, auth, runner)
    page = client.get("/instructor/funnel")
    body = text_of(page)
    basics = body[body.index("1. Coaching Basics"):body.index("2. Next Steps")]
    for step, count, share in (("Registered", 4, 100), ("Started", 3, 75), ("All lessons done", 2, 50),
                               ("Reflections done", 2, 50), ("Post-test passed", 2, 50), ("Evaluated", 2, 50),
                               ("Certified", 2, 50)):
        assert f"{step} {count} {share}%" in basics, step  # the table row
    assert "Median active time of certified learners: 30 minutes" in basics  # median of 40 and 20
    source = page.get_data(as_text=True)
    assert source.count('<svg class="bar-chart"') == 2 and 'role="img"' in source
    assert "Started: 3 (75%)" in source  # the chart's description names every number
    assert "<script" not in source.split("<main")[1]


def test_item_analysis_page_splits_versions_and_flags_items(client, auth, runner, app, seed):
    users = [seed.learner(f"u{n}@example.org", f"U {n}") for n in range(4)]
    # Version v2: q "first-question" right for the two who also got "scope" right; nobody picks option c.
    for uid, right in zip(users, (1, 1, 0, 0)):
        seed.attempt(uid, "basics", 1, {"first-question": "a" if right else "b", "scope": "false" if right else "true"},
                     {"first-question": right, "scope": right}, version="v2", when=T0 + timedelta(days=2))
    seed.attempt(users[0], "basics", 2, {"first-question": "a", "scope": "false"}, {"first-question": 1, "scope": 1},
                 version="v2", when=T0 + timedelta(days=3))
    seed.attempt(users[1], "basics", 2, {"scope": "true"}, {"scope": 0}, version="v1", when=T0)
    staff(app, auth, runner)
    first = text_of(client.get("/instructor/items?module=basics"))
    assert "Content version v2" in first and "4 attempts" in first and "Content version v1" not in first
    card = first[first.index("first-question"):first.index("stance-parts")]
    assert "Responses 4" in card and "Proportion correct 0.50" in card and "Discrimination 1.00" in card
    assert "distractor nobody picks: c" in card
    every = text_of(client.get("/instructor/items?module=basics&attempts=all"))
    assert "Content version v2" in every and "5 attempts" in every and "Content version v1" in every
    assert client.get("/instructor/items?module=next-steps").status_code == 404  # no post-test
    assert client.get("/instructor/items?module=nope").status_code == 404


def test_evaluation_summary_means_shares_comments_and_csv(client, auth, runner, app, seed):
    answers = [({"objectives-met": "5", "recommend": "yes", "comments": "Clear"}, T0),
               ({"objectives-met": "3", "recommend": "no", "comments": "=cmd|x"}, T0 + timedelta(days=40)),
               ({"objectives-met": "4", "recommend": "yes", "comments": ""}, T0 + timedelta(days=1))]
    for number, (given, when) in enumerate(answers):
        uid = seed.learner(f"e{number}@example.org", f"Secret Name{number}")
        seed.evaluation(uid, "basics", given, when)
    staff(app, auth, runner)
    body = text_of(client.get("/instructor/evaluations?module=basics"))
    assert "3 evaluations of Coaching Basics" in body
    assert "Mean 4.00 out of 5, from 3 answers" in body and "67% yes : 2 yes, 1 no" in body.replace("%yes", "% yes")
    assert "Clear" in body and "Secret Name" not in body
    march = text_of(client.get("/instructor/evaluations?module=basics&from=2026-03-01&to=2026-03-31"))
    assert "2 evaluations" in march and "Mean 4.50" in march
    bad = client.get("/instructor/evaluations?from=2026-02-30")
    assert bad.status_code == 400 and "is not a date" in text_of(bad)
    rows = rows_of(client.get("/instructor/evaluations.csv?module=basics&from=2026-04-01"))
    assert len(rows) == 2 and rows[1][0] == "basics" and "'=cmd|x" in rows[1]
    assert all("Secret" not in cell for row in rows for cell in row)


def completed(seed, email, name, license_number, state, credential="OTR/L", day=date(2026, 3, 9)) -> str:
    uid = seed.learner(email, name, license_number, state, credential)
    return seed.certificate(uid, "basics", day)


def test_completions_csv_lists_valid_certificates_in_a_range_without_unapproved_ceus(client, auth, runner, app, seed):
    from sqlalchemy import update

    from course_app.extensions import db

    code = completed(seed, "ana@example.org", "Ana Ortiz", "OT 12-345", "FL")
    pending = completed(seed, "pat@example.org", "Pat Pending", "2", "FL", day=date(2026, 3, 10))
    completed(seed, "late@example.org", "Late Lee", "1", "NY", day=date(2026, 5, 1))
    with app.app_context():  # issued while the provider's approval was pending: no CEUs claimed
        db.session.execute(update(Certificate).where(Certificate.code == pending)
                           .values(approval_status="pending", ceu_label=None))
        db.session.commit()
    staff(app, auth, runner)
    response = client.get("/instructor/exports/completions.csv?from=2026-03-01&to=2026-03-31")
    assert response.mimetype == "text/csv" and response.is_streamed
    header, row, *rest = rows_of(response)
    assert header == ["name", "email", "credential", "license_number", "license_state", "module_id", "module",
                      "contact_hours", "ceus", "completion_date", "certificate_code"]
    assert row == ["Ana Ortiz", "ana@example.org", "OTR/L", "OT 12-345", "FL", "basics", "Coaching Basics", "0.25",
                   "0.025", "2026-03-09", code]
    assert [r[0] for r in rest] == ["Pat Pending"] and rest[0][7:9] == ["0.25", ""]
    assert client.get("/instructor/exports/completions.csv?from=soon").status_code == 400


def test_ce_broker_roster_per_state_with_missing_licenses_apart(client, auth, runner, app, seed):
    completed(seed, "ana@example.org", "Ana Ortiz", "OT 12-345", "FL")
    completed(seed, "bo@example.org", "Bo Chen", "ota-77", "FL", credential="COTA/L", day=date(2026, 3, 10))
    completed(seed, "cy@example.org", "Cy Ny", "555", "NY")
    completed(seed, "di@example.org", "Di None", None, "FL")
    completed(seed, "ed@example.org", "Ed Student", "9", "FL", credential="student")
    staff(app, auth, runner)
    page = text_of(client.get("/instructor/exports?provider=50-4321"))
    assert "Roster for FL : 2 completions" in page and "Roster for NY : 1 completion" in page
    assert "2 completions cannot go on a roster" in page
    florida = rows_of(client.get("/instructor/exports/ce-broker-FL.csv?provider=50-4321"))
    assert florida == [["4321", "", "basics", "", "OT12345", "3/9/2026", "State=FL", "Profession=OT"],
                       ["4321", "", "basics", "", "OTA77", "3/10/2026", "State=FL", "Profession=OTA"]]
    assert rows_of(client.get("/instructor/exports/ce-broker-ny.csv?provider=4321"))[0][4:7] == [
        "555", "3/9/2026", "State=NY"]
    missing = rows_of(client.get("/instructor/exports/ce-broker-missing.csv"))
    assert missing[0][:2] == ["problem", "name"]
    assert sorted((r[0], r[1]) for r in missing[1:]) == [
        ("no CE Broker profession code for credential 'student'", "Ed Student"), ("no license number", "Di None")]
    no_number = client.get("/instructor/exports/ce-broker-FL.csv")
    assert no_number.status_code == 400 and "provider number" in text_of(no_number)
    assert client.get("/instructor/exports/ce-broker-FL.csv?provider=50-abc").status_code == 400
    assert client.get("/instructor/exports/ce-broker-F1.csv?provider=1").status_code == 404


def test_annual_summary_per_module_and_year(client, auth, runner, app, seed):
    a = seed.learner("a@example.org", "A")
    seed.lessons(a, "basics", ["lesson-one", "lesson-two"], when=T0)
    seed.attempt(a, "basics", 1, {}, {"scope": 0}, when=T0)
    seed.attempt(a, "basics", 2, {}, {"scope": 1}, when=T0 + timedelta(days=1))
    seed.evaluation(a, "basics", {"objectives-met": "4", "relevance": "5"})
    seed.certificate(a, "basics", date(2026, 3, 9))
    b = seed.learner("b@example.org", "B")
    seed.lessons(b, "basics", ["lesson-one"], when=T0.replace(year=2025))
    staff(app, auth, runner)
    rows = rows_of(client.get("/instructor/exports/annual-2026.csv"))
    header, basics, following = rows
    assert header[:9] == ["year", "module_id", "module", "participants", "completions", "contact_hours_awarded",
                          "attempts", "pass_rate", "first_attempt_pass_rate"]
    assert basics[:9] == ["2026", "basics", "Coaching Basics", "1", "1", "0.25", "2", "0.500", "0.000"]
    assert basics[header.index("mean_objectives-met")] == "4.00" and following[3] == "0"
    assert rows_of(client.get("/instructor/exports/annual-2025.csv"))[1][3] == "1"
    assert "Annual summary 2026" in text_of(client.get("/instructor/exports"))
    assert client.get("/instructor/exports/annual-1066.csv").status_code == 404


# --- certificates from the web ----------------------------------------------------------------------------

def test_only_admins_reach_certificate_tools(client, auth, runner, app, seed):
    code = completed(seed, "ana@example.org", "Ana Ortiz", "1", "FL")
    staff(app, auth, runner, role="instructor")
    assert client.get("/instructor/certificates").status_code == 403
    assert client.get(f"/instructor/certificates/{code}").status_code == 403
    assert "Certificates</a>" not in client.get("/instructor/").get_data(as_text=True).split("<main")[1]


def test_admin_finds_and_revokes_a_certificate_after_confirming(client, auth, runner, app, seed, fresh, caplog):
    code = completed(seed, "ana@example.org", "Ana Ortiz", "1", "FL")
    staff(app, auth, runner, role="admin")
    assert code in client.get("/instructor/certificates?q=ortiz").get_data(as_text=True)
    assert code in client.get(f"/instructor/certificates?q={code.lower().replace('-', ' ')}").get_data(as_text=True)
    assert "No certificate matches" in text_of(client.get("/instructor/certificates?q=nobody"))
    page = f"/instructor/certificates/{code}"
    no_reason = post(client, f"{page}/revoke", {"reason": "  "}, page)
    assert no_reason.status_code == 400 and "Say why the certificate is revoked." in text_of(no_reason)
    review = post(client, f"{page}/revoke", {"reason": "Paid with a stolen card"}, page)
    assert review.status_code == 200 and "Revoke this certificate?" in text_of(review)
    assert fresh.scalar(select(Certificate)).revoked_at is None  # nothing changes before the confirmation
    forged = client.post(f"{page}/revoke", data={"reason": "x", "confirmed": "yes"})
    assert forged.status_code == 400 and fresh.scalar(select(Certificate)).revoked_at is None
    with caplog.at_level(logging.INFO, logger="course_app.security"):
        done = post(client, f"{page}/revoke", {"reason": "Paid with a stolen card", "confirmed": "yes"}, page)
    assert done.status_code == 302
    assert fresh.scalar(select(Certificate)).revoked_reason == "Paid with a stolen card"
    assert any('"event":"certificate.revoke"' in r.getMessage() and code in r.getMessage() for r in caplog.records)
    assert "Revoked" in text_of(client.get(f"/verify/{code}"))
    assert post(client, f"{page}/revoke", {"reason": "again", "confirmed": "yes"}, page).status_code == 409


def test_admin_reissues_after_a_name_correction(client, auth, runner, app, seed, fresh, caplog):
    code = completed(seed, "ana@example.org", "Ana Ortis", "1", "FL")
    staff(app, auth, runner, role="admin")
    page = f"/instructor/certificates/{code}"
    review = post(client, f"{page}/reissue", {"full_name": "Ana Ortiz"}, page)
    assert "changes from Ana Ortis to Ana Ortiz" in text_of(review)
    assert fresh.scalar(select(User).where(User.email == "ana@example.org")).full_name == "Ana Ortis"
    with caplog.at_level(logging.INFO, logger="course_app.security"):
        done = post(client, f"{page}/reissue", {"full_name": "Ana Ortiz", "confirmed": "yes"}, page)
    assert done.status_code == 302
    old, new = fresh.scalars(select(Certificate).order_by(Certificate.generation))
    assert old.status == "superseded" and new.participant_name == "Ana Ortiz" and new.generation == 2
    assert fresh.scalar(select(User).where(User.email == "ana@example.org")).full_name == "Ana Ortiz"
    assert any('"event":"certificate.reissue"' in r.getMessage() for r in caplog.records)
    assert done.headers["Location"].endswith(f"/instructor/certificates/{new.code}")
    assert post(client, f"{page}/reissue", {"full_name": "X", "confirmed": "yes"}, page).status_code == 409


JUNK = ["x", "-1", "99999999999999999999", "<script>", "é" * 50, "a" * 300, "2026-13-45", "%", "basics"]


def test_no_instructor_page_fails_on_junk(client, auth, runner, app, seed):
    code = completed(seed, "ana@example.org", "Ana Ortiz", "1", "FL")
    staff(app, auth, runner, role="admin")
    bad = []
    for path in ("/instructor/", "/instructor/funnel", "/instructor/items", "/instructor/evaluations",
                 "/instructor/evaluations.csv", "/instructor/exports", "/instructor/exports/completions.csv",
                 "/instructor/exports/ce-broker-FL.csv", "/instructor/exports/ce-broker-missing.csv",
                 "/instructor/certificates"):
        for value in JUNK:
            for name in ("q", "module", "status", "sort", "page", "attempts", "from", "to", "provider", "year"):
                response = client.get(path, query_string={name: value})
                response.close()  # a streamed file holds its request open until it is read or closed
                if response.status_code >= 500:
                    bad.append((path, name, value))
    for value in JUNK:
        for path in (f"/instructor/certificates/{value}", f"/instructor/learners/{value}"):
            if client.get(path).status_code >= 500:
                bad.append((path,))
        page = f"/instructor/certificates/{code}"
        for action, field in (("revoke", "reason"), ("reissue", "full_name")):
            if post(client, f"{page}/{action}", {field: value * 3}, page).status_code >= 500:
                bad.append((action, value))
    assert bad == []


def test_course_wide_figures_are_kept_a_few_minutes_and_say_when_they_were_computed(
        client, auth, runner, app, seed):
    from .test_learning import count_queries

    app.config.update(INSTRUCTOR_REPORT_SECONDS=300, INSTRUCTOR_REPORT_WAIT=30)  # a first view waits for them
    seed.learner("a@example.org", "A")
    staff(app, auth, runner)
    first = count_queries(app, client, "/instructor/funnel")
    again = count_queries(app, client, "/instructor/funnel")
    assert again < first  # the funnel's aggregate queries ran once
    assert "Figures as of" in text_of(client.get("/instructor/funnel"))
    seed.learner("b@example.org", "B")
    assert "Registered 2 100%" not in text_of(client.get("/instructor/funnel"))  # still the kept figures
    app.config["INSTRUCTOR_REPORT_SECONDS"] = 0
    assert "Registered 2 100%" in text_of(client.get("/instructor/funnel"))


def _computed(app) -> None:
    """Wait until no figures are being computed in the background."""
    import time

    from course_app.instructor import snapshots

    for _ in range(200):
        if not snapshots._running:
            return
        time.sleep(0.05)
    raise AssertionError("the figures were never computed")


def test_slow_figures_never_hold_a_page_the_first_view_says_they_are_coming_later_ones_show_the_last(
        client, auth, runner, app, seed, monkeypatch):
    import threading

    from course_app.instructor import views

    release, real = threading.Event(), views.funnel
    monkeypatch.setattr(views, "funnel", lambda course: release.wait(20) and real(course))  # 10,000 learners' worth
    app.config.update(INSTRUCTOR_REPORT_SECONDS=300, INSTRUCTOR_REPORT_WAIT=0.05)
    seed.learner("a@example.org", "A")
    staff(app, auth, runner)
    first = client.get("/instructor/funnel")
    assert first.status_code == 200 and "Computing the figures" in text_of(first)
    assert "Registered" not in text_of(first)
    assert "Computing the figures" in text_of(client.get("/instructor/funnel"))  # still on its way, computed once
    release.set()
    _computed(app)
    assert "Registered 1 100%" in text_of(client.get("/instructor/funnel"))

    release.clear()
    seed.learner("b@example.org", "B")
    app.config["INSTRUCTOR_REPORT_SECONDS"] = 0.01  # the kept figures are now old
    stale = text_of(client.get("/instructor/funnel"))
    assert "Registered 1 100%" in stale and "Figures as of" in stale  # the last figures at once, not a wait
    release.set()
    _computed(app)
    app.config["INSTRUCTOR_REPORT_SECONDS"] = 300
    assert "Registered 2 100%" in text_of(client.get("/instructor/funnel"))


def test_figures_that_fail_to_compute_answer_like_any_failed_page_and_are_tried_again(
        client, auth, runner, app, seed, monkeypatch):
    from course_app.instructor import views

    real, calls = views.funnel, []

    def fails_once(course):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        return real(course)

    monkeypatch.setattr(views, "funnel", fails_once)
    app.config.update(INSTRUCTOR_REPORT_SECONDS=300, INSTRUCTOR_REPORT_WAIT=30)
    seed.learner("a@example.org", "A")
    staff(app, auth, runner)
    failed = client.get("/instructor/funnel")
    assert failed.status_code == 500 and "Traceback" not in failed.get_data(as_text=True)
    assert "Registered 1 100%" in text_of(client.get("/instructor/funnel"))
