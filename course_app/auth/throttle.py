"""Per-account throttle on failed logins, and the keys other limits count by (the real client, an address).

Five wrong passwords for one address within 15 minutes make that address wait until the oldest failure is
15 minutes old: an attacker is slowed to 20 guesses an hour, while the owner is never locked out for good
(a reset link always works, and so does waiting). Counting lives in the rate-limit storage (Redis in
production); when it cannot be reached, the throttle fails open with a logged warning.
"""
from __future__ import annotations

import hashlib
import logging
import time

from flask import request
from flask_limiter.util import get_remote_address
from limits import parse

from ..extensions import limiter
from ..security_log import log_event
from .operations import normalize_email

FAILED_LOGINS = parse("5 per 15 minutes")
log = logging.getLogger(__name__)


def _account_key(email: str) -> str:
    """Key the counter on a digest of the address, so the storage holds no addresses."""
    return hashlib.sha256(normalize_email(email).encode()).hexdigest()[:32]


def _storage_call(action, default):
    if not limiter.enabled:
        return default
    try:
        return action(limiter.limiter)
    except Exception as error:  # noqa: BLE001 - any storage failure: fail open, never a 500
        log.warning("rate-limit storage unreachable, login throttle skipped: %s", error)
        log_event("ratelimit.storage_unreachable", level=logging.WARNING, error=type(error).__name__)
        return default


def login_throttled(email: str) -> int:
    """Return the seconds to wait before this address may try again (0 when it may try now)."""
    def check(strategy) -> int:
        if strategy.test(FAILED_LOGINS, "login-failures", _account_key(email)):
            return 0
        reset_at = strategy.get_window_stats(FAILED_LOGINS, "login-failures", _account_key(email)).reset_time
        return max(1, int(reset_at - time.time()) + 1)
    return _storage_call(check, 0)


def record_failed_login(email: str) -> None:
    _storage_call(lambda strategy: strategy.hit(FAILED_LOGINS, "login-failures", _account_key(email)), True)


def clear_failed_logins(email: str) -> None:
    """Forget an address's failures after a successful login."""
    _storage_call(lambda strategy: strategy.clear(FAILED_LOGINS, "login-failures", _account_key(email)), None)


def client_key() -> str:
    """The client's address, as ProxyFix found it behind TRUSTED_PROXY_COUNT proxies."""
    return get_remote_address()


def form_email_key() -> str:
    """Key a limit on the address typed in the form (per-address limits on reset and resend)."""
    return "address:" + _account_key(request.form.get("email", "") or "")
