"""The geometry of the trend charts: plain numbers and point lists, computed here, placed by templates.

A template never computes a coordinate from data: it writes the numbers of these dataclasses into SVG
attributes (autoescaped like everything else) and the labels it is given into ``<text>`` and ``<title>``.
Nothing here reads text from a result or a store, only counts; a label of a chart (an as-of date) is
passed through as given and escaped by the template's environment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

#: block characters of a text sparkline, lowest first
BLOCKS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class Tick:
    pos: float           # x (an axis along the bottom) or y (an axis at the side), in the chart's units
    label: str
    x: float             # where its label's text is anchored
    y: float


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    label: str           # the point's x label (an as-of date)
    value: int


@dataclass(frozen=True)
class Column:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


@dataclass(frozen=True)
class LineChart:
    """Violations as a line over the left axis, failed rules as columns over the right one, per run."""

    width: int
    height: int
    left: float
    top: float
    right: float          # x of the plot's right edge
    bottom: float         # y of the plot's bottom edge (the x axis)
    x_ticks: list[Tick]
    y_ticks: list[Tick]   # left axis (the line)
    y2_ticks: list[Tick]  # right axis (the columns)
    line: str             # "x,y x,y …" of the polyline
    dots: list[Dot]
    columns: list[Column]


@dataclass(frozen=True)
class Sparkline:
    width: int
    height: int
    segments: list[str] = field(default_factory=list)   # "x,y x,y …" per unbroken run of known values
    singles: list[Dot] = field(default_factory=list)    # a known value between two gaps (no line to draw)
    last: Dot | None = None
    top: int = 0
    dots: list[Dot] = field(default_factory=list)       # every known value, oldest first


@dataclass(frozen=True)
class HBar:
    y: float              # top of the bar
    text_y: float         # baseline of its label and value
    width: float          # of the filled part, in the chart's units
    label: str
    value: int


@dataclass(frozen=True)
class HBarChart:
    width: int
    height: int
    track_x: float        # where the bars start (labels are left of it)
    track: float          # the longest bar's length
    bar_height: float
    value_x: float        # where the values are written
    bars: list[HBar]


def nice_top(value: int) -> int:
    """The smallest 1, 2 or 5 times a power of ten at or above ``value`` (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover (the loop always returns)


def ticks(top: int, count: int = 4) -> list[int]:
    """Whole-number tick values from 0 to ``top`` (``top`` from :func:`nice_top`), at most ``count + 1``."""
    step = max(1, math.ceil(top / count))
    return list(range(0, top + 1, step)) if top else [0]


def _xs(n: int, left: float, right: float) -> list[float]:
    if n == 1:
        return [round((left + right) / 2, 2)]
    gap = (right - left) / (n - 1)
    return [round(left + i * gap, 2) for i in range(n)]


def _y(value: float, top: int, y_top: float, y_bottom: float) -> float:
    return round(y_bottom - (value / top) * (y_bottom - y_top), 2) if top else y_bottom


def _shown_labels(n: int, most: int) -> set[int]:
    """Which of ``n`` x labels to write so that at most about ``most`` are (always the first and the last)."""
    every = max(1, math.ceil(n / most))
    return {i for i in range(n) if i % every == 0} | ({n - 1} if n else set())


def line_chart(labels: list[str], line: list[int], columns: list[int], width: int = 720,
               height: int = 240) -> LineChart:
    """One x position per label (oldest first); ``line`` and ``columns`` hold one value per label."""
    left, right, top, bottom = 56.0, width - 56.0, 14.0, height - 42.0
    pad = min(40.0, (right - left) / (2 * max(len(labels), 1)))
    xs = _xs(len(labels), left + pad, right - pad)
    top1, top2 = nice_top(max(line, default=0)), nice_top(max(columns, default=0))
    dots = [Dot(x, _y(v, top1, top, bottom), lab, v) for x, v, lab in zip(xs, line, labels, strict=True)]
    col_w = round(min(22.0, (right - left) / max(len(labels), 1) * 0.45), 2)
    cols = [Column(round(x - col_w / 2, 2), _y(v, top2, top, bottom), col_w,
                   round(bottom - _y(v, top2, top, bottom), 2), lab, v)
            for x, v, lab in zip(xs, columns, labels, strict=True)]
    shown = _shown_labels(len(labels), max(2, int((right - left) // 90)))
    return LineChart(
        width=width, height=height, left=left, top=top, right=right, bottom=bottom,
        x_ticks=[Tick(x, lab, x, bottom + 18) for i, (x, lab) in enumerate(zip(xs, labels, strict=True))
                 if i in shown],
        y_ticks=[_side_tick(_y(t, top1, top, bottom), t, left - 6) for t in ticks(top1)],
        y2_ticks=[_side_tick(_y(t, top2, top, bottom), t, right + 6) for t in ticks(top2)],
        line=" ".join(f"{d.x},{d.y}" for d in dots), dots=dots, columns=cols)


def _side_tick(y: float, value: int, x: float) -> Tick:
    return Tick(y, f"{value:,}", x, round(y + 4, 2))


def sparkline(values: list[int | None], labels: list[str], width: int = 120, height: int = 22) -> Sparkline:
    """A small line of ``values`` (None: a gap), scaled to its own largest value."""
    pad = 3.0
    known = [v for v in values if v is not None]
    top = max(known, default=0)
    xs = _xs(len(values), pad, width - pad) if values else []
    dots = [None if v is None else Dot(x, _y(v, top, pad, height - pad), lab, v)
            for x, v, lab in zip(xs, values, labels, strict=True)]
    runs: list[list[Dot]] = [[]]
    for d in dots:
        if d is None:
            runs.append([])
        else:
            runs[-1].append(d)
    return Sparkline(width=width, height=height,
                     segments=[" ".join(f"{d.x},{d.y}" for d in run) for run in runs if len(run) > 1],
                     singles=[run[0] for run in runs if len(run) == 1],
                     last=next((d for d in reversed(dots) if d is not None), None), top=top,
                     dots=[d for d in dots if d is not None])


def hbars(labels: list[str], values: list[int], width: int = 420, label_width: float = 84.0,
          row: float = 26.0) -> HBarChart:
    """Horizontal bars of ``values``, one row each, scaled so the largest fills the track."""
    track = width - label_width - 56.0
    most = max(values, default=0) or 1
    bars = [HBar(y=round(i * row + 7, 2), text_y=round(i * row + 19, 2), width=round(v / most * track, 2),
                 label=lab, value=v) for i, (lab, v) in enumerate(zip(labels, values, strict=True))]
    return HBarChart(width=width, height=int(len(bars) * row + 6), track_x=label_width, track=track,
                     bar_height=16.0, value_x=label_width + track + 8, bars=bars)


def spark_text(values: list[int | None], gap: str = "·") -> str:
    """The same as a line of block characters (``gap`` where a value is missing)."""
    top = max((v for v in values if v is not None), default=0)
    return "".join(gap if v is None else BLOCKS[0 if top == 0 else min(7, round(v * 7 / top))] for v in values)
