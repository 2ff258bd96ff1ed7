"""The transcript as a Comprehensive Learner Record 2.0: one ClrCredential holding the OB credentials.

1EdTech CLR 2.0 (data model, ClrCredential and ClrSubject): ``@context`` is the VC v2 context, then
CLR ``context-2.0.1.json``, then OB ``context-3.0.3.json``; ``type`` holds VerifiableCredential and
ClrCredential; ``name`` is required; ``credentialSubject`` is a ClrSubject whose
``verifiableCredential`` lists the AchievementCredentials, each with its own proof. The bundled CLR
context defines no ``identifier`` for a ClrSubject, so the learner is named in the CLR's ``name`` and,
inside, by each credential's subject.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime

from ..course_store import current_course
from ..models import Certificate, User, utcnow
from .credential import CLR_CONTEXT, OB_CONTEXT, VC_CONTEXT, CredentialError, verify_credential
from .documents import issuer_id, known_public_jwks
from .transcript import transcript_rows


def period(date_from: date | None, date_to: date | None) -> str:
    """Say a date range in words, open ends included."""
    if date_from and date_to:
        return f"from {date_from.isoformat()} to {date_to.isoformat()}"
    if date_from:
        return f"from {date_from.isoformat()}"
    return f"until {date_to.isoformat()}" if date_to else "at any date"


def build_clr(credentials: list[dict], *, issuer_id: str, issuer_name: str, learner_name: str,
              date_from: date | None, date_to: date | None, issued_at: datetime) -> dict:
    """Describe a learner's credentials for a period as an unsigned ClrCredential."""
    return {"@context": [VC_CONTEXT, CLR_CONTEXT, OB_CONTEXT], "id": f"urn:uuid:{uuid.uuid4()}",
            "type": ["VerifiableCredential", "ClrCredential"],
            "issuer": {"id": issuer_id, "type": ["Profile"], "name": issuer_name},
            "name": f"Continuing education transcript: {learner_name}",
            "description": (f"The {len(credentials)} valid certificates {learner_name} completed "
                            f"{period(date_from, date_to)}, each as its own signed Open Badges credential."),
            "validFrom": issued_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "credentialSubject": {"type": ["ClrSubject"], "verifiableCredential": credentials}}


def embedded_credential(certificate: Certificate, public_jwks: list[dict]) -> dict | None:
    """Return a certificate's credential with its embedded proof, or None for one issued before proofs."""
    try:
        document = verify_credential(certificate.signed_credential or "", public_jwks)
    except CredentialError:
        return None
    return document if document.get("proof") else None


def transcript_clr(user: User, date_from: date | None, date_to: date | None) -> dict:
    """Return the unsigned ClrCredential of a learner's valid certificates completed in the range."""
    keys = known_public_jwks()
    rows = [c for c in transcript_rows(user.id, date_from, date_to) if c.status == "valid"]
    credentials = [document for document in (embedded_credential(c, keys) for c in rows) if document]
    return build_clr(credentials, issuer_id=issuer_id(), issuer_name=current_course().provider.name,
                     learner_name=user.full_name, date_from=date_from, date_to=date_to, issued_at=utcnow())
