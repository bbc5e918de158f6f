"""The benchmark's real-model parts for notebook 06 (issue 20): SmolLM2-135M-Instruct as the hybrid's three systems,
and as a RAFT-trained reader.

    python -m ragft.course.bench real_hybrid          # results/real_hybrid.json (~15 min on a 2-core CPU)
    python -m ragft.course.bench real_raft            # results/real_raft.json (~20 min)
    python -m ragft.course.bench real_oos             # results/real_oos.json (~15 min)
    python -m ragft.course.bench real_data            # results/benchmark.json only (~12 min)
    python -m ragft.course.bench real_seeds           # results/real_seeds.json (~41 min)
    python -m ragft.course.bench real_hybrid real_raft --ship   # also results/shipped/ (the kit's)

**real_hybrid** (`hybrid`): notebook 06's 6.1 on the real model. The world of notebook 06 (World(seed=0), today is
smollm2.LORA_DAY), cut to what LoRA on a CPU can learn in a bench part: FACTS static facts of the half never replayed
in the course (`finetune.replay_split`: notebook 06's static questions), spread over the catalogue, and the first
FACTS of today's facts (make bench PART=real_model's). SmolLM2 knows none of either closed-book (that part's
figures). Asked in their held-out wordings.

- RAG only: one index of the static pages and the week of reports (notebook 06's, DAYS_KEPT days), the kit's
  hybrid retriever (k = rag.DEFAULT_K), the stock model reads.
- Fine-tuning only: no index; the model LoRA-tuned this morning on today's facts (`smollm2.learn_facts`: the
  real_model part's recipe, self-distilled replay), asked closed-book: fine-tuning's best case.
- Hybrid: the static facts LoRA-tuned into the weights (the same recipe), the static pages dropped from the index;
  the router (`hybrid.is_dynamic`) sends questions that name a day to the reports, the rest to the weights. One
  model for both routes, as notebook 06's.
- Hybrid, adapter on the weights route only: the same, but the reports are read by the stock model (a LoRA adapter
  can be switched off per request; notebook 06's course model has no such switch).

Mix accuracies at the kit's default dynamic share, sampled as notebook 06 samples them (200 questions from the two
pools, `np.random.default_rng(1)`); intervals bootstrapped over facts; hybrid minus each other system paired on the
same mix (`evaluate.compare`).

**real_oos** (`oos`): out-of-sample validation of the decision model on the real model. The three systems are built
again on conditions SmolLM2's unit numbers (real_model, real_hybrid: day 61, a week of reports) were not measured on:
day OOS_DAY, other static facts (none of real_hybrid's), OOS_DAYS_KEPT days of reports, fine-tuning only as the
decision model defines it (the static and today's facts LoRA-tuned in together), mixes at OOS_SHARES. Each mix is
predicted by `ragft.threshold` from the shipped unit numbers (`oos_scenario`) before it is scored.

**real_raft** (`raft`): notebook 06's 6.2 on the real model. RAFT_EXAMPLES reading exercises from the training days
(`hybrid.raft_examples`: a dated question, its gold report among 0-4 look-alikes; no gold-absent or static items,
which the issue's reading targets do not ask), LoRA at the real_model part's settings but RAFT_LR for RAFT_STEPS
steps, half of each batch replaying the model's own answers to general questions. Asked before and after on the real_model part's
items (dev split: unseen days, held-out wordings, gold alone / + 2 / + 4 look-alikes, n N each), on the real-world
probe (forgetting) and the course world closed-book; and, as final figures, on the sealed split with 4 look-alikes
(`reading.sealed_sets`, read after training only). Differences after - before are paired.

**real_data** (`data_forms`): notebook 04's 4.1 on the real model, raw statements against paraphrases. LoRA on the
real_model part's facts (smollm2.LORA_FACTS of smollm2.LORA_DAY) at its recipe (replay, smollm2.LORA_STEPS steps),
once from each fact's statement alone (`finetune.DATA` "raw") and once from every paraphrase plus QA pairs (the
kit's, "paraphrase": the real_model part's run again, so its figure must come out the same); held-out wordings
closed-book, and paraphrase minus raw paired over the same items.

**real_seeds** (`lora_seeds`): the real_model part's LoRA figures (`bench.lora_figures`, with and without replay)
once per training seed of `bench_seeds.SEEDS`. Only the training's seed changes (batch order, LoRA's initial
adapters): the facts, the questions and the model's replayed answers stay the same, so the spread is the training's
own, which the intervals of one run (over questions) leave out. Seed 0 is the real_model part's run again, and must
come out the same. Beside each, the recipe with replay on the first sealed day's facts, asked in the sealed wordings
(`sealed_lora`): the recipe was chosen on day 61's figures, and these were read only after it was fixed.

Nothing is tuned here: every setting is the real_model part's (chosen on the dev day), but real_raft's learning
rate (RAFT_LR: the recipe's when RAFT ran); RAFT_EXAMPLES and RAFT_STEPS were set once, before any run, to fit a bench
part's time (one run of ~15 min training), and not changed after it.
"""

from __future__ import annotations

import time

import numpy as np

from ragft.course.bench_seeds import SEEDS

FACTS = 12        # static facts and today's facts each: smollm2.LORA_FACTS, what its LoRA steps were set for
DAYS_KEPT = 7     # notebook 06's store: the static pages and the last week of reports
MIX = 200         # questions in a mix, as notebook 06
RAFT_EXAMPLES = 600   # reading exercises for real_raft (training days only)
RAFT_STEPS = 40       # of smollm2.LORA_BATCH: each exercise seen about half a time
RAFT_LR = 5e-3        # the real_model recipe's lr when RAFT was run (it moved to smollm2.LORA_LR after; RAFT not re-run)
N = 40                # items a reading figure, as make bench PART=real_model
OOS_DAY = 75          # notebook 05's out-of-sample day: no unit number of either model was measured on it
OOS_DAYS_KEPT = 30    # and its store: a month of reports, where SmolLM2's RAG was measured at a week
OOS_SHARES = (0.25, 0.75)


def mix_at(share: float, pools: dict[str, list], seed: int = 1) -> list:
    """A mix of MIX questions, round(MIX x share) of them dynamic, drawn with replacement from the two pools (notebook
    06's sampling: its first share drawn from `np.random.default_rng(1)`)."""
    rng = np.random.default_rng(seed)
    n_dynamic = round(MIX * share)
    return ([pools["dynamic"][i] for i in rng.integers(len(pools["dynamic"]), size=n_dynamic)]
            + [pools["static"][i] for i in rng.integers(len(pools["static"]), size=MIX - n_dynamic)])


def _systems(smol, world, static: list, today: list, days_kept: int, ft_learns_static: bool = False) -> tuple:
    """Notebook 06's systems on SmolLM2 on the world's day: (systems by name, the hybrid's LoRA run, fine-tuning
    only's, chunks in RAG only's index, in the hybrid's). RAG only reads the static pages and the last `days_kept`
    days of reports (the kit's hybrid retriever); fine-tuning only is LoRA-tuned on today's facts (with
    `ft_learns_static`, on the static ones too: the decision model's fine-tuning only) and asked closed-book; the
    hybrid has the static facts LoRA-tuned in and its router sends dated questions to the reports; without
    `ft_learns_static`, also the hybrid with the adapter on the weights route only (the stock model reads)."""
    from ragft import rag, smollm2
    from ragft.hybrid import HybridChain, closed_book_chain, hybrid_chain
    from ragft.readers import ReaderLLM

    chunks = rag.split(world.as_documents(days=range(world.day - days_kept + 1, world.day + 1)))
    vectors = np.asarray(rag.embeddings().embed_documents([c.page_content for c in chunks]), dtype="float32")
    dynamic = [i for i, c in enumerate(chunks) if c.metadata["day"] > 0]
    chunks_dyn = [chunks[i] for i in dynamic]
    store_all, store_dyn = rag.vector_store(chunks, vectors=vectors), rag.vector_store(chunks_dyn, vectors=vectors[dynamic])
    into_weights = smollm2.learn_facts(smol, world, static, progress=True)   # the hybrid's static facts
    this_morning = smollm2.learn_facts(smol, world, static + today if ft_learns_static else today, progress=True)
    reports = rag.hybrid_retriever(chunks_dyn, store_dyn)
    systems = {
        "RAG only": rag.rag_chain(rag.hybrid_retriever(chunks, store_all), ReaderLLM(reader=smol)),
        "fine-tuning only": closed_book_chain(ReaderLLM(reader=this_morning.reader)),
        "hybrid": hybrid_chain(reports, ReaderLLM(reader=into_weights.reader)),
    }
    if not ft_learns_static:
        systems["hybrid, adapter on the weights route only"] = HybridChain(
            rag.rag_chain(reports, ReaderLLM(reader=smol)), closed_book_chain(ReaderLLM(reader=into_weights.reader)))
    return systems, into_weights, this_morning, len(chunks), len(chunks_dyn)


def _answer(systems: dict, questions: list) -> tuple[dict, dict]:
    """Each system's exact match on each question ({name: {question: bool}}) and its seconds for all of them."""
    from ragft.evaluate import exact_match

    right, seconds = {}, {}
    for name, system in systems.items():
        start = time.perf_counter()
        outputs = system.batch([q.question for q in questions])
        seconds[name] = round(time.perf_counter() - start, 1)
        right[name] = {q.question: exact_match(o["answer"], q.answer) for q, o in zip(questions, outputs)}
    return right, seconds


def hybrid(seed: int = 0) -> dict:
    """The figures: by_type (system -> static / dynamic accuracy), at_default (system -> the mix's accuracy),
    hybrid_minus (system -> the hybrid's paired difference from it on the mix, within_noise), seconds, sizes."""
    from ragft import rag, smollm2
    from ragft.course.bench_seeds import figure
    from ragft.evaluate import compare, estimate
    from ragft.finetune import replay_split
    from ragft.readers import load_reader
    from ragft.threshold import Scenario
    from ragft.world import World

    day, share = smollm2.LORA_DAY, Scenario().dynamic_share
    world = World(seed=0, day=day)
    held_out = replay_split(world.static_facts())[1]
    static = held_out[::len(held_out) // FACTS][:FACTS]
    today = world.facts_on(day)[:FACTS]
    systems, into_weights, this_morning, n_all, n_dyn = _systems(load_reader("smollm2"), world, static, today, DAYS_KEPT)
    questions = world.qa(static, "heldout") + world.qa(today, "heldout")
    right, seconds = _answer(systems, questions)
    pools = {kind: [q for q in questions if q.dynamic == (kind == "dynamic")] for kind in ("static", "dynamic")}
    mix = mix_at(share, pools)
    facts = [q.fact_id for q in mix]
    on_mix = {name: [right[name][q.question] for q in mix] for name in systems}
    minus = {name: compare(on_mix[name], on_mix["hybrid"], facts, seed=seed) for name in systems if name != "hybrid"}
    return {
        "model": "SmolLM2-135M-Instruct (Q4_1 GGUF, float32)", "day": day, "static_facts": len(static),
        "today_facts": len(today), "questions": {kind: len(qs) for kind, qs in pools.items()}, "k": rag.DEFAULT_K,
        "days_kept": DAYS_KEPT, "default_share": share, "mix": MIX,
        "index_chunks": {"RAG only": n_all, "hybrid": n_dyn},
        "by_type": {name: {kind: figure(estimate([right[name][q.question] for q in qs], [q.fact_id for q in qs],
                                                 seed=seed)) for kind, qs in pools.items()} for name in systems},
        "at_default": {name: figure(estimate(on_mix[name], facts, seed=seed)) for name in systems},
        "hybrid_minus": {name: {**figure(d), "within_noise": bool(d.within_noise)} for name, d in minus.items()},
        "lora_steps": into_weights.steps, "lora_seconds": {"static facts into the weights": round(into_weights.seconds, 1),
                                                           "today's facts": round(this_morning.seconds, 1)},
        "answer_seconds": seconds,
    }


def oos_scenario(world, static: list, share: float):
    """The decision model's scenario for the systems `oos` builds: every static fact new to the model, one LoRA run
    (retrain and rebuild every day), OOS_DAYS_KEPT days of reports, the world's facts changing every day."""
    from ragft.threshold import Scenario

    return Scenario(dynamic_share=share, changes_per_day=len(world.facts_on(world.day)), retrain_every=1,
                    rebuild_every=1, days_kept=OOS_DAYS_KEPT, static_facts=len(static), static_known=0.0)


def oos(seed: int = 0) -> dict:
    """The figures: by_type, and `validation`: per share and system the decision model's prediction from SmolLM2's
    shipped unit numbers (with its 95% band) against the measured mix (with its 95% interval); the largest error in
    points, and whether every prediction is within 5 points or inside the measured interval."""
    from ragft import rag
    from ragft.course.bench_seeds import figure
    from ragft.evaluate import estimate
    from ragft.finetune import replay_split
    from ragft.readers import load_reader
    from ragft.threshold import accuracy, band, comes_true
    from ragft.unit_numbers import load_real_measurements
    from ragft.world import World

    measured = load_real_measurements(whose="shipped")  # the kit's day-61 runs: nothing here feeds back into them
    world = World(seed=0, day=OOS_DAY)
    held_out = replay_split(world.static_facts())[1]
    step = len(held_out) // FACTS
    static = held_out[step // 2::step][:FACTS]  # between real_hybrid's static facts: none of them
    today = world.facts_on(OOS_DAY)[:FACTS]
    systems, into_weights, this_morning, n_all, n_dyn = _systems(load_reader("smollm2"), world, static, today,
                                                                 OOS_DAYS_KEPT, ft_learns_static=True)
    questions = world.qa(static, "heldout") + world.qa(today, "heldout")
    right, seconds = _answer(systems, questions)
    pools = {kind: [q for q in questions if q.dynamic == (kind == "dynamic")] for kind in ("static", "dynamic")}
    rows = []
    for share in OOS_SHARES:
        mix, scenario = mix_at(share, pools), oos_scenario(world, static, share)
        for name in systems:
            got = estimate([right[name][q.question] for q in mix], [q.fact_id for q in mix], seed=seed)
            predicted = accuracy(name, scenario, measured)
            rows.append({"share": share, "strategy": name, "predicted": round(predicted, 4),
                         "predicted_band": [round(b, 4) for b in band(name, scenario, measured)],
                         "measured": figure(got), "inside_interval": bool(got.low <= predicted <= got.high)})
    errors = [abs(r["predicted"] - r["measured"]["value"]) for r in rows]
    return {
        "model": "SmolLM2-135M-Instruct (Q4_1 GGUF, float32)", "day": OOS_DAY, "days_kept": OOS_DAYS_KEPT,
        "static_facts": len(static), "today_facts": len(today), "k": rag.DEFAULT_K, "mix": MIX,
        "index_chunks": {"RAG only": n_all, "hybrid": n_dyn},
        "by_type": {name: {kind: figure(estimate([right[name][q.question] for q in qs], [q.fact_id for q in qs],
                                                 seed=seed)) for kind, qs in pools.items()} for name in systems},
        "validation": rows, "oos_max_abs_error_points": round(100 * max(errors), 1),
        "oos_within_5_points_or_interval": all(comes_true(r["predicted"], r["measured"]["value"], r["inside_interval"])
                                               for r in rows),
        "lora_seconds": {"static facts into the weights": round(into_weights.seconds, 1),
                         "static and today's facts (fine-tuning only)": round(this_morning.seconds, 1)},
        "answer_seconds": seconds,
    }


def raft(seed: int = 0) -> dict:
    """The figures: before / after / change (after - before, paired) for each reading set of the dev split, the
    real-world probe and the course world closed-book, and sealed_open_book_k4; steps, examples, seconds."""
    import dataclasses

    from ragft import lm, smollm2
    from ragft.course.bench_seeds import figure, score
    from ragft.evaluate import compare
    from ragft.finetune import train_on
    from ragft.hybrid import raft_examples
    from ragft.reading import eval_sets, fact_clusters, sealed_sets, subsample
    from ragft.readers import load_reader
    from ragft.realworld import probe_items, self_distilled
    from ragft.world import World

    world = World(seed=0)
    smol = load_reader("smollm2")
    exercises = raft_examples(world, range(1, lm.TRAINING_DAYS + 1), n=RAFT_EXAMPLES, max_distractors=4,
                              p_no_gold=0.0, p_static=0.0, seed=seed)
    cfg = dataclasses.replace(smollm2.lora_config(), steps=RAFT_STEPS, lr=RAFT_LR)
    trained = train_on(smol, exercises, cfg, self_distilled(smol), progress=True, desc="RAFT LoRA on SmolLM2")
    dev = eval_sets(World(seed=0), "heldout", seed)
    items = {"closed_book_course_world": subsample(dev["closed_book_static"], N, seed), "real_world_probe": probe_items(),
             **{f"open_book_k{k}": subsample(dev[f"open_book_k{k}"], N, seed) for k in (0, 2, 4)},
             "sealed_open_book_k4": subsample(sealed_sets(seed=seed)["open_book_k4"], N, seed)}  # after training only
    out = {}
    for name, its in items.items():
        before, after = smol.correct(its), trained.reader.correct(its)
        change = compare(before, after, fact_clusters(its), seed=seed)   # paired; the probe's items one by one
        out[name] = {"before": score(before, its, seed), "after": score(after, its, seed),
                     "change": {**figure(change), "within_noise": bool(change.within_noise)}}
    return {"model": "SmolLM2-135M-Instruct (Q4_1 GGUF, float32)", **out, "raft_examples": len(exercises),
            "raft_steps": trained.steps, "raft_seconds": round(trained.seconds, 1), "lora_lr": cfg.lr,
            "replay": cfg.replay}


def data_forms(seed: int = 0) -> dict:
    """The figures: per data form its held-out accuracy, training examples and LoRA seconds; paraphrase - raw."""
    import dataclasses

    from ragft import smollm2
    from ragft.course.bench_seeds import figure, score
    from ragft.evaluate import compare
    from ragft.finetune import training_examples
    from ragft.reading import closed_book_items, fact_clusters
    from ragft.readers import load_reader
    from ragft.world import World

    world = World(seed=0, day=smollm2.LORA_DAY)
    facts = world.facts_on(smollm2.LORA_DAY)[:smollm2.LORA_FACTS]
    heldout = closed_book_items(world, facts, "heldout")
    smol = load_reader("smollm2")
    out, correct = {}, {}
    for data in ("raw", "paraphrase"):
        learned = smollm2.learn_facts(smol, world, facts, dataclasses.replace(smollm2.lora_config(), data=data),
                                      progress=True)
        correct[data] = learned.reader.correct(heldout)
        out[data] = {"heldout": score(correct[data], heldout, seed), "seconds": round(learned.seconds, 1),
                     "examples": len(training_examples(world, facts, data)), "steps": learned.steps}
    change = compare(correct["raw"], correct["paraphrase"], fact_clusters(heldout), seed=seed)
    return {"model": "SmolLM2-135M-Instruct (Q4_1 GGUF, float32)", "facts": len(facts), "day": smollm2.LORA_DAY,
            **out, "paraphrase_minus_raw": {**figure(change), "within_noise": bool(change.within_noise)}}


def sealed_lora(reader, train_seed: int = 0, seed: int = 0) -> dict:
    """The real_model part's LoRA recipe (with replay) applied to the first smollm2.LORA_FACTS facts of the first
    sealed day, asked in the sealed wordings (`reading.sealed_facts`, `sealed_sets`: read after the recipe was fixed,
    never by a choice): the new facts before and after, the real-world probe after and its paired change (the probe
    is the dev one: the recipe was chosen on it)."""
    from dataclasses import replace

    from ragft import smollm2
    from ragft.course.bench_seeds import figure
    from ragft.evaluate import compare, estimate
    from ragft.reading import sealed_facts, sealed_sets
    from ragft.realworld import probe_items
    from ragft.world import World

    world = World(seed=0)
    facts = sealed_facts(world)[:smollm2.LORA_FACTS]
    ids = {f.id for f in facts}
    asked = [it for it in sealed_sets(world, ks=(), seed=seed)["closed_book_unseen_day"] if it.fact in ids]
    probe_before = reader.correct(probe_items())
    result = smollm2.learn_facts(reader, world, facts, replace(smollm2.lora_config(), seed=train_seed))
    probe_after = result.reader.correct(probe_items())
    change = compare(probe_before, probe_after, seed=seed)
    return {"sealed_new_facts_before": figure(reader.score(asked, seed)),
            "sealed_new_facts": figure(result.reader.score(asked, seed)),
            "real_world_probe_after_sealed_lora": figure(estimate(probe_after)),
            "real_world_probe_change_sealed_lora": {**figure(change), "within_noise": change.within_noise},
            "seconds": round(result.seconds, 1)}


def lora_seeds(seeds: tuple[int, ...] = SEEDS) -> dict:
    """The figures: `spread` (bench_seeds.spread: per figure each seed's value and interval, the mean, min, max and
    standard deviation), `within_noise` (per recipe, whether each seed's probe change is within noise), the
    recipe's settings and each run's LoRA seconds; `sealed`: the recipe with replay on the sealed day
    (`sealed_lora`), per seed, as `spread` and `within_noise`."""
    from ragft.course.bench import lora_figures
    from ragft.course.bench_seeds import spread
    from ragft.readers import load_reader
    from ragft.world import sealed

    smol = load_reader("smollm2")
    runs, sealed_runs = [], []
    for seed in seeds:
        start = time.perf_counter()
        runs.append(lora_figures(smol, train_seed=seed))
        sealed_runs.append(sealed_lora(smol, train_seed=seed))
        print(f"  training seed {seed}: {time.perf_counter() - start:.0f} s", flush=True)
    first, figures = runs[0], lambda run: {k: v for k, v in run.items() if isinstance(v, dict)}
    return {"model": "SmolLM2-135M-Instruct (Q4_1 GGUF, float32)", "seeds": list(seeds),
            **{key: first[key] for key in ("lora_facts", "lora_day", "lora_replay", "lora_steps", "lora_lr",
                                           "lora_no_replay_steps", "lora_no_replay_lr")},
            "spread": spread([figures(run) for run in runs]),
            "within_noise": {recipe: [bool(run[f"real_world_probe_change{name}"]["within_noise"]) for run in runs]
                             for recipe, name in (("replay", ""), ("no_replay", "_no_replay"))},
            "lora_seconds": {recipe: [run[f"lora{name}_seconds"] for run in runs]
                             for recipe, name in (("replay", ""), ("no_replay", "_no_replay"))},
            "sealed": {"day": sealed.SEALED_DAYS[0],
                       "spread": spread([figures(run) for run in sealed_runs]),
                       "within_noise": [bool(run["real_world_probe_change_sealed_lora"]["within_noise"])
                                        for run in sealed_runs],
                       "lora_seconds": [run["seconds"] for run in sealed_runs]}}
