"""Finding and reading content files safely: inside the content root only, as UTF-8 text, within limits."""
from __future__ import annotations

import re
from pathlib import Path

from .problems import Problems

MAX_BYTES = 1_000_000  # the longest lesson is about 30 KB; this leaves room and keeps every check quick
EDITOR_LEFTOVER = re.compile(r"^(\.#.*|\._.*|#.*#|.*~|.*\.sw[a-p]|.*\.tmp|.*\.bak|.*\.orig)$", re.IGNORECASE)
IGNORED = {".DS_Store", "Thumbs.db", "desktop.ini", ".gitkeep", ".keep"}
LESSON_NEAR_MISSES = {".markdown", ".mdown", ".mkd", ".mkdn", ".txt", ".md.txt"}
QUIZ_NEAR_MISSES = {".yml.txt", ".yaml.txt", ".json", ".txt"}


def inside(path: Path, root: Path) -> bool:
    """Say whether path, with every link resolved, is root or lies under it."""
    try:
        real, base = path.resolve(), root.resolve()
    except (OSError, RuntimeError, ValueError):  # a link loop, a NUL in the name
        return False
    return real == base or base in real.parents


def entries(folder: Path, root: Path, problems: Problems) -> list[Path]:
    """List a folder's entries that are safe to read, warning about leftovers and broken links."""
    found = []
    try:
        children = sorted(folder.iterdir())
    except OSError:
        problems.add(folder, 0, "this folder cannot be read (check its permissions)")
        return []
    for path in children:
        if path.name in IGNORED:
            continue
        if EDITOR_LEFTOVER.match(path.name):
            problems.add(path, 0, "skipped: an editor's backup or lock file, not content (delete it)", "warning")
            continue
        if path.name.startswith("."):
            continue
        if path.is_symlink() and not path.exists():
            problems.add(path, 0, "skipped: a link to a file that does not exist (delete the link)", "warning")
            continue
        if not inside(path, root):
            problems.add(path, 0, "links to a file outside the content folder, which is never read: copy the "
                                  "file into the course instead of linking to it")
            continue
        found.append(path)
    return found


def read_text(path: Path, problems: Problems) -> str | None:
    """Read a content file as text (BOM dropped, line ends made plain), or report why it cannot be."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            problems.add(path, 0, f"this file is {size / 1_000_000:.1f} MB; content files are at most 1 MB: "
                                  "split it into smaller lessons")
            return None
        data = path.read_bytes()
    except OSError:
        problems.add(path, 0, "this file cannot be read (check its permissions)")
        return None
    return decode(data, path, problems)


def decode(data: bytes, path: Path, problems: Problems) -> str | None:
    """Decode UTF-8 (with or without a BOM); name the line and column of the first bad byte."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        problems.add(path, 1, "this file is saved as UTF-16; save it as UTF-8 (in most editors: Save As, "
                              "Encoding: UTF-8)")
        return None
    if b"\x00" in data:
        problems.add(path, data.count(b"\n", 0, data.index(b"\x00")) + 1,
                     "this file holds binary data, not text: is it the right file?")
        return None
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[start:exc.start].decode("utf-8", "replace")) + 1
        problems.add(path, line, f"column {column}: this file is not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                                 "re-save it as UTF-8 (in most editors: Save As, Encoding: UTF-8)")
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def near_miss(path: Path, expected: str, near: set[str]) -> str | None:
    """Name the expected form when a file name is close to a content file's but not one."""
    name = path.name.lower()
    for ending in sorted(near | {expected}, key=len, reverse=True):
        if name.endswith(ending) and path.name != path.name[: -len(ending)] + expected:
            stem = path.name[: -len(ending)]
            return f"ignored: content files end in '{expected}'; rename it to '{stem}{expected}' to use it"
    return None
