"""The issuer's decentralized identifier (did:web for the public address) and the DID document of its keys.

W3C "did:web Method Specification": did:web:<host> (a port as %3A) resolves to
https://<host>/.well-known/did.json, and did:web:<host>:<path> to https://<host>/<path>/did.json. The
document lists every key that has signed credentials, current and retired, twice: as a Multikey
(``publicKeyMultibase``, what eddsa-rdfc-2022 proofs name in ``verificationMethod``) and as a
JsonWebKey (``publicKeyJwk``, what a VC-JWT's ``kid`` names), all under ``assertionMethod``.
"""
from __future__ import annotations

from urllib.parse import quote, urlsplit

from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

from .credential import CredentialError
from .dataintegrity import multikey

DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1",
                "https://w3id.org/security/jwk/v1"]


def did_web(base_url: str) -> str:
    """Return the did:web identifier of a public https address (host, port and path kept)."""
    parts = urlsplit(base_url)
    host = (parts.hostname or "localhost") + (f"%3A{parts.port}" if parts.port else "")
    path = [quote(segment, safe="") for segment in parts.path.split("/") if segment]
    return ":".join(["did", "web", host, *path])


def method_id(did: str, jwk: dict) -> str:
    """Return the id of a key's Multikey verification method, the one Data Integrity proofs name."""
    return f"{did}#{multikey(jwk)}"


def did_document(did: str, jwks: list[dict]) -> dict:
    """Return the DID document publishing every key as a Multikey and a JsonWebKey for assertions."""
    methods = []
    for jwk in jwks:
        methods.append({"id": method_id(did, jwk), "type": "Multikey", "controller": did,
                        "publicKeyMultibase": multikey(jwk)})
        methods.append({"id": f"{did}#{jwk['kid']}", "type": "JsonWebKey", "controller": did, "publicKeyJwk": jwk})
    return {"@context": DID_CONTEXTS, "id": did, "verificationMethod": methods,
            "assertionMethod": [method["id"] for method in methods]}


def key_for_method(verification_method: str, did: str, jwks: list[dict]) -> OKPKey:
    """Return the public key a proof's verificationMethod names, if it is one of this issuer's."""
    controller, _, fragment = verification_method.partition("#")
    if controller != did:
        raise CredentialError(f"verification method {verification_method!r} does not belong to issuer {did!r}")
    for jwk in jwks:
        if multikey(jwk) == fragment:
            try:
                return OKPKey.import_key({name: value for name, value in jwk.items() if name != "d"})
            except (JoseError, ValueError, TypeError) as error:
                raise CredentialError(f"unusable public key {fragment!r}: {error}") from error
    raise CredentialError(f"unknown verification method {verification_method!r}: not one of this issuer's keys")
