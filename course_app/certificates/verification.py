"""Checking a credential the way an outside verifier would: its proofs, its issuer and its revocation status.

A downloaded file is either a VC-JWT (whose payload carries the embedded proof too) or the JSON form
with the embedded Data Integrity proof; it is an OpenBadgeCredential or a ClrCredential, and a CLR's
credentials are each checked on their own as well.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from ..urls import absolute_url
from . import dataintegrity, did, status_list
from .credential import CredentialError, verify_credential
from .documents import issuer_id, known_public_jwks

STATUS_PATH = re.compile(r"/credentials/status/(\d{1,9})$")
KEPT_CHECKS = 20_000  # verdicts kept per process (under 3 MB); past that, checked each time
_verdicts: dict[bytes, str | None] = {}


@dataclass
class Checked:
    """What verification found about one credential: its content, its proofs and its status."""

    credential: dict
    proofs: list[str]
    revoked: bool
    inside: list[Checked] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.revoked and all(item.valid for item in self.inside)


def check_text(text: str) -> Checked:
    """Verify a credential file's text, JWT or JSON; raise CredentialError naming what is wrong."""
    text = text.strip().lstrip("\ufeff")
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except (ValueError, RecursionError) as error:
            raise CredentialError(f"not JSON: {error}") from error
        return check_document(document, proofs=[])
    document = verify_credential(text, known_public_jwks())
    if "proof" not in document:  # issued before credentials carried an embedded proof
        return Checked(document, ["VC-JWT signature"], _revoked(document))
    return check_document(document, proofs=["VC-JWT signature"])


def signature_problem(text: str) -> str | None:
    """Return None when a stored credential's proofs verify against the issuer's keys, else the reason.

    The verdict is kept per process for the text, the issuer and the keys together: a stored credential
    never changes, and a changed text, a new or a retired key is checked afresh. Checking both proofs on
    every view was half of the verify page. (Revocation is read from the certificate's row each time.)
    """
    keys = json.dumps(known_public_jwks(), sort_keys=True)
    digest = hashlib.sha256("\x00".join([text, issuer_id(), keys]).encode()).digest()
    if digest in _verdicts:
        return _verdicts[digest]
    try:
        check_text(text)  # the JWT, and the embedded proof it carries
        problem = None
    except CredentialError as error:
        problem = str(error)
    if len(_verdicts) < KEPT_CHECKS:
        _verdicts[digest] = problem
    return problem


def check_document(document: object, proofs: list[str]) -> Checked:
    """Verify a JSON credential's embedded proof and status, and those of each credential inside a CLR."""
    if not isinstance(document, dict):
        raise CredentialError("not a credential: expected a JSON object")
    issuer = document.get("issuer")
    issuer = issuer.get("id") if isinstance(issuer, dict) else issuer
    if issuer != issuer_id():
        raise CredentialError(f"issued by {issuer!r}, not by this provider ({issuer_id()})")
    keys = known_public_jwks()
    dataintegrity.verify_proof(document, lambda method: did.key_for_method(method, issuer, keys))
    checked = Checked(document, [*proofs, "Data Integrity proof (eddsa-rdfc-2022)"], _revoked(document))
    if "ClrCredential" in (document.get("type") or []):
        subject = document.get("credentialSubject") or {}
        inside = subject.get("verifiableCredential") if isinstance(subject, dict) else None
        if not isinstance(inside, list) or not inside:
            raise CredentialError("a ClrCredential must hold at least one credential")
        for number, item in enumerate(inside, 1):
            try:
                checked.inside.append(check_document(item, proofs=[]))
            except CredentialError as error:
                raise CredentialError(f"credential {number} inside the CLR: {error}") from error
    return checked


def _revoked(document: dict) -> bool:
    """Read a credential's revocation bit from this provider's status list (derived from the rows)."""
    entry = document.get("credentialStatus")
    if entry is None:
        return False
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
        raise CredentialError("credentialStatus is not a BitstringStatusListEntry")
    match = STATUS_PATH.search(str(entry.get("statusListCredential", "")))
    index = str(entry.get("statusListIndex", ""))
    number = int(match.group(1)) if match else -1
    if (not match or entry["statusListCredential"] != absolute_url("certificates.status_list", number=number)
            or not index.isdigit() or int(index) >= status_list.SIZE):
        raise CredentialError("credentialStatus does not point at one of this provider's status lists")
    return int(index) in status_list.revoked_indexes(number)
