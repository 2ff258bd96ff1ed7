"""Embedded Data Integrity proofs with the cryptosuite eddsa-rdfc-2022, over bundled JSON-LD contexts only.

Sources (W3C "Data Integrity EdDSA Cryptosuites v1.0", section 3.3, and "Controlled Identifiers 1.0"
for Multikey): the unsecured document and the proof options (the proof without ``proofValue``, given
the document's ``@context``) are each canonicalized with RDFC-1.0 (pyld's URDNA2015, the same
algorithm) and hashed with SHA-256; the signature is Ed25519 over proofOptionsHash || documentHash,
written as multibase base58btc (a leading "z"). An Ed25519 Multikey is "z" + base58btc(0xed 0x01 +
the 32 key bytes), so every such key starts with "z6Mk".

Every context is read from ``contexts/`` (``credential.CONTEXT_FILES``): the W3C VC v2 context from
w3c/vc-data-model ``contexts/credentials/v2`` (last changed in 08b83e46, the Recommendation's text),
Open Badges 3.0.3 from 1EdTech/openbadges-specification, CLR 2.0.1 from
1EdTech/digital-credentials-public-validator (``inspector-vc/.../contexts/clr-v2p0-2.0.1.json``
at 3215daa); a document naming any other context
is refused, so nothing is fetched at run time. A property that none of the contexts defines would be
dropped silently by JSON-LD and so left unsigned; like the DCC's verifier ("safe mode"), we refuse it.
"""
from __future__ import annotations

import base64
import copy
import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache, lru_cache
from typing import Any

import base58
from cryptography.exceptions import InvalidSignature
from joserfc.jwk import OKPKey
from pyld import jsonld

from .credential import CONTEXT_FILES, CredentialError

CRYPTOSUITE = "eddsa-rdfc-2022"
MULTIKEY_PREFIX = b"\xed\x01"  # the multicodec for an Ed25519 public key


@cache
def _context_text(url: str) -> str:
    return CONTEXT_FILES[url].read_text(encoding="utf-8")


def document_loader(url: str, options: dict | None = None) -> dict:
    """Load a JSON-LD context from the bundled files; any other address is an error, never a fetch."""
    if url not in CONTEXT_FILES:
        raise CredentialError(f"unknown JSON-LD context {url!r}: only bundled contexts are read")
    return {"contextUrl": None, "documentUrl": url, "document": json.loads(_context_text(url))}


def canonical_nquads(document: dict) -> str:
    """Canonicalize a JSON-LD document with RDFC-1.0 into N-Quads, refusing undefined properties.

    The same JSON always gives the same N-Quads, and canonicalizing takes tens of milliseconds, so the
    results of recent documents are kept (a verification page is opened again and again)."""
    try:
        text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    except RecursionError as error:
        raise CredentialError("not a credential: nested too deeply") from error
    except (TypeError, ValueError) as error:
        raise CredentialError("not a credential: not plain JSON") from error
    return _canonical_nquads(text)


@lru_cache(maxsize=256)
def _canonical_nquads(text: str) -> str:
    document = json.loads(text)
    options = {"documentLoader": document_loader}
    try:
        expanded = jsonld.expand(copy.deepcopy(document), options)
        _refuse_dropped_values(document, expanded)
        return jsonld.normalize(expanded, {**options, "algorithm": "URDNA2015", "format": "application/n-quads"})
    except jsonld.JsonLdError as error:
        if error.code == "loading remote context failed":
            url = (error.details or {}).get("url")
            raise CredentialError(f"unknown JSON-LD context {url!r}: only bundled contexts are read") from error
        raise CredentialError(f"not valid JSON-LD: {error.code or error.type}") from error
    except RecursionError as error:
        raise CredentialError("not a credential: nested too deeply") from error


def _scalars(value: Any) -> int:
    """Count the non-null strings, numbers and booleans in a JSON value, leaving @context out."""
    if isinstance(value, dict):
        if "@value" in value:  # an expanded literal: its @type or @language came from a context
            return 0 if value["@value"] is None else 1
        return sum(_scalars(v) for k, v in value.items() if k != "@context")
    if isinstance(value, list):
        return sum(_scalars(v) for v in value)
    return 0 if value is None else 1


def _refuse_dropped_values(document: dict, expanded: list) -> None:
    """Raise when expansion lost a value: a property the contexts do not define would go unsigned."""
    if _scalars(expanded) != _scalars(document):
        raise CredentialError("a property is not defined by the document's JSON-LD contexts, so it cannot be signed")


def multikey(jwk: dict) -> str:
    """Return the Multikey (publicKeyMultibase) form of a public Ed25519 JWK."""
    raw = base64.urlsafe_b64decode(jwk["x"] + "=" * (-len(jwk["x"]) % 4))
    return "z" + base58.b58encode(MULTIKEY_PREFIX + raw).decode()


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _hash_data(unsecured: dict, options: dict) -> bytes:
    """Hash the proof options (with the document's @context) and the document as the cryptosuite says."""
    config = {"@context": unsecured["@context"], **options}
    return (hashlib.sha256(canonical_nquads(config).encode()).digest()
            + hashlib.sha256(canonical_nquads(unsecured).encode()).digest())


def add_proof(document: dict, key: OKPKey, verification_method: str, created: datetime) -> dict:
    """Return a copy of document secured with an eddsa-rdfc-2022 DataIntegrityProof for assertions."""
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    options = {"type": "DataIntegrityProof", "cryptosuite": CRYPTOSUITE, "created": _timestamp(created),
               "verificationMethod": verification_method, "proofPurpose": "assertionMethod"}
    signature = key.get_op_key("sign").sign(_hash_data(unsecured, options))
    # A list, though it holds one proof: the OB 3.0 and CLR 2.0 schemas require an array.
    return {**unsecured, "proof": [{**options, "proofValue": "z" + base58.b58encode(signature).decode()}]}


def verify_proof(document: Any, public_key: Callable[[str], OKPKey]) -> dict:
    """Check a document's DataIntegrityProof with the key public_key finds for its method; return the proof."""
    if not isinstance(document, dict) or not isinstance(document.get("@context"), list):
        raise CredentialError("not a JSON-LD credential: it has no @context list")
    proofs = document.get("proof")
    proofs = [proofs] if isinstance(proofs, dict) else proofs
    if not isinstance(proofs, list) or len(proofs) != 1 or not isinstance(proofs[0], dict):
        raise CredentialError("no embedded proof: expected one DataIntegrityProof in 'proof'")
    proof = proofs[0]
    _check_proof_fields(proof)
    key = public_key(proof["verificationMethod"])
    try:
        signature = base58.b58decode(proof["proofValue"][1:])
    except ValueError as error:
        raise CredentialError("malformed proofValue: not base58btc") from error
    options = {name: value for name, value in proof.items() if name != "proofValue"}
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    try:
        key.get_op_key("verify").verify(signature, _hash_data(unsecured, options))
    except InvalidSignature as error:
        raise CredentialError("bad proof: altered, or signed with another key") from error
    return proof


def _check_proof_fields(proof: dict) -> None:
    """Refuse a proof of another type, suite or purpose, or one missing what verification needs."""
    expected = {"type": "DataIntegrityProof", "cryptosuite": CRYPTOSUITE, "proofPurpose": "assertionMethod"}
    for name, value in expected.items():
        if proof.get(name) != value:
            raise CredentialError(f"unsupported proof: {name} is {proof.get(name)!r}, expected {value!r}")
    for name in ("verificationMethod", "proofValue"):
        if not isinstance(proof.get(name), str):
            raise CredentialError(f"malformed proof: no {name}")
    if not proof["proofValue"].startswith("z"):
        raise CredentialError("malformed proofValue: expected multibase base58btc (a leading 'z')")
