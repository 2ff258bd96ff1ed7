"""Course-wide figures (funnel, item statistics, evaluations, annual summary), computed off the request.

They aggregate every learner's rows, which at 10,000 learners takes seconds, longer than a page should
wait. So a page never computes them itself: figures are kept for INSTRUCTOR_REPORT_SECONDS in each
process; older ones are shown (with the time they were computed) while fresh ones are computed in a
background thread; and the very first view waits a moment, then says the figures are being computed.
INSTRUCTOR_REPORT_SECONDS = 0 computes on every view, in the request (the tests' setting).
"""
from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import OrderedDict
from datetime import datetime
from typing import Any, Callable

from flask import current_app

from ..extensions import db
from ..models import utcnow

DEFAULT_SECONDS = 300
LIMIT = 64  # figures kept per process (modules x filters), oldest dropped first
WAIT_SECONDS = 0.1  # a first view waits this long for its figures before saying they are on their way
                    # (INSTRUCTOR_REPORT_WAIT)
MOST_AT_ONCE = 3  # background computations per process; beyond that a page computes its own

_kept: OrderedDict[tuple, tuple[float, Any, datetime]] = OrderedDict()
_running: dict[tuple, "_Computation"] = {}
_lock = threading.Lock()
_apps = itertools.count(1)  # each app its own figures (one app per process; tests make many)
log = logging.getLogger(__name__)


class StillComputing(Exception):
    """The figures a page needs are being computed; it says so instead of waiting."""

    def __init__(self, started: datetime):
        super().__init__("figures are being computed")
        self.started = started


class _Computation:
    def __init__(self, key: tuple, compute: Callable[[], Any], app):
        self.key, self.started, self.done = key, utcnow(), threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(compute, app), daemon=True,
                                       name=f"instructor figures {key[1]}")

    def _run(self, compute: Callable[[], Any], app) -> None:
        started = time.monotonic()
        try:
            with app.app_context():
                try:
                    value = compute()
                finally:
                    db.session.remove()
            with _lock:
                _kept[self.key] = (time.monotonic(), value, utcnow())
                _kept.move_to_end(self.key)
                while len(_kept) > LIMIT:
                    _kept.popitem(last=False)
            log.info("instructor figures %s computed in %.1f s", self.key[1], time.monotonic() - started)
        except BaseException as error:  # kept for the page waiting on it; the next view tries again
            self.error = error
            log.warning("instructor figures %s failed: %r", self.key[1], error)
        finally:
            with _lock:
                _running.pop(self.key, None)
            self.done.set()


def snapshot(key: tuple, compute: Callable[[], Any]) -> tuple[Any, datetime]:
    """Return the figures for key and when they were computed; raise StillComputing on a first view
    whose figures take longer than a moment."""
    seconds = current_app.config.get("INSTRUCTOR_REPORT_SECONDS", DEFAULT_SECONDS)
    if not seconds:
        return compute(), utcnow()
    with _lock:
        if "instructor_figures" not in current_app.extensions:
            current_app.extensions["instructor_figures"] = next(_apps)
        full_key = (current_app.extensions["instructor_figures"], *key)
        kept = _kept.get(full_key)
        if kept and time.monotonic() - kept[0] < seconds:
            _kept.move_to_end(full_key)
            return kept[1], kept[2]
        running = _running.get(full_key)
        if running is None and len(_running) < MOST_AT_ONCE:
            running = _running[full_key] = _Computation(full_key, compute, current_app._get_current_object())
            running.thread.start()
    if kept:  # older figures now, fresh ones on a later view
        return kept[1], kept[2]
    if running is None:  # too many being computed already: this page computes its own
        return compute(), utcnow()
    if not running.done.wait(current_app.config.get("INSTRUCTOR_REPORT_WAIT", WAIT_SECONDS)):
        raise StillComputing(running.started)
    if running.error is not None:
        raise running.error
    with _lock:
        kept = _kept.get(full_key)
    return (kept[1], kept[2]) if kept else (compute(), utcnow())
