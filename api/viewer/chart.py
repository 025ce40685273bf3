"""The site page's chart of changes over time, as geometry for an inline SVG (pure).

One horizontal time axis from the first capture to the last; each change is a mark at the
capture that first showed it, material ones taller and in the alarm colour. Geometry is in
viewBox units so the SVG scales with the page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from db.rows import ChangeEntry

WIDTH = 720
HEIGHT = 120
PAD_X = 24
AXIS_Y = 92
MATERIAL_Y = 36
OTHER_Y = 62
MIN_GAP = 12
LIFT = 16


@dataclass(frozen=True, slots=True)
class Mark:
    x: float
    y: float
    material: bool
    href: str
    label: str


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    axis_y: int
    x0: float
    x1: float
    ticks: list[tuple[float, str]]
    marks: list[Mark]
    material: int
    total: int

    @property
    def description(self) -> str:
        return f"{self.total} changes over time, {self.material} of them material"


def _when(iso: str) -> datetime:
    return datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _clip(text: str, limit: int = 180) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _years(start: datetime, end: datetime) -> list[int]:
    years = list(range(start.year + 1, end.year + 1))
    # Keep at most ~8 labels so they never overlap on the axis.
    step = max(1, -(-len(years) // 8))
    return years[::step]


def change_chart(
    changes: Sequence[ChangeEntry], start: str, end: str, href: Callable[[ChangeEntry], str]
) -> Chart:
    """`changes`: rows with id, to_captured_at, material, summary; `start`/`end`: the span
    shown (ISO times); `href` gives a change's page."""
    t0, t1 = _when(start), _when(end)
    if t1 <= t0:
        t1 = t0.replace(year=t0.year + 1)
    span = (t1 - t0).total_seconds()
    inner = WIDTH - 2 * PAD_X

    def x_of(moment: datetime) -> float:
        return round(PAD_X + inner * (moment - t0).total_seconds() / span, 1)

    marks: list[Mark] = []
    last_x = {True: -1e9, False: -1e9}
    lift = {True: 0, False: 0}
    for c in sorted(changes, key=lambda c: c["to_captured_at"]):
        when = _when(c["to_captured_at"])
        material = bool(c["material"])
        x = x_of(when)
        # Changes days apart would hide each other: lift every other one of a close run.
        lift[material] = (lift[material] + 1) % 2 if x - last_x[material] < MIN_GAP else 0
        last_x[material] = x
        verdict = "material change" if c["material"] else "change"
        label = f"{when.strftime('%-d %b %Y')}, {verdict}: {c.get('summary') or ''}"
        marks.append(
            Mark(
                x=x,
                y=(MATERIAL_Y if material else OTHER_Y) - LIFT * lift[material],
                material=material,
                href=href(c),
                label=_clip(label),
            )
        )
    ticks = [(x_of(datetime(y, 1, 1, tzinfo=UTC)), str(y)) for y in _years(t0, t1)]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        axis_y=AXIS_Y,
        x0=PAD_X,
        x1=WIDTH - PAD_X,
        ticks=ticks,
        marks=marks,
        material=sum(m.material for m in marks),
        total=len(marks),
    )
