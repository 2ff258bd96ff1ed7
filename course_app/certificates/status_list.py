"""Revocation status as a W3C Bitstring Status List, derived from the certificate rows (no other store).

W3C "Bitstring Status List v1.0": a credential's ``credentialStatus`` is a BitstringStatusListEntry
naming a list credential and an index; the list credential's ``encodedList`` is "u" (multibase
base64url, no padding) + the GZIP-compressed bitstring, index 0 being the first byte's leftmost bit;
a list holds at least 131,072 entries so that one entry says nothing about whom it belongs to. A
certificate's entry is fixed by its row id: list ``id // SIZE``, index ``id % SIZE``; revoking the row
sets its bit the next time the list is served.
"""
from __future__ import annotations

import base64
import gzip
from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..models import Certificate
from .credential import VC_CONTEXT, CredentialError

SIZE = 131_072
PURPOSE = "revocation"


def position(certificate_id: int) -> tuple[int, int]:
    """Return the list number and the index within it of a certificate's status bit."""
    return divmod(certificate_id, SIZE)


def status_entry(list_url: str, index: int) -> dict:
    """Return the credentialStatus entry for one index of a status list credential."""
    return {"id": f"{list_url}#{index}", "type": "BitstringStatusListEntry", "statusPurpose": PURPOSE,
            "statusListIndex": str(index), "statusListCredential": list_url}


def encode(revoked: set[int]) -> str:
    """Encode the set indexes of a list as multibase base64url of the gzipped bitstring."""
    bits = bytearray(SIZE // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode()


def is_set(encoded_list: str, index: int) -> bool:
    """Read one bit of an encoded list."""
    if not isinstance(encoded_list, str) or not encoded_list.startswith("u"):
        raise CredentialError("malformed status list: encodedList must start with 'u'")
    try:
        packed = encoded_list[1:] + "=" * (-len(encoded_list[1:]) % 4)
        bits = gzip.decompress(base64.b64decode(packed, altchars=b"-_", validate=True))
    except (ValueError, OSError, EOFError) as error:
        raise CredentialError("malformed status list: not gzipped base64url") from error
    if not 0 <= index < len(bits) * 8:
        raise CredentialError(f"status index {index} is outside the list of {len(bits) * 8} entries")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def revoked_indexes(list_number: int) -> set[int]:
    """Return the indexes of the revoked certificates in one list, read from the certificate rows."""
    low, high = list_number * SIZE, (list_number + 1) * SIZE
    ids = db.session.scalars(select(Certificate.id).where(
        Certificate.revoked_at.is_not(None), Certificate.id >= low, Certificate.id < high))
    return {certificate_id - low for certificate_id in ids}


def list_credential(list_url: str, issuer: str, revoked: set[int], valid_from: datetime) -> dict:
    """Describe a status list as an unsigned BitstringStatusListCredential."""
    return {"@context": [VC_CONTEXT], "id": list_url, "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": issuer, "validFrom": valid_from.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "credentialSubject": {"id": f"{list_url}#list", "type": "BitstringStatusList", "statusPurpose": PURPOSE,
                                  "encodedList": encode(revoked)}}
