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


def accuracy(value: float, bounds=None) -> str:
    """'73% [48–89%]': an accuracy with its 95% interval, or '73%' when it has none."""
    return f"{100 * value:.0f}%" + ("" if bounds is None else f" [{100 * bounds[0]:.0f}–{100 * bounds[1]:.0f}%]")


def shipped_pct(record: Results, path: str, root: Path, n: int | None = None) -> str:
    """'73% [48–89%]' (the shipped accuracy at `path` and its stored interval), with ', n 15' when n is given."""
    text = accuracy(value(f"{record.NAME}.{path}", root), record.interval(path))
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
    return f"{accuracy(fig['value'], fig['interval'])}, n {fig['n']}"


def _low_to_high(runs: list[dict], write) -> str:
    """The lowest run and the highest ({value, ...}) written by `write`: 'A to B', or 'A in each' when they agree."""
    low, high = min(runs, key=lambda r: r["value"]), max(runs, key=lambda r: r["value"])
    return f"{write(low)} in each" if low["value"] == high["value"] else f"{write(low)} to {write(high)}"


def runs_range(runs: list[dict]) -> str:
    """The accuracies of several runs ({value, interval}) as '83% [64–97%] to 100% [76–100%]' (the lowest run and
    the highest, each with its interval), or '100% [76–100%] in each' when they are the same."""
    return _low_to_high(runs, lambda run: accuracy(run["value"], run.get("interval")))


def points_range(runs: list[dict]) -> str:
    """Several runs' paired differences ({value, interval}) as '−23 points [−40, −7] to +7 points [−13, +23]'."""
    return _low_to_high(runs, span)


def apart(a: dict, b: dict) -> bool:
    """Two figures measured on different items whose 95% intervals do not overlap: a difference beyond noise (the
    conservative reading; a paired difference can be beyond noise with overlapping intervals)."""
    return a["interval"][1] < b["interval"][0] or b["interval"][1] < a["interval"][0]


def beyond(low: float, high: float) -> bool:
    """Beyond noise: the paired difference's interval leaves out 0 (`evaluate.Difference.within_noise`'s rule)."""
    return not Difference(0.0, low, high, 0).within_noise
