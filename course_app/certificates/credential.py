"""Open Badges 3.0 credentials for certificates, signed as VC-JWT (a compact JWS) with Ed25519.

Sources, read through the search tool in 1EdTech/openbadges-specification:

- ``ob_v3p0/microsites/spec/integrity.md``, "JSON Web Token Proof Format" (the OB 3.0 text aligned
  with VC Data Model 2.0). JOSE header: ``alg`` (RS256 is the required minimum, other algorithms are
  permitted), ``kid`` = a URI that dereferences to the public JWK (else ``jwk``), ``typ`` = "JWT"
  when present, and no other header. Payload: the OpenBadgeCredential *itself* plus the claims
  ``iss`` = issuer.id, ``jti`` = id, ``nbf`` = validFrom, ``sub`` = credentialSubject.id and
  ``exp`` = validUntil when there is one. The older VC 1.1 form wrapped the credential in a ``vc``
  claim; verifiers read both, so ``verify_credential`` does too.
- Appendix B of the spec (data model): AchievementCredential (``id`` required, ``@context`` =
  VC v2 then ``context-3.0.3.json``), AchievementSubject (``id`` or an ``identifier`` is required),
  IdentityObject and IdentityHash ("sha256$" + hex of sha256(identifier + salt), UTF-8), Profile,
  AchievementType ("Course").
- ``docs/schema/achievementcredential.json``: ``activityEndDate`` is a JSON Schema date-time (the
  JSON-LD context types it xsd:date; we follow the schema that conformance tests validate).
- ``ob_v3p0/context-3.0.3.json`` (commit 60896ea3, the version with ``awardedDate``): bundled verbatim
  as ``contexts/ob-v3p0-context-3.0.3.json``. VC-JWT needs no JSON-LD processing; the embedded Data
  Integrity proof (``dataintegrity.py``) does, and reads it and the W3C VC v2 context from there.
- W3C Controlled Identifiers 1.0: a ``verificationMethod`` of type ``JsonWebKey`` with
  ``publicKeyJwk``, referenced from ``assertionMethod``; used in the issuer profile.

Decisions: the subject has no ``id`` (learners are identified by a salted email hash), so there is
no ``sub`` claim to match it; certificates do not expire, so there is no ``exp``. The header ``kid``
is ``<issuer id>#<RFC 7638 thumbprint>``, which resolves through the issuer profile's
``verificationMethod``. ``typ`` is "JWT" as OB 3.0 requires (VC-JOSE-COSE's "vc+jwt" is not allowed
there). ``alg`` is "EdDSA": RFC 9864 prefers "Ed25519", but "EdDSA" is what OB verifiers and PyJWT read.
"""
from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import json
import os
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from joserfc import jws
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import OKPKey
from joserfc.jws import JWSRegistry

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CID_CONTEXT = "https://www.w3.org/ns/cid/v1"
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
CONTEXT_FILES = {  # every JSON-LD context the app reads, bundled; see dataintegrity.py for their sources
    VC_CONTEXT: Path(__file__).with_name("contexts") / "credentials-v2.json",
    OB_CONTEXT: Path(__file__).with_name("contexts") / "ob-v3p0-context-3.0.3.json",
    CLR_CONTEXT: Path(__file__).with_name("contexts") / "clr-v2p0-context-2.0.1.json",
}
ALGORITHM = "EdDSA"
JWT_CLAIMS = ("iss", "jti", "nbf", "sub", "exp")
HEADERS = {"alg", "kid", "typ"}
CREDENTIAL_TYPES = {"OpenBadgeCredential", "AchievementCredential", "ClrCredential"}


class CredentialError(Exception):
    """A key file or a signed credential that cannot be used, with the reason in words."""


class _Registry(JWSRegistry):
    """Allow EdDSA only, without joserfc's RFC 9864 deprecation warning for the name "EdDSA"."""

    algorithms = {ALGORITHM: copy.copy(JWSRegistry.algorithms[ALGORITHM])}
    algorithms[ALGORITHM].security_warning = None
    recommended = [ALGORITHM]


REGISTRY = _Registry(algorithms=[ALGORITHM])


def load_or_create_key(path: str | Path) -> OKPKey:
    """Read the Ed25519 signing key at path, creating it (mode 0600) on first use."""
    path = Path(path)
    if not path.exists():
        _create_key(path)
    try:
        data = json.loads(path.read_text())
        key = OKPKey.import_key(data)
    except (OSError, ValueError, TypeError, JoseError) as error:
        raise CredentialError(f"{path}: not a readable JWK ({error})") from error
    if data.get("crv") != "Ed25519" or not key.is_private or not data.get("kid"):
        raise CredentialError(f"{path}: expected a private Ed25519 JWK with a kid")
    return key


def _create_key(path: Path) -> None:
    """Write a new key next to path and link it into place, so parallel first calls agree on one key."""
    key = OKPKey.generate_key("Ed25519")
    data = {**key.as_dict(private=True), "kid": key.thumbprint(), "alg": ALGORITHM, "use": "sig"}
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".key-")  # created with mode 0600
    try:
        with os.fdopen(handle, "w") as file:
            json.dump(data, file)
            file.flush()
            os.fsync(file.fileno())
        os.link(temporary, path)
    except FileExistsError:
        pass  # another process won the race; its key is the one to use
    finally:
        os.unlink(temporary)


def public_jwk(key: OKPKey) -> dict:
    """Return the public half of key as a JWK with its kid, alg and use."""
    return {**key.as_dict(private=False), "kid": key.kid or key.thumbprint(), "alg": ALGORITHM, "use": "sig"}


def key_id(issuer_id: str, key: OKPKey) -> str:
    """Return the header kid: the issuer's URI with the key thumbprint as fragment."""
    return f"{issuer_id}#{public_jwk(key)['kid']}"


def issuer_profile(issuer_id: str, name: str, url: str | None, key: OKPKey) -> dict:
    """Return the issuer's OB 3.0 Profile, publishing the signing key as a verification method."""
    method = {"id": key_id(issuer_id, key), "type": "JsonWebKey", "controller": issuer_id,
              "publicKeyJwk": public_jwk(key)}
    profile = {"@context": [VC_CONTEXT, OB_CONTEXT, CID_CONTEXT], "id": issuer_id, "type": ["Profile"],
               "name": name, "url": url, "verificationMethod": [method], "assertionMethod": [method["id"]]}
    return {k: v for k, v in profile.items() if v is not None}


def bundled_context(url: str) -> dict:
    """Return a JSON-LD context document bundled with the app (nothing is fetched); KeyError if absent."""
    return json.loads(CONTEXT_FILES[url].read_text(encoding="utf-8"))


def identity_hash(email: str, salt: str) -> str:
    """Hash an email address with its salt the way OB 3.0's IdentityHash says: sha256$hex."""
    return "sha256$" + hashlib.sha256((email + salt).encode("utf-8")).hexdigest()


def _timestamp(moment: datetime) -> str:
    """Format an aware datetime as ISO 8601 UTC to the second."""
    if moment.tzinfo is None:
        raise ValueError("a timezone-aware datetime is required")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_credential(cert: Any, *, credential_id: str, issuer_id: str, issuer_name: str,
                     achievement_id: str, verify_url: str, criteria: str, description: str,
                     recipient_email: str, salt: str, credential_status: dict | None = None) -> dict:
    """Describe a certificate as an unsigned OpenBadgeCredential naming the learner as the certificate does."""
    hours = float(cert.contact_hours)
    achievement = {"id": achievement_id, "type": ["Achievement"], "name": cert.course_title,
                   "description": description, "criteria": {"narrative": criteria}, "creditsAvailable": hours,
                   "humanCode": cert.code, "achievementType": "Course",
                   "fieldOfStudy": "Occupational Therapy"}
    identifier = {"type": "IdentityObject", "identityHash": identity_hash(recipient_email, salt),
                  "identityType": "emailAddress", "hashed": True, "salt": salt}
    # The name in plain text, as on the PDF (docs/credentials.md says why); the email stays hashed.
    name = {"type": "IdentityObject", "identityHash": cert.participant_name, "identityType": "name", "hashed": False}
    subject = {"type": ["AchievementSubject"], "identifier": [name, identifier], "achievement": achievement,
               "creditsEarned": hours, "activityEndDate": _timestamp(_midnight(cert.completed_on))}
    if cert.license_number:
        subject["licenseNumber"] = cert.license_number
    # OB 3.0 has no "verification URL" property; Evidence is "a webpage presenting evidence of achievement".
    evidence = {"id": verify_url, "type": ["Evidence"], "name": "Certificate verification page"}
    document = {"@context": [VC_CONTEXT, OB_CONTEXT], "id": credential_id,
                "type": ["VerifiableCredential", "OpenBadgeCredential"],
                "issuer": {"id": issuer_id, "type": ["Profile"], "name": issuer_name},
                "validFrom": _timestamp(cert.issued_at), "name": cert.course_title,
                "credentialSubject": subject, "evidence": [evidence]}
    if credential_status:
        document["credentialStatus"] = credential_status
    return document


def _midnight(day: date) -> datetime:
    """Return the start of a calendar day in UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _epoch(timestamp: str) -> int:
    """Convert an ISO 8601 timestamp with a zone to seconds since the epoch."""
    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"timestamp {timestamp!r} has no timezone")
    return int(moment.timestamp())


def sign_credential(credential: dict, key: OKPKey) -> str:
    """Sign a credential as a VC-JWT compact JWS whose payload is the credential plus JWT claims."""
    issuer = credential["issuer"]
    issuer_id = issuer["id"] if isinstance(issuer, dict) else issuer
    claims = {**credential, "iss": issuer_id, "jti": credential["id"], "nbf": _epoch(credential["validFrom"])}
    if credential["credentialSubject"].get("id"):
        claims["sub"] = credential["credentialSubject"]["id"]
    if credential.get("validUntil"):
        claims["exp"] = _epoch(credential["validUntil"])
    header = {"alg": ALGORITHM, "kid": key_id(issuer_id, key), "typ": "JWT"}
    payload = json.dumps(claims, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return jws.serialize_compact(header, payload, key, algorithms=[ALGORITHM], registry=REGISTRY)


def verify_credential(token: str, public_jwks: list[dict], *, now: datetime | None = None,
                      leeway: int = 60) -> dict:
    """Check a VC-JWT's signature against known keys and its claims against the credential; return it."""
    header = _header(token)
    key = _find_key(header["kid"], public_jwks)
    try:
        signed = jws.deserialize_compact(token, key, algorithms=[ALGORITHM], registry=REGISTRY)
    except BadSignatureError as error:
        raise CredentialError("bad signature: altered, or signed with another key") from error
    except (JoseError, ValueError, TypeError) as error:
        raise CredentialError(f"malformed token: {error}") from error
    try:
        payload = json.loads(signed.payload)
    except (ValueError, TypeError) as error:
        raise CredentialError("malformed token: the payload is not JSON") from error
    if not isinstance(payload, dict):
        raise CredentialError("malformed token: the payload is not a JSON object")
    return _check_claims(payload, header["kid"], now or datetime.now(UTC), leeway)


def _header(token: Any) -> dict:
    """Decode and vet the JOSE header of a compact JWS."""
    if not isinstance(token, str) or token.count(".") != 2:
        raise CredentialError("malformed token: expected three base64url parts separated by dots")
    try:
        encoded = token.split(".")[0]
        header = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    except (ValueError, binascii.Error) as error:
        raise CredentialError("malformed token: the header is not base64url JSON") from error
    if not isinstance(header, dict):
        raise CredentialError("malformed token: the header is not a JSON object")
    if header.get("alg") != ALGORITHM:
        raise CredentialError(f"unsupported algorithm {header.get('alg')!r}: expected {ALGORITHM}")
    if header.get("typ", "JWT") != "JWT":
        raise CredentialError(f"wrong typ {header.get('typ')!r}: expected 'JWT'")
    if set(header) - HEADERS:
        raise CredentialError(f"unexpected header parameters: {', '.join(sorted(set(header) - HEADERS))}")
    if not isinstance(header.get("kid"), str):
        raise CredentialError("malformed token: the header has no kid")
    return header


def _find_key(kid: str, public_jwks: list[dict]) -> OKPKey:
    """Return the known public key that a header kid names."""
    thumbprint = kid.rpartition("#")[2]
    for jwk in (item for item in public_jwks if isinstance(item, dict)):
        if jwk.get("kid") in (kid, thumbprint) and jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
            public = {name: value for name, value in jwk.items() if name != "d"}
            try:
                return OKPKey.import_key(public)
            except (JoseError, ValueError, TypeError) as error:
                raise CredentialError(f"unusable public key {kid!r}: {error}") from error
    raise CredentialError(f"unknown kid {kid!r}: not one of this issuer's keys")


def _check_claims(payload: dict, kid: str, now: datetime, leeway: int) -> dict:
    """Check the JWT claims against the credential they carry, as OB 3.0 section 8.2 asks."""
    credential = payload["vc"] if isinstance(payload.get("vc"), dict) else {
        name: value for name, value in payload.items() if name not in JWT_CLAIMS}
    try:
        issuer = credential["issuer"]
        issuer = issuer["id"] if isinstance(issuer, dict) else issuer
        expected = {"iss": issuer, "jti": credential["id"], "nbf": _epoch(credential["validFrom"]),
                    "sub": credential["credentialSubject"].get("id")}
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise CredentialError(f"not an OpenBadgeCredential: missing or invalid {error}") from error
    for claim, value in expected.items():
        if payload.get(claim) != value:
            raise CredentialError(f"claim {claim!r} does not match the credential")
    if "#" in kid and kid.partition("#")[0] != issuer:
        raise CredentialError(f"kid {kid!r} does not belong to issuer {issuer!r}")
    if payload["nbf"] > now.timestamp() + leeway:
        raise CredentialError("not yet valid: validFrom is in the future")
    expires = payload.get("exp", float("inf"))
    if not isinstance(expires, (int, float)) or expires < now.timestamp() - leeway:
        raise CredentialError("expired: validUntil has passed")
    types = credential.get("type")
    types = [types] if isinstance(types, str) else types if isinstance(types, list) else []
    if not CREDENTIAL_TYPES & {t for t in types if isinstance(t, str)}:
        raise CredentialError("not an OpenBadgeCredential or ClrCredential: its type names none of them")
    return credential
