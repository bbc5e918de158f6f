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
from ragft.course.phrasing import NOT_YET, accuracy, apart, beyond, figure, points, shipped, shipped_pct, span
from ragft.course.transfer_finetune import cost_row, data_row, lora_rows
from ragft.results import (FinetuneResults, HybridResults, ParametricResults, Results, RetrievalResults,
                           ThresholdResults, load_curve)
from ragft.threshold import comes_true

FILES = ("README.md", "lessons/README.md")
START, END = "<!-- transfer -->", "<!-- /transfer -->"



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
    out.append(_reads_row(p, bench, both("today_gold_passage"), root))
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
        out += lora_rows(f, bench, folder, tuned, pct)
    else:
        out += [("Fine-tuning on paraphrases + QA puts a day's new facts in the weights (04, held-out wordings)",
                 tuned, NOT_YET, "open: the real model's run is still to come")]
    out.append(data_row(f, root, folder))
    out.append(cost_row(f, bench, folder))
    out.append(_hybrid_row(h, root, folder))
    out.append(_raft_row(h, root, folder))
    out.append(_threshold_row(folder))
    out.append(_oos_row(folder))
    return out


def _reads_row(p: Results, bench: dict | None, notebook: tuple[str, str], root: Path) -> tuple[str, str, str, str]:
    """Notebook 01's reading of today's facts from their passage, beside make bench PART=real_model's gold passage
    alone (40 questions, unseen days) when shipped: a model reads when that interval (else notebook 01's) lies above
    its closed-book one on today's facts; SmolLM2 reads 'less well' when the two models' intervals part."""
    conclusion = "Given the passage that states it, a model reads a fact it never learned (01; make bench: gold passage alone)"
    models = {"course_model": "the course model", "smollm2": "SmolLM2"}
    alone = ({m: bench[f"{'course_model_' if m == 'course_model' else ''}open_book_k0"] for m in models} if bench else
             {m: shipped(p, f"real_model.today_gold_passage.{m}", root) for m in models})
    closed = {m: p.interval(f"real_model.today_closed_book.{m}") or (0.0, 1.0) for m in models}
    readers = [m for m in models if alone[m]["interval"][0] > closed[m][1]]
    worse = apart(alone["course_model"], alone["smollm2"]) and alone["smollm2"]["value"] < alone["course_model"]["value"]
    source = "make bench" if bench else "notebook 01"
    verdict = (f"yes, on both models ({source}: each above its closed-book answers on today's facts, intervals apart)"
               + (f"; SmolLM2 less well than the course model, beyond noise ({source}: the intervals part)" if worse
                  else "") if len(readers) == 2 else
               f"only in part: {models[next(m for m in models if m not in readers)]}'s reading is not apart from its "
               f"closed-book answers" if readers else
               "not shown: neither model's reading is apart from its closed-book answers")
    cells = (f"{text}; make bench {figure(alone[m])}" for text, m in zip(notebook, models)) if bench else notebook
    return conclusion, *cells, verdict


def _named(rows: list[dict]) -> str:
    """'fine-tuning only at 25% and 75% dynamic; hybrid at 75% dynamic': validation rows by strategy, in order."""
    shares: dict[str, list[str]] = {}
    for r in rows:
        shares.setdefault(r["strategy"], []).append(f"{r['share']:.0%}")
    return "; ".join(f"{strategy} at {' and '.join(s)} dynamic" for strategy, s in shares.items())


def _oos_row(folder: Path) -> tuple[str, str, str, str]:
    """The decision model's predictions out of sample (notebook 05's day-75 systems; make bench PART=real_oos's):
    the largest error and how many predictions fall inside their measured 95% interval; it comes true when every
    prediction is within 5 points or inside its interval."""
    conclusion = "The decision model predicts systems built on another day, store and facts (05, out of sample)"

    measured = lambda r: r["measured"]["value"] if isinstance(r["measured"], dict) else r["measured"]  # noqa: E731
    t = ThresholdResults.read("shipped", folder)

    def side(rows: list[dict]) -> str:
        i, worst = max(enumerate(rows), key=lambda ir: abs(ir[1]["predicted"] - measured(ir[1])))
        interval = (worst["measured"]["interval"] if isinstance(worst["measured"], dict) else
                    t.interval(f"oos_validation.{i}.measured"))   # the course model's notebook stores it apart
        return (f"largest error {100 * abs(worst['predicted'] - measured(worst)):.0f} points ({worst['strategy']} at "
                f"{worst['share']:.0%} dynamic: predicted {accuracy(worst['predicted'], worst.get('predicted_band'))}"
                f", measured {accuracy(measured(worst), interval)}); "
                f"{sum(r['inside_interval'] for r in rows)} of {len(rows)} predictions inside the measured interval")

    def misses(rows: list[dict]) -> list[dict]:
        return [r for r in rows if not comes_true(r["predicted"], measured(r), r["inside_interval"])]

    course = side(t.oos_validation)
    real, _ = load_curve("real_oos.json", "shipped", folder)
    if not real:
        return conclusion, course, NOT_YET, "open: the real model's run is still to come"
    real_misses = misses(real["validation"])
    verdict = {(True, True): "yes: every prediction comes true on both models",
               (True, False): "no: it comes true on the course model only (SmolLM2's unit numbers, a few dozen questions "
                              f"on one day, do not predict another day; it misses {_named(real_misses)})",
               (False, True): "no: it comes true on SmolLM2 only",
               (False, False): "no: on neither model"}[not misses(t.oos_validation), not real_misses]
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
