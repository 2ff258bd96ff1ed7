"""Charts drawn on the server: geometry as plain data for an SVG template (no JavaScript, no library)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

WIDTH = 360  # viewBox units; about a phone's width, so text stays readable when the chart is scaled
LABEL_WIDTH = 128
VALUE_WIDTH = 76
ROW = 30
BAR = 18


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    share: float  # of the first bar's value
    y: float
    width: float
    text: str  # "1,234 (56%)"


@dataclass(frozen=True)
class BarChart:
    bars: tuple[Bar, ...]
    width: int
    height: int
    label_width: int
    bar_height: int

    @property
    def summary(self) -> str:
        return "; ".join(f"{b.label}: {b.text}" for b in self.bars)


def bar_chart(items: Sequence[tuple[str, int]]) -> BarChart:
    """Lay out horizontal bars, each as long as its value relative to the first (the whole)."""
    whole = items[0][1] if items else 0
    area = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = []
    for index, (label, value) in enumerate(items):
        share = value / whole if whole else 0.0
        bars.append(Bar(label, value, share, index * ROW + (ROW - BAR) / 2, round(max(share * area, 0), 1),
                        f"{value:,} ({share:.0%})"))
    return BarChart(tuple(bars), WIDTH, len(items) * ROW, LABEL_WIDTH, BAR)
