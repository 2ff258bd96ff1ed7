"""Files people download: certificates, transcripts, journals, exports."""
from __future__ import annotations

from flask import Response


def attachment(body: bytes | str, mimetype: str, filename: str, private: bool = True) -> Response:
    """Answer with a file to save; private files are never kept by shared caches."""
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if private:
        headers["Cache-Control"] = "private, no-store"
    return Response(body, mimetype=mimetype, headers=headers)
