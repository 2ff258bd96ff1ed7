"""Files people download: certificates, transcripts, journals, exports."""
from __future__ import annotations

from collections.abc import Iterable

from flask import Response

# Excel on Windows reads a CSV as UTF-8 only when it starts with a byte-order mark ("Zoë", not "ZoÃ«").
UTF8_BOM = "\ufeff"


def attachment(body: bytes | str | Iterable[str], mimetype: str, filename: str, private: bool = True) -> Response:
    """Answer with a file to save (CSV with a UTF-8 byte-order mark); private files are never kept by shared caches."""
    if mimetype.startswith("text/csv"):
        body = with_bom(body)
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if private:
        headers["Cache-Control"] = "private, no-store"
    return Response(body, mimetype=mimetype, headers=headers)


def with_bom(body: bytes | str | Iterable[str]) -> bytes | str | Iterable[str]:
    """Return CSV text, bytes or a stream of text that starts with the UTF-8 byte-order mark."""
    if isinstance(body, str):
        return body if body.startswith(UTF8_BOM) else UTF8_BOM + body
    if isinstance(body, bytes):
        return body if body.startswith(UTF8_BOM.encode()) else UTF8_BOM.encode() + body
    return _prefixed(body)


def _prefixed(rows: Iterable[str]) -> Iterable[str]:
    yield UTF8_BOM
    yield from rows
