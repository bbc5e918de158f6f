"""The course's widgets (ipywidgets): the decision explorer, the rating panel and the quiz.

They sit apart from the science they drive (`ragft.threshold`, `ragft.feedback`, the lessons' quizzes),
so the science imports no widget library.
"""

from __future__ import annotations

import html
from dataclasses import asdict
from pathlib import Path
from typing import Sequence

from ragft import RESULTS_DIR
from ragft.course.quiz import Question, plain
from ragft.feedback import FeedbackStore
from ragft.results import FinetuneResults, ParametricResults, RagResults
from ragft.threshold import PRESETS, Measured, Scenario, draw, recommend, threshold


def whose_numbers(m: Measured, results_dir: Path = RESULTS_DIR) -> str:
    """A short table of the explorer's unit numbers: each one's value, and whose it is (yours, or the kit's
    shipped run), with a note when your own results of notebooks 01-04 wait for the others."""
    rows = [("unit number", "whose", "value")]
    for name, value in vars(m).items():
        if name not in ("source", "whose"):
            shown = ({k: round(v, 4) for k, v in value.items()} if isinstance(value, dict) else
                     round(value, 4) if isinstance(value, float) else value)
            rows.append((name, m.whose.get(name, "-") if value is not None else "-", str(shown)))
    width = max(len(r[0]) for r in rows)
    lines = [f"{name:{width}}  {whose:7}  {value}" for name, whose, value in rows]
    records = (ParametricResults, RagResults, FinetuneResults)
    own = [r.NOTEBOOK for r in records if r.path("yours", results_dir).exists()]
    if own and m.whose.get("closed_static") == "shipped":
        lines.append(f"(your results of notebook {', '.join(own)} are not used yet: notebooks 01-04 count as one "
                     "measurement, yours once all of them have run)")
    return "\n".join(lines)


def explorer(m: Measured, scenario: Scenario | None = None):
    """The interactive explorer: sliders and presets, the recommendation, then its live plots.

    The controls wrap into as many columns as fit, so their value readouts stay readable on a laptop.
    Returns the widget; `widget.controls` maps names to the slider/dropdown widgets and
    `widget.state` holds the last scenario, threshold and recommendation (for tests and exercises).
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    s0 = scenario or Scenario()
    style = {"description_width": "150px"}
    layout = lambda: widgets.Layout(width="390px", margin="2px 16px 2px 0")  # noqa: E731
    controls = {
        "preset": widgets.Dropdown(options=["(custom)"] + list(PRESETS), value="(custom)", description="preset", style=style, layout=layout()),
        "dynamic_share": widgets.FloatSlider(value=s0.dynamic_share, min=0, max=1, step=0.01, description="dynamic share", style=style, layout=layout()),
        "changes_per_day": widgets.IntSlider(value=s0.changes_per_day, min=0, max=5000, step=1, description="facts changing / day", style=style, layout=layout()),
        "retrain_every": widgets.IntSlider(value=s0.retrain_every, min=1, max=90, description="retrain every (days)", style=style, layout=layout()),
        "days_kept": widgets.IntSlider(value=s0.days_kept, min=1, max=365, description="days kept in store", style=style, layout=layout()),
        "queries_per_day": widgets.IntSlider(value=s0.queries_per_day, min=10, max=50000, step=10, description="queries / day", style=style, layout=layout()),
    }
    plot, text = widgets.Output(layout=widgets.Layout(width="100%")), widgets.HTML()
    whose = {w: [k for k, v in m.whose.items() if v == w] for w in ("yours", "shipped")}
    listed = {w: "none" if not names else f"all {len(names)}" if len(names) == len(m.whose) else ", ".join(names)
              for w, names in whose.items()}
    source = widgets.HTML(f"<small>Unit numbers: {m.source}. <b>Yours</b>: {listed['yours']}; "
                          f"<b>shipped</b>: {listed['shipped']} (the table: widgets.whose_numbers(m)).</small>")
    state: dict = {"applying_preset": False}

    def scenario_now() -> Scenario:
        return Scenario(**{k: c.value for k, c in controls.items() if k != "preset"})

    def redraw(*_) -> None:
        if state["applying_preset"]:
            return
        s = scenario_now()
        t = threshold(s, m)
        choice, why = recommend(s, m)
        state.update(scenario=s, threshold=t, choice=choice, why=why)
        with plot:
            plot.clear_output(wait=True)
            draw(s, m).set_layout_engine("constrained")  # tight_layout can raise mid-redraw; this never does
            plt.show()
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
    box.controls, box.state, box.redraw = controls, state, redraw
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
