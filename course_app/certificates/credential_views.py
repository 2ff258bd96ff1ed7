"""Where verifiers and wallets fetch what the credentials point at: the DID document, the status lists,
the JSON form of a certificate's credential and the learner's transcript as a signed CLR."""
from __future__ import annotations

import json

from flask import abort, request
from flask_login import current_user, login_required

from ..downloads import attachment
from ..models import utcnow
from ..urls import absolute_url
from . import bp, status_list
from .clr import embedded_credential, transcript_clr
from .documents import issuer_document, issuer_id, known_public_jwks, secure, secure_both
from .issuance import find_certificate
from .transcript import parse_range

JSON_LD = "application/ld+json"


def _json(document: dict, mimetype: str = "application/did+ld+json"):
    return json.dumps(document, ensure_ascii=False), 200, {"Content-Type": mimetype, "Access-Control-Allow-Origin": "*"}


@bp.route("/.well-known/did.json")
@bp.route("/did.json", endpoint="did_document_in_path")
def did_document():
    """The issuer's DID document (did:web): every public key, current and retired."""
    return _json(issuer_document())


@bp.route("/credentials/status/<int:number>", endpoint="status_list")
def status_list_credential(number: int):
    """A signed revocation list, made now from the certificate rows."""
    if number > 2**31 // status_list.SIZE:
        abort(404, "There is no status list with that number.")
    list_url = absolute_url("certificates.status_list", number=number)
    unsigned = status_list.list_credential(list_url, issuer_id(), status_list.revoked_indexes(number), utcnow())
    return _json(secure(unsigned, utcnow()), JSON_LD)


@bp.route("/certificates/<code>/credential.json")
def credential_json(code: str):
    """The credential with its embedded proof, public like the JWT form it is taken from."""
    certificate = find_certificate(code)
    document = embedded_credential(certificate, known_public_jwks()) if certificate else None
    if document is None:
        abort(404, "There is no credential with an embedded proof for that code. A certificate issued before "
                   "credentials carried one still has its signed JWT form.")
    return attachment(json.dumps(document, ensure_ascii=False, indent=2).encode(), JSON_LD,
                      f"credential-{certificate.code}.json", private=False)


@bp.route("/certificates/transcript-clr.<any(json, jwt):form>")
@login_required
def transcript_clr_file(form: str):
    """The learner's transcript for a date range as a signed CLR 2.0 ClrCredential."""
    date_from, date_to, problems = parse_range(request.args.get("from", ""), request.args.get("to", ""))
    if problems:
        from .views import my_certificates_page

        return my_certificates_page(problems)
    document = transcript_clr(current_user, date_from, date_to)
    if not document["credentialSubject"]["verifiableCredential"]:
        abort(404, "You have no valid certificate completed in that period, so there is no transcript to sign.")
    if form == "jwt":
        return attachment(secure_both(document, utcnow()), "application/vc+jwt", "ce-transcript-clr.jwt")
    body = json.dumps(secure(document, utcnow()), ensure_ascii=False, indent=2).encode()
    return attachment(body, JSON_LD, "ce-transcript-clr.json")
