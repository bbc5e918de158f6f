"""The "Does it transfer?" table's rows on fine-tuning (notebook 04): new facts into the weights and replay against
forgetting (LoRA on SmolLM2 over every shipped training run), the data's form (raw statements against paraphrases +
QA), and the daily update's cost against the index's. `ragft.course.transfer` puts them in the table."""

from __future__ import annotations

from pathlib import Path

from ragft.course.phrasing import NOT_YET, apart, figure, points_range, runs_range, shipped, shipped_pct, span
from ragft.course.quotes import probe_falls, probe_runs
from ragft.results import Results, load_curve


def _runs(bench: dict, seeds: dict | None, key: str) -> list[dict]:
    """A LoRA figure of make bench PART=real_model (`key`) once per training run: make bench PART=real_seeds's
    `seeds` when shipped ({value, interval, n} and, for a probe change, within_noise), else real_model's one run."""
    if not seeds:
        return [bench[key]]
    if key.startswith("real_world_probe_change"):
        return probe_runs(seeds, "no_replay" if key.endswith("_no_replay") else "replay")
    return seeds["spread"][key]["per_seed"]


def lora_rows(f: Results, bench: dict, folder: Path, tuned: str, pct) -> list[tuple[str, str, str, str]]:
    """Notebook 04's two LoRA conclusions (new facts into the weights; replay against forgetting) beside make bench
    PART=real_model's LoRA on SmolLM2 (training seed 0), judged over every training run that make bench
    PART=real_seeds shipped: a conclusion holds when it holds in each run, and the row says in how many it does."""
    seeds, _ = load_curve("real_seeds.json", "shipped", folder)
    label = "" if not seeds else f"training seeds {', '.join(map(str, seeds['seeds']))}"
    seed0 = "" if not seeds else "seed 0: "
    signed = lambda v: f"{100 * v:+.0f}".replace("-", "−")  # noqa: E731
    before, learned = bench["lora_new_facts_heldout_before"], _runs(bench, seeds, "lora_new_facts_heldout")
    parted, n = sum(apart(before, run) for run in learned), len(learned)
    sealed = (seeds or {}).get("sealed")   # the recipe again on a sealed day's facts, in the sealed wordings
    if sealed:
        figures = sealed["spread"]
        sealed_runs = figures["sealed_new_facts"]["per_seed"]
        sealed_apart = sum(apart(b, a) for b, a in zip(figures["sealed_new_facts_before"]["per_seed"], sealed_runs,
                                                         strict=True))
        m = len(sealed_runs)
    on_sealed = "" if not sealed else "; on the sealed day they part in " + (
        f"every run ({m})" if sealed_apart == m else f"{sealed_apart} of {m} runs")
    into = ("Fine-tuning on paraphrases + QA puts a day's new facts in the weights (04, held-out wordings)",
            f"full fine-tuning, 150 steps: {tuned}",
            f"LoRA, {bench['lora_facts']} facts of day {bench['lora_day']}, {bench['lora_steps']} steps: "
            f"{figure(before)} before → {seed0}{figure(bench['lora_new_facts_heldout'])}"
            + (f"; {label}: {runs_range(learned)}" if seeds else "")
            + (f"; the same recipe on a sealed day's {bench['lora_facts']} facts (sealed wordings, n "
               f"{sealed_runs[0]['n']}): {runs_range(sealed_runs)}" if sealed else ""),
            ("yes: beyond noise (the intervals before and after part)" + (f" in every training run ({n} seeds)"
                                                                          if seeds else "") if parted == n else
             f"in part: the intervals before and after part in {parted} of {n} training runs" if parted else
             "not shown: the intervals before and after overlap") + on_sealed)
    kept, lost = (_runs(bench, seeds, f"real_world_probe_change{name}") for name in ("", "_no_replay"))
    mean = lambda runs: sum(r["value"] for r in runs) / len(runs)  # noqa: E731

    def spread(runs: list[dict]) -> str:
        return f"{points_range(runs)}, a fall beyond noise in {probe_falls(runs)} of {len(runs)}"

    replay = (f"its real-world probe, {figure(bench['real_world_probe'])} before LoRA. "
              f"{seed0.capitalize()}with "
              f"{bench['lora_replay']:.0%} replay of its own answers {figure(bench['real_world_probe_after_lora'])}, "
              f"{span(bench['real_world_probe_change'])}; without "
              f"{figure(bench['real_world_probe_after_lora_no_replay'])}, "
              f"{span(bench['real_world_probe_change_no_replay'])}"
              + (f". {label.capitalize()}: with replay {spread(kept)}; without {spread(lost)}" if seeds else ""))
    every = f" in every training run ({n} seeds)" if seeds else ""
    on_average = (f"it loses less on average ({signed(mean(kept))} points against {signed(mean(lost))})"
                  if mean(kept) > mean(lost) else
                  f"it loses as much or more on average ({signed(mean(kept))} points against {signed(mean(lost))})")
    verdict = (f"yes: without replay the real model loses its own knowledge beyond noise, with replay it keeps it "
               f"within noise{every}" if probe_falls(lost) == n and not probe_falls(kept) else
               f"in part: without replay the real model loses its own knowledge beyond noise{every}; with replay "
               f"{on_average}, and its probe still falls beyond noise in {probe_falls(kept)} of {n}"
               if probe_falls(lost) == n and probe_falls(kept) < n else
               f"no: the real model's probe falls beyond noise even with replay{every}" if probe_falls(kept) == n else
               "not shown: without replay the probe does not fall beyond noise" if n == 1 else
               f"not shown: without replay the probe falls beyond noise in only {probe_falls(lost)} of {n} training "
               f"runs (with replay in {probe_falls(kept)})")
    return [into, ("Replay keeps old facts through fine-tuning (04, old facts held out of replay)",
                   f"{pct(f, 'old_fact_acc_after_no_replay')} without, {pct(f, 'old_fact_acc_after_replay')} with",
                   replay, verdict)]


FAR = 10  # "far more": a daily fine-tune that takes at least ten times the index update


def cost_row(f: Results, bench: dict | None, folder: Path) -> tuple[str, str, str, str]:
    """Notebook 04's week: a daily update's seconds by fine-tuning against adding the day's reports to the index
    (means over the week), beside SmolLM2's LoRA (make bench PART=real_seeds's training seconds per run, else
    real_model's one run, per fact, times a day's facts at the same passes: an extrapolation) against the same index
    update. The conclusion holds for a model when its day of fine-tuning takes FAR times the index update or more.
    Timings on a 2-core CPU, without intervals."""
    conclusion = "A daily update costs far more by fine-tuning than by adding the day's reports to the index (04)"
    week = f.week
    facts = week[0].facts
    index = sum(w.index_seconds for w in week) / len(week)
    course_ft = sum(w.ft_seconds for w in week) / len(week)
    course = (f"full fine-tuning {course_ft:.1f} s a day against {index:.2f} s to index its reports "
              f"({f.daily_update_cost_ratio:.0f}×; mean of {len(week)} days, {facts} facts a day)")
    if not bench:
        return conclusion, course, NOT_YET, "open: the real model's run is still to come"
    seeds, _ = load_curve("real_seeds.json", "shipped", folder)
    runs = (seeds or {}).get("lora_seconds", {}).get("replay")   # the recipe with replay, one figure a training seed
    learned = seeds["lora_facts"] if runs else bench["lora_facts"]
    runs = runs or [bench["lora_seconds"]]
    per_day = [s / learned * facts for s in runs]

    def between(values: list[float], scale: float = 1) -> str:   # '291–304', or '295' for one run
        low, high = (f"{f_(values) / scale:.0f}" for f_ in (min, max))
        return low if len(values) == 1 else f"{low}–{high}"

    smol = (f"LoRA training {between(runs)} s for {learned} facts ({len(runs)} run{'s' * (len(runs) > 1)}); at the same "
            f"passes a day's {facts} facts would take {between(per_day, 60)} min (extrapolated), against the same "
            f"{index:.2f} s index update (the index does not depend on the reader)")
    ratio = {"course": course_ft / index, "real": min(per_day) / index}
    both = f"a day of LoRA on the real model takes {ratio['real']:,.0f}× the index update, the course model's {ratio['course']:.0f}×"
    far = {m: r >= FAR for m, r in ratio.items()}
    verdict = ((f"yes, and more so on the real model: {both}" if ratio["real"] > ratio["course"] else f"yes: {both}")
               if all(far.values()) else f"for the real model only: {both}" if far["real"] else
               f"for the course model only: {both}" if far["course"] else f"no: {both}")
    return conclusion, course, smol, verdict


def data_row(f: Results, root: Path, folder: Path) -> tuple[str, str, str, str]:
    """Notebook 04's raw statements against paraphrases + QA (full fine-tuning, intervals apart or not) beside make
    bench PART=real_data's LoRA on SmolLM2 from each form (paired over the same held-out questions)."""
    conclusion = ("A new fact learned from its raw statement alone is not found by a new wording; paraphrases + QA "
                  "are (04, held-out wordings)")
    course = f"raw {shipped_pct(f, 'raw_heldout_acc', root)} → paraphrases + QA {shipped_pct(f, 'paraphrase_heldout_acc', root)}"
    real, _ = load_curve("real_data.json", "shipped", folder)
    if not real:
        return conclusion, course, NOT_YET, "open: the real model's run is still to come"
    raw, para = shipped(f, "raw_heldout_acc", root), shipped(f, "paraphrase_heldout_acc", root)
    gain, course_gains = real["paraphrase_minus_raw"], apart(raw, para) and para["value"] > raw["value"]
    smol = (f"raw {figure(real['raw']['heldout'])} → paraphrases + QA {figure(real['paraphrase']['heldout'])}, "
            f"{span(gain)} (LoRA, {real['facts']} facts of day {real['day']}, {real['raw']['steps']} steps, "
            f"{real['raw']['examples']} vs {real['paraphrase']['examples']} examples)")
    verdict = ("yes: both gain beyond noise" if course_gains and not gain["within_noise"] and gain["value"] > 0 else
               f"not shown on the real model: from raw statements alone it answers {figure(real['raw']['heldout'])}"
               f", within noise of paraphrases + QA on {real['raw']['heldout']['n']} questions"
               if course_gains and gain["value"] > 0 else
               "no: the real model gains nothing from paraphrases" if course_gains else
               "not shown on the course model: its intervals overlap")
    return conclusion, course, smol, verdict
