"""Data Integrity proofs, did:web and the bitstring status list as pure functions, checked against
1EdTech's published eddsa-rdfc-2022 test vector for Open Badges 3.0 (no Flask, no database)."""
from __future__ import annotations

import base64
import copy
import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from joserfc.jwk import OKPKey

from course_app.certificates import status_list
from course_app.certificates.credential import CredentialError, public_jwk
from course_app.certificates.dataintegrity import add_proof, canonical_nquads, multikey, verify_proof
from course_app.certificates.did import did_document, did_web, key_for_method, method_id

VECTOR = json.loads((Path(__file__).parent / "fixtures" / "ob-data-integrity-vector.json").read_text())
CREATED = datetime(2010, 1, 1, 19, 23, 24, tzinfo=UTC)


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.fixture
def vector_key() -> OKPKey:
    """The key pair 1EdTech's example signs with."""
    return OKPKey.import_key({"kty": "OKP", "crv": "Ed25519", "d": b64(bytes.fromhex(VECTOR["secretKeySeedHex"])),
                              "x": b64(bytes.fromhex(VECTOR["publicKeyHex"]))})


def always(key: OKPKey):
    return lambda method: key


# --- the published test vector -----------------------------------------------------------------------

def test_canonical_form_matches_the_published_n_quads() -> None:
    assert canonical_nquads(VECTOR["credential"]) == VECTOR["documentCanon"]
    options = {name: value for name, value in VECTOR["proof"].items() if name != "proofValue"}
    assert canonical_nquads({"@context": VECTOR["credential"]["@context"], **options}) == VECTOR["proofCanon"]


def test_signing_reproduces_the_published_proof_value(vector_key: OKPKey) -> None:
    assert multikey(vector_key.as_dict(private=False)) == VECTOR["publicKeyMultibase"]
    signed = add_proof(VECTOR["credential"], vector_key, VECTOR["proof"]["verificationMethod"], CREATED)
    (proof,) = signed["proof"]
    assert proof == VECTOR["proof"]  # Ed25519 is deterministic: the same bytes, the same signature


def test_the_published_signed_credential_verifies_and_a_changed_one_does_not(vector_key: OKPKey) -> None:
    assert verify_proof(VECTOR["signed"], always(vector_key))["created"] == "2010-01-01T19:23:24Z"
    changed = copy.deepcopy(VECTOR["signed"])
    changed["name"] = "Leadership Badge"
    with pytest.raises(CredentialError, match="bad proof"):
        verify_proof(changed, always(vector_key))


def test_a_credential_changed_deep_inside_after_it_verified_is_refused(vector_key: OKPKey) -> None:
    # Canonical forms are kept per document text, so a page can verify the same credential again quickly;
    # the same object changed in place is a different text.
    document = copy.deepcopy(VECTOR["signed"])
    for _ in range(2):
        verify_proof(document, always(vector_key))
    subject = document["credentialSubject"]
    key = next(k for k, v in subject.items() if isinstance(v, dict))
    subject[key] = {**subject[key], "id": "urn:uuid:00000000-0000-4000-8000-000000000000"}
    with pytest.raises(CredentialError, match="bad proof|not defined"):
        verify_proof(document, always(vector_key))


def test_a_proof_checked_with_another_key_fails(vector_key: OKPKey) -> None:
    other = OKPKey.generate_key("Ed25519")
    with pytest.raises(CredentialError, match="bad proof"):
        verify_proof(VECTOR["signed"], always(other))


# --- what canonicalization refuses ------------------------------------------------------------------

def test_an_unbundled_context_is_refused_without_fetching_it() -> None:
    document = {**VECTOR["credential"], "@context": [*VECTOR["credential"]["@context"], "https://example.org/x.json"]}
    with pytest.raises(CredentialError, match="unknown JSON-LD context 'https://example.org/x.json'"):
        canonical_nquads(document)


@pytest.mark.parametrize("change", [
    lambda d: d.update(bonusHours=10),
    lambda d: d["credentialSubject"].update(favouriteColour="teal"),
    lambda d: d["credentialSubject"]["achievement"].update(secretLevel=["gold", "platinum"]),
], ids=["top", "subject", "achievement"])
def test_a_property_no_context_defines_is_refused(change) -> None:
    document = copy.deepcopy(VECTOR["credential"])
    change(document)
    with pytest.raises(CredentialError, match="not defined by the document's JSON-LD contexts"):
        canonical_nquads(document)


@pytest.mark.parametrize(("proof", "message"), [
    (None, "no embedded proof"),
    ([], "no embedded proof"),
    (["x"], "no embedded proof"),
    ([VECTOR["proof"], VECTOR["proof"]], "no embedded proof"),
    ({**VECTOR["proof"], "type": "Ed25519Signature2020"}, "unsupported proof"),
    ({**VECTOR["proof"], "proofPurpose": "authentication"}, "unsupported proof"),
    ({**VECTOR["proof"], "proofValue": "uAAAA"}, "multibase base58btc"),
    ({**VECTOR["proof"], "proofValue": "z0OIl"}, "not base58btc"),
    ({k: v for k, v in VECTOR["proof"].items() if k != "verificationMethod"}, "no verificationMethod"),
])
def test_malformed_proofs_are_named(vector_key: OKPKey, proof, message: str) -> None:
    document = {**VECTOR["credential"], "proof": proof}
    with pytest.raises(CredentialError, match=message):
        verify_proof(document, always(vector_key))


def test_a_single_proof_object_is_read_like_a_list_of_one(vector_key: OKPKey) -> None:
    assert verify_proof({**VECTOR["credential"], "proof": VECTOR["proof"]}, always(vector_key))


def test_a_document_nested_too_deeply_is_refused_not_crashed() -> None:
    document = copy.deepcopy(VECTOR["credential"])
    inner = document["credentialSubject"]
    for _ in range(5000):
        inner["credentialSubject"] = {}
        inner = inner["credentialSubject"]
    with pytest.raises(CredentialError, match="nested too deeply"):
        canonical_nquads(document)


@pytest.mark.parametrize("document", [None, [], "text", {"proof": {}}, {"@context": "x"}])
def test_non_documents_are_refused(vector_key: OKPKey, document) -> None:
    with pytest.raises(CredentialError):
        verify_proof(document, always(vector_key))


# --- did:web --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "did"), [
    ("https://ce.example.org", "did:web:ce.example.org"),
    ("https://CE.Example.org/", "did:web:ce.example.org"),
    ("https://example.org:8443/ce/ot", "did:web:example.org%3A8443:ce:ot"),
    ("http://127.0.0.1:5000", "did:web:127.0.0.1%3A5000"),
])
def test_did_web_follows_the_public_address(url: str, did: str) -> None:
    assert did_web(url) == did


def test_the_did_document_resolves_each_key_and_nothing_else() -> None:
    keys = [OKPKey.generate_key("Ed25519") for _ in range(2)]
    jwks = [{**public_jwk(key), "kid": key.thumbprint()} for key in keys]
    document = did_document("did:web:ce.example.org", jwks)
    assert [m["type"] for m in document["verificationMethod"]] == ["Multikey", "JsonWebKey"] * 2
    for key, jwk in zip(keys, jwks):
        found = key_for_method(method_id("did:web:ce.example.org", jwk), "did:web:ce.example.org", jwks)
        assert found.as_dict(private=False)["x"] == key.as_dict(private=False)["x"]
    with pytest.raises(CredentialError, match="does not belong"):
        key_for_method(method_id("did:web:evil.example", jwks[0]), "did:web:ce.example.org", jwks)
    with pytest.raises(CredentialError, match="unknown verification method"):
        key_for_method("did:web:ce.example.org#z6MkunknownKey", "did:web:ce.example.org", jwks)


# --- the bitstring ------------------------------------------------------------------------------

def test_the_status_list_sets_the_bits_it_is_given_left_to_right() -> None:
    encoded = status_list.encode({0, 9, status_list.SIZE - 1})
    assert encoded.startswith("u")
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(raw) == status_list.SIZE // 8 == 16_384  # the minimum size the specification asks for
    assert (raw[0], raw[1], raw[-1]) == (0b1000_0000, 0b0100_0000, 0b0000_0001)
    assert [status_list.is_set(encoded, i) for i in (0, 1, 8, 9, status_list.SIZE - 1)] == [
        True, False, False, True, True]
    assert not status_list.is_set(status_list.encode(set()), 0)


def test_a_certificate_keeps_its_place_in_the_lists() -> None:
    assert status_list.position(5) == (0, 5)
    assert status_list.position(status_list.SIZE + 3) == (1, 3)


@pytest.mark.parametrize(("encoded", "index", "message"), [
    ("zabc", 0, "must start with 'u'"),
    ("u!!!", 0, "not gzipped"),
    ("u" + b64(b"not gzip"), 0, "not gzipped"),
    (status_list.encode(set()), status_list.SIZE, "outside the list"),
])
def test_a_broken_status_list_is_named(encoded: str, index: int, message: str) -> None:
    with pytest.raises(CredentialError, match=message):
        status_list.is_set(encoded, index)
