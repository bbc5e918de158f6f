"""The decision threshold: a small model of accuracy and daily cost for three strategies.

    fine-tuning only  the model is retrained every N days; dynamic facts are in the weights only
                      on the days right after a retrain
    RAG only          every question retrieves from a store that keeps D days
    hybrid            static knowledge in the weights, dynamic knowledge retrieved (a router sends
                      only dynamic questions to the retriever)

Every unit number (accuracies, seconds per fact, per document, per query) is *measured* by
notebooks 01-04 and read through `ragft.results`; when a learner has not run them, the kit's own
measurements in results/shipped/ are used, and the explorer says so. The formulas are in
`accuracy` and `daily_cost`, a few lines each, so that notebook 05 can show them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path

from ragft import RESULTS_DIR
from ragft.inputs import check_int, check_number, check_share
from ragft.results import FinetuneResults, HybridResults, ParametricResults, RagResults, Whose

STRATEGIES = ("fine-tuning only", "RAG only", "hybrid")


@dataclass
class Measured:
    """Unit accuracies and costs measured on the course world (see `load_measurements`)."""

    closed_static: float          # closed-book accuracy on static facts (held-out wordings)
    stale_dynamic: float          # closed-book accuracy on a day the model never saw (chance level)
    ft_dynamic: float             # closed-book accuracy on a day's facts right after fine-tuning on them
    rag_static: float             # RAG accuracy on static questions
    rag_dynamic: dict[int, float]  # RAG accuracy on today's questions, by days kept in the store
    ft_seconds_per_fact: float    # fine-tuning seconds per new fact (a daily run / the day's facts)
    index_seconds_per_doc: float  # seconds to embed and index one document
    query_seconds_closed: float   # seconds to answer one question closed-book
    query_seconds_rag: dict[int, float]  # seconds to retrieve and answer one question, by days kept
    docs_per_fact: float = 0.65   # documents per dynamic fact in the course world
    hybrid_static: float | None = None  # the hybrid's accuracy on static questions (notebook 06); else closed_static
    ft_static: float | None = None  # static accuracy after a fine-tuning run with replay (notebook 04); else closed_static
    source: str = "measured"
    whose: dict[str, Whose] = field(default_factory=dict)  # unit number -> "yours" or "shipped" (load_measurements)

    def __post_init__(self):
        """Every field checked, so a typo (an accuracy of 1.7, a negative cost) cannot reach the threshold."""
        accuracies = ["closed_static", "stale_dynamic", "ft_dynamic", "rag_static"]
        for name in accuracies + [n for n in ("hybrid_static", "ft_static") if getattr(self, n) is not None]:
            check_share(f"Measured.{name} (an accuracy)", getattr(self, name))
        for name in ("ft_seconds_per_fact", "index_seconds_per_doc", "query_seconds_closed", "docs_per_fact"):
            check_number(f"Measured.{name}", getattr(self, name), 0.0)
        seconds = lambda name, value: check_number(name, value, 0.0)  # noqa: E731
        for name, check in (("rag_dynamic", check_share), ("query_seconds_rag", seconds)):
            points = getattr(self, name)
            if not isinstance(points, dict):
                raise TypeError(f"Measured.{name} must be a dict {{days kept: value}}, got {points!r}")
            if not points:
                raise ValueError(f"Measured.{name} is empty: give at least one {{days kept: value}} point")
            for days, value in points.items():
                check_int(f"a days-kept key of Measured.{name}", days, 1)
                check(f"Measured.{name}[{days}]", value)

    def rag_dynamic_at(self, days_kept: int) -> float:
        return _interpolate(self.rag_dynamic, days_kept)

    def query_seconds_rag_at(self, days_kept: int) -> float:
        return _interpolate(self.query_seconds_rag, days_kept)


@dataclass
class Scenario:
    """A use case: its dynamic share and its rhythm."""

    dynamic_share: float = 0.3    # share of questions about dynamic knowledge
    changes_per_day: int = 68     # dynamic facts that change every day
    retrain_every: int = 7        # days between fine-tuning runs
    days_kept: int = 30           # days of documents kept in the store
    queries_per_day: int = 1000

    def __post_init__(self):
        if not 0 <= check_number("dynamic_share", self.dynamic_share) <= 1:
            raise ValueError(f"dynamic_share is a proportion between 0 and 1, got {self.dynamic_share}")
        for name in ("changes_per_day", "retrain_every", "days_kept", "queries_per_day"):
            if check_int(name, getattr(self, name)) < (0 if name == "changes_per_day" else 1):
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")


PRESETS: dict[str, Scenario] = {
    "weather assistant": Scenario(dynamic_share=0.9, changes_per_day=500, retrain_every=7, days_kept=7, queries_per_day=20000),
    "stock and news desk": Scenario(dynamic_share=0.7, changes_per_day=2000, retrain_every=7, days_kept=90, queries_per_day=5000),
    "customer support": Scenario(dynamic_share=0.3, changes_per_day=50, retrain_every=30, days_kept=365, queries_per_day=3000),
    "legal archive": Scenario(dynamic_share=0.1, changes_per_day=20, retrain_every=90, days_kept=365, queries_per_day=200),
    "product manual": Scenario(dynamic_share=0.05, changes_per_day=5, retrain_every=90, days_kept=365, queries_per_day=1000),
}


def _interpolate(points: dict[int, float], x: float) -> float:
    """Linear interpolation in log(days) between measured points, flat beyond them."""
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


def accuracy(strategy: str, s: Scenario, m: Measured) -> float:
    """Expected accuracy over the question mix."""
    static, dynamic = 1 - s.dynamic_share, s.dynamic_share
    if strategy == "fine-tuning only":  # today's facts are in the weights 1 day out of retrain_every
        fresh = 1 / s.retrain_every  # and every retrain costs some static facts, even with replay
        kept = m.closed_static if m.ft_static is None else m.ft_static
        return static * kept + dynamic * (fresh * m.ft_dynamic + (1 - fresh) * m.stale_dynamic)
    if strategy == "RAG only":
        return static * m.rag_static + dynamic * m.rag_dynamic_at(s.days_kept)
    if strategy == "hybrid":  # notebook 06 fine-tunes the static facts in; before it, the base model's weights
        weights = m.closed_static if m.hybrid_static is None else m.hybrid_static
        return static * weights + dynamic * m.rag_dynamic_at(s.days_kept)
    raise ValueError(f"unknown strategy {strategy!r}: choose from {STRATEGIES}")


def daily_cost(strategy: str, s: Scenario, m: Measured) -> dict[str, float]:
    """Compute seconds per day: keeping knowledge current, and answering the day's questions."""
    q, share = s.queries_per_day, s.dynamic_share
    index = s.changes_per_day * m.docs_per_fact * m.index_seconds_per_doc
    if strategy == "fine-tuning only":  # the same facts are trained whatever the rhythm; replay doubles it
        update, answer = 2 * s.changes_per_day * m.ft_seconds_per_fact, q * m.query_seconds_closed
    elif strategy == "RAG only":
        update, answer = index, q * m.query_seconds_rag_at(s.days_kept)
    elif strategy == "hybrid":
        update = index
        answer = q * ((1 - share) * m.query_seconds_closed + share * m.query_seconds_rag_at(s.days_kept))
    else:
        raise ValueError(f"unknown strategy {strategy!r}: choose from {STRATEGIES}")
    return {"update": update, "answer": answer, "total": update + answer}


def threshold(s: Scenario, m: Measured) -> float | None:
    """The dynamic share at which RAG only overtakes fine-tuning only in accuracy (None if it never does in [0, 1])."""
    at = lambda share, strategy: accuracy(strategy, replace(s, dynamic_share=share), m)  # noqa: E731
    gap0 = at(0.0, "fine-tuning only") - at(0.0, "RAG only")
    gap1 = at(1.0, "fine-tuning only") - at(1.0, "RAG only")
    if gap0 <= 0:
        return 0.0 if gap1 <= 0 else None
    if gap1 >= 0:
        return None
    return gap0 / (gap0 - gap1)  # both curves are straight lines in the share


def recommend(s: Scenario, m: Measured) -> tuple[str, str]:
    """(strategy, a paragraph that says why) for one scenario."""
    acc = {k: accuracy(k, s, m) for k in STRATEGIES}
    cost = {k: daily_cost(k, s, m)["total"] for k in STRATEGIES}
    best = max(acc.values())
    good = [k for k in STRATEGIES if acc[k] >= best - 0.01]  # within a point of the best
    choice = min(good, key=lambda k: cost[k])
    t = threshold(s, m)
    where = ("RAG only is more accurate than fine-tuning only at every share" if t == 0.0 else
             "fine-tuning only stays more accurate at every share" if t is None else
             f"RAG only overtakes fine-tuning only above a dynamic share of {t:.0%}")
    fresh = 1 / s.retrain_every
    why = (f"With {s.dynamic_share:.0%} of questions about dynamic facts, a model retrained every "
           f"{s.retrain_every} day{'s' if s.retrain_every > 1 else ''} has today's facts in its weights only "
           f"{fresh:.0%} of the time, so fine-tuning only reaches {acc['fine-tuning only']:.0%}; RAG only reaches "
           f"{acc['RAG only']:.0%} with {s.days_kept} days in the store, and the hybrid {acc['hybrid']:.0%}. "
           f"{where[0].upper() + where[1:]}. ")
    why += (f"Among the strategies within a point of the best accuracy, {choice} is the cheapest at "
            f"{cost[choice]:,.0f} compute-seconds a day (fine-tuning only: {cost['fine-tuning only']:,.0f}, "
            f"RAG only: {cost['RAG only']:,.0f}, hybrid: {cost['hybrid']:,.0f}).")
    return choice, why


def load_measurements(results_dir: Path = RESULTS_DIR, whose: Whose | None = None) -> Measured:
    """Unit numbers from the learner's results (notebooks 01-04, and 06 for the hybrid), else the kit's shipped ones.

    Notebooks 01-04 count as one measurement: yours once all three files are there. `whose="shipped"` takes the
    kit's numbers whatever a learner has run (the lessons' figures do).
    """
    records = (ParametricResults, RagResults, FinetuneResults)
    mine = whose != "shipped" and all(r.path("yours", results_dir).exists() for r in records)
    kind: Whose = "yours" if mine else "shipped"
    missing = [r.path(kind, results_dir).name for r in records if not r.path(kind, results_dir).exists()]
    if missing:
        folder = records[0].path(kind, results_dir).parent
        raise FileNotFoundError(f"no measurements in {folder}: missing {', '.join(missing)}; run notebooks 01-04")
    p, r, f = (record.read(kind, results_dir) for record in records)
    order: tuple[Whose, ...] = ("shipped",) if whose == "shipped" else ("yours", "shipped")  # notebook 06 on its own
    h = next((HybridResults.read(w, results_dir) for w in order if HybridResults.path(w, results_dir).exists()), None)
    return Measured(
        closed_static=p.closed_static, stale_dynamic=p.closed_unseen_day, ft_dynamic=f.ft_new_day_acc,
        rag_static=r.rag_static, rag_dynamic=r.rag_dynamic_by_days_kept, ft_seconds_per_fact=f.ft_seconds_per_fact,
        index_seconds_per_doc=f.index_seconds_per_doc, query_seconds_closed=p.closed_seconds_per_question,
        query_seconds_rag=r.rag_seconds_per_question_by_days_kept, docs_per_fact=f.docs_per_fact,
        hybrid_static=h.by_type["hybrid"]["static"] if h else None, ft_static=f.old_fact_acc_after_replay,
        source=("your measurements (notebooks 01-04)" if mine else
                "the kit's shipped measurements (run notebooks 01-04 to use yours)")
        + ("" if h is None else "; hybrid: notebook 06, " + h.whose),
        whose={**dict.fromkeys(("closed_static", "stale_dynamic", "query_seconds_closed"), p.whose),
               **dict.fromkeys(("rag_static", "rag_dynamic", "query_seconds_rag"), r.whose),
               **dict.fromkeys(("ft_dynamic", "ft_seconds_per_fact", "index_seconds_per_doc", "docs_per_fact",
                                "ft_static"), f.whose),
               **({"hybrid_static": h.whose} if h else {})})


@dataclass
class Curves:
    """Accuracy and cost of every strategy over a grid of dynamic shares."""

    shares: list[float]
    accuracy: dict[str, list[float]] = field(default_factory=dict)
    cost: dict[str, list[float]] = field(default_factory=dict)


def curves(s: Scenario, m: Measured, points: int = 41) -> Curves:
    points = check_int("points", points, 2)
    shares = [i / (points - 1) for i in range(points)]
    out = Curves(shares)
    for k in STRATEGIES:
        out.accuracy[k] = [accuracy(k, replace(s, dynamic_share=x), m) for x in shares]
        out.cost[k] = [daily_cost(k, replace(s, dynamic_share=x), m)["total"] for x in shares]
    return out


def draw(s: Scenario, m: Measured, axes=None):
    """The explorer's two plots: accuracy and daily cost of each strategy against the dynamic share,
    the threshold in red and the scenario's own share dotted. Draws on `axes` (two matplotlib axes)
    or on a new figure; returns the figure (ragft.course.figures saves it for lesson 05)."""
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 3.6))
    ax1, ax2 = axes
    c, t = curves(s, m), threshold(s, m)
    for k, style_ in zip(STRATEGIES, ("-", "--", "-.")):
        ax1.plot(c.shares, c.accuracy[k], style_, label=k)
        ax2.plot(c.shares, c.cost[k], style_, label=k)
    if t is not None:
        ax1.axvline(t, color="red", alpha=0.6)
        ax1.annotate(f"threshold {t:.0%}", (t, 0.05), color="red", xytext=(4, 0), textcoords="offset points")
    for ax in (ax1, ax2):
        ax.axvline(s.dynamic_share, color="gray", linestyle=":")
        ax.set_xlabel("dynamic share of questions")
    ax1.set(ylabel="expected accuracy", ylim=(0, 1.02), title="accuracy")
    ax2.set(ylabel="compute-seconds per day", title="daily cost", yscale="log")
    ax1.legend(loc="lower left", fontsize=8)
    return ax1.figure
