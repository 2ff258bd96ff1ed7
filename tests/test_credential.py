"""Open Badges 3.0 credentials: their shape, their VC-JWT signature, and every way a token can be wrong."""
from __future__ import annotations

import base64
import json
import stat
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import jwt
import pytest
from joserfc.jwk import OKPKey

from course_app.certificates.credential import (
    CredentialError,
    bundled_context,
    build_credential,
    identity_hash,
    issuer_profile,
    load_or_create_key,
    public_jwk,
    sign_credential,
    verify_credential,
)

ISSUER = "https://ce.example.org/issuer"
CODE = "7QF2-M9XK-4D8B-Z1PW-63HN-RT5C-VA"


@pytest.fixture
def key(tmp_path: Path) -> OKPKey:
    return load_or_create_key(tmp_path / "instance" / "signing-key.json")


@pytest.fixture
def credential() -> dict:
    cert = SimpleNamespace(
        code=CODE, course_title="Why Coaching Belongs in OT Practice", contact_hours=Decimal("1.50"),
        completed_on=date(2025, 5, 3), issued_at=datetime(2025, 5, 3, 14, 5, 9, 123456, tzinfo=UTC),
        license_number="012345", participant_name="Zoë Ortiz")
    return build_credential(
        cert, credential_id=f"https://ce.example.org/certificates/{CODE}/credential.jwt", issuer_id=ISSUER,
        issuer_name="OT Coaching Continuing Education", achievement_id="https://ce.example.org/modules/why",
        verify_url=f"https://ce.example.org/certificates/{CODE}", criteria="Passed the post-test.",
        description="Continuing education in occupational therapy.", recipient_email="zoe@example.org",
        salt="pepper")


def test_credential_has_the_open_badges_3_shape(credential: dict) -> None:
    assert credential["@context"] == ["https://www.w3.org/ns/credentials/v2",
                                      "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"] == {"id": ISSUER, "type": ["Profile"],
                                    "name": "OT Coaching Continuing Education"}
    assert credential["validFrom"] == "2025-05-03T14:05:09Z"
    subject = credential["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["identifier"] == [
        {"type": "IdentityObject", "identityHash": "Zoë Ortiz", "identityType": "name", "hashed": False},
        {"type": "IdentityObject", "identityHash": identity_hash("zoe@example.org", "pepper"),
         "identityType": "emailAddress", "hashed": True, "salt": "pepper"}]
    assert subject["creditsEarned"] == 1.5 and subject["licenseNumber"] == "012345"
    assert subject["activityEndDate"] == "2025-05-03T00:00:00Z"
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["criteria"] == {"narrative": "Passed the post-test."}
    assert (achievement["creditsAvailable"], achievement["humanCode"]) == (1.5, CODE)
    assert (achievement["achievementType"], achievement["fieldOfStudy"]) == ("Course", "Occupational Therapy")
    assert "zoe@example.org" not in json.dumps(credential)  # the name is plain, the email only hashed
    assert "credentialStatus" not in credential


def test_identity_hash_matches_the_specification_example() -> None:
    # OB 3.0, IdentityHash: sha256 of 'a@example.com' salted with 'Kosher'.
    assert identity_hash("a@example.com", "Kosher") == (
        "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399")


def test_signed_credential_verifies_and_round_trips(credential: dict, key: OKPKey) -> None:
    token = sign_credential(credential, key)
    assert verify_credential(token, [public_jwk(key)]) == credential


def test_header_and_claims_follow_the_vc_jwt_rules(credential: dict, key: OKPKey) -> None:
    token = sign_credential(credential, key)
    header = jwt.get_unverified_header(token)
    assert header == {"alg": "EdDSA", "kid": f"{ISSUER}#{public_jwk(key)['kid']}", "typ": "JWT"}
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iss"] == ISSUER and claims["jti"] == credential["id"]
    assert claims["nbf"] == int(datetime(2025, 5, 3, 14, 5, 9, tzinfo=UTC).timestamp())
    assert "sub" not in claims and "exp" not in claims and "vc" not in claims


def test_pyjwt_verifies_the_token_independently(credential: dict, key: OKPKey) -> None:
    token = sign_credential(credential, key)
    claims = jwt.decode(token, key=jwt.PyJWK(public_jwk(key)), algorithms=["EdDSA"], issuer=ISSUER,
                        options={"require": ["iss", "jti", "nbf"]})
    assert claims["credentialSubject"] == credential["credentialSubject"]


def retampered(token: str, change: Callable[[dict], object]) -> str:
    """Return token with its payload edited by change and re-joined to the original signature."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    change(claims)
    edited = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{edited}.{signature}"


@pytest.mark.parametrize("change", [
    lambda claims: claims["credentialSubject"].update(creditsEarned=15.0),
    lambda claims: claims.update(name="Advanced Coaching Mastery"),
], ids=["creditsEarned", "name"])
def test_a_tampered_payload_fails_both_verifiers(credential: dict, key: OKPKey,
                                                 change: Callable[[dict], object]) -> None:
    token = retampered(sign_credential(credential, key), change)
    with pytest.raises(CredentialError, match="bad signature"):
        verify_credential(token, [public_jwk(key)])
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, key=jwt.PyJWK(public_jwk(key)), algorithms=["EdDSA"])


def test_a_token_signed_by_another_key_fails(credential: dict, key: OKPKey, tmp_path: Path) -> None:
    other = load_or_create_key(tmp_path / "other.json")
    with pytest.raises(CredentialError, match="unknown kid"):
        verify_credential(sign_credential(credential, other), [public_jwk(key)])
    # The same forgery claiming our kid: the signature does not match our key.
    forged_kid = {**public_jwk(other), "kid": public_jwk(key)["kid"]}
    forged = OKPKey.import_key(forged_kid | {"d": other.as_dict(private=True)["d"]})
    with pytest.raises(CredentialError, match="bad signature"):
        verify_credential(sign_credential(credential, forged), [public_jwk(key)])
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(sign_credential(credential, forged), key=jwt.PyJWK(public_jwk(key)), algorithms=["EdDSA"])


def encode(part: dict | str) -> str:
    """Base64url-encode a JSON object (or raw text) as a token part."""
    raw = part if isinstance(part, str) else json.dumps(part)
    return base64.urlsafe_b64encode(raw.encode()).rstrip(b"=").decode()


@pytest.mark.parametrize("token", [
    "", "not a token", "a.b", "a.b.c.d", "....", "!!!.@@@.###", None, 42, b"a.b.c",
    f"{encode('not json')}.{encode({})}.c2ln",
    f"{encode('[1, 2]')}.{encode({})}.c2ln",
    f"{encode({'alg': 'EdDSA', 'typ': 'JWT'})}.{encode({})}.c2ln",
    f"{encode({'alg': 'EdDSA', 'kid': 7})}.{encode({})}.c2ln",
])
def test_malformed_tokens_raise_credential_error(token: object, key: OKPKey) -> None:
    with pytest.raises(CredentialError):
        verify_credential(token, [public_jwk(key)])  # type: ignore[arg-type]


def signed(payload: dict | str, key: OKPKey, kid: str) -> str:
    """Sign any payload by hand, bypassing sign_credential's care."""
    signing_input = f"{encode({'alg': 'EdDSA', 'kid': kid, 'typ': 'JWT'})}.{encode(payload)}"
    signature = key.get_op_key("sign").sign(signing_input.encode())
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def test_a_validly_signed_payload_that_is_not_a_credential_is_refused(key: OKPKey) -> None:
    kid = f"{ISSUER}#{public_jwk(key)['kid']}"
    for payload in ("[1, 2, 3]", "not json", {"iss": ISSUER}, {"iss": ISSUER, "issuer": 5, "id": "x"}):
        with pytest.raises(CredentialError):
            verify_credential(signed(payload, key, kid), [public_jwk(key)])


@pytest.mark.parametrize(("header", "message"), [
    ({"alg": "HS256"}, "unsupported algorithm"),
    ({"alg": "none"}, "unsupported algorithm"),
    ({"typ": "vc+jwt"}, "wrong typ"),
    ({"jku": "https://evil.example/keys"}, "unexpected header"),
])
def test_wrong_headers_are_refused(credential: dict, key: OKPKey, header: dict, message: str) -> None:
    token = sign_credential(credential, key)
    original = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    bad = f"{encode(original | header)}.{token.split('.', 1)[1]}"
    with pytest.raises(CredentialError, match=message):
        verify_credential(bad, [public_jwk(key)])


def test_expired_and_future_credentials_are_refused(credential: dict, key: OKPKey) -> None:
    expiring = credential | {"validUntil": "2025-06-01T00:00:00Z"}
    token = sign_credential(expiring, key)
    assert verify_credential(token, [public_jwk(key)], now=datetime(2025, 5, 20, tzinfo=UTC)) == expiring
    with pytest.raises(CredentialError, match="expired"):
        verify_credential(token, [public_jwk(key)], now=datetime(2025, 6, 2, tzinfo=UTC))
    with pytest.raises(CredentialError, match="not yet valid"):
        verify_credential(token, [public_jwk(key)], now=datetime(2025, 5, 3, tzinfo=UTC) - timedelta(days=1))


@pytest.mark.parametrize(("claims", "kid_issuer", "message"), [
    ({"iss": "https://other.example/issuer"}, ISSUER, "claim 'iss'"),
    ({"jti": "urn:uuid:another"}, ISSUER, "claim 'jti'"),
    ({"nbf": 0}, ISSUER, "claim 'nbf'"),
    ({"sub": "did:example:someone"}, ISSUER, "claim 'sub'"),
    ({}, "https://other.example/issuer", "does not belong to issuer"),
])
def test_claims_must_match_the_credential(credential: dict, key: OKPKey, claims: dict, kid_issuer: str,
                                          message: str) -> None:
    token = sign_credential(credential, key)
    payload = jwt.decode(token, options={"verify_signature": False}) | claims
    forged = signed(payload, key, f"{kid_issuer}#{public_jwk(key)['kid']}")
    with pytest.raises(CredentialError, match=message):
        verify_credential(forged, [public_jwk(key)])


def test_a_vc_1_1_token_with_a_vc_claim_is_read(credential: dict, key: OKPKey) -> None:
    payload = jwt.decode(sign_credential(credential, key), options={"verify_signature": False})
    wrapped = {claim: payload[claim] for claim in ("iss", "jti", "nbf")} | {"vc": credential}
    token = signed(wrapped, key, f"{ISSUER}#{public_jwk(key)['kid']}")
    assert verify_credential(token, [public_jwk(key)]) == credential


def test_the_key_file_round_trips_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "instance" / "signing-key.json"
    key = load_or_create_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    stored = json.loads(path.read_text())
    assert stored["kty"] == "OKP" and stored["crv"] == "Ed25519" and "d" in stored
    assert stored["kid"] == key.thumbprint()
    again = load_or_create_key(path)
    assert public_jwk(again) == public_jwk(key)
    assert [p.name for p in path.parent.iterdir()] == ["signing-key.json"]  # no temporary file left behind


def test_a_corrupt_key_file_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "signing-key.json"
    path.write_text("{not json")
    with pytest.raises(CredentialError, match="signing-key.json"):
        load_or_create_key(path)


def test_public_jwk_never_contains_the_private_part(key: OKPKey) -> None:
    jwk = public_jwk(key)
    assert "d" not in jwk
    assert jwk | {"x": None} == {"kty": "OKP", "crv": "Ed25519", "x": None, "kid": key.thumbprint(),
                                 "alg": "EdDSA", "use": "sig"}


def test_issuer_profile_publishes_the_key_as_a_verification_method(key: OKPKey) -> None:
    profile = issuer_profile(ISSUER, "OT Coaching Continuing Education", "https://ce.example.org", key)
    assert (profile["id"], profile["type"], profile["url"]) == (ISSUER, ["Profile"], "https://ce.example.org")
    (method,) = profile["verificationMethod"]
    assert method["type"] == "JsonWebKey" and method["controller"] == ISSUER
    assert method["publicKeyJwk"] == public_jwk(key)
    assert profile["assertionMethod"] == [method["id"]]
    assert method["id"] == jwt.get_unverified_header(sign_credential(
        {"id": "urn:x", "issuer": {"id": ISSUER}, "validFrom": "2025-01-01T00:00:00Z",
         "credentialSubject": {}}, key))["kid"]
    assert "url" not in issuer_profile(ISSUER, "Provider", None, key)


def test_the_bundled_open_badges_context_defines_every_term_used(credential: dict) -> None:
    context = bundled_context(credential["@context"][1])["@context"]
    subject_terms = context["AchievementSubject"]["@context"]
    achievement_terms = context["Achievement"]["@context"]
    assert {"OpenBadgeCredential", "Evidence", "IdentityObject", "Profile"} <= set(context)
    assert set(credential["credentialSubject"]) - {"type"} <= set(subject_terms)
    used = {"achievementType", "creditsAvailable", "criteria", "fieldOfStudy", "humanCode"}
    assert used <= set(achievement_terms)
