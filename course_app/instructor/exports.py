"""CSV files that stream: rows are written as they are read, so a large export never sits whole in memory."""
from __future__ import annotations

import csv
import io
from typing import Iterable, Iterator

from flask import Response, stream_with_context

from ..downloads import attachment

BATCH = 500  # rows per chunk sent


def csv_chunks(header: list[str] | None, rows: Iterable[list[str]]) -> Iterator[str]:
    """Yield CSV text a few hundred rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if header:
        writer.writerow(header)
    for number, row in enumerate(rows, 1):
        writer.writerow(row)
        if number % BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_download(header: list[str] | None, rows: Iterable[list[str]], filename: str) -> Response:
    """Answer with a CSV file built while it is sent (the request's session stays open until the end)."""
    return attachment(stream_with_context(csv_chunks(header, rows)), "text/csv; charset=utf-8", filename)
