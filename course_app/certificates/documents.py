"""The files a certificate carries: its PDF and its signed Open Badges credential, made once at issue."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

from flask import current_app

from ..content import Course
from ..models import Certificate, User
from ..urls import absolute_url
from . import credential, dataintegrity, did, status_list
from .pdf import certificate_pdf, credit_text


# What was read from the key files, kept per process while each file is unchanged (the same inode, size and
# time of change): reading and importing the key on every verification was a sixth of the verify page.
# A rotation, in this process or another, replaces the files, so every process reads the new ones.
_read_files: dict[str, tuple[tuple, object]] = {}


def _read_kept(path: Path, read):
    """read(path), kept while the file is unchanged; a missing file is read anew each time."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return read(path)
    seen = (stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    kept = _read_files.get(str(path))
    if kept is None or kept[0] != seen:
        kept = _read_files[str(path)] = (seen, read(path))
    return kept[1]


def signing_key():
    """Return the provider's current signing key, created on first use."""
    return _read_kept(Path(current_app.config["SIGNING_KEY_FILE"]), credential.load_or_create_key)


def _retired_file() -> Path:
    current = Path(current_app.config["SIGNING_KEY_FILE"])
    return current.with_name(current.stem + ".retired.json")


def _retired_keys() -> list[dict]:
    retired = _retired_file()
    return _read_kept(retired, lambda path: json.loads(path.read_text()) if path.exists() else [])


def known_public_jwks() -> list[dict]:
    """Return the public keys that may have signed a credential: the current one, then retired ones."""
    return [credential.public_jwk(signing_key())] + _retired_keys()


def rotate_signing_key() -> tuple[str, str]:
    """Retire the current key (its public half keeps verifying old credentials) and start a new one."""
    current_path = Path(current_app.config["SIGNING_KEY_FILE"])
    old = credential.public_jwk(signing_key())
    _retired_file().write_text(json.dumps([old] + _retired_keys(), indent=2))
    current_path.rename(current_path.with_name(current_path.name + f".{old['kid'][:12]}.retired-private"))
    return old["kid"], credential.public_jwk(signing_key())["kid"]


def issuer_id() -> str:
    """Return the issuer's did:web, made from the public address (docs/credentials.md says why)."""
    return did.did_web(absolute_url("certificates.issuer").removesuffix("/issuer"))


def issuer_document() -> dict:
    """Return the DID document listing every key that has signed credentials."""
    return did.did_document(issuer_id(), known_public_jwks())


def secure(document: dict, created: datetime) -> dict:
    """Add an embedded Data Integrity proof made with the current key."""
    key = signing_key()
    return dataintegrity.add_proof(document, key, did.method_id(issuer_id(), credential.public_jwk(key)), created)


def secure_both(document: dict, created: datetime) -> str:
    """Return document with an embedded proof, signed again as a VC-JWT: one credential, two proofs."""
    return credential.sign_credential(secure(document, created), signing_key())


def render_documents(certificate: Certificate, user: User, course: Course) -> tuple[bytes, str]:
    """Return the certificate's PDF and its signed credential (compact VC-JWT)."""
    verify_url = absolute_url("certificates.verify", code=certificate.code)
    pdf = certificate_pdf(certificate, verify_url, signature_image(course))
    subject_url = (absolute_url("learning.module", module_id=certificate.subject_id) if certificate.kind == "module"
                   else absolute_url("learning.catalog"))
    document = credential.build_credential(
        certificate,
        credential_id=absolute_url("certificates.credential_file", code=certificate.code),
        issuer_id=issuer_id(), issuer_name=certificate.provider_name,
        achievement_id=subject_url, verify_url=verify_url,
        criteria=_criteria(certificate),
        description=_description(certificate),
        recipient_email=user.email,
        salt=hashlib.sha256(f"{certificate.code}:{user.id}".encode()).hexdigest()[:16],
        credential_status=_status_entry(certificate.id))
    return pdf, secure_both(document, certificate.issued_at)


def _status_entry(certificate_id: int) -> dict:
    number, index = status_list.position(certificate_id)
    return status_list.status_entry(absolute_url("certificates.status_list", number=number), index)


def signature_image(course: Course) -> bytes | None:
    """Return the signer's signature image from the content root, or None (the loader checked the path)."""
    relative = course.spec.signer.signature_image
    if not relative:
        return None
    root = Path(current_app.config["CONTENT_ROOT"]).resolve()
    path = (root / relative).resolve()
    return path.read_bytes() if root in path.parents and path.is_file() else None


def _description(certificate: Certificate) -> str:
    """Say what the credential is worth in the words the certificate uses: CEUs only when it claims them."""
    credit = credit_text(certificate.contact_hours, certificate.ceus,
                         certificate.ceu_label if certificate.claims_ceus else None)
    text = f"Continuing education in occupational therapy: {certificate.course_title}. {credit}."
    return text if certificate.claims_ceus else f"{text} {certificate.provider_statement}"


def _criteria(certificate: Certificate) -> str:
    if certificate.kind == "program":
        return "Completed every module of the program, each with its lessons, reflections, post-test and evaluation."
    return ("Completed every lesson and required reflection, spent the required active learning time, "
            "passed the post-test at the required mark, and submitted the participant evaluation.")
