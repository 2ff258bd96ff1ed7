"""The files a certificate carries: its PDF and its signed Open Badges credential, made once at issue."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from flask import current_app

from ..content import Course
from ..models import Certificate, User
from ..urls import absolute_url
from . import credential
from .pdf import certificate_pdf, credit_text


def signing_key():
    """Return the provider's current signing key, created on first use."""
    return credential.load_or_create_key(current_app.config["SIGNING_KEY_FILE"])


def _retired_file() -> Path:
    current = Path(current_app.config["SIGNING_KEY_FILE"])
    return current.with_name(current.stem + ".retired.json")


def _retired_keys() -> list[dict]:
    retired = _retired_file()
    return json.loads(retired.read_text()) if retired.exists() else []


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
    return absolute_url("certificates.issuer")


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
        salt=hashlib.sha256(f"{certificate.code}:{user.id}".encode()).hexdigest()[:16])
    return pdf, credential.sign_credential(document, signing_key())


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
