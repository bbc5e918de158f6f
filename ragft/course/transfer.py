"""Does it transfer? One row per conclusion of the course: the course model's figure beside the real model's
(SmolLM2-135M-Instruct), each with its 95% interval, and whether the conclusion holds for both.

The table is written from results/shipped (notebooks 01, 02, 04, 06 and 05, and `make bench PART=real_model`'s
real_model.json, and real_data.json, real_seeds.json, real_hybrid.json and real_raft.json of the parts of the same
names, shipped with `python -m ragft.course.bench real_model real_data real_seeds real_hybrid real_raft --ship`) into
the README and the syllabus (lessons/README.md), between the lines `<!-- transfer -->` and `<!-- /transfer -->`:

    python -m ragft.course.transfer      # after a new shipped run; tests/test_transfer.py fails when a table is stale

Each verdict follows a rule written here, not a judgement typed into the prose: a paired difference is "beyond
noise" when its 95% interval leaves out 0. A conclusion the real model has not been measured on in a shipped run
says so.
"""

from __future__ import annotations

import re
from pathlib import Path
from ragft import ROOT
from ragft.course.phrasing import (apart, beyond, figure, points, points_range, runs_range, shipped, shipped_pct,
                                   span)
from ragft.course.quotes import probe_falls, probe_runs
from ragft.results import (FinetuneResults, HybridResults, ParametricResults, Results, RetrievalResults,
                           ThresholdResults, load_curve)
from ragft.threshold import comes_true

FILES = ("README.md", "lessons/README.md")
START, END = "<!-- transfer -->", "<!-- /transfer -->"
NOT_YET = "not measured in a shipped run yet"



def rows(root: Path = ROOT) -> list[tuple[str, str, str, str]]:
    """(conclusion, course model, SmolLM2, does it transfer?) from the shipped results."""
    folder = root / "results"
    p, r = ParametricResults.read("shipped", folder), RetrievalResults.read("shipped", folder)
    f, h = FinetuneResults.read("shipped", folder), HybridResults.read("shipped", folder)
    real, rag = p.real_model, r.real_model
    pct = lambda record, path, n=None: shipped_pct(record, path, root, n)  # noqa: E731

    def both(setting: str) -> tuple[str, str]:
        item = real[setting]
        return tuple(pct(p, f"real_model.{setting}.{m}", n=int(item["n"])) for m in ("course_model", "smollm2"))

    def diff(item: dict) -> dict:
        return {"value": item["difference"], "low": item["difference_low"], "high": item["difference_high"]}

    out = []
    probe, world = real["real_world_probe"], real["course_world_closed_book"]
    own = beyond(probe["difference_low"], probe["difference_high"]) and probe["difference"] > 0 \
        and beyond(world["difference_low"], world["difference_high"]) and world["difference"] < 0
    course_world, smol_world = both("course_world_closed_book")
    course_probe, smol_probe = both("real_world_probe")
    out.append(("Closed-book, a model answers what its pretraining put in its weights, and nothing else (01)",
                f"course world {course_world}; real world {course_probe}",
                f"course world {smol_world}; real world {smol_probe}",
                "yes: each model knows its own world only (both paired differences beyond noise)" if own else
                "not shown: a paired difference is within noise"))
    stale = [real["today_closed_book"][m] for m in ("course_model", "smollm2")]
    out.append(("Closed-book, a model is stale on today's facts (01)", *both("today_closed_book"),
                "yes: neither answers today's questions" if max(stale) <= 0.1 else "no: one model answers some"))
    bench, _ = load_curve("real_model.json", "shipped", folder)
    out.append(_reads_row(p, bench, both("today_gold_passage")))
    one = rag[1]
    gap = diff(one)
    n = int(one["n"])
    course_rag = pct(r, "real_model.1.course_model", n=n)
    smol_rag = pct(r, "real_model.1.smollm2", n=n)
    closed = p.interval("real_model.today_closed_book.smollm2") or (0.0, 1.0)
    rag_low = (r.interval("real_model.1.smollm2") or (0.0, 1.0))[0]
    out.append(("RAG answers today's questions the closed book cannot (02, the hybrid retriever, one passage)",
                course_rag, smol_rag,
                ("yes" if rag_low > closed[1] else "not shown: SmolLM2's RAG and closed-book intervals overlap")
                + "; SmolLM2 − course model " + points(gap)
                + (", beyond noise" if beyond(gap["low"], gap["high"]) else ", within noise")))
    fall = r.real_model_k4_minus_k1
    if fall:
        verdict = {m: beyond(fall[m]["low"], fall[m]["high"]) and fall[m]["value"] < 0 for m in ("course_model", "smollm2")}
        text = ("yes: both fall beyond noise" if all(verdict.values()) else
                "for the real model only (the course model's fall is within noise)" if verdict["smollm2"] else
                "for the course model only (the real model's fall is within noise)" if verdict["course_model"] else
                f"not shown: both falls are within noise on {int(fall['smollm2']['n'])} questions")
        out.append(("Look-alike passages hurt reading: one passage → four (02)",
                    *(f"{pct(r, f'real_model.1.{m}')} → {pct(r, f'real_model.4.{m}')}: " + points(fall[m])
                      for m in ("course_model", "smollm2")),
                    text))
    if bench:
        k0, k4 = (bench[f"open_book_k{k}"] for k in (0, 4))
        c0, c4 = (bench[f"course_model_open_book_k{k}"] for k in (0, 4))
        fell = {"course": apart(c0, c4) and c4["value"] < c0["value"], "real": apart(k0, k4) and k4["value"] < k0["value"]}
        out.append(("Look-alike passages hurt reading: the gold passage alone → among four look-alikes (make bench, "
                    "unseen days, held-out wordings)", f"{figure(c0)} → {figure(c4)}", f"{figure(k0)} → {figure(k4)}",
                    "yes: both fall beyond noise" if all(fell.values()) else
                    "for the real model only (the course model's intervals overlap: it was pretrained on reading these "
                    "reports among look-alikes)" if fell["real"] else
                    "for the course model only" if fell["course"] else "not shown: the intervals overlap"))
    tuned = pct(f, "paraphrase_heldout_acc")
    if bench:
        out += _lora_rows(f, bench, folder, tuned, pct)
    else:
        out += [("Fine-tuning on paraphrases + QA puts a day's new facts in the weights (04, held-out wordings)",
                 tuned, NOT_YET, "open: the real model's run is still to come")]
    out.append(_data_row(f, root, folder))
    out.append(_cost_row(f, bench, folder))
    out.append(_hybrid_row(h, root, folder))
    out.append(_raft_row(h, root, folder))
    out.append(_threshold_row(folder))
    out.append(_oos_row(folder))
    return out


def _runs(bench: dict, seeds: dict | None, key: str) -> list[dict]:
    """A LoRA figure of make bench PART=real_model (`key`) once per training run: make bench PART=real_seeds's
    `seeds` when shipped ({value, interval, n} and, for a probe change, within_noise), else real_model's one run."""
    if not seeds:
        return [bench[key]]
    if key.startswith("real_world_probe_change"):
        return probe_runs(seeds, "no_replay" if key.endswith("_no_replay") else "replay")
    return seeds["spread"][key]["per_seed"]


def _lora_rows(f: Results, bench: dict, folder: Path, tuned: str, pct) -> list[tuple[str, str, str, str]]:
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


def _reads_row(p: Results, bench: dict | None, notebook: tuple[str, str]) -> tuple[str, str, str, str]:
    """Notebook 01's reading of today's facts from their passage beside make bench PART=real_model's gold passage
    alone (40 questions, unseen days): a model reads when that interval lies above its closed-book one on today's
    facts; the two models read alike unless their make bench intervals part."""
    conclusion = "Given the passage that states it, a model reads a fact it never learned (01; make bench: gold passage alone)"
    if not bench:
        return conclusion, *notebook, "not shown: make bench PART=real_model is not shipped"
    alone = {m: bench[f"{'course_model_' if m == 'course_model' else ''}open_book_k0"] for m in ("course_model", "smollm2")}
    closed = {m: p.interval(f"real_model.today_closed_book.{m}") or (0.0, 1.0) for m in alone}
    reads = all(alone[m]["interval"][0] > closed[m][1] for m in alone)
    worse = apart(alone["course_model"], alone["smollm2"]) and alone["smollm2"]["value"] < alone["course_model"]["value"]
    verdict = ("yes, on both models (make bench: above their closed-book answers on today's facts, intervals apart)" + (
        "; SmolLM2 less well than the course model, beyond noise (make bench: the intervals part)" if worse else "")
        if reads else
        "only in part: one model's reading is not apart from its closed-book answers")
    return (conclusion, *(f"{text}; make bench {figure(alone[m])}" for text, m in zip(notebook, alone)), verdict)


def _cost_row(f: Results, bench: dict | None, folder: Path) -> tuple[str, str, str, str]:
    """Notebook 04's week: a daily update's seconds by fine-tuning against adding the day's reports to the index,
    beside SmolLM2's LoRA (make bench PART=real_model and real_seeds: seconds for its facts, per fact, times a
    day's facts at the same passes: an extrapolation). Timings are one run each on a 2-core CPU, without intervals."""
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
    runs = (seeds or {}).get("lora_seconds", {}).get("replay") or [bench["lora_seconds"]]   # the recipe with replay
    per_day = [s / bench["lora_facts"] * facts for s in runs]
    low, high = (f"{f_(per_day) / 60:.0f}" for f_ in (min, max))
    smol = (f"LoRA {min(runs):.0f}–{max(runs):.0f} s for {bench['lora_facts']} facts ({len(runs)} runs); at the same "
            f"passes a day's {facts} facts would take {low}–{high} min (extrapolated), against the same {index:.2f} s "
            f"index update (the index does not depend on the reader)")
    verdict = ("yes, and more so: a day's update by LoRA on the real model costs "
               f"{min(per_day) / course_ft:.0f}× the course model's full fine-tune" if min(per_day) > course_ft else
               "no: the real model's daily fine-tune is no slower than the course model's")
    return conclusion, course, smol, verdict


def _data_row(f: Results, root: Path, folder: Path) -> tuple[str, str, str, str]:
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


def _oos_row(folder: Path) -> tuple[str, str, str, str]:
    """The decision model's predictions out of sample (notebook 05's day-75 systems; make bench PART=real_oos's):
    the largest error and how many predictions fall inside their measured 95% interval; it comes true when every
    prediction is within 5 points or inside its interval."""
    conclusion = "The decision model predicts systems built on another day, store and facts (05, out of sample)"

    measured = lambda r: r["measured"]["value"] if isinstance(r["measured"], dict) else r["measured"]  # noqa: E731
    t = ThresholdResults.read("shipped", folder)

    def bounds(low_high) -> str:
        return "" if low_high is None else f" [{100 * low_high[0]:.0f}–{100 * low_high[1]:.0f}%]"

    def side(rows: list[dict]) -> str:
        i, worst = max(enumerate(rows), key=lambda ir: abs(ir[1]["predicted"] - measured(ir[1])))
        interval = (worst["measured"]["interval"] if isinstance(worst["measured"], dict) else
                    t.interval(f"oos_validation.{i}.measured"))   # the course model's notebook stores it apart
        return (f"largest error {100 * abs(worst['predicted'] - measured(worst)):.0f} points ({worst['strategy']} at "
                f"{worst['share']:.0%} dynamic: predicted {worst['predicted']:.0%}{bounds(worst.get('predicted_band'))}"
                f", measured {measured(worst):.0%}{bounds(interval)}); "
                f"{sum(r['inside_interval'] for r in rows)} of {len(rows)} predictions inside the measured interval")

    def holds(rows: list[dict]) -> bool:
        return all(comes_true(r["predicted"], measured(r), r["inside_interval"]) for r in rows)

    course = side(t.oos_validation)
    real, _ = load_curve("real_oos.json", "shipped", folder)
    if not real:
        return conclusion, course, NOT_YET, "open: the real model's run is still to come"
    verdict = {(True, True): "yes: every prediction comes true on both models",
               (True, False): "no: it comes true on the course model only (SmolLM2's unit numbers, a few dozen questions "
                              "on one day, do not predict another day: its reading moved between days, and its fine-tuning "
                              "only learned twice the facts in the same steps)",
               (False, True): "no: it comes true on SmolLM2 only",
               (False, False): "no: on neither model"}[holds(t.oos_validation), holds(real["validation"])]
    return conclusion, course, side(real["validation"]), verdict


def _threshold_row(folder: Path) -> tuple[str, str, str, str]:
    """Notebook 05's five presets on each model's unit numbers: the thresholds' span and the choices; a preset's
    threshold moved when its two 95% bands do not overlap (a threshold that never comes counts as 1)."""
    conclusion = "Where RAG only overtakes fine-tuning only (the threshold), over notebook 05's five presets"
    t = ThresholdResults.read("shipped", folder)
    at = lambda p: 1.0 if p["threshold"] is None else p["threshold"]  # noqa: E731

    def side(presets: dict) -> str:
        shares = [p["threshold"] for p in presets.values() if p["threshold"] is not None]
        never = len(presets) - len(shares)
        choices = [p["choice"] for p in presets.values()]
        counts = ", ".join(f"{k} {choices.count(k)}" for k in dict.fromkeys(choices))
        shares_text = f"{100 * min(shares):.0f}–{100 * max(shares):.0f}% dynamic" if shares else "none"
        return shares_text + (f" (never, in {never}: fine-tuning only stays ahead)" if never else "") + f"; choices: {counts}"

    if not t.presets_real:
        return conclusion, side(t.presets), NOT_YET, "open: the real model's presets are still to come"
    moved = {name: apart({"interval": t.presets[name]["threshold_band"]}, {"interval": t.presets_real[name]["threshold_band"]})
             for name in t.presets}
    later = all(at(t.presets_real[n]) > at(t.presets[n]) for n, moves in moved.items() if moves)
    verdict = (f"no: the threshold moves with the reader, beyond noise in {sum(moved.values())} of {len(moved)} presets"
               + ("; SmolLM2 reads passages among look-alikes far worse (make bench PART=real_hybrid's RAG only), so fine-tuning stays "
                  "ahead until more questions are dynamic" if later else "") if any(moved.values()) else
               "yes: every preset's two threshold bands overlap")
    return conclusion, side(t.presets), side(t.presets_real), verdict


def _raft_row(h: HybridResults, root: Path, folder: Path) -> tuple[str, str, str, str]:
    """RAFT among four look-alikes: notebook 06's base and RAFT readers on today's facts (intervals apart or not)
    beside make bench PART=real_raft's SmolLM2 before and after (paired, dev split)."""
    conclusion = ("RAFT, fine-tuning the reader on exercises among look-alike passages: what it does to reading "
                  "among four look-alikes (06)")
    key = {name: f"raft_by_distractors.{name}.4" for name in ("base reader", "RAFT reader")}
    course = f"base {shipped_pct(h, key['base reader'], root)} → RAFT {shipped_pct(h, key['RAFT reader'], root)}"
    real, _ = load_curve("real_raft.json", "shipped", folder)
    if not real:
        return conclusion, course, NOT_YET, "open: the real model's run is still to come"
    base, tuned = (shipped(h, key[n], root) for n in ("base reader", "RAFT reader"))
    course_moves = ("gains" if tuned["value"] > base["value"] else "loses") if apart(base, tuned) else "does not move"
    k4 = real["open_book_k4"]
    change = k4["change"]
    real_moves = "does not move" if change["within_noise"] else "gains" if change["value"] > 0 else "loses"
    smol = (f"{figure(k4['before'])} → {figure(k4['after'])}, {span(change)} ({real['raft_steps']} LoRA steps on "
            f"{real['raft_examples']} exercises)")
    verdict = ("yes: both gain" if course_moves == real_moves == "gains" else
               f"no, the opposite: SmolLM2 {real_moves} and the course model {course_moves} (pretrained to read these "
               "reports among look-alikes, it had nothing to learn there; its RAFT also mixed in gold-absent and static "
               "exercises, which taught it to fall back on its weights)" if real_moves == "gains" != course_moves else
               f"the course model {course_moves}, SmolLM2 {real_moves}")
    return conclusion, course, smol, verdict


def _hybrid_row(h: HybridResults, root: Path, folder: Path) -> tuple[str, str, str, str]:
    """Notebook 06's hybrid against each single strategy at the default share: the course model's shipped run
    (different systems' intervals apart or not, `apart`) beside make bench PART=real_hybrid (paired differences)."""
    conclusion = "The hybrid beats RAG only and fine-tuning only on a mixed question set (06, default share)"
    names = {"RAG only": "acc_rag_only", "fine-tuning only": "acc_ft_only"}
    course = f"hybrid {shipped_pct(h, 'acc_hybrid', root)}, " + ", ".join(f"{n} {shipped_pct(h, key, root)}" for n, key in names.items())
    real, _ = load_curve("real_hybrid.json", "shipped", folder)
    if not real:
        return conclusion, course, NOT_YET, "open: the real model's run is still to come"
    said = {}
    for name, key in names.items():
        mine, other = shipped(h, "acc_hybrid", root), shipped(h, key, root)
        said["course", name] = ("beats" if apart(mine, other) and mine["value"] > other["value"] else
                                "loses to" if apart(mine, other) else "is not apart from")
        d = real["hybrid_minus"][name]
        said["real", name] = ("is within noise of" if d["within_noise"] else "beats" if d["value"] > 0 else "loses to")
    at, minus = real["at_default"], real["hybrid_minus"]

    def share(name: str) -> str:  # without ', n 200': the mix's draws, not its facts
        return figure(at[name]).rsplit(", n ", 1)[0]

    smol = (f"hybrid {share('hybrid')}, " + ", ".join(f"{n} {share(n)}" for n in names) + "; " + ", ".join(
        f"hybrid − {n} " + span(minus[n]) for n in names)
        + f" ({real['static_facts'] + real['today_facts']} facts)")
    beats = {m: [n for n in names if said[m, n] == "beats"] for m in ("course", "real")}
    verdict = ("yes: on both models the hybrid beats both" if all(len(b) == len(names) for b in beats.values()) else
               "in part" if beats["real"] else "no")
    verdict += (f": on the course model the hybrid {said['course', 'RAG only']} RAG only and "
                f"{said['course', 'fine-tuning only']} fine-tuning only (intervals); on SmolLM2 it "
                f"{said['real', 'RAG only']} RAG only and {said['real', 'fine-tuning only']} fine-tuning only (paired, "
                f"{real['static_facts']} static and {real['today_facts']} of today's facts)") if not verdict.startswith("yes") else ""
    return conclusion, course, smol, verdict


def table(root: Path = ROOT) -> str:
    lines = ["| conclusion of the course | course model (2.7M, trained on the course world) | SmolLM2-135M-Instruct "
             "(real, pretrained) | does it transfer? |", "|---|---|---|---|"]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows(root)]
    return "\n".join(lines)


def write(root: Path = ROOT) -> list[Path]:
    """Rewrite the table between the markers in every file of FILES; return the files written."""
    new, written = table(root), []
    for name in FILES:
        path = root / name
        text = path.read_text()
        block = re.compile(re.escape(START) + r"\n.*?\n" + re.escape(END), re.S)
        if not block.search(text):
            raise ValueError(f"{name} has no {START} ... {END} block for the table")
        path.write_text(block.sub(lambda _: f"{START}\n{new}\n{END}", text))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write():
        print("wrote", path.relative_to(ROOT))
