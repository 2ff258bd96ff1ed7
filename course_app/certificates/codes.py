"""Certificate codes: 128 random bits, written in groups that people can read aloud and type."""
from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O or U
GROUP = 4


def new_code() -> str:
    """Return a fresh code such as 7QF2-M9XK-... (26 symbols = 130 bits of which 128 random)."""
    number = secrets.randbits(128)
    symbols = "".join(ALPHABET[(number >> (5 * i)) & 31] for i in range(26))
    return "-".join(symbols[i:i + GROUP] for i in range(0, len(symbols), GROUP))


def normalize_code(typed: str) -> str | None:
    """Turn what someone typed into the canonical code, forgiving case, spaces and look-alikes; None if impossible."""
    cleaned = re.sub(r"[\s\-_.]", "", typed.upper()).translate(str.maketrans("OIL", "011"))
    if len(cleaned) != 26 or any(ch not in ALPHABET for ch in cleaned):
        return None
    return "-".join(cleaned[i:i + GROUP] for i in range(0, len(cleaned), GROUP))
