"""The provider's approval decides every CEU claim: certificate PDF and page, verification, credential,
transcript, home page, catalog, module page, About page; in both approval states, on both databases."""
from __future__ import annotations

import base64
import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from course_app.models import Certificate

from .conftest import FIXTURE_COURSE
from .test_certificates import earn_certificate, page_text, pdf_text

PENDING_STATEMENT = ("Test Provider has applied for approval; approval is pending. This activity awards "
                     "contact hours only.")


def make_pending(root: Path) -> None:
    """Turn a copy of the fixture course into one whose provider approval is pending."""
    path = root / "course.yaml"
    text = path.read_text()
    start, end = text.index("  approval:"), text.index("  privacy_contact:")
    path.write_text(text[:start] + f"  approval:\n    status: pending\n    statement: {PENDING_STATEMENT}\n"
                    + text[end:])


@pytest.fixture(params=["approved", "pending"])
def approval(request) -> str:
    return request.param


@pytest.fixture
def content_root(approval, tmp_path) -> Path:
    root = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, root)
    if approval == "pending":
        make_pending(root)
    return root


def claims(text: str) -> bool:
    return "CEU" in text


def facts(client, code: str) -> str:
    """What the certificate page states about the certificate (its facts block), as text."""
    html = client.get(f"/certificates/{code}").get_data(as_text=True)
    return re.search(r'<dl class="cert-facts">.*?</dl>', html, re.S).group(0)


def credential_payload(client, code: str) -> dict:
    token = client.get(f"/certificates/{code}/credential.jwt").get_data(as_text=True)
    body = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def test_every_surface_names_ceus_only_while_approved(client, auth, fresh, app, approval):
    approved = approval == "approved"
    for path in ("/", "/modules", "/modules/basics", "/about"):
        text = page_text(client.get(path))
        assert claims(text) == approved, (path, text)
        assert ("AOTA CEU" in text) == approved, path
    code = earn_certificate(client, auth, fresh, app)
    for path in ("/", "/modules", "/modules/basics", f"/certificates/{code}", f"/verify/{code}", "/certificates"):
        text = page_text(client.get(path))
        assert claims(text) == approved, (path, text)
    certificate = page_text(client.get(f"/certificates/{code}"))
    assert "0.25" in certificate and ("0.025 AOTA CEUs" in certificate) == approved
    pdf = pdf_text(client.get(f"/certificates/{code}.pdf").data)
    assert claims(pdf) == approved and "0.25 contact hours" in pdf
    assert ("Approval number: AOTA 9999" in pdf) == approved
    if not approved:
        assert "Approval pending" in pdf and PENDING_STATEMENT[:40] in pdf
    transcript = pdf_text(client.get("/certificates/transcript.pdf").data)
    assert claims(transcript) == approved
    row = next(csv.DictReader(io.StringIO(client.get("/certificates/transcript.csv").get_data(as_text=True))))
    assert (row["ceus"], row["ceu_label"]) == (("0.025", "AOTA CEUs") if approved else ("", ""))
    credential = json.dumps(credential_payload(client, code))
    assert claims(credential) == approved
    packet = pdf_text(client.get(f"/certificates/{code}/audit.pdf").data)
    assert ("AOTA CEU" in packet) == approved


def test_an_issued_certificate_keeps_its_approval_when_the_course_changes(client, auth, fresh, app, approval,
                                                                           content_root):
    code = earn_certificate(client, auth, fresh, app)
    before = facts(client, code)
    if approval == "approved":
        make_pending(content_root)
    else:
        path = content_root / "course.yaml"
        path.write_text(path.read_text().replace(
            f"    status: pending\n    statement: {PENDING_STATEMENT}\n",
            "    status: approved\n    number: '777'\n    ceu_label: AOTA CEUs\n    statement: Approved now.\n"))
    assert claims(page_text(client.get("/modules/basics"))) != (approval == "approved")  # the course changed
    assert facts(client, code) == before  # the certificate did not
    stored = fresh.scalar(select(Certificate).where(Certificate.code == code))
    assert stored.approval_status == approval


def test_the_shipped_course_never_says_aota_ceu_while_pending(tmp_path):
    from course_app import create_app
    from course_app.config import PROJECT_ROOT
    from course_app.extensions import db

    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "SECRET_KEY": "x", "TESTING": True,
                      "CONTENT_ROOT": str(PROJECT_ROOT), "RATELIMIT_ENABLED": False,
                      "SIGNING_KEY_FILE": str(tmp_path / "key.json"), "PUBLIC_BASE_URL": "https://ce.example.org"})
    with app.app_context():
        db.create_all()
        course_ids = [m.id for m in __import__("course_app.course_store", fromlist=["x"]).current_course().modules]
    client = app.test_client()
    for path in ["/", "/modules", "/about", "/guide/"] + [f"/modules/{m}" for m in course_ids]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert not re.search(r"AOTA\s+CEU", page_text(response)), path
