"""Credentials that verify everywhere: the embedded Data Integrity proof beside the VC-JWT, the did:web
document, the revocation status list, key rotation, the transcript as a CLR 2.0, the schemas, and the
Digital Credentials Consortium's verifier-core run against the app on loopback. Every app test runs on
SQLite and PostgreSQL (the `database_url` fixture)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import jsonschema
import jwt
import pytest
from sqlalchemy import select

from course_app.certificates import status_list
from course_app.certificates.credential import CLR_CONTEXT, CONTEXT_FILES, CredentialError
from course_app.certificates.issuance import issue, module_subject
from course_app.course_store import current_course
from course_app.extensions import db
from course_app.models import User

from .servers import app_on_loopback

BASE = "https://ce.example.org"
DID = "did:web:ce.example.org"
CERTIFICATES = Path(__file__).resolve().parents[1] / "course_app" / "certificates"
OB_SCHEMA = CERTIFICATES / "schemas" / "ob_v3p0_achievementcredential_schema.json"
OB_SCHEMA_URL = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
VERIFIER = Path(__file__).resolve().parent / "verifier"
JWT_CLAIMS = {"iss", "jti", "nbf", "sub", "exp"}


# --- helpers -------------------------------------------------------------------------------------

@pytest.fixture
def signing_key_file(tmp_path) -> str:
    """A key of this test's own, so rotating it touches no other test."""
    return str(tmp_path / "keys" / "signing-key.json")


@pytest.fixture
def learner(auth) -> str:
    auth.register(email="ana@example.org", name="Ana Ortiz")
    return "ana@example.org"


def earn(app, email: str, module_id: str, completed: date) -> str:
    """Issue a learner's certificate for a module (the domain call the evaluation view makes)."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        course = current_course()
        certificate = issue(user, module_subject(course.module(module_id)), course, completed)
        db.session.commit()
        return certificate.code


def json_form(client, code: str) -> dict:
    response = client.get(f"/certificates/{code}/credential.json")
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.loads(response.data)


def verify_file(runner, tmp_path: Path, content: str | dict, name: str = "credential.json"):
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return runner.invoke(args=["course", "verify-credential", str(path)])


def revoke(runner, code: str) -> None:
    result = runner.invoke(args=["course", "revoke", code, "--reason", "Issued in error"])
    assert result.exit_code == 0, result.output


def bit(client, credential: dict) -> bool:
    """Read a credential's revocation bit from the status list the app serves."""
    entry = credential["credentialStatus"]
    path = entry["statusListCredential"].removeprefix(BASE)
    listed = client.get(path).get_json()
    return status_list.is_set(listed["credentialSubject"]["encodedList"], int(entry["statusListIndex"]))


# --- 1. one credential, two proofs -----------------------------------------------------------------

def test_the_json_form_is_the_jwt_payload_with_an_embedded_proof(client, learner, app):
    code = earn(app, learner, "basics", date(2026, 3, 2))
    token = client.get(f"/certificates/{code}/credential.jwt").get_data(as_text=True)
    keys = client.get("/issuer/jwks.json").get_json()["keys"]
    header = jwt.get_unverified_header(token)
    assert header["kid"].startswith(f"{DID}#")
    (key,) = [k for k in keys if k["kid"] == header["kid"].partition("#")[2]]
    claims = jwt.decode(token, key=jwt.PyJWK(key), algorithms=["EdDSA"], issuer=DID)  # PyJWT, independently
    document = json_form(client, code)
    assert {k: v for k, v in claims.items() if k not in JWT_CLAIMS} == document

    (proof,) = document["proof"]  # a list of one, as the OB 3.0 schema wants
    assert (proof["type"], proof["cryptosuite"], proof["proofPurpose"]) == (
        "DataIntegrityProof", "eddsa-rdfc-2022", "assertionMethod")
    assert proof["verificationMethod"].startswith(f"{DID}#z6Mk") and proof["proofValue"].startswith("z")
    assert document["issuer"]["id"] == DID
    subject = document["credentialSubject"]
    assert subject["identifier"][0] == {"type": "IdentityObject", "identityHash": "Ana Ortiz",
                                        "identityType": "name", "hashed": False}
    assert "ana@example.org" not in json.dumps(document)
    status = document["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry" and status["statusPurpose"] == "revocation"
    assert status["statusListCredential"].startswith(f"{BASE}/credentials/status/")


def test_the_did_document_publishes_both_forms_of_every_key(client, learner, app):
    code = earn(app, learner, "basics", date(2026, 3, 2))
    document = json_form(client, code)
    response = client.get("/.well-known/did.json")
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    did_document = response.get_json()
    assert did_document["id"] == DID
    methods = {m["id"]: m for m in did_document["verificationMethod"]}
    multikey = methods[document["proof"][0]["verificationMethod"]]
    assert multikey["type"] == "Multikey" and multikey["controller"] == DID
    token = client.get(f"/certificates/{code}/credential.jwt").get_data(as_text=True)
    jwk_method = methods[jwt.get_unverified_header(token)["kid"]]
    assert jwk_method["type"] == "JsonWebKey" and "d" not in jwk_method["publicKeyJwk"]
    assert jwk_method["publicKeyJwk"] == client.get("/issuer/jwks.json").get_json()["keys"][0]
    assert set(did_document["assertionMethod"]) == set(methods)


def test_the_command_verifies_both_forms(client, learner, app, runner, tmp_path):
    code = earn(app, learner, "basics", date(2026, 3, 2))
    as_json = verify_file(runner, tmp_path, json_form(client, code))
    assert as_json.exit_code == 0 and as_json.output.startswith("VALID: Coaching Basics"), as_json.output
    assert "Data Integrity proof (eddsa-rdfc-2022) checked" in as_json.output
    token = client.get(f"/certificates/{code}/credential.jwt").get_data(as_text=True)
    as_jwt = verify_file(runner, tmp_path, token, "credential.jwt")
    assert as_jwt.exit_code == 0, as_jwt.output
    assert "VC-JWT signature and Data Integrity proof (eddsa-rdfc-2022) checked" in as_jwt.output


def test_the_credential_validates_against_the_open_badges_schema(client, learner, app):
    document = json_form(client, earn(app, learner, "basics", date(2026, 3, 2)))
    schema = json.loads(OB_SCHEMA.read_text())
    jsonschema.Draft201909Validator(schema, format_checker=jsonschema.FormatChecker()).validate(document)
    with pytest.raises(jsonschema.ValidationError):  # the schema can fail: it requires validFrom
        jsonschema.Draft201909Validator(schema).validate({k: v for k, v in document.items() if k != "validFrom"})


# --- 2. tampering --------------------------------------------------------------------------------

@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["credentialSubject"].update(creditsEarned=15.0), "bad proof"),
    (lambda d: d["credentialSubject"]["identifier"][0].update(identityHash="Someone Else"), "bad proof"),
    (lambda d: d.update(validFrom="2020-01-01T00:00:00Z"), "bad proof"),
    (lambda d: d["proof"][0].update(created="2020-01-01T00:00:00Z"), "bad proof"),
    (lambda d: d.update(bonusHours=10), "not defined by the document's JSON-LD contexts"),
    (lambda d: d.update({"@context": [*d["@context"], "https://evil.example/context.json"]}), "unknown JSON-LD context"),
    (lambda d: d["proof"][0].update(cryptosuite="ecdsa-rdfc-2019"), "unsupported proof"),
    (lambda d: d["proof"][0].update(verificationMethod="did:web:evil.example#z6Mkx"), "does not belong"),
    (lambda d: d.pop("proof"), "no embedded proof"),
    (lambda d: d.update(issuer={"id": "did:web:evil.example", "type": ["Profile"], "name": "X"}), "not by this provider"),
], ids=["hours", "name", "date", "proof-date", "undefined-term", "foreign-context", "suite", "method", "no-proof",
        "issuer"])
def test_a_tampered_copy_is_refused_with_the_reason(client, learner, app, runner, tmp_path, change, message):
    document = json_form(client, earn(app, learner, "basics", date(2026, 3, 2)))
    change(document)
    result = verify_file(runner, tmp_path, document)
    assert result.exit_code == 1 and result.output.startswith("INVALID:"), result.output
    assert message in result.output


@pytest.mark.parametrize("content", ["", "{", "[1, 2]", '{"@context": "x"}', "\x00\x01", "a.b.c"])
def test_junk_files_are_refused_plainly(runner, tmp_path, content):
    result = verify_file(runner, tmp_path, content)
    assert result.exit_code == 1 and result.output.startswith("INVALID:"), result.output
    assert "Traceback" not in result.output


# --- 3. revocation -------------------------------------------------------------------------------

def test_revoking_flips_the_status_list_entry(client, learner, app, runner, tmp_path):
    code = earn(app, learner, "basics", date(2026, 3, 2))
    other = earn(app, learner, "next-steps", date(2026, 3, 9))
    document, kept = json_form(client, code), json_form(client, other)
    listed = client.get(document["credentialStatus"]["statusListCredential"].removeprefix(BASE))
    assert listed.status_code == 200 and listed.headers["Content-Type"] == "application/ld+json"
    assert listed.get_json()["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert not bit(client, document) and not bit(client, kept)

    revoke(runner, code)
    assert bit(client, document) and not bit(client, kept)
    result = verify_file(runner, tmp_path, document)
    assert result.exit_code == 1 and result.output.startswith("REVOKED: Coaching Basics"), result.output
    assert verify_file(runner, tmp_path, kept).output.startswith("VALID")


def test_the_status_list_is_a_signed_credential_of_this_issuer(client, learner, app, runner, tmp_path):
    document = json_form(client, earn(app, learner, "basics", date(2026, 3, 2)))
    path = document["credentialStatus"]["statusListCredential"].removeprefix(BASE)
    listed = client.get(path).get_json()
    assert listed["issuer"] == DID and listed["id"] == BASE + path
    with app.test_request_context():
        from course_app.certificates import dataintegrity, did, documents

        keys = documents.known_public_jwks()
        dataintegrity.verify_proof(listed, lambda method: did.key_for_method(method, DID, keys))
        listed["credentialSubject"]["encodedList"] = status_list.encode({int(document["credentialStatus"]["statusListIndex"])})
        with pytest.raises(CredentialError, match="bad proof"):
            dataintegrity.verify_proof(listed, lambda method: did.key_for_method(method, DID, keys))
    assert client.get("/credentials/status/99999999999").status_code == 404


# --- 4. key rotation -----------------------------------------------------------------------------

def test_rotating_the_key_keeps_old_proofs_verifiable(client, learner, app, runner, tmp_path):
    old = json_form(client, earn(app, learner, "basics", date(2026, 3, 2)))
    assert runner.invoke(args=["course", "rotate-key"]).exit_code == 0
    new = json_form(client, earn(app, learner, "next-steps", date(2026, 3, 9)))
    assert old["proof"][0]["verificationMethod"] != new["proof"][0]["verificationMethod"]
    methods = {m["id"] for m in client.get("/.well-known/did.json").get_json()["verificationMethod"]}
    assert {old["proof"][0]["verificationMethod"], new["proof"][0]["verificationMethod"]} <= methods
    assert len(methods) == 4  # two keys, each as a Multikey and a JsonWebKey
    for document in (old, new):
        result = verify_file(runner, tmp_path, document)
        assert result.exit_code == 0 and result.output.startswith("VALID"), result.output


# --- 5. the transcript as a CLR 2.0 ----------------------------------------------------------------

def test_the_transcript_clr_holds_each_valid_certificate_with_its_proofs(client, auth, learner, app, runner, tmp_path):
    first = earn(app, learner, "basics", date(2026, 3, 2))
    second = earn(app, learner, "next-steps", date(2026, 4, 9))
    response = client.get("/certificates/transcript-clr.json?from=2026-01-01&to=2026-12-31")
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    clr = json.loads(response.data)
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"] and clr["issuer"]["id"] == DID
    assert clr["@context"][1] == "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
    inside = clr["credentialSubject"]["verifiableCredential"]
    assert [c["credentialSubject"]["achievement"]["humanCode"] for c in inside] == [first, second]
    assert inside[0] == json_form(client, first)  # each with its own embedded proof, unchanged
    result = verify_file(runner, tmp_path, clr)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("VALID: Continuing education transcript: Ana Ortiz (2 credentials)")
    assert lines[1].startswith("  1. VALID: Coaching Basics") and lines[2].startswith("  2. VALID:")

    token = client.get("/certificates/transcript-clr.jwt?from=2026-04-01").get_data(as_text=True)
    as_jwt = verify_file(runner, tmp_path, token, "clr.jwt")
    assert as_jwt.exit_code == 0 and "(1 credentials)" in as_jwt.output, as_jwt.output
    assert "VC-JWT signature and Data Integrity proof" in as_jwt.output

    schema = json.loads(OB_SCHEMA.read_text())
    for credential in inside:
        jsonschema.Draft201909Validator(schema).validate(credential)

    revoke(runner, first)  # after signing: the CLR still verifies, and says which one is revoked
    later = verify_file(runner, tmp_path, clr)
    assert later.exit_code == 1 and later.output.splitlines()[1].startswith("  1. REVOKED: Coaching Basics"), later.output
    fresh_clr = json.loads(client.get("/certificates/transcript-clr.json").data)
    assert len(fresh_clr["credentialSubject"]["verifiableCredential"]) == 1  # a new one leaves it out


def test_a_tampered_credential_inside_the_clr_is_named(client, learner, app, runner, tmp_path):
    earn(app, learner, "basics", date(2026, 3, 2))
    clr = json.loads(client.get("/certificates/transcript-clr.json").data)
    clr["credentialSubject"]["verifiableCredential"][0]["credentialSubject"]["creditsEarned"] = 9.0
    result = verify_file(runner, tmp_path, clr)
    assert result.exit_code == 1 and "bad proof" in result.output, result.output


def test_the_clr_download_needs_a_login_and_a_certificate_in_range(client, auth, learner, app):
    earn(app, learner, "basics", date(2026, 3, 2))
    empty = client.get("/certificates/transcript-clr.json?from=2027-01-01")
    assert empty.status_code == 404 and "no valid certificate" in empty.get_data(as_text=True)
    bad = client.get("/certificates/transcript-clr.json?from=yesterday")
    assert bad.status_code == 422 and "is not a date like 2026-01-31" in bad.get_data(as_text=True)
    auth.logout()
    assert client.get("/certificates/transcript-clr.json").status_code in (302, 401)


# --- 6. what the holder sees -----------------------------------------------------------------------

def test_the_certificate_page_explains_and_offers_each_form(client, learner, app):
    code = earn(app, learner, "basics", date(2026, 3, 2))
    page = client.get(f"/certificates/{code}").get_data(as_text=True)
    assert f"/certificates/{code}/credential.json" in page and f"/certificates/{code}/credential.jwt" in page
    assert "wallet" in page and "employer" in page
    mine = client.get("/certificates").get_data(as_text=True)
    assert "/certificates/transcript-clr.json" in mine and "/certificates/transcript-clr.jwt" in mine


# --- 7. the independent verifier (DCC verifier-core on Node.js) --------------------------------------

@pytest.fixture
def verifier():
    """Run verifier-core (installed by dev.py test into tests/verifier) on one credential."""
    node = shutil.which("node")
    installed = (VERIFIER / "node_modules" / "@digitalcredentials" / "verifier-core").is_dir()
    if not (node and installed):
        reason = f"verifier-core not installed in {VERIFIER} (python3 dev.py test installs it with npm)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; it is required in CI")
        pytest.skip(reason)

    def run(credential: dict, server: str) -> dict:
        job = {"credential": credential, "routes": {f"{BASE}/": f"{server}/", OB_SCHEMA_URL: OB_SCHEMA.as_uri(),
                                                    CLR_CONTEXT: CONTEXT_FILES[CLR_CONTEXT].as_uri()}}
        done = subprocess.run([node, str(VERIFIER / "verify.mjs")], input=json.dumps(job), capture_output=True,
                              text=True, timeout=120, cwd=VERIFIER)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)
    return run


@pytest.fixture
def live(app):
    """The app on a loopback port, where the verifier fetches the DID document and the status list."""
    with app_on_loopback(app) as url:
        yield url


def steps(result: dict) -> dict:
    return {entry["id"]: entry for entry in result.get("log", [])}


def test_verifier_core_accepts_the_credential_then_reports_it_revoked(client, learner, app, runner, live, verifier):
    code = earn(app, learner, "basics", date(2026, 3, 2))
    document = json_form(client, code)
    result = verifier(document, live)
    assert "errors" not in result, result
    log = steps(result)
    assert log["valid_signature"]["valid"] and log["expiration"]["valid"], result
    assert log["revocation_status"]["valid"], result
    (schema,) = next(e for e in result["additionalInformation"] if e["id"] == "schema_check")["results"]
    assert schema["result"]["valid"], schema

    revoke(runner, code)
    revoked = steps(verifier(document, live))
    assert revoked["valid_signature"]["valid"] and revoked["revocation_status"]["valid"] is False


def test_verifier_core_refuses_a_tampered_copy(client, learner, app, live, verifier):
    document = json_form(client, earn(app, learner, "basics", date(2026, 3, 2)))
    document["credentialSubject"]["creditsEarned"] = 15.0
    result = verifier(document, live)
    assert [e["name"] for e in result["errors"]] == ["invalid_signature"], result
    assert "log" not in result


def test_verifier_core_accepts_credentials_signed_before_a_rotation(client, learner, app, runner, live, verifier):
    old = json_form(client, earn(app, learner, "basics", date(2026, 3, 2)))
    assert runner.invoke(args=["course", "rotate-key"]).exit_code == 0
    new = json_form(client, earn(app, learner, "next-steps", date(2026, 3, 9)))
    for document in (old, new):
        log = steps(verifier(document, live))
        assert log["valid_signature"]["valid"] and log["revocation_status"]["valid"], log


def test_verifier_core_accepts_the_clr_and_each_credential_inside(client, learner, app, live, verifier):
    earn(app, learner, "basics", date(2026, 3, 2))
    earn(app, learner, "next-steps", date(2026, 3, 9))
    clr = json.loads(client.get("/certificates/transcript-clr.json").data)
    result = verifier(clr, live)
    assert steps(result).get("valid_signature", {}).get("valid"), result
    for credential in clr["credentialSubject"]["verifiableCredential"]:
        log = steps(verifier(credential, live))
        assert log["valid_signature"]["valid"] and log["revocation_status"]["valid"], log
