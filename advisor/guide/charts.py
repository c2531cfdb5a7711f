"""The guide's three charts as deterministic SVG: price against predicted waiting with the Pareto front,
per-criterion scores of the top picks, and minutes a day spent waiting per machine.

Pure functions of plain values: the same points give the same bytes. Every label is escaped by advisor.guide.svg.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

from advisor.guide.svg import document, element, number, text, title

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")
FRONT_COLOUR = "#d62728"
POINT_COLOUR = "#1f77b4"
MAX_LABEL_CHARS = 68  # chart labels only; the full name is the element's tooltip


@dataclass(frozen=True)
class PricePoint:
    """One machine on the scatter: its configuration id, display name, price and predicted minutes a day."""

    machine_config: str
    name: str
    price: float
    wait_min_per_day: float


def short(name: str) -> str:
    """A label that fits beside a bar: cut at MAX_LABEL_CHARS with an ellipsis."""
    return name if len(name) <= MAX_LABEL_CHARS else name[:MAX_LABEL_CHARS - 1].rstrip() + "…"


def pareto_front(points: Sequence[PricePoint]) -> list[PricePoint]:
    """The machines no other beats on both price and waiting (cheaper and waiting less), cheapest first."""
    ordered = sorted(points, key=lambda p: (p.price, p.wait_min_per_day, p.machine_config))
    front: list[PricePoint] = []
    for point in ordered:
        if not front or point.wait_min_per_day < front[-1].wait_min_per_day:
            front.append(point)
    return front


def _nice_step(span: float, ticks: int = 5) -> float:
    """A round tick step (1, 2 or 5 times a power of ten) giving about `ticks` ticks over span."""
    raw = max(span, 1e-9) / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _axis_ticks(low: float, high: float, count: int = 5) -> list[float]:
    step = _nice_step(high - low, count)
    first = math.floor(low / step) * step
    ticks: list[float] = []
    value = first
    while value <= high + step / 2 and len(ticks) < 12:
        ticks.append(round(value, 6))
        value += step
    return ticks


def _tick_label(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:g}"


def price_vs_wait(points: Sequence[PricePoint], labels: Mapping[str, str]) -> str:
    """Scatter of price (x) against predicted minutes a day waiting (y); the Pareto front joined, its points
    numbered and listed under the plot (names are long: a list cannot overlap as labels beside points can).

    labels: title, x (axis, with the currency), y, front (legend), currency, minutes (the unit, shortened)."""
    front = pareto_front(points)
    width, left, right, top, plot_height = 760.0, 70.0, 20.0, 50.0, 330.0
    list_top = top + plot_height + 60
    height = list_top + 18.0 * len(front) + 10
    body = [text(labels["title"], width / 2, 22, text_anchor="middle", font_size=15, font_weight="bold")]
    if not points:
        return document(width, height, body, labels["title"])
    xs = _axis_ticks(min(p.price for p in points), max(p.price for p in points), count=8)
    ys = _axis_ticks(0, max(p.wait_min_per_day for p in points) * 1.05)
    x0, x1, y1 = xs[0], xs[-1], ys[-1]
    base = top + plot_height

    def px(value: float) -> float:
        return left + (value - x0) / ((x1 - x0) or 1) * (width - left - right)

    def py(value: float) -> float:
        return base - value / (y1 or 1) * plot_height

    for tick in xs:
        body.append(element("line", x1=px(tick), y1=top, x2=px(tick), y2=base, stroke="#e0e0e0"))
        body.append(text(_tick_label(tick), px(tick), base + 16, text_anchor="middle"))
    for tick in ys:
        body.append(element("line", x1=left, y1=py(tick), x2=width - right, y2=py(tick), stroke="#e0e0e0"))
        body.append(text(_tick_label(tick), left - 6, py(tick) + 4, text_anchor="end"))
    body.append(text(labels["x"], (left + width - right) / 2, base + 36, text_anchor="middle"))
    body.append(text(labels["y"], 16, top + plot_height / 2, text_anchor="middle",
                     transform=f"rotate(-90 16 {number(top + plot_height / 2)})"))
    on_front = {p.machine_config for p in front}
    if len(front) > 1:
        path = " ".join(f"{number(px(p.price))},{number(py(p.wait_min_per_day))}" for p in front)
        body.append(element("polyline", points=path, fill="none", stroke=FRONT_COLOUR, stroke_width=1.5,
                            stroke_dasharray="4 3"))
    for point in sorted(points, key=lambda p: (p.machine_config in on_front, p.machine_config)):
        front_point = point.machine_config in on_front
        tooltip = title(f"{point.name}: {point.price:,.0f}, {point.wait_min_per_day:.1f} min")
        body.append(element("circle", tooltip, cx=px(point.price), cy=py(point.wait_min_per_day),
                            r=5.0 if front_point else 3.5, fill=FRONT_COLOUR if front_point else POINT_COLOUR,
                            fill_opacity=0.9 if front_point else 0.55))
    for index, point in enumerate(front, start=1):
        body.append(text(str(index), px(point.price) + 6, py(point.wait_min_per_day) - 7, font_size=11,
                         font_weight="bold", fill=FRONT_COLOUR))
    body.append(element("circle", cx=left + 12, cy=top - 12, r=5.0, fill=FRONT_COLOUR))
    body.append(text(labels["front"], left + 22, top - 8, font_size=11))
    for index, point in enumerate(front, start=1):
        y = list_top + 18.0 * (index - 1)
        shown = f"{point.price:,.0f} {labels['currency']} · {point.wait_min_per_day:.1f} {labels['minutes']}"
        body.append(text(f"{index}  {point.name}: {shown}", left, y,
                         font_size=11, fill="#333333"))
    return document(width, height, body, labels["title"])


def criterion_bars(machines: Sequence[tuple[str, Mapping[str, float | None]]], criteria: Sequence[tuple[str, str]],
                   labels: Mapping[str, str]) -> str:
    """Grouped bars: for each criterion (label), one bar per machine with its 0-100 score; a legend of machines.

    machines: (name, {criterion: score or None}); criteria: (criterion, label). labels: title, y, not_assessed."""
    width, top, bottom, left, right = 760.0, 40.0, 40.0, 50.0, 20.0
    legend_height = 18.0 * len(machines) + 10
    plot_height = 260.0
    height = top + plot_height + bottom + legend_height
    body = [text(labels["title"], width / 2, 22, text_anchor="middle", font_size=15, font_weight="bold")]
    base = top + plot_height
    for tick in (0, 25, 50, 75, 100):
        y = base - tick / 100 * plot_height
        body.append(element("line", x1=left, y1=y, x2=width - right, y2=y, stroke="#e0e0e0"))
        body.append(text(str(tick), left - 6, y + 4, text_anchor="end"))
    body.append(text(labels["y"], 14, top + plot_height / 2, text_anchor="middle",
                     transform=f"rotate(-90 14 {number(top + plot_height / 2)})"))
    group = (width - left - right) / max(len(criteria), 1)
    bar = min(22.0, (group - 10) / max(len(machines), 1))
    for ci, (criterion, label) in enumerate(criteria):
        start = left + ci * group + (group - bar * len(machines)) / 2
        for mi, (name, scores) in enumerate(machines):
            score = scores.get(criterion)
            x = start + mi * bar
            if score is None:
                body.append(text("–", x + bar / 2, base - 4, text_anchor="middle", font_size=10))
                continue
            h = score / 100 * plot_height
            body.append(element("rect", title(f"{name} · {label}: {score:.0f}"), x=x, y=base - h, width=bar - 2,
                                height=h, fill=PALETTE[mi % len(PALETTE)]))
        body.append(text(label, left + ci * group + group / 2, base + 16, text_anchor="middle"))
    for mi, (name, _) in enumerate(machines):
        y = top + plot_height + bottom + 18.0 * mi
        body.append(element("rect", x=left, y=y, width=12.0, height=12.0, fill=PALETTE[mi % len(PALETTE)]))
        body.append(text(short(name) if len(name) > 80 else name, left + 18, y + 10, font_size=11))
    return document(width, height, body, labels["title"])


def wait_bars(items: Sequence[tuple[str, float]], labels: Mapping[str, str]) -> str:
    """Horizontal bars of predicted minutes a day waiting per machine, least waiting first.

    items: (name, minutes); labels: title, x."""
    ordered = sorted(items, key=lambda item: (item[1], item[0]))
    width, top, left, right, row = 900.0, 40.0, 430.0, 50.0, 20.0
    height = top + row * len(ordered) + 50
    body = [text(labels["title"], width / 2, 22, text_anchor="middle", font_size=15, font_weight="bold")]
    most = max((minutes for _, minutes in ordered), default=1.0) or 1.0
    span = width - left - right
    for index, (name, minutes) in enumerate(ordered):
        y = top + index * row
        w = minutes / most * span
        body.append(text(short(name), left - 6, y + 13, text_anchor="end", font_size=11))
        body.append(element("rect", title(f"{name}: {minutes:.1f} min"), x=left, y=y + 2, width=w, height=row - 5,
                            fill=PALETTE[0]))
        body.append(text(f"{minutes:.1f}", left + w + 4, y + 13, font_size=11))
    body.append(text(labels["x"], left + span / 2, height - 14, text_anchor="middle"))
    return document(width, height, body, labels["title"])
