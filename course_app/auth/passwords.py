"""Password hashing (argon2id) and the rules a new password must meet."""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP's minimum for argon2id: 19 MiB of memory, 2 passes, 1 lane. The library default (64 MiB,
# 3 passes, 4 lanes) costs about 110 ms and 1.6 cores a login here, capping two cores at ~10 logins
# a second; this costs a fraction of that (bench/bench_passwords.py) and still meets the minimum.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16, type=Type.ID)

MIN_LENGTH = 12
MAX_LENGTH = 128
_DUMMY_HASH = HASHER.hash("a password that is never anyone's")


def hash_password(password: str) -> str:
    """Return an argon2id hash of the password."""
    return HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash, spend the same time and fail (no hint that the email is unknown)."""
    try:
        return HASHER.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return HASHER.check_needs_rehash(password_hash)


@cache
def common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line and not line.startswith("#"))


def password_problem(password: str, *personal: str) -> str | None:
    """Say why a new password is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters (this one has {len(password)})."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    lowered = password.lower()
    stem = re.sub(r"[\d\W_]+$", "", lowered)  # "password2024!" -> "password"
    if lowered in common_passwords() or (len(stem) >= 4 and stem in common_passwords()) or len(set(lowered)) < 4:
        return "This password is too common or too easy to guess. Try a short sentence you will remember."
    for word in personal:
        if word and len(word) >= 4 and word.lower() in lowered:
            return "Do not use your name or email address in your password."
    return None
