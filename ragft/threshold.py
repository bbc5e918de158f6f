"""The decision model: accuracy (with its 95% band) and money per day of three ways to keep a model's knowledge.

    fine-tuning only  static and dynamic facts in the weights; retrained every N days on the facts that changed
                      (with nothing new to learn, this is the base model alone)
    RAG only          every question retrieves from a store that keeps D days of reports and the static pages
    hybrid            static knowledge fine-tuned into the weights, today's facts retrieved (notebook 06's system,
                      with its own measured accuracies: its fine-tuned reader reads reports a little worse)

Over a question mix with a dynamic share s, every strategy scores  (1 - s) * static + s * dynamic,  two numbers
that `parts` computes from the drivers (`Scenario`) and the unit numbers measured by notebooks 01-04 and 06
(`ragft.unit_numbers`); money per day (`daily_cost`) prices measured seconds, prompt tokens and stored megabytes
with user-set `Prices`. Accuracy bands come from draws of the measured accuracies (`unit_numbers.terms`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ragft.inputs import check_int, check_number
from ragft.unit_numbers import Measured, interpolate, load_measurements, terms  # noqa: F401  (load_measurements: the API)

STRATEGIES = ("fine-tuning only", "RAG only", "hybrid")
N_DRAWS = 400  # draws behind every band (unit_numbers.terms)


@dataclass
class Scenario:
    """A use case: its question mix, how much it must know, how fast that changes, and its rhythms."""

    dynamic_share: float = 0.3    # share of questions about dynamic knowledge (asked about today)
    changes_per_day: int = 68     # dynamic facts that change every day
    retrain_every: int = 7        # days between fine-tuning runs
    days_kept: int = 30           # days of reports kept in the store
    queries_per_day: int = 1000
    change_rate: float = 1.0      # share of the dynamic facts that change on a given day (1: all, as the course world's)
    static_facts: int = 200       # static facts the use case needs
    static_known: float = 1.0     # share of them the base model already knows (the rest must be learned or stored)
    replay: bool = True           # fine-tuning replays old knowledge (notebook 04's REPLAY share of each batch)
    rebuild_every: int = 90       # days between rebuilds from the base model (ends accumulated forgetting)

    def __post_init__(self):
        for name in ("dynamic_share", "static_known"):
            if not 0 <= check_number(name, getattr(self, name)) <= 1:
                raise ValueError(f"{name} is a proportion between 0 and 1, got {getattr(self, name)}")
        if not 0 < check_number("change_rate", self.change_rate) <= 1:
            raise ValueError(f"change_rate is the share of dynamic facts changing a day, in (0, 1], got {self.change_rate}")
        for name in ("changes_per_day", "retrain_every", "days_kept", "queries_per_day", "static_facts", "rebuild_every"):
            if check_int(name, getattr(self, name)) < (0 if name in ("changes_per_day", "static_facts") else 1):
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        if not isinstance(self.replay, bool):
            raise TypeError(f"replay must be True or False, got {self.replay!r}")

    @property
    def new_static(self) -> float:
        """Static facts the base model does not know."""
        return self.static_facts * (1 - self.static_known)


@dataclass
class Prices:
    """What an hour, a million prompt tokens and a stored gigabyte cost. ILLUSTRATIVE defaults, not measurements:
    set your own (cloud list prices of late 2025 were of this order; a fine-tuned model's tokens often cost about
    twice a stock model's, as hosted fine-tuning priced them)."""

    cpu_hour: float = 0.05             # one CPU core-hour (retrieval, indexing, and the course model's fine-tuning)
    gpu_hour: float = 2.00             # one GPU-hour (fine-tuning measured on a GPU: the real model, issue 20)
    per_million_tokens: float = 0.50   # prompt tokens read by a stock model
    per_million_tokens_tuned: float = 1.00  # prompt tokens read by a fine-tuned model
    storage_gb_month: float = 0.10     # the vector store's memory, per GB and month

    def __post_init__(self):
        for name, value in vars(self).items():
            check_number(f"Prices.{name}", value, 0.0)


PRESETS: dict[str, Scenario] = {  # each use case's numbers and reasons: lessons/05_decision_threshold.md, "Presets"
    "capital-cities tutor": Scenario(dynamic_share=0.0, changes_per_day=0, retrain_every=90, days_kept=1,
                                     queries_per_day=20000, static_facts=500, static_known=1.0),
    "weather assistant": Scenario(dynamic_share=0.9, changes_per_day=500, retrain_every=7, days_kept=7,
                                  queries_per_day=20000, static_facts=500, static_known=1.0),
    "stock and news desk": Scenario(dynamic_share=0.7, changes_per_day=2000, retrain_every=7, days_kept=90,
                                    queries_per_day=5000, static_facts=2000, static_known=0.5),
    "customer support": Scenario(dynamic_share=0.3, changes_per_day=50, retrain_every=30, days_kept=365,
                                 queries_per_day=3000, change_rate=0.1, static_facts=500, static_known=1.0),
    "legal archive": Scenario(dynamic_share=0.1, changes_per_day=20, retrain_every=90, days_kept=365,
                              queries_per_day=200, change_rate=0.01, static_facts=20000, static_known=0.1),
}


def _mean_powers(rho, first: int, count: int):
    """Mean of rho**j for j = first .. first + count - 1 (rho a number or an array of draws)."""
    return np.mean(np.asarray(rho)[..., None] ** np.arange(first, first + count), axis=-1)


def _retention(s: Scenario, v) -> object:
    """Share of what the weights knew (above chance) that one fine-tuning run keeps: notebook 04, with or without replay."""
    after = v.ft_static if s.replay else v.ft_static_no_replay
    return np.clip((after - v.stale_dynamic) / np.maximum(v.old_before - v.stale_dynamic, 1e-9), 0.0, 1.0)


def runs_per_rebuild(s: Scenario) -> int:
    """Fine-tuning runs between two rebuilds of fine-tuning only: one per retrain while facts change, and one
    to learn new static facts; 0 when there is nothing to learn (the base model alone)."""
    if s.changes_per_day > 0:
        return max(1, s.rebuild_every // s.retrain_every)
    return 1 if s.new_static > 0 else 0


def store_chunks(s: Scenario, m: Measured, static_pages: bool = True) -> float:
    """Chunks in the store: the days kept of changed facts' reports, and the static pages (RAG only)."""
    return m.docs_per_fact * (s.days_kept * s.changes_per_day + (s.static_facts if static_pages else 0))


def rag_dynamic_at(v, chunks: float, days_kept: int):
    """RAG's accuracy on today's questions at a store of `chunks` (notebook 03's curve, by its stores' sizes)."""
    if not v.store_chunks:
        return interpolate(v.rag_dynamic, days_kept)
    return interpolate({v.store_chunks[d]: v.rag_dynamic[d] for d in v.rag_dynamic}, max(chunks, 1.0))


def new_static_parts(s: Scenario, v) -> tuple:
    """(weights, store, keep): the accuracy on the scenario's new static facts after fine-tuning them in, and through
    the store with their pages indexed, and the share `keep` of what the weights knew above chance that this
    fine-tuning leaves (old facts after / before, above chance), all from bench new_static by amount of new facts
    (log-interpolated, flat beyond its amounts). Without that run: notebook 04's day learned (ft_dynamic, or without
    replay ft_dynamic_no_replay), RAG's reading of known facts (rag_static), and keep = 1. The run fine-tuned with
    replay: `replay=False` does not change what it measured."""
    amount, chance = max(s.new_static, 1.0), v.stale_dynamic
    day = v.ft_dynamic if s.replay else v.ft_dynamic_no_replay
    weights = interpolate(v.new_static_weights, amount) if v.new_static_weights else day
    store = interpolate(v.new_static_store, amount) if v.new_static_store else v.rag_static
    keep = 1.0
    if s.new_static > 0 and v.new_static_old_after and v.new_static_old_before is not None:
        after = interpolate(v.new_static_old_after, amount)
        keep = np.clip((after - chance) / np.maximum(v.new_static_old_before - chance, 1e-9), 0.0, 1.0)
    return weights, store, keep


def parts(strategy: str, s: Scenario, v) -> tuple:
    """(accuracy on static questions, accuracy on today's questions) of a strategy: numbers, or arrays of draws."""
    chance, learned = v.stale_dynamic, (v.ft_dynamic if s.replay else v.ft_dynamic_no_replay)
    known, new = s.static_known, 1 - s.static_known
    new_weights, new_store, keep = new_static_parts(s, v)
    if strategy == "fine-tuning only":  # every run forgets a measured share of what the weights knew; it adds up
        k, rho = runs_per_rebuild(s), _retention(s, v)
        kept = v.closed_static if k == 0 else chance + (v.closed_static - chance) * _mean_powers(rho, 1, k)
        new_kept = chance + (new_weights - chance) * _mean_powers(rho, 0, max(k, 1))
        fresh = _mean_powers(1 - s.change_rate, 0, s.retrain_every) if s.changes_per_day else 0.0
        return known * (chance + (kept - chance) * keep) + new * new_kept, fresh * learned + (1 - fresh) * chance
    if strategy == "RAG only":  # the stock model reads: static pages and the days kept, all in one store
        return known * v.rag_static + new * new_store, rag_dynamic_at(v, store_chunks(s, v), s.days_kept)
    if strategy == "hybrid":  # notebook 06's hybrid: static facts trained in once a rebuild, its own reader
        ratio = 1.0 if s.replay else np.clip((v.ft_static_no_replay - chance) / np.maximum(v.ft_static - chance, 1e-9), 0, 1)
        weights = chance + (v.hybrid_static - chance) * ratio
        dynamic = rag_dynamic_at(v, store_chunks(s, v, static_pages=False), s.days_kept)
        if v.hybrid_dynamic is not None:  # measured at notebook 06's store; moved along notebook 03's curve
            dynamic = v.hybrid_dynamic + dynamic - rag_dynamic_at(v, v.hybrid_chunks or 1, v.hybrid_days_kept)
        return known * (chance + (weights - chance) * keep) + new * new_weights, np.clip(dynamic, 0.0, 1.0)
    raise ValueError(f"unknown strategy {strategy!r}: choose from {STRATEGIES}")


def accuracy(strategy: str, s: Scenario, m: Measured) -> float:
    """Expected accuracy over the question mix, from the measured values."""
    static, dynamic = parts(strategy, s, terms(m))
    return float((1 - s.dynamic_share) * static + s.dynamic_share * dynamic)


def band(strategy: str, s: Scenario, m: Measured, n: int = N_DRAWS) -> tuple[float, float]:
    """The 95% band of `accuracy` (2.5th and 97.5th percentiles over draws of the measured accuracies)."""
    static, dynamic = parts(strategy, s, terms(m, n))
    low, high = np.percentile((1 - s.dynamic_share) * static + s.dynamic_share * dynamic, [2.5, 97.5])
    return float(low), float(high)


def comes_true(predicted: float, measured: float, inside_interval: bool) -> bool:
    """A prediction checked against a system built for it comes true within 5 points of the measured accuracy, or
    inside the measured accuracy's 95% interval (a miss inside it is sampling noise)."""
    return abs(predicted - measured) <= 0.05 or inside_interval


def learns_nothing(s: Scenario) -> bool:
    """Fine-tuning only with nothing to learn: the base model alone (no run, no store)."""
    return runs_per_rebuild(s) == 0


def daily_cost(strategy: str, s: Scenario, m: Measured, prices: Prices | None = None) -> dict[str, float]:
    """Money per day: training, indexing, storing the index, and answering (prompt tokens and measured seconds).

    Fine-tuning seconds per fact are notebook 04's week, replay included: it ran a fixed number of steps with REPLAY
    of each batch drawn from old facts, so replay costs no extra compute there (it trades new-fact accuracy for
    old-fact retention, which `parts` uses). A retrain learns the facts that changed since the last one."""
    p, q, share = prices or Prices(), s.queries_per_day, s.dynamic_share
    v = terms(m)
    train_s = (p.gpu_hour if m.train_device == "gpu" else p.cpu_hour) / 3600 * m.ft_seconds_per_fact
    new_s = train_s if m.new_static_seconds_per_fact is None else \
        (p.gpu_hour if m.train_device == "gpu" else p.cpu_hour) / 3600 * m.new_static_seconds_per_fact
    cpu_s, dpf = p.cpu_hour / 3600, m.docs_per_fact
    facts = s.changes_per_day / s.change_rate  # dynamic facts in all
    per_retrain = facts * (1 - (1 - s.change_rate) ** s.retrain_every)
    chunks = store_chunks(s, m, static_pages=strategy == "RAG only")
    store = 0.0 if strategy == "fine-tuning only" else chunks * m.mb_per_chunk() / 1024 * p.storage_gb_month / 30
    rag_s = interpolate({m.store_chunks[d]: m.query_seconds_rag[d] for d in m.query_seconds_rag}, max(chunks, 1.0)) \
        if m.store_chunks else m.query_seconds_rag_at(s.days_kept)
    stock = strategy == "RAG only" or (strategy == "fine-tuning only" and learns_nothing(s))
    tuned = p.per_million_tokens if stock else p.per_million_tokens_tuned
    if strategy == "fine-tuning only":
        train = train_s * per_retrain / s.retrain_every * (s.changes_per_day > 0) + new_s * s.new_static / s.rebuild_every
        index, tokens, seconds = 0.0, v.tokens_closed, m.query_seconds_closed
    elif strategy == "RAG only":
        train = 0.0
        index = cpu_s * m.index_seconds_per_doc * dpf * (s.changes_per_day + s.static_facts / s.rebuild_every)
        tokens, seconds = v.tokens_rag, rag_s
    elif strategy == "hybrid":  # notebook 06 fine-tunes every static fact in, once a rebuild
        train = train_s * s.static_facts / s.rebuild_every
        index = cpu_s * m.index_seconds_per_doc * dpf * s.changes_per_day
        tokens = (1 - share) * v.tokens_closed + share * v.tokens_rag
        seconds = (1 - share) * m.query_seconds_closed + share * rag_s
    else:
        raise ValueError(f"unknown strategy {strategy!r}: choose from {STRATEGIES}")
    answer = q * (tokens * tuned / 1e6 + seconds * cpu_s)
    return {"train": train, "index": index, "store": store, "answer": answer,
            "total": train + index + store + answer, "ms_per_question": 1000 * seconds, "tokens_per_question": tokens}


def _gaps(s: Scenario, v) -> tuple:
    """Fine-tuning only minus RAG only, on static and on today's questions."""
    (ft0, ft1), (rag0, rag1) = parts("fine-tuning only", s, v), parts("RAG only", s, v)
    return ft0 - rag0, ft1 - rag1


def _crossing(gap0: float, gap1: float) -> float | None:
    if gap0 <= 0:
        return 0.0 if gap1 <= 0 else None
    if gap1 >= 0:
        return None
    return gap0 / (gap0 - gap1)  # both accuracies are straight lines in the share


def threshold(s: Scenario, m: Measured) -> float | None:
    """The dynamic share at which RAG only overtakes fine-tuning only in accuracy (None if it never does in [0, 1])."""
    gap0, gap1 = _gaps(s, terms(m))
    return _crossing(float(gap0), float(gap1))


def threshold_band(s: Scenario, m: Measured, n: int = N_DRAWS) -> tuple[float, float]:
    """The threshold's 95% band over draws of the measured accuracies (a threshold that never comes counts as 1)."""
    gap0, gap1 = (np.broadcast_to(g, (n,)) for g in _gaps(s, terms(m, n)))
    ts = [1.0 if (t := _crossing(a, b)) is None else t for a, b in zip(gap0, gap1)]
    low, high = np.percentile(ts, [2.5, 97.5])
    return float(low), float(high)


@dataclass
class Decision:
    """A recommendation and what it rests on, at one scenario."""

    choice: str
    accuracy: dict[str, float]
    band: dict[str, tuple[float, float]]
    money: dict[str, float]               # per day, at the given prices
    within_noise: list[str]               # strategies whose difference from the most accurate is inside noise
    why: str = ""


def decide(s: Scenario, m: Measured, prices: Prices | None = None, n: int = N_DRAWS) -> Decision:
    """The most accurate strategy; where others are within noise of it (the 95% band of their paired difference
    holds 0), the cheapest of those per day (ties: the simpler one, in the order of STRATEGIES)."""
    point, draws = terms(m), terms(m, n)
    acc, dist = {}, {}
    for k in STRATEGIES:
        static, dynamic = parts(k, s, point)
        acc[k] = float((1 - s.dynamic_share) * static + s.dynamic_share * dynamic)
        static, dynamic = parts(k, s, draws)
        dist[k] = np.broadcast_to((1 - s.dynamic_share) * static + s.dynamic_share * dynamic, (n,))
    best = max(STRATEGIES, key=lambda k: acc[k])
    tied = [k for k in STRATEGIES if k == best or np.percentile(dist[best] - dist[k], 2.5) <= 0]
    money = {k: daily_cost(k, s, m, prices)["total"] for k in STRATEGIES}
    choice = min(tied, key=lambda k: (round(money[k], 6), STRATEGIES.index(k)))
    bands = {k: tuple(float(x) for x in np.percentile(dist[k], [2.5, 97.5])) for k in STRATEGIES}
    return Decision(choice, acc, bands, money, tied)


def _why(s: Scenario, m: Measured, d: Decision) -> str:
    pct = lambda k: f"{d.accuracy[k]:.0%} ({d.band[k][0]:.0%}–{d.band[k][1]:.0%})"  # noqa: E731
    name = lambda k: "fine-tuning only (here the base model alone: nothing to learn)" \
        if k == "fine-tuning only" and learns_nothing(s) else k  # noqa: E731
    t = threshold(s, m)
    where = ("RAG only is at least as accurate as fine-tuning only at every share" if t == 0.0 else
             "fine-tuning only stays more accurate at every share" if t is None else
             f"RAG only overtakes fine-tuning only above a dynamic share of {t:.0%}")
    text = (f"With {s.dynamic_share:.0%} of questions about dynamic facts, fine-tuning only reaches "
            f"{pct('fine-tuning only')}, RAG only {pct('RAG only')} and the hybrid {pct('hybrid')} "
            f"(95% bands); {where}. ")
    if len(d.within_noise) > 1:
        others = [k for k in d.within_noise if k != d.choice]
        text += (f"{d.choice[0].upper() + d.choice[1:]} and {' and '.join(others)} are within noise of each other, "
                 f"so the cheaper decides: {name(d.choice)} at {d.money[d.choice]:,.2f} a day")
    else:
        text += f"{name(d.choice)[0].upper() + name(d.choice)[1:]} is ahead beyond noise, at {d.money[d.choice]:,.2f} a day"
    rest = ", ".join(f"{k}: {d.money[k]:,.2f}" for k in STRATEGIES if k != d.choice)
    return text + f" ({rest}; money at the prices set, illustrative unless you set your own)."


def recommend(s: Scenario, m: Measured, prices: Prices | None = None) -> tuple[str, str]:
    """(strategy, a paragraph that says why) for one scenario."""
    d = decide(s, m, prices)
    return d.choice, _why(s, m, d)


def switches(s: Scenario, m: Measured, prices: Prices | None = None, step: float = 0.05) -> list[tuple[float, str]]:
    """The recommendation as the dynamic share grows from 0 to 1 (the scenario's other drivers kept): (share, choice)
    at 0 and wherever it changes."""
    out: list[tuple[float, str]] = []
    for i in range(int(round(1 / check_number("step", step, 0.01, 0.5))) + 1):
        choice = decide(replace(s, dynamic_share=min(1.0, i * step)), m, prices, n=200).choice
        if not out or out[-1][1] != choice:
            out.append((min(1.0, i * step), choice))
    return out


def margin(s: Scenario, m: Measured, choice: str) -> float:
    """How far `choice` is ahead of the most accurate other strategy, in accuracy (negative: behind)."""
    acc = {k: accuracy(k, s, m) for k in STRATEGIES}
    return acc[choice] - max(v for k, v in acc.items() if k != choice)


def sensitivity(s: Scenario, m: Measured, measure: str = "threshold") -> list[tuple[str, float, float]]:
    """What moves the threshold (or the recommendation's accuracy margin, `measure="margin"`) most: (driver at its
    low / high setting, the measure there, the measure there), largest swing first. Scenario drivers are halved and
    doubled (or toggled); measured accuracies go to their 95% ends. A threshold that never comes counts as 1.
    Prices and query volume move money only: neither the threshold nor an accuracy margin."""
    if measure == "threshold":
        at = lambda scenario, measured=m: (1.0 if (t := threshold(scenario, measured)) is None else t)  # noqa: E731
    elif measure == "margin":
        choice = decide(s, m, n=200).choice
        at = lambda scenario, measured=m: margin(scenario, measured, choice)  # noqa: E731
    else:
        raise ValueError(f"measure is 'threshold' or 'margin', got {measure!r}")
    rows = []
    for name, low, high in (("retrain_every", max(1, s.retrain_every // 2), min(365, s.retrain_every * 2)),
                            ("days_kept", max(1, s.days_kept // 3), min(365, s.days_kept * 3)),
                            ("changes_per_day", s.changes_per_day // 2, s.changes_per_day * 2),
                            ("change_rate", s.change_rate / 10, min(1.0, s.change_rate * 10)),
                            ("static_facts", s.static_facts // 2, s.static_facts * 2),
                            ("static_known", max(0.0, s.static_known - 0.25), min(1.0, s.static_known + 0.25)),
                            ("rebuild_every", max(1, s.rebuild_every // 2), min(730, s.rebuild_every * 2)),
                            ("dynamic_share", max(0.0, s.dynamic_share - 0.2), min(1.0, s.dynamic_share + 0.2)),
                            ("replay", False, True)):
        if measure == "threshold" and name == "dynamic_share":
            continue  # the threshold is a share: it does not depend on the scenario's own
        rows.append((f"{name} {low:g}/{high:g}", at(replace(s, **{name: low})), at(replace(s, **{name: high}))))
    for name in ("closed_static", "stale_dynamic", "ft_dynamic", "ft_static", "rag_static", "hybrid_static",
                 "hybrid_dynamic"):
        if (bounds := m.intervals.get(name)) is not None and getattr(m, name) is not None:
            rows.append((f"{name} (95% ends)", *(at(s, replace(m, **{name: b})) for b in bounds)))
    for name in ("rag_dynamic", "new_static_weights", "new_static_store", "new_static_old_after"):
        if points := getattr(m, name):
            ends = [{d: m.intervals.get(f"{name}.{d}", (v, v))[i] for d, v in points.items()} for i in (0, 1)]
            rows.append((f"{name} (95% ends)", *(at(s, replace(m, **{name: e})) for e in ends)))
    return sorted(rows, key=lambda r: -abs(r[2] - r[1]))


@dataclass
class Curves:
    """Accuracy (with its band) and money per day of every strategy over a grid of dynamic shares."""

    shares: list[float]
    accuracy: dict[str, list[float]]
    low: dict[str, list[float]]
    high: dict[str, list[float]]
    money: dict[str, list[float]]


def curves(s: Scenario, m: Measured, prices: Prices | None = None, points: int = 21, n: int = N_DRAWS) -> Curves:
    """Each strategy's accuracy is a straight line in the share: (1 - x) * static + x * dynamic, drawn n times."""
    points = check_int("points", points, 2)
    x = np.linspace(0, 1, points)
    point, draws = terms(m), terms(m, n)
    out = Curves(list(x), {}, {}, {}, {})
    for k in STRATEGIES:
        static, dynamic = parts(k, s, point)
        out.accuracy[k] = list((1 - x) * static + x * dynamic)
        static, dynamic = (np.broadcast_to(a, (n,))[:, None] for a in parts(k, s, draws))
        out.low[k], out.high[k] = (list(b) for b in np.percentile((1 - x) * static + x * dynamic, [2.5, 97.5], axis=0))
        ends = [daily_cost(k, replace(s, dynamic_share=e), m, prices)["total"] for e in (0.0, 1.0)]
        out.money[k] = list(ends[0] + x * (ends[1] - ends[0]))  # money is a straight line in the share too
    return out


def summary(s: Scenario, m: Measured, prices: Prices | None = None) -> dict:
    """One scenario's decision as plain numbers (notebook 05 saves one per preset; the benchmark reports them)."""
    d, t = decide(s, m, prices), threshold(s, m)
    return {"choice": d.choice, "base_model_alone": d.choice == "fine-tuning only" and learns_nothing(s),
            "threshold": t, "threshold_band": list(threshold_band(s, m)), "accuracy": d.accuracy,
            "band": {k: list(b) for k, b in d.band.items()}, "money_per_day": d.money, "within_noise": d.within_noise}
