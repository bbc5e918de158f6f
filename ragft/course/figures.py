"""The lessons' figures, drawn from the kit's own shipped measurements.

    python -m ragft.course.figures                      # (re)writes lessons/figures/*.png
    python -m ragft.course.figures --out DIR            # or into another folder

Each lesson's "The concepts" section shows the key result its notebook makes the learner measure, so the written
lesson and the notebook tell the same story. The numbers come from the kit's own run, never from a learner's:
results/shipped/*.json (notebooks 01-06), the course model's card (models/course-model/history.json and
benchmark.json), the world itself (World(seed=0)), the threshold model (`ragft.threshold`) and the ecosystem map
(`ragft.course.ecosystem`). Each figure says so in a footnote: a learner's numbers will differ a little. Rerun this
after a new shipped run, and commit the PNGs with it (tests/test_figures.py checks the committed set).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Callable

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullLocator

from ragft import MODELS_DIR, ROOT, threshold
from ragft.course import ecosystem
from ragft.results import FinetuneResults, HybridResults, ParametricResults, RagResults, Results, ThresholdResults
from ragft.world import World

FIGURES_DIR = ROOT / "lessons" / "figures"
MODEL_DIR = MODELS_DIR / "course-model"
DPI = 100
MAX_WIDTH = 1100  # pixels: a wider figure is saved at a lower dpi, to stay readable on a page and small on disk
MEASURED = "Measured by the kit's shipped run; your numbers will vary a little."
WEATHER_COLOURS = {"sunny": "gold", "cloudy": "silver", "rainy": "steelblue", "snowy": "lightblue",
                   "windy": "lightgreen", "foggy": "thistle", "stormy": "dimgray"}
COLOURS = {"fine-tuning only": "tab:blue", "RAG only": "tab:orange", "hybrid": "tab:green"}  # as widgets.draw


def _read(path: Path) -> dict:
    return json.loads(path.read_text())


def _first_unseen_day() -> int:
    """The first day the course model never saw (day 61): one after its training days."""
    return _read(MODEL_DIR / "history.json")["config"]["data"]["training_days"] + 1


def _finish(fig: Figure, source: str, note: str = MEASURED) -> Figure:
    """A two-line footnote (whose numbers, and from which file), and a tight layout above it."""
    fig.text(0.01, 0.01, f"{note}\nSource: {source}", ha="left", va="bottom", fontsize=7.5, color="dimgray",
             style="italic", linespacing=1.3)
    fig.tight_layout(rect=(0, 0.3 / fig.get_figheight(), 1, 1))
    return fig


def _intervals(record: Results, paths: list[str]) -> list[tuple[float, float]] | None:
    """The 95% intervals of the record's accuracies at `paths`, or None (no error bars) if it stores none of them."""
    bounds = [record.interval(p) for p in paths]
    if all(b is None for b in bounds):
        return None
    if any(b is None for b in bounds):
        raise ValueError(f"{type(record).__name__} stores intervals for some of {paths} but not all: "
                         f"run notebook {record.NOTEBOOK} again to rewrite it")
    return bounds


def _yerr(values: list[float], bounds: list[tuple[float, float]] | None) -> list[list[float]] | None:
    """Error bars (below, above) from 95% intervals, for matplotlib's `yerr`; None draws none."""
    if bounds is None:
        return None
    return [[max(0.0, v - low) for v, (low, _) in zip(values, bounds)],
            [max(0.0, high - v) for v, (_, high) in zip(values, bounds)]]


def _bars(ax, labels: list[str], values: list[float], colours: list[str] | str, title: str,
          bounds: list[tuple[float, float]] | None = None) -> None:
    """Accuracy bars labelled in percent, with their 95% intervals as error bars when given."""
    drawn = ax.bar(labels, values, color=colours, yerr=_yerr(values, bounds), capsize=3, ecolor="black")
    ax.bar_label(drawn, [f"{v:.0%}" for v in values], fontsize=8)
    ax.set(ylim=(0, 1.12), ylabel="accuracy (exact match)", title=title)
    ax.tick_params(axis="x", labelsize=8)


def _plain_log_ticks(ax) -> None:
    """Tick labels of a log y-axis as plain numbers (20, 0.1), not powers of ten; minor ticks at 2 and 5."""
    def minor(value: float, _) -> str:
        return f"{value:g}" if f"{value:g}".strip("0.")[0] in "25" else ""

    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.yaxis.set_minor_formatter(FuncFormatter(minor))


def _grouped_bars(ax, groups: list[str], series: dict[str, list[float]], colours: list[str],
                  bounds: dict[str, list[tuple[float, float]] | None] | None = None) -> None:
    """Two bars side by side in each group (one per series), labelled in percent, with 95% error bars when given."""
    for i, ((label, values), colour) in enumerate(zip(series.items(), colours)):
        drawn = ax.bar([j + 0.4 * i for j in range(len(groups))], values, 0.4, color=colour, label=label,
                       yerr=_yerr(values, (bounds or {}).get(label)), capsize=3, ecolor="black")
        ax.bar_label(drawn, [f"{v:.0%}" for v in values], fontsize=7.5)
    ax.set(xticks=[j + 0.2 for j in range(len(groups))], xticklabels=groups)


# ---- 00 · the world ------------------------------------------------------------------------
def the_world(town: str = "Holnok", days: int = 60) -> Figure:
    """Static facts stay put while dynamic ones pile up; one town's weather over the training days."""
    world = World(seed=0)
    static, per_day = len(world.static_facts()), len(world.facts_on(1))
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6), width_ratios=[1, 1.6])
    x = list(range(1, days + 1))
    ax1.stackplot(x, [static] * days, [per_day * d for d in x], labels=["static facts", "dynamic facts so far"],
                  colors=["tab:gray", "tab:orange"], alpha=0.8)
    ax1.set(xlabel="day", ylabel="facts in the world",
            title=f"{static} static facts, {per_day} new dynamic facts a day")
    ax1.legend(loc="upper left", fontsize=8)
    facts = [f for f in world.dynamic_facts(x) if f.entity == town]
    highs = {f.day: int(f.value) for f in facts if f.attribute == "high"}
    weather = {f.day: f.value for f in facts if f.attribute == "weather"}
    ax2.plot(x, [highs[d] for d in x], color="lightgray", zorder=1)
    for condition in sorted(set(weather.values())):
        on = [d for d in x if weather[d] == condition]
        ax2.scatter(on, [highs[d] for d in on], label=condition, s=26, zorder=2, color=WEATHER_COLOURS[condition],
                    edgecolors="black", linewidths=0.5)
    low, top = min(highs.values()), max(highs.values())
    ax2.set(xlabel="day", ylabel="high (degrees)", ylim=(low - 1, top + 0.45 * (top - low)),  # room for the legend
            title=f"{town}: the high and the weather, days 1-{days}")
    ax2.legend(fontsize=8, ncol=4, loc="upper center")
    return _finish(fig, "ragft.world.World(seed=0)",
                   note="Generated by the course world: the same, to the digit, for every learner.")


# ---- 01 · parametric versus non-parametric -----------------------------------------------
def pretraining_curve() -> Figure:
    """Parametric knowledge arriving: closed-book and open-book accuracy against pretraining time."""
    history = _read(MODEL_DIR / "history.json")
    evals = history["evals"]
    minutes = [e["seconds"] / 60 for e in evals]
    fig, ax = plt.subplots(figsize=(7, 3.6))
    ax.plot(minutes, [e["closed_book_static_heldout"] for e in evals], "o-",
            label="closed-book, static facts (held-out wordings)")
    ax.plot(minutes, [e["open_book_k2"] for e in evals], "s--", label="open-book, gold passage + 2 distractors")
    ax.set(xlabel="pretraining minutes (2.7M parameters, on a CPU)", ylabel="accuracy (exact match)",
           ylim=(0, 1.02), title="The course model learns the static facts into its weights")
    ax.legend(loc="upper left", fontsize=8)
    return _finish(fig, "models/course-model/history.json")


def staleness_and_reading() -> Figure:
    """The stale model on day 61, closed-book, and the same model reading the day's report."""
    p, bench, day = ParametricResults.read("shipped"), _read(MODEL_DIR / "benchmark.json"), _first_unseen_day()
    labels = ["static facts\nclosed-book", f"day {day}\nclosed-book", f"day {day}\ngold passage",
              f"day {day}\ngold + 2\ndistractors", f"day {day}\ngold + 4\ndistractors"]
    values = [p.closed_static, p.closed_unseen_day, bench["open_book_k0"], bench["open_book_k2"],
              bench["open_book_k4"]]
    fig, ax = plt.subplots(figsize=(7, 3.6))
    closed = _intervals(p, ["closed_static", "closed_unseen_day"])
    _bars(ax, labels, values, ["tab:gray", "tab:red", "tab:green", "tab:green", "tab:green"],
          "Weights go stale; a passage in the prompt brings the day back",
          None if closed is None else closed + [(v, v) for v in values[2:]])  # the model card's: no interval
    return _finish(fig, "results/shipped/parametric.json, models/course-model/benchmark.json")


# ---- 02 · build a RAG system --------------------------------------------------------------
def document_lengths() -> Figure:
    """Characters per document, by kind, against the chunk size the kit uses."""
    from ragft.rag import CHUNK_SIZE  # imports LangChain: only this figure needs it

    day = _first_unseen_day()
    docs = World(seed=0, day=day).documents()
    kinds = sorted({d.kind for d in docs})
    fig, ax = plt.subplots(figsize=(7, 3.4))
    ax.hist([[len(d.text) for d in docs if d.kind == k] for k in kinds], bins=30, stacked=True, label=kinds)
    ax.axvline(CHUNK_SIZE, color="red", linestyle="--", label=f"chunk_size = {CHUNK_SIZE}")
    ax.set(xlabel="characters per document", ylabel="documents", yscale="log",
           title=f"{len(docs):,} documents (days 1-{day}): every one fits in a chunk")
    ax.legend(fontsize=8)
    return _finish(fig, "ragft.world.World(seed=0), as notebook 02 counts them",
                   note="Counted on the course world: the same for every learner.")


def retrieval_versus_reading() -> Figure:
    """Retrieval finds the gold chunk; the small reader is where answers are lost."""
    rag = RagResults.read("shipped")
    today = rag.growth[1]["day filter"]
    bench = _read(MODEL_DIR / "benchmark.json")
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.6), width_ratios=[1, 1.1])
    _bars(ax1, ["hit@1", "hit@4", "exact match"],
          [today["hit@1"], today["hit@4"], today["exact_match"]],
          ["tab:blue", "tab:blue", "tab:green"], "The RAG chain on today's questions",
          _intervals(rag, [f"growth.1.day filter.{m}" for m in ("hit@1", "hit@4", "exact_match")]))
    _bars(ax2, ["gold\npassage", "gold + 2\ndistractors", "gold + 4\ndistractors"],
          [bench["open_book_k0"], bench["open_book_k2"], bench["open_book_k4"]], "tab:green",
          "The reader alone, given the gold passage")
    ax1.set_ylabel("share of questions")
    return _finish(fig, "results/shipped/rag.json, a store of one day; models/course-model/benchmark.json")


# ---- 03 · evaluate RAG --------------------------------------------------------------------
def growing_store() -> Figure:
    """Hit rate, answers, memory and search time as the store keeps more days."""
    rag = RagResults.read("shipped")
    growth = rag.growth
    x = sorted(growth)
    fig, axes = plt.subplots(2, 2, figsize=(8.2, 4.9))
    for ax, metric, title in ((axes[0, 0], "hit@1", "retrieval: gold chunk first"),
                              (axes[0, 1], "exact_match", "answers: exact match")):
        for search, style in (("plain", "o-"), ("day filter", "s--")):
            values = [growth[d][search][metric] for d in x]
            ax.errorbar(x, values, _yerr(values, _intervals(rag, [f"growth.{d}.{search}.{metric}" for d in x])),
                        fmt=style, capsize=3, label=f"{search} vector search")
        ax.set(ylim=(0, 1.05), ylabel=metric.replace("_", " "), title=title)
    axes[0, 0].legend(fontsize=8, loc="lower left")
    axes[1, 0].plot(x, [growth[d]["memory_mb"] for d in x], "o-", color="tab:gray", label="index memory (MB)")
    axes[1, 0].plot(x, [growth[d]["build_s"] for d in x], "s--", color="tab:brown", label="build time (s)")
    axes[1, 0].set(yscale="log", ylabel="MB or seconds", title="size: grows with the days kept")
    axes[1, 0].legend(fontsize=8, loc="upper left")
    axes[1, 1].plot(x, [growth[d]["search_ms"] for d in x], "o-", color="tab:gray")
    axes[1, 1].set(yscale="log", ylabel="ms per search (median)", title="flat FAISS search alone")
    for ax in axes.flat:
        ax.set(xscale="log", xlabel="days kept in the store", xticks=x, xticklabels=[str(d) for d in x])
        ax.xaxis.set_minor_locator(NullLocator())
    for ax in axes[1]:
        _plain_log_ticks(ax)
    return _finish(fig, "results/shipped/rag.json")


# ---- 04 · fine-tuning ---------------------------------------------------------------------
def extraction_and_forgetting() -> Figure:
    """Raw text versus paraphrases (trained and held-out wordings), full fine-tuning versus LoRA,
    and old facts forgotten with and without replay."""
    f = FinetuneResults.read("shipped")
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(11, 3.6), width_ratios=[1.3, 0.9, 1.1])
    _grouped_bars(ax1, ["raw text", "paraphrases + QA"],
                  {"trained wordings": [f.raw_trained_wording_acc, f.paraphrase_trained_wording_acc],
                   "held-out wordings": [f.raw_heldout_acc, f.paraphrase_heldout_acc]},
                  ["tab:olive", "tab:green"],
                  {"trained wordings": _intervals(f, ["raw_trained_wording_acc", "paraphrase_trained_wording_acc"]),
                   "held-out wordings": _intervals(f, ["raw_heldout_acc", "paraphrase_heldout_acc"])})
    ax1.set(ylim=(0, 1.12), ylabel="accuracy on the new facts", title="The form of the data")
    ax1.legend(fontsize=8, loc="upper left")
    _bars(ax2, [f"full\n{f.full_bytes / 1e6:.1f} MB", f"LoRA\n{f.lora_bytes / 1e6:.1f} MB"],
          [f.full_acc, f.lora_acc], ["tab:green", "tab:cyan"], f"Full vs LoRA, {f.steps} steps",
          _intervals(f, ["full_acc", "lora_acc"]))
    _bars(ax3, ["before", "after,\nno replay", "after,\nreplay"],
          [f.old_fact_acc_before, f.old_fact_acc_after_no_replay, f.old_fact_acc_after_replay],
          ["tab:gray", "tab:red", "tab:green"], "Old static facts, fine-tuned on new",
          _intervals(f, ["old_fact_acc_before", "old_fact_acc_after_no_replay", "old_fact_acc_after_replay"]))
    return _finish(fig, "results/shipped/finetune.json")


def the_week() -> Figure:
    """A week of daily updates: today's accuracy and the seconds each update took, fine-tuning against the index."""
    f = FinetuneResults.read("shipped")
    week, end = f.week, f.end_of_week_first_day
    days = [w.day for w in week]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6))
    for name, style, strategy, label in (("rag_today", "s-", "RAG only", "RAG (today's reports indexed)"),
                                         ("ft_today", "o-", "fine-tuning only", "fine-tuned on today's facts")):
        values = [getattr(w, name) for w in week]
        ax1.errorbar(days, values, _yerr(values, _intervals(f, [f"week.{i}.{name}" for i in range(len(week))])),
                     fmt=style, color=COLOURS[strategy], capsize=3, label=label)
    ax1.set(xlabel="day", ylabel="accuracy on today's questions", ylim=(0, 1), xticks=days,
            title=f"Each new day; at the end, day {days[0]}: RAG {end['RAG']:.0%}, "
                  f"fine-tuned {end['fine-tuned every day']:.0%}")
    ax1.title.set_fontsize(9.5)
    ax1.legend(fontsize=8, loc="upper left")
    ax2.plot(days, [w.ft_seconds for w in week], "o-", color=COLOURS["fine-tuning only"], label="fine-tuning")
    ax2.plot(days, [w.index_seconds for w in week], "s-", color=COLOURS["RAG only"], label="indexing")
    ax2.set(xlabel="day", ylabel="seconds per daily update", yscale="log", xticks=days,
            title=f"The daily update: fine-tuning costs {f.daily_update_cost_ratio:.0f}x the index")
    ax2.title.set_fontsize(9.5)
    _plain_log_ticks(ax2)
    ax2.legend(fontsize=8, loc="center right")
    return _finish(fig, "results/shipped/finetune.json, notebook 04's week")


# ---- 05 · the decision threshold ----------------------------------------------------------
def decision_threshold() -> Figure:
    """The explorer's three plots for the default scenario, on the shipped unit numbers and the default prices."""
    from ragft.course.widgets import draw

    s, m = threshold.Scenario(), threshold.load_measurements(whose="shipped")  # shipped, whatever a learner ran
    fig = draw(s, m)
    fig.suptitle(f"Retrain every {s.retrain_every} days, {s.days_kept} days in the store, "
                 f"{s.changes_per_day} facts change a day, {s.queries_per_day:,} questions a day", fontsize=10)
    return _finish(fig, "unit numbers from results/shipped/, through ragft.threshold; prices: threshold.Prices()'s "
                        "illustrative defaults")


def thresholds_by_reader() -> Figure:
    """Each preset's threshold on the course model's and SmolLM2's unit numbers (notebook 05's shipped run)."""
    from ragft.course.widgets import plot_thresholds

    t, (fig, ax) = ThresholdResults.read("shipped"), plt.subplots(figsize=(9, 3.4))
    plot_thresholds({"course model": t.presets, "SmolLM2": t.presets_real}, ax=ax)
    return _finish(fig, "results/shipped/threshold.json (notebook 05's presets and presets_real)")


def store_scale() -> Figure:
    """Cumbersome RAG at scale: latency, memory and look-alike quality as the store grows to a million chunks."""
    from ragft.course import bench_scale

    fig = bench_scale.plot(curves := bench_scale.load("shipped")[0])
    fig.set_figheight(fig.get_figheight() + 0.3)
    return _finish(fig, "results/shipped/store_scale.json (make bench PART=store_scale); past "
                        f"{curves['settings']['real_max']:,} chunks: real vectors plus look-alike copies, costs only")


def new_static() -> Figure:
    """New static knowledge put into the weights or into the store, by amount."""
    from ragft.course import bench_static

    fig = bench_static.plot(bench_static.load("shipped")[0])
    fig.set_figheight(fig.get_figheight() + 0.3)
    return _finish(fig, "results/shipped/new_static.json (make bench PART=new_static)")


# ---- 06 · RAG and fine-tuning together ----------------------------------------------------
def hybrid_across_shares() -> Figure:
    """The three real systems across question mixes, by kind of question, and what the hybrid saves."""
    h = HybridResults.read("shipped")
    strategies = list(h.measured_by_share)
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(12, 3.8), width_ratios=[1.3, 1, 0.9])
    for k, marker in zip(strategies, "os^"):
        values = h.measured_by_share[k]
        ax1.errorbar(h.shares, values, _yerr(values, _intervals(h, [f"measured_by_share.{k}.{i}"
                                                                    for i in range(len(values))])),
                     fmt=marker + "-", color=COLOURS[k], capsize=3, label=k)
    ax1.set(xlabel="dynamic share of questions", ylabel="accuracy (exact match)", ylim=(0, 1.02),
            title="Measured across question mixes")
    ax1.legend(fontsize=8, loc="lower left")
    _grouped_bars(ax2, strategies, {f"{kind} questions": [h.by_type[k][kind] for k in strategies]
                                    for kind in ("static", "dynamic")}, ["tab:gray", "tab:cyan"],
                  {f"{kind} questions": _intervals(h, [f"by_type.{k}.{kind}" for k in strategies])
                   for kind in ("static", "dynamic")})
    ax2.set(ylim=(0, 1.32), ylabel="accuracy (exact match)", title="By kind of question")
    ax2.tick_params(axis="x", labelsize=8)
    ax2.legend(fontsize=8, loc="upper center", ncol=2)
    index = {k: h.index[k] for k in ("RAG only", "hybrid")}
    drawn = ax3.bar(list(index), [v["searches_per_100_questions"] for v in index.values()],
                    color=[COLOURS[k] for k in index])
    ax3.bar_label(drawn, [f"{v['searches_per_100_questions']} searches\n{v['chunks']} chunks" for v in index.values()],
                  fontsize=8)
    ax3.set(ylim=(0, 130), ylabel=f"searches per 100 questions (share {h.default_share:.0%})",
            title="What the router saves")
    return _finish(fig, f"results/shipped/hybrid.json, {h.days_kept} days in the store")


def ecosystem_map() -> Figure:
    """The ecosystem map, as ragft.course.ecosystem draws it in notebook 06."""
    return _finish(ecosystem.figure(), "ragft.course.ecosystem.COMPONENTS, checked against the code and the notebooks",
                   note="Drawn from the kit's own code: each box is a function you use, "
                        "with the notebook that builds it.")


FIGURES: dict[str, Callable[[], Figure]] = {
    "00_the_world.png": the_world,
    "01_pretraining_curve.png": pretraining_curve,
    "01_staleness_and_reading.png": staleness_and_reading,
    "02_document_lengths.png": document_lengths,
    "02_retrieval_vs_reading.png": retrieval_versus_reading,
    "03_growing_store.png": growing_store,
    "04_extraction_and_forgetting.png": extraction_and_forgetting,
    "04_the_week.png": the_week,
    "05_decision_threshold.png": decision_threshold,
    "05_store_scale.png": store_scale,
    "05_new_static.png": new_static,
    "05_threshold_two_readers.png": thresholds_by_reader,
    "06_hybrid_across_shares.png": hybrid_across_shares,
    "06_ecosystem_map.png": ecosystem_map,
}


def write(out: Path = FIGURES_DIR) -> list[Path]:
    """Draw every figure and save it as a PNG in `out`; return the paths."""
    matplotlib.use("Agg")
    out.mkdir(parents=True, exist_ok=True)
    for name, draw in FIGURES.items():
        fig = draw()
        fig.savefig(out / name, dpi=min(DPI, MAX_WIDTH / fig.get_figwidth()), pil_kwargs={"optimize": True})
        plt.close(fig)
    return [out / name for name in FIGURES]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=FIGURES_DIR, help="folder for the PNGs (default: lessons/figures)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    for path in write(args.out):
        print(f"{path}  {path.stat().st_size / 1024:.0f} KB")
    print(f"{len(FIGURES)} figures in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
