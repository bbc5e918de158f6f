"""The decision model's unit numbers: what notebooks 01-04 and 06 measured, with their 95% intervals.

`load_measurements()` reads them through `ragft.results` (the learner's own files once notebooks 01-04 have all
run, else the kit's shipped ones) and says whose each one is. `terms(m, n)` gives the numbers the formulas of
`ragft.threshold` use: the measured values (n=0), or n random draws that carry each accuracy's 95% interval:

    each accuracy is drawn from a split normal around its value, with a standard deviation of (value - low) / 1.96
    below it and (high - value) / 1.96 above it, clipped to [0, 1]; different measurements are drawn independently;
    the points of one curve (RAG by days kept: the same questions asked of bigger stores) move together.

A prediction's band is the 2.5th to 97.5th percentile of the formula over the draws (a parametric bootstrap).

Prompt tokens per question are counted with the course model's own tokenizer and prompt format (`prompt_tokens`):
a closed-book prompt, and a RAG prompt with k = 4 passages (the gold report and three look-alikes, as the
retriever returns them). `load_real_measurements()` gives the real model's (SmolLM2-135M-Instruct) from its bench
runs, its prompt tokens counted with its own chat template.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from ragft import MODELS_DIR, RESULTS_DIR
from ragft.inputs import check_int, check_number, check_share
from ragft.results import (FinetuneResults, HybridResults, ParametricResults, RagResults, Results, Whose,
                           load_curve)

K_PASSAGES = 4  # passages in a RAG prompt: the kit's retrievers return k = 4
REAL_FILES = ("real_model.json", "real_hybrid.json")  # make bench PART=real_model and PART=real_hybrid
NEW_STATIC_FILE = "new_static.json"  # make bench PART=new_static's run, in results/ (yours) or results/shipped/
ACCURACIES = ("closed_static", "stale_dynamic", "ft_dynamic", "ft_dynamic_no_replay", "ft_static",
              "ft_static_no_replay", "old_before", "rag_static", "hybrid_static", "hybrid_dynamic")


@dataclass
class Measured:
    """Unit accuracies, sizes and costs measured on the course world (see `load_measurements`)."""

    closed_static: float          # closed-book accuracy on static facts the model knows (held-out wordings)
    stale_dynamic: float          # closed-book accuracy on a day the model never saw (chance level)
    ft_dynamic: float             # new facts, right after fine-tuning on them with replay (notebook 04's week)
    rag_static: float             # RAG accuracy on static questions
    rag_dynamic: dict[int, float]  # RAG accuracy on today's questions, by days kept in the store (notebook 03)
    ft_seconds_per_fact: float    # fine-tuning seconds per new fact (notebook 04's week, replay included)
    index_seconds_per_doc: float  # seconds to embed and index one chunk
    query_seconds_closed: float   # seconds to answer one question closed-book
    query_seconds_rag: dict[int, float]  # seconds to retrieve and answer one question, by days kept
    store_chunks: dict[int, int] = field(default_factory=dict)   # days kept -> chunks in notebook 03's store
    store_mb: dict[int, float] = field(default_factory=dict)     # days kept -> vector memory of that store
    docs_per_fact: float = 0.65   # chunks per fact in the course world
    ft_dynamic_no_replay: float | None = None  # new facts after a run without replay (notebook 04, 150 steps)
    ft_static: float | None = None            # old facts after a fine-tuning run with replay (held out of replay)
    ft_static_no_replay: float | None = None  # old facts after a run without replay
    old_before: float | None = None           # the same old facts before the run
    hybrid_static: float | None = None   # notebook 06's hybrid on static questions; else closed_static
    hybrid_dynamic: float | None = None  # notebook 06's hybrid on today's questions (its own fine-tuned reader)
    hybrid_chunks: int | None = None     # the chunks of notebook 06's hybrid store, where hybrid_dynamic was measured
    hybrid_days_kept: int = 7            # the days that store kept
    tokens_closed: float | None = None  # prompt tokens of a closed-book question (None: `prompt_tokens` counts them)
    tokens_rag: float | None = None     # prompt tokens of a question with K_PASSAGES passages (None: counted)
    # New static knowledge (bench new_static: entities the model never saw), by amount of new facts: asked in held-out
    # wordings after fine-tuning them in (4 passes, replay), and through the store with their pages indexed (the
    # stock reader), and the old static facts (held out of replay) after that fine-tuning: what it made the weights
    # forget. Empty: a new static fact is learned as notebook 04's day (ft_dynamic) and read as rag_static.
    new_static_weights: dict[int, float] = field(default_factory=dict)
    new_static_store: dict[int, float] = field(default_factory=dict)
    new_static_old_after: dict[int, float] = field(default_factory=dict)
    new_static_old_before: float | None = None  # the same old facts before (the base model)
    new_static_seconds_per_fact: float | None = None  # fine-tuning seconds a new static fact (4 passes, replay)
    train_device: str = "cpu"     # where fine-tuning seconds were measured: priced at the CPU or the GPU hour
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)  # accuracy (or "rag_dynamic.30") -> 95%
    reader: str = "course model"
    source: str = "measured"
    whose: dict[str, Whose] = field(default_factory=dict)  # unit number -> "yours" or "shipped"

    def __post_init__(self):
        """Every field checked, so a typo (an accuracy of 1.7, a negative cost) cannot reach the threshold."""
        for name in ACCURACIES:
            if getattr(self, name) is not None:
                check_share(f"Measured.{name} (an accuracy)", getattr(self, name))
        for name in ("ft_seconds_per_fact", "index_seconds_per_doc", "query_seconds_closed", "docs_per_fact",
                     "tokens_closed", "tokens_rag", "new_static_seconds_per_fact"):
            if getattr(self, name) is not None:
                check_number(f"Measured.{name}", getattr(self, name), 0.0)
        seconds = lambda name, value: check_number(name, value, 0.0)  # noqa: E731
        for name, check in (("rag_dynamic", check_share), ("query_seconds_rag", seconds), ("store_chunks", seconds),
                            ("store_mb", seconds)):
            points = getattr(self, name)
            if not isinstance(points, dict):
                raise TypeError(f"Measured.{name} must be a dict {{days kept: value}}, got {points!r}")
            if not points and name in ("rag_dynamic", "query_seconds_rag"):
                raise ValueError(f"Measured.{name} is empty: give at least one {{days kept: value}} point")
            for days, value in points.items():
                check_int(f"a days-kept key of Measured.{name}", days, 1)
                check(f"Measured.{name}[{days}]", value)
        if self.new_static_old_before is not None:
            check_share("Measured.new_static_old_before (an accuracy)", self.new_static_old_before)
        for name in ("new_static_weights", "new_static_store", "new_static_old_after"):
            points = getattr(self, name)
            if not isinstance(points, dict):
                raise TypeError(f"Measured.{name} must be a dict {{new static facts: accuracy}}, got {points!r}")
            for amount, value in points.items():
                check_int(f"an amount key of Measured.{name}", amount, 1)
                check_share(f"Measured.{name}[{amount}]", value)
        for name, (low, high) in self.intervals.items():
            if not 0 <= low <= high <= 1:
                raise ValueError(f"Measured.intervals[{name!r}] must be (low, high) in [0, 1], got {(low, high)}")

    def rag_dynamic_at(self, days_kept: int) -> float:
        return interpolate(self.rag_dynamic, days_kept)

    def query_seconds_rag_at(self, days_kept: int) -> float:
        return interpolate(self.query_seconds_rag, days_kept)

    def mb_per_chunk(self) -> float:
        """Vector memory a chunk takes in the largest store measured (0 when none is stored)."""
        return max(self.store_mb.values()) / max(self.store_chunks.values()) if self.store_chunks else 0.0

    def chunks_per_day(self) -> float:
        """Chunks notebook 03's store gains a day (a straight line through its sizes; 0 when none is stored)."""
        days = sorted(self.store_chunks)
        if len(days) < 2:
            return 0.0
        return (self.store_chunks[days[-1]] - self.store_chunks[days[0]]) / (days[-1] - days[0])


def interpolate(points: dict[float, Any], x: float) -> Any:
    """Linear interpolation in log(x) between measured points, flat beyond them (values may be numpy arrays)."""
    xs = sorted(points)
    if x <= xs[0]:
        return points[xs[0]]
    if x >= xs[-1]:
        return points[xs[-1]]
    for a, b in zip(xs, xs[1:]):
        if a <= x <= b:
            t = (math.log(x) - math.log(a)) / (math.log(b) - math.log(a))
            return points[a] + t * (points[b] - points[a])
    raise AssertionError("unreachable")


def _split_normal(value: float, bounds: tuple[float, float] | None, z: np.ndarray) -> np.ndarray | float:
    """Draws of an accuracy from standard normal draws `z`, its 95% interval setting the spread on each side."""
    if bounds is None:
        return value
    low, high = bounds
    spread = np.where(z < 0, max(value - low, 0.0), max(high - value, 0.0)) / 1.96
    return np.clip(value + z * spread, 0.0, 1.0)


def terms(m: Measured, n: int = 0, seed: int = 0) -> SimpleNamespace:
    """The unit numbers the formulas read: the measured values (n=0), or n draws of each accuracy (module doc)."""
    out = SimpleNamespace(**{f.name: getattr(m, f.name) for f in fields(m)})
    out.ft_dynamic_no_replay = m.ft_dynamic if m.ft_dynamic_no_replay is None else m.ft_dynamic_no_replay
    out.ft_static = m.closed_static if m.ft_static is None else m.ft_static
    out.ft_static_no_replay = out.ft_static if m.ft_static_no_replay is None else m.ft_static_no_replay
    out.old_before = m.closed_static if m.old_before is None else m.old_before
    out.hybrid_static = m.closed_static if m.hybrid_static is None else m.hybrid_static
    if m.tokens_closed is None or m.tokens_rag is None:
        out.tokens_closed, out.tokens_rag = prompt_tokens()
    if n:
        rng = np.random.default_rng(seed)
        for name in ACCURACIES:
            setattr(out, name, _split_normal(getattr(out, name), m.intervals.get(name), rng.standard_normal(n)))
        z = rng.standard_normal(n)  # one curve, one draw: its points were measured on the same questions
        out.rag_dynamic = {d: _split_normal(v, m.intervals.get(f"rag_dynamic.{d}"), z) for d, v in m.rag_dynamic.items()}
        for name in ("new_static_weights", "new_static_store", "new_static_old_after"):  # one curve, one draw
            z = rng.standard_normal(n)
            setattr(out, name, {a: _split_normal(v, m.intervals.get(f"{name}.{a}"), z)
                                for a, v in getattr(m, name).items()})
    return out


@lru_cache(maxsize=4)
def prompt_tokens(k: int = K_PASSAGES, day: int = 61, model: str = "course") -> tuple[float, float]:
    """Mean prompt tokens of (a closed-book question, the same question with k passages), counted with the model's own
    tokenizer and prompt format (`model`: "course", or "smollm2": its chat template and instruction) on one day's
    questions (gold report + k - 1 look-alikes of the last week)."""
    from ragft.lm.prompt import prompt
    from ragft.reading import DocIndex, open_book_example
    from ragft.world import World

    if model == "course":
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(MODELS_DIR / "course-model" / "tokenizer.json"))
        count = lambda question, passages=(): len(tokenizer.encode(prompt(question, passages)).ids)  # noqa: E731
    elif model == "smollm2":
        from ragft import smollm2
        from ragft.readers import HFReader

        reader = HFReader(None, smollm2.tokenizer(), name="smollm2")  # its prompt, no weights
        count = lambda question, passages=(): len(  # noqa: E731
            reader.tokenizer(reader.prompt(question, passages), add_special_tokens=False)["input_ids"])
    else:
        raise ValueError(f"model is 'course' or 'smollm2', got {model!r}")
    world, rng = World(seed=0), np.random.default_rng(0)
    index = DocIndex(world, range(day - 6, day + 1))
    items = [open_book_example(index, f, world.questions(f, "heldout")[0].question, k - 1, rng)
             for f in world.dynamic_facts([day])]
    return (float(np.mean([count(it.question) for it in items])),
            float(np.mean([count(it.question, it.passages) for it in items])))


def _mean_interval(record: FinetuneResults, key: str) -> tuple[float, float] | None:
    """The 95% interval of the week's mean of `key` from each day's interval (days independent)."""
    values = [getattr(d, key) for d in record.week]
    bounds = [record.interval(f"week.{i}.{key}") for i in range(len(values))]
    if any(b is None for b in bounds):
        return None
    mean = sum(values) / len(values)
    below = math.sqrt(sum((v - b[0]) ** 2 for v, b in zip(values, bounds))) / len(values)
    above = math.sqrt(sum((b[1] - v) ** 2 for v, b in zip(values, bounds))) / len(values)
    return max(0.0, mean - below), min(1.0, mean + above)


def load_measurements(results_dir: Path = RESULTS_DIR, whose: Whose | None = None) -> Measured:
    """Unit numbers from the learner's results (notebooks 01-04, and 06 for the hybrid), else the kit's shipped ones.

    Notebooks 01-04 count as one measurement: yours once all three files are there, measured with the course model
    (a file saved with RAGFT_MODEL=smollm2 holds another model's numbers: the shipped ones stand in). `whose="shipped"`
    takes the kit's numbers whatever a learner has run (the lessons' figures do).
    """
    records = (ParametricResults, RagResults, FinetuneResults)

    def course_run(record: type[Results]) -> bool:  # yours, measured with a course model (not RAGFT_MODEL=smollm2)
        path = record.path("yours", results_dir)
        return path.exists() and record.read("yours", results_dir).model.partition(":")[0] == "course"

    ran = [r for r in records if r.path("yours", results_dir).exists()] if whose != "shipped" else []
    other = [r.path("yours", results_dir).name for r in ran if not course_run(r)]  # yours, another model's numbers
    mine = len(ran) == len(records) and not other
    kind: Whose = "yours" if mine else "shipped"
    missing = [r.path(kind, results_dir).name for r in records if not r.path(kind, results_dir).exists()]
    if missing:
        folder = records[0].path(kind, results_dir).parent
        raise FileNotFoundError(f"no measurements in {folder}: missing {', '.join(missing)}; run notebooks 01-04")
    p, r, f = (record.read(kind, results_dir) for record in records)
    order: tuple[Whose, ...] = ("shipped",) if whose == "shipped" else ("yours", "shipped")  # notebook 06 on its own
    h = next((HybridResults.read(w, results_dir) for w in order
              if (course_run(HybridResults) if w == "yours" else HybridResults.path(w, results_dir).exists())), None)
    closed, with_k = prompt_tokens()
    static = _new_static(results_dir, "shipped" if whose == "shipped" else None)
    intervals = {name: bounds for name, (record, path) in {
        "closed_static": (p, "closed_static"), "stale_dynamic": (p, "closed_unseen_day"),
        "rag_static": (r, "rag_static"), "ft_static": (f, "old_fact_acc_after_replay"),
        "ft_static_no_replay": (f, "old_fact_acc_after_no_replay"), "old_before": (f, "old_fact_acc_before"),
        "ft_dynamic_no_replay": (f, "paraphrase_heldout_acc"),
        **{f"rag_dynamic.{d}": (r, f"rag_dynamic_by_days_kept.{d}") for d in r.rag_dynamic_by_days_kept},
        **({"hybrid_static": (h, "by_type.hybrid.static"), "hybrid_dynamic": (h, "by_type.hybrid.dynamic")} if h else {}),
    }.items() if (bounds := record.interval(path)) is not None}
    if (week := _mean_interval(f, "ft_today")) is not None:
        intervals["ft_dynamic"] = week
    intervals |= static["intervals"]
    return Measured(
        closed_static=p.closed_static, stale_dynamic=p.closed_unseen_day, ft_dynamic=f.ft_new_day_acc,
        rag_static=r.rag_static, rag_dynamic=r.rag_dynamic_by_days_kept, ft_seconds_per_fact=f.ft_seconds_per_fact,
        index_seconds_per_doc=f.index_seconds_per_doc, query_seconds_closed=p.closed_seconds_per_question,
        query_seconds_rag=r.rag_seconds_per_question_by_days_kept, docs_per_fact=f.docs_per_fact,
        store_chunks={d: g["chunks"] for d, g in r.growth.items()},
        store_mb={d: g["memory_mb"] for d, g in r.growth.items()},
        ft_dynamic_no_replay=f.paraphrase_heldout_acc, ft_static=f.old_fact_acc_after_replay,
        ft_static_no_replay=f.old_fact_acc_after_no_replay, old_before=f.old_fact_acc_before,
        hybrid_static=h.by_type["hybrid"]["static"] if h else None,
        hybrid_dynamic=h.by_type["hybrid"]["dynamic"] if h else None,
        hybrid_chunks=int(h.index["hybrid"]["chunks"]) if h else None, hybrid_days_kept=h.days_kept if h else 7,
        tokens_closed=closed, tokens_rag=with_k, intervals=intervals,
        new_static_weights=static["weights"], new_static_store=static["store"],
        new_static_old_after=static["old_after"], new_static_old_before=static["old_before"],
        new_static_seconds_per_fact=static["seconds_per_fact"],
        source=("your measurements (notebooks 01-04)" if mine else "the kit's shipped measurements ("
                + (f"yours in {', '.join(other)} were measured with another model" if other
                   else "run notebooks 01-04 to use yours") + ")")
        + ("" if h is None else "; hybrid: notebook 06, " + h.whose)
        + ("" if static["whose"] is None else "; new static knowledge: make bench PART=new_static, " + static["whose"]),
        whose={**dict.fromkeys(("closed_static", "stale_dynamic", "query_seconds_closed"), p.whose),
               **dict.fromkeys(("rag_static", "rag_dynamic", "query_seconds_rag", "store_chunks", "store_mb"), r.whose),
               **dict.fromkeys(("ft_dynamic", "ft_dynamic_no_replay", "ft_seconds_per_fact", "index_seconds_per_doc",
                                "docs_per_fact", "ft_static", "ft_static_no_replay", "old_before"), f.whose),
               **(dict.fromkeys(("hybrid_static", "hybrid_dynamic", "hybrid_chunks", "hybrid_days_kept"), h.whose) if h else {}),
               **(dict.fromkeys(("new_static_weights", "new_static_store", "new_static_old_after",
                                 "new_static_old_before", "new_static_seconds_per_fact"), static["whose"])
                  if static["whose"] else {})})


def load_real_measurements(results_dir: Path = RESULTS_DIR, whose: Whose | None = None) -> Measured:
    """SmolLM2-135M-Instruct's unit numbers, from `make bench PART=real_model` and `PART=real_hybrid` (yours where both
    ran, else the kit's shipped runs). The real model knows the real world and none of the course world, so:

        closed_static, old_before    its real-world probe (facts it knows), closed-book
        stale_dynamic                today's facts closed-book before LoRA (it cannot know them)
        ft_dynamic (_no_replay)      today's facts after LoRA with (without) replay, held-out wordings
        ft_static (_no_replay)       the real-world probe after that LoRA: what it forgot
        hybrid_static                the same probe after LoRA with replay: what the hybrid's weights keep
        rag_static                   RAG only on static questions: the stock model reading pages among look-alikes
        rag_dynamic                  RAG only on today's questions at real_hybrid's store, the one size measured
                                     (held flat over store sizes: no curve by days kept was run on this model)
        hybrid_dynamic               the one-model hybrid reading today's reports with its LoRA-tuned reader
        new_static_*                 real_hybrid's static facts (new to it): in the weights (the hybrid's LoRA) and
                                     through the store (RAG only); old facts after: the probe after LoRA with replay
        seconds                      LoRA seconds per fact on a 2-core CPU; seconds per answer (batched generation)

    The retriever is the course model's (the same embedder and FAISS store), so index seconds per chunk, store MB per
    chunk and chunks per fact are the course measurements'; prompt tokens are counted with SmolLM2's chat template."""
    runs = {}
    for name in REAL_FILES:
        run, found = load_curve(name, whose, results_dir)
        if run is None:
            raise FileNotFoundError(f"no {name} in {results_dir} or its shipped/: run make bench PART={name[:-5]}")
        runs[name[:-5]] = run, found
    if whose is None and {w for _, w in runs.values()} != {"yours"}:  # one run's numbers, never half of each
        return load_real_measurements(results_dir, "shipped")
    (model, kind), (hybrid, _) = runs["real_model"], runs["real_hybrid"]
    course = load_measurements(results_dir, whose)
    value = lambda fig: fig["value"]  # noqa: E731
    by_type, n_questions = hybrid["by_type"], sum(hybrid["questions"].values())
    days, chunks = hybrid["days_kept"], hybrid["index_chunks"]["RAG only"]
    figures = {"closed_static": model["real_world_probe"], "old_before": model["real_world_probe"],
               "stale_dynamic": model["lora_new_facts_heldout_before"], "ft_dynamic": model["lora_new_facts_heldout"],
               "ft_dynamic_no_replay": model["lora_no_replay_new_facts_heldout"],
               "ft_static": model["real_world_probe_after_lora"],
               "ft_static_no_replay": model["real_world_probe_after_lora_no_replay"],
               "hybrid_static": model["real_world_probe_after_lora"], "rag_static": by_type["RAG only"]["static"],
               "hybrid_dynamic": by_type["hybrid"]["dynamic"], f"rag_dynamic.{days}": by_type["RAG only"]["dynamic"],
               f"new_static_weights.{hybrid['static_facts']}": by_type["hybrid"]["static"],
               f"new_static_store.{hybrid['static_facts']}": by_type["RAG only"]["static"],
               f"new_static_old_after.{hybrid['static_facts']}": model["real_world_probe_after_lora"]}
    closed, with_k = prompt_tokens(model="smollm2")
    curve = lambda name: {int(key.split(".")[1]): value(f) for key, f in figures.items() if key.startswith(name + ".")}  # noqa: E731
    retriever = ("index_seconds_per_doc", "docs_per_fact", "store_mb")
    return Measured(
        **{name: value(figures[name]) for name in ACCURACIES if name in figures},
        rag_dynamic=curve("rag_dynamic"), ft_seconds_per_fact=model["lora_seconds"] / model["lora_facts"],
        index_seconds_per_doc=course.index_seconds_per_doc, docs_per_fact=course.docs_per_fact,
        query_seconds_closed=hybrid["answer_seconds"]["fine-tuning only"] / n_questions,
        query_seconds_rag={days: hybrid["answer_seconds"]["RAG only"] / n_questions},
        store_chunks={days: chunks}, store_mb={days: chunks * course.mb_per_chunk()},
        hybrid_chunks=hybrid["index_chunks"]["hybrid"], hybrid_days_kept=days,
        tokens_closed=closed, tokens_rag=with_k,
        new_static_weights=curve("new_static_weights"), new_static_store=curve("new_static_store"),
        new_static_old_after=curve("new_static_old_after"), new_static_old_before=value(model["real_world_probe"]),
        new_static_seconds_per_fact=hybrid["lora_seconds"]["static facts into the weights"] / hybrid["static_facts"],
        intervals={name: tuple(f["interval"]) for name, f in figures.items()}, reader="SmolLM2-135M-Instruct",
        source=(("your" if kind == "yours" else "the kit's shipped") + " runs of make bench PART=real_model "
                "and PART=real_hybrid (SmolLM2-135M-Instruct); the retriever's costs: the course measurements"),
        whose={**{f.name: kind for f in fields(Measured) if f.name not in (*retriever, "intervals", "reader",
                                                                           "source", "whose", "tokens_closed",
                                                                           "tokens_rag", "train_device")},
               **{name: course.whose.get(name, "shipped") for name in retriever}})


def _new_static(results_dir: Path, whose: Whose | None) -> dict:
    """The new-static curves (bench new_static: the learner's run, else the kit's) as the Measured fields take them:
    accuracy by amount for the weights and for the store read by the stock reader, the old facts after the weights'
    run (and before it), their intervals, and fine-tuning seconds per new fact (the largest amount's run); empty
    where no run is there."""
    run, found = load_curve(NEW_STATIC_FILE, whose, results_dir)
    out = {"weights": {}, "store": {}, "old_after": {}, "old_before": None, "intervals": {}, "seconds_per_fact": None,
           "whose": found}
    if run is None:
        return out
    for amount, row in run["by_amount"].items():
        for name, (key, field_) in {"weights": ("weights", "accuracy"), "store": ("store_raw_reader", "accuracy"),
                                    "old_after": ("weights", "old_after")}.items():
            out[name][int(amount)] = row[key][field_]["value"]
            out["intervals"][f"new_static_{name}.{amount}"] = tuple(row[key][field_]["interval"])
    largest = run["by_amount"][str(max(map(int, run["by_amount"])))]
    out["seconds_per_fact"] = largest["weights"]["train_seconds"] / largest["facts"]
    out["old_before"] = largest["weights"]["old_before"]["value"]
    return out
