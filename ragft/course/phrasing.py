"""How a measured figure is written in the course's tables (the "Does it transfer?" table): a value with its 95%
interval and n, a paired difference in points, the figures of several training runs; and the two rules that call a
difference beyond noise (a paired difference's interval leaves out 0; figures on different items: their intervals
do not overlap)."""

from __future__ import annotations

from pathlib import Path

from ragft.course.quotes import value
from ragft.evaluate import Difference
from ragft.results import Results

NOT_YET = "not measured in a shipped run yet"   # a row whose real-model run is not shipped


def shipped_pct(record: Results, path: str, root: Path, n: int | None = None) -> str:
    """'73% [48–89%]' (the shipped accuracy at `path` and its stored interval), with ', n 15' when n is given."""
    bounds = record.interval(path)
    text = f"{100 * value(f'{record.NAME}.{path}', root):.0f}%"
    text += "" if bounds is None else f" [{100 * bounds[0]:.0f}–{100 * bounds[1]:.0f}%]"
    return text + ("" if n is None else f", n {n}")


def points(d: dict) -> str:
    """A paired difference as '−33 points [−58, −8]'."""
    return f"{100 * d['value']:+.0f} points [{100 * d['low']:+.0f}, {100 * d['high']:+.0f}]".replace("-", "−")


def span(fig: dict) -> str:
    """A make bench paired difference ({value, interval}) as '−70 points [−87, −53]'."""
    return points({"value": fig["value"], "low": fig["interval"][0], "high": fig["interval"][1]})


def shipped(record: Results, path: str, root: Path) -> dict:
    """A notebook's shipped accuracy as a make bench figure ({value, interval}), for `apart`."""
    return {"value": value(f"{record.NAME}.{path}", root), "interval": record.interval(path) or (0.0, 1.0)}


def figure(fig: dict) -> str:
    """A make bench figure ({value, interval, n}) as '62% [38–83%], n 24'."""
    low, high = fig["interval"]
    return f"{100 * fig['value']:.0f}% [{100 * low:.0f}–{100 * high:.0f}%], n {fig['n']}"


def runs_range(runs: list[dict]) -> str:
    """The accuracies of several runs ({value, interval}) as '83% [64–97%] to 100% [76–100%]' (the lowest run and
    the highest, each with its interval), or '100% [76–100%] in each' when they are the same."""
    def one(run: dict) -> str:
        bounds = run.get("interval")
        return f"{100 * run['value']:.0f}%" + ("" if bounds is None else f" [{100 * bounds[0]:.0f}–{100 * bounds[1]:.0f}%]")

    low, high = min(runs, key=lambda r: r["value"]), max(runs, key=lambda r: r["value"])
    return f"{one(low)} in each" if low["value"] == high["value"] else f"{one(low)} to {one(high)}"


def points_range(runs: list[dict]) -> str:
    """Several runs' paired differences ({value, interval}) as '−23 points [−40, −7] to +7 points [−13, +23]'."""
    low, high = min(runs, key=lambda r: r["value"]), max(runs, key=lambda r: r["value"])
    return f"{span(low)} in each" if low["value"] == high["value"] else f"{span(low)} to {span(high)}"


def apart(a: dict, b: dict) -> bool:
    """Two figures measured on different items whose 95% intervals do not overlap: a difference beyond noise (the
    conservative reading; a paired difference can be beyond noise with overlapping intervals)."""
    return a["interval"][1] < b["interval"][0] or b["interval"][1] < a["interval"][0]


def beyond(low: float, high: float) -> bool:
    """Beyond noise: the paired difference's interval leaves out 0 (`evaluate.Difference.within_noise`'s rule)."""
    return not Difference(0.0, low, high, 0).within_noise
