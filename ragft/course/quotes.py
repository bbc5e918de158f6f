"""Numbers the prose quotes from a measurement, each tied to its source: a retrain cannot leave one stale.

In the lessons, the README and the notebooks' markdown, a measured number is followed by an HTML comment
that names its format and its source (GitHub, JupyterLab and the course site render the comment as nothing):

    closed-book it answers about 9%<!--q pct0 parametric.closed_unseen_day--> of today's questions
    LoRA ships 0.7<!--q num1 finetune.lora_bytes / 1e6--> MB
    it answers 7 of 10<!--q of10 hybrid.feedback.into_index.after.the rated questions--> rated questions
    a 95% interval [71%, 85%]<!--q ci0 finetune.intervals.full_acc-->

A source is a results file (`parametric`, `rag`, `finetune`, `hybrid`, `threshold`, `retrieval`: the shipped record
results/shipped/NAME.json, read through ragft.results, properties included), `model` (the course model's
models/course-model/benchmark.json) or a shipped benchmark curve (`store_scale`, `new_static`, `real_model`,
`real_data`, `real_hybrid`, `real_raft`, `real_oos`, `real_seeds`: plain JSON in results/shipped/), then a path of
keys ('*' takes every item, a number a list's item); two sources joined by ' - ', ' / ' or ' * ' are a difference, a
ratio or a product, several joined by '; ' a list; a number stands for itself. `python -m ragft.course.quotes`
rewrites every quoted number from the results; tests/test_quotes.py fails when one disagrees, so the tolerance is the
format's own rounding. Design constants (60 training days, k = 4) are not measurements and carry no marker.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, is_dataclass
from pathlib import Path
from typing import Any, Callable

from ragft import ROOT
from ragft.results import (FinetuneResults, HybridResults, ParametricResults, RagResults, Results,
                           RetrievalResults, ThresholdResults, load_curve)

RECORDS: dict[str, type[Results]] = {r.NAME: r for r in (ParametricResults, RetrievalResults, RagResults,
                                                          FinetuneResults, ThresholdResults, HybridResults)}
MODEL_BENCHMARK = Path("models/course-model/benchmark.json")
# make bench's shipped curves (bench_scale, bench_static, bench)
BENCH_CURVES = ("store_scale", "new_static", "real_model", "real_data", "real_hybrid", "real_raft", "real_oos",
                "real_seeds")
MARKER = re.compile(r"<!--q (\w+?)(\d*) (.+?)-->")
NUMBER = r"-?\d[\d,]*(?:\.\d+)?"
# format name -> (the text it stands for, just before the marker; how a value is written, given the digit suffix)
FORMATS: dict[str, tuple[str, Callable[[Any, int], str]]] = {
    "pct": (NUMBER + "%", lambda v, n: f"{100 * v:.{n}f}%"),                  # 0.088 -> 9%
    "pts": (NUMBER, lambda v, n: f"{100 * v:.{n}f}"),                         # a difference of fractions, in points
    "num": (NUMBER, lambda v, n: f"{v:,.{n}f}"),                              # seconds, counts, ratios: 4.7
    "ms": (NUMBER, lambda v, n: f"{1000 * v:,.{n}f}"),                         # seconds written in milliseconds
    "x": (NUMBER + "×", lambda v, n: f"{v:,.{n}f}×"),                          # a ratio: 34×
    "of": (r"\d+ of \d+", lambda v, n: f"{round(v * n)} of {n}"),             # a share of n questions: 7 of 10
    "span": (NUMBER + "(?:–" + NUMBER + ")?%", lambda v, n: _span(v, n)),    # a list's smallest and largest: 32–50%
    "ci": (r"\[" + NUMBER + "%, " + NUMBER + r"%\]",                          # an interval: [71%, 85%]
           lambda v, n: "[{:.{n}f}%, {:.{n}f}%]".format(100 * _bounds(v)[0], 100 * _bounds(v)[1], n=n)),
}


def _span(values: list[float], digits: int) -> str:
    """'32–50%' from the smallest and largest of `values`; '92%' when they write the same."""
    low, high = (f"{100 * v:.{digits}f}" for v in (min(values), max(values)))
    return f"{low}%" if low == high else f"{low}–{high}%"


def _bounds(value: Any) -> tuple[float, float]:
    """An interval's (low, high), from a pair or from anything with `low` and `high`."""
    if isinstance(value, dict):
        return value["low"], value["high"]
    if hasattr(value, "low"):
        return value.low, value.high
    low, high = value
    return low, high


def _errors(record: ThresholdResults, keep: Callable[[dict], bool]) -> float:
    """The largest |predicted - measured| (a fraction) over the validation rows `keep` accepts."""
    return max(abs(r["predicted"] - r["measured"]) for r in record.validation if keep(r))


def _notebook06(row: dict) -> bool:
    return "notebook 06" in row["strategy"]


# Values the prose quotes that are a summary of a record's rows rather than one of its fields.
def probe_runs(seeds: dict, recipe: str) -> list[dict]:
    """make bench PART=real_seeds's probe change per training run for a recipe ("replay", "no_replay", or "sealed":
    the recipe with replay on the sealed day's facts): each seed's {value, interval, n} with its within_noise
    verdict."""
    if recipe == "sealed":
        part = seeds["sealed"]
        runs, kept = part["spread"]["real_world_probe_change_sealed_lora"]["per_seed"], part["within_noise"]
    else:
        runs = seeds["spread"]["real_world_probe_change" + ("" if recipe == "replay" else f"_{recipe}")]["per_seed"]
        kept = seeds["within_noise"][recipe]
    return [{**run, "within_noise": k} for run, k in zip(runs, kept, strict=True)]


def probe_falls(runs: list[dict]) -> int:
    """How many training runs' probe changes ({value, within_noise}) are falls beyond noise (a rise is no loss)."""
    return sum(not run["within_noise"] and run["value"] < 0 for run in runs)


DERIVED: dict[str, Callable[[Any], Any]] = {
    "threshold.static_error": lambda r: _errors(r, lambda row: row["share"] == 0),
    "threshold.today_error": lambda r: _errors(r, lambda row: row["share"] == 1 and not _notebook06(row)),
    "threshold.hybrid06_error": lambda r: _errors(r, _notebook06),
    "threshold.rag_today_measured": lambda r: next(row["measured"] for row in r.validation
                                                   if row["share"] == 1 and row["strategy"] == "RAG only"),
    # notebook 05's presets on SmolLM2's numbers: the thresholds that come (a share), and how many never come
    "threshold.crossing_real": lambda r: [p["threshold"] for p in r.presets_real.values() if p["threshold"] is not None],
    "threshold.never_real": lambda r: sum(p["threshold"] is None for p in r.presets_real.values()),
    # make bench PART=real_seeds: its training runs, and per recipe how many of them lose the probe beyond noise
    "real_seeds.runs": lambda r: len(r["seeds"]),
    **{f"real_seeds.{recipe}_falls": (lambda r, recipe=recipe: probe_falls(probe_runs(r, recipe)))
       for recipe in ("replay", "no_replay", "sealed")},
}


@dataclass
class Quote:
    """One marked number: where it is, what it says, and what it stands for."""

    path: Path
    text: str     # the number as the prose writes it
    form: str     # the format, e.g. "pct0"
    source: str   # e.g. "parametric.closed_unseen_day"
    start: int    # the number's span in the file's text (a notebook: the cell's text)
    end: int

    def expected(self, root: Path = ROOT) -> str:
        """The number as the results write it in this quote's format."""
        name, digits = re.fullmatch(r"([a-z]+)(\d*)", self.form).groups()
        return FORMATS[name][1](value(self.source, root), int(digits or 0))

    def where(self, root: Path = ROOT) -> str:
        return f"{self.path.relative_to(root)}: {self.source} ({self.form})"


def _record(name: str, root: Path) -> Any:
    """The shipped record `name` (or the course model's benchmark, `model`)."""
    if name == "model":
        return json.loads((root / MODEL_BENCHMARK).read_text())
    if name in BENCH_CURVES:
        curve, _ = load_curve(f"{name}.json", "shipped", root / "results")
        if curve is None:
            raise FileNotFoundError(f"no results/shipped/{name}.json: run make bench PART={name} and ship it")
        return curve
    if name not in RECORDS:
        raise KeyError(f"no results file {name!r}: a quote's source starts with one of "
                       f"{', '.join(['model', *BENCH_CURVES, *RECORDS])}")
    return RECORDS[name].read("shipped", root / "results")


def _step(node: Any, key: str, seen: str) -> Any:
    """`node`'s item or attribute `key` ('*': all of them, as a list)."""
    if key == "*":
        return list(node.values() if isinstance(node, dict) else node)
    if is_dataclass(node):
        if hasattr(node, key):
            return getattr(node, key)
    elif isinstance(node, dict):
        for k in (key, int(key) if key.lstrip("-").isdigit() else None, _float(key)):
            if k is not None and k in node:
                return node[k]
    elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
        return node[int(key)]
    raise KeyError(f"{seen} has no {key!r}")


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _one(source: str, root: Path) -> Any:
    """A single source: a number, a derived summary, or a file and a path of keys ('*' maps over a list)."""
    if (number := _float(source)) is not None:
        return number
    name, _, rest = source.partition(".")
    node = _record(name, root)
    if source in DERIVED:
        return DERIVED[source](node)
    keys, seen = rest.split("."), name
    for i, key in enumerate(keys):
        if isinstance(node, dict) and ".".join(keys[i:]) in node:  # a dotted key: intervals' "week.0.ft_today"
            return node[".".join(keys[i:])]
        if key == "*":
            return [_walk(item, keys[i + 1:], f"{seen}.*") for item in _step(node, key, seen)]
        node, seen = _step(node, key, seen), f"{seen}.{key}"
    return node


def _walk(node: Any, keys: list[str], seen: str) -> Any:
    for key in keys:
        node, seen = _step(node, key, seen), f"{seen}.{key}"
    return node


def value(source: str, root: Path = ROOT) -> Any:
    """What `source` stands for: one value, a difference ' - ', a ratio ' / ', a product ' * ', or a list '; '."""
    if "; " in source:
        return [_one(s, root) for s in source.split("; ")]
    for op, apply in ((" - ", lambda a, b: a - b), (" / ", lambda a, b: a / b), (" * ", lambda a, b: a * b)):
        if op in source:
            a, b = source.split(op, 1)
            return apply(_one(a, root), _one(b, root))
    return _one(source, root)


def files(root: Path = ROOT) -> list[Path]:
    """Every file whose prose may quote a measurement: the lessons, the README, the notebooks in solutions/."""
    return [*sorted((root / "lessons").glob("*.md")), root / "README.md", *sorted((root / "solutions").glob("*.ipynb"))]


def texts(path: Path) -> list[str]:
    """The prose of a file: a Markdown file whole, a notebook's markdown cells one by one."""
    if path.suffix != ".ipynb":
        return [path.read_text()]
    return ["".join(c["source"]) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "markdown"]


def quotes(path: Path, text: str) -> list[Quote]:
    """The marked numbers of one text; a marker not right after a number in its format is an error."""
    found = []
    for m in MARKER.finditer(text):
        form, digits, source = m.groups()
        if form not in FORMATS:
            raise ValueError(f"{path.name}: marker {m.group(0)!r} has no format {form!r}; "
                             f"use one of {', '.join(FORMATS)}")
        before = re.search(f"(?:{FORMATS[form][0]})$", text[:m.start()])
        if not before:
            context = text[max(0, m.start() - 40):m.start()]
            raise ValueError(f"{path.name}: marker {m.group(0)!r} does not follow a number written as {form} "
                             f"(...{context!r}); put the number right before the marker")
        found.append(Quote(path, before.group(0), form + digits, source, before.start(), before.end()))
    return found


def rewrite(path: Path, text: str, root: Path = ROOT) -> tuple[str, list[str]]:
    """`text` with every marked number rewritten from the results; also the quotes whose source is missing."""
    waiting = []
    for q in reversed(quotes(path, text)):
        try:
            new = q.expected(root)
        except (FileNotFoundError, KeyError, ValueError) as e:
            waiting.append(f"{q.where(root)}: {e}")
            continue
        text = text[:q.start] + new + text[q.end:]
    return text, waiting[::-1]


def _source_lines(text: str) -> list[str]:
    """A notebook cell's source as nbformat stores it: lines that keep their newline."""
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + [lines[-1]]


def write(root: Path = ROOT) -> tuple[list[Path], list[str]]:
    """Rewrite every quoted number from the shipped results; return the files changed and the quotes left waiting."""
    changed, waiting = [], []
    for path in files(root):
        if path.suffix != ".ipynb":
            new, left = rewrite(path, path.read_text(), root)
            if new != path.read_text():
                path.write_text(new)
                changed.append(path)
            waiting += left
            continue
        nb = json.loads(path.read_text())
        dirty = False
        for cell in nb["cells"]:
            if cell["cell_type"] == "markdown":
                old = "".join(cell["source"])
                new, left = rewrite(path, old, root)
                waiting += left
                if new != old:
                    cell["source"], dirty = _source_lines(new), True
        if dirty:
            path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
            changed.append(path)
    return changed, waiting


if __name__ == "__main__":
    from ragft.course.runner import write_students  # solutions/ changed: notebooks/ follow them

    written, left = write()
    written += write_students()
    for p in written:
        print("wrote", p.relative_to(ROOT))
    for line in left:
        print("waiting for its results:", line)
    sys.exit(1 if left else 0)
