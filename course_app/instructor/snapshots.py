"""Course-wide figures (funnel, item statistics, annual summary) kept for a few minutes in each process.

They aggregate every learner's rows, which at 10,000 learners takes longer than a page should; the pages
say when their figures were computed. INSTRUCTOR_REPORT_SECONDS sets how long (0: always recompute).
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from datetime import datetime
from typing import Any, Callable

from flask import current_app

from ..models import utcnow

DEFAULT_SECONDS = 300
LIMIT = 64  # figures kept per process (modules x filters), oldest dropped first

_kept: OrderedDict[tuple, tuple[float, Any, datetime]] = OrderedDict()
_lock = threading.Lock()


def snapshot(key: tuple, compute: Callable[[], Any]) -> tuple[Any, datetime]:
    """Return the figures for key and when they were computed, recomputing them when too old."""
    seconds = current_app.config.get("INSTRUCTOR_REPORT_SECONDS", DEFAULT_SECONDS)
    full_key = (current_app.config["SQLALCHEMY_DATABASE_URI"], *key)
    now = time.monotonic()
    with _lock:
        kept = _kept.get(full_key)
        if seconds and kept and now - kept[0] < seconds:
            _kept.move_to_end(full_key)
            return kept[1], kept[2]
    value, computed_at = compute(), utcnow()
    if seconds:
        with _lock:
            _kept[full_key] = (now, value, computed_at)
            while len(_kept) > LIMIT:
                _kept.popitem(last=False)
    return value, computed_at
