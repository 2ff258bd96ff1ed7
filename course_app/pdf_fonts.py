"""Fonts for every PDF the app makes: embedded TrueType, with a CJK fallback for names and text."""
from __future__ import annotations

import functools
import unicodedata
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).parent / "certificates" / "fonts"
SANS, SANS_BOLD, SERIF, SERIF_BOLD = "DejaVuSans", "DejaVuSans-Bold", "DejaVuSerif", "DejaVuSerif-Bold"
CJK = "DroidSansFallback"
FONT_FILES = {SANS: "DejaVuSans.ttf", SANS_BOLD: "DejaVuSans-Bold.ttf", SERIF: "DejaVuSerif.ttf",
              SERIF_BOLD: "DejaVuSerif-Bold.ttf", CJK: "DroidSansFallbackFull.ttf"}


@functools.cache
def registered_fonts() -> dict[str, dict[int, int]]:
    """Register the bundled fonts once per process and return each font's code point map."""
    maps = {}
    for name, file in FONT_FILES.items():
        font = TTFont(name, str(FONT_DIR / file))
        pdfmetrics.registerFont(font)
        maps[name] = font.face.charToGlyph
    pdfmetrics.registerFontFamily(SANS, normal=SANS, bold=SANS_BOLD, italic=SANS, boldItalic=SANS_BOLD)
    return maps


def font_runs(text: str, font: str) -> list[tuple[str, str]]:
    """Split text into (text, font) runs, sending characters the font lacks to the CJK fallback."""
    maps, runs = registered_fonts(), []
    for ch in unicodedata.normalize("NFC", text):
        wanted = CJK if ord(ch) not in maps[font] and ord(ch) in maps[CJK] else font
        if runs and (runs[-1][1] == wanted or ch.isspace()):
            runs[-1][0] += ch
        else:
            runs.append([ch, wanted])
    return [(run, name) for run, name in runs]


def markup(text: str, font: str = SANS) -> str:
    """Escape plain text as reportlab paragraph markup, setting characters the font lacks in the CJK font."""
    return "".join(escape(run) if name == font else f'<font face="{CJK}">{escape(run)}</font>'
                   for run, name in font_runs(text, font))
