"""The benchmark's fine-tuning parts: each method's learning rate swept on the dev day, and notebooks 04 and 06's
fine-tuning experiments over several seeds (mean and spread, each seed's value with its 95% interval). Every
accuracy is stored as `figure` writes it: {value, interval: [low, high], n}.

    python -m ragft.course.bench lr_sweep    # LoRA and full fine-tuning, each over its grid, on finetune.LR_DEV_DAY
    python -m ragft.course.bench replay_sweep   # full fine-tuning's replay share over REPLAY_SHARES, same day
    python -m ragft.course.bench seeds       # notebook 04's experiments and notebook 06's fine-tuning, seeds 0, 1, 2

Only the fine-tuning seed changes between seeds (batch order, LoRA's initial adapters); the world, the questions,
the indexes and the base model stay the same, so the spread is the training's own. RAG only (notebook 06) trains
nothing: it is measured once and reported beside the seeds.
"""

from __future__ import annotations

import statistics
from dataclasses import replace
from typing import Sequence

SEEDS = (0, 1, 2)
LR_SEEDS = (0, 1)
STEPS = 150  # notebook 04's budget for every run of 4.1-4.3
REPLAY_SHARES = (0.0, 0.3, 0.5, 0.7)
# The replay rule, fixed before the sweep ran (finetune.py's own criterion for REPLAY): the smallest share whose old
# facts held out of replay stay within 3 points of the model before fine-tuning (mean over seeds); none: the one
# that keeps the most.
REPLAY_TOLERANCE = 0.03


def figure(e) -> dict:
    """An accuracy (evaluate.Estimate) or a paired difference (evaluate.Difference) as every benchmark section
    stores it: {value, interval: [low, high], n}."""
    return {"value": round(e.value, 4), "interval": [round(e.low, 4), round(e.high, 4)], "n": e.n}


def score(correct: Sequence[bool], items: Sequence, seed: int = 0) -> dict:
    """An accuracy on reading items with its 95% interval, bootstrapped over facts (evaluate.estimate), as `figure`.
    An item with no fact (the real-world probe's) is its own cluster: one shared empty id would make one cluster,
    and a zero-width interval."""
    from ragft.evaluate import estimate

    return figure(estimate(list(correct), [it.fact or f"item {i}" for i, it in enumerate(items)], seed=seed))


def _closed(reader, world, facts, split: str = "heldout") -> tuple[list[bool], list]:
    from ragft.reading import closed_book_items

    items = closed_book_items(world, facts, split)
    return reader.correct(items), items


def lr_sweep() -> dict:
    """Each method over its grid on the dev day's facts (paraphrases, notebook 04's 150 steps, no replay, LR_SEEDS):
    accuracy on them in held-out wordings (the choice: best mean over seeds) and on the old facts held out of replay
    (the cost); per rate and figure, each seed's value with its interval and the mean (`spread`)."""
    from ragft import finetune as ft
    from ragft.readers import course_setting, load_reader
    from ragft.world import World

    world, reader = World(seed=0, day=ft.LR_DEV_DAY), load_reader(course_setting())
    new_facts, old_facts = world.facts_on(ft.LR_DEV_DAY), ft.replay_split(world.static_facts())[1]
    out: dict = {"dev_day": ft.LR_DEV_DAY, "steps": STEPS, "seeds": list(LR_SEEDS)}
    for method, grid in (("full", ft.FULL_LR_GRID), ("lora", ft.LORA_LR_GRID)):
        rows = {}
        for lr in grid:
            runs = []
            for seed in LR_SEEDS:
                cfg = ft.FinetuneConfig(method=method, data="paraphrase", steps=STEPS, lr=lr, seed=seed)
                tuned = ft.finetune(reader, world, new_facts, cfg, progress=False).reader
                runs.append({"new_heldout": score(*_closed(tuned, world, new_facts)),
                             "old_heldout": score(*_closed(tuned, world, old_facts))})
            rows[f"{lr:g}"] = spread(runs)
        out[method] = rows
        out[f"{method}_best_lr"] = float(max(rows, key=lambda lr: (rows[lr]["new_heldout"]["mean"],
                                                                   rows[lr]["old_heldout"]["mean"])))
    out["in_use"] = {"full": ft.FULL_LR, "lora": ft.LORA_LR}
    return out


def choose_replay(rows: dict, before: float, tolerance: float = REPLAY_TOLERANCE) -> float:
    """The replay rule (REPLAY_TOLERANCE) on `replay_sweep`'s rows: the smallest share whose held-out old facts
    (mean over seeds) stay within `tolerance` of `before`; if none does, the share that keeps the most."""
    kept = [s for s in rows if rows[s]["old_heldout"]["mean"] >= before - tolerance]
    return float(min(kept, key=float)) if kept else float(max(rows, key=lambda s: rows[s]["old_heldout"]["mean"]))


def replay_sweep(shares: Sequence[float] = REPLAY_SHARES, seeds: Sequence[int] = LR_SEEDS) -> dict:
    """Full fine-tuning at FULL_LR on the dev day's facts (paraphrases, 150 steps) with each replay share over
    `seeds`: the day's facts in held-out wordings and the old facts held out of replay (`replay_split`), before and
    after; `chosen` is what `choose_replay` picks (`in_use`: finetune.REPLAY)."""
    from ragft import finetune as ft
    from ragft.readers import course_setting, load_reader
    from ragft.world import World

    world, reader = World(seed=0, day=ft.LR_DEV_DAY), load_reader(course_setting())
    new_facts, old_facts = world.facts_on(ft.LR_DEV_DAY), world.static_facts()
    parts = {"new_heldout": new_facts, "old_heldout": ft.replay_split(old_facts)[1]}
    before = {part: score(*_closed(reader, world, facts)) for part, facts in parts.items()}
    rows = {}
    for share in shares:
        runs = []
        for seed in seeds:
            cfg = ft.FinetuneConfig(method="full", data="paraphrase", steps=STEPS, lr=ft.FULL_LR, replay=share, seed=seed)
            tuned = ft.finetune(reader, world, new_facts, cfg, old_facts=old_facts, progress=False).reader
            runs.append({part: score(*_closed(tuned, world, facts)) for part, facts in parts.items()})
        rows[f"{share:g}"] = spread(runs)
    return {"dev_day": ft.LR_DEV_DAY, "steps": STEPS, "lr": ft.FULL_LR, "seeds": list(seeds), "before": before,
            "shares": rows, "rule": f"smallest share keeping held-out old facts within {REPLAY_TOLERANCE:.0%} of before",
            "chosen": choose_replay(rows, before["old_heldout"]["value"]), "in_use": ft.REPLAY}


def _notebook_04(reader, seed: int) -> dict:
    """Notebook 04's runs with one seed: the 2x2 of the data's form (finetune.DATA) with the memorisation probe, LoRA
    vs full (each at its LR), replay vs none, the week."""
    from ragft import finetune as ft
    from ragft.evaluate import compare, estimate
    from ragft.world import World

    world = World(seed=0, day=ft.lm.TRAINING_DAYS + 1)
    new_facts, old_facts = world.facts_on(world.day), world.static_facts()
    replayed, held_out = ft.replay_split(old_facts)
    run = lambda **kw: ft.finetune(reader, world, new_facts, ft.FinetuneConfig(steps=STEPS, seed=seed, **kw),
                                   old_facts=old_facts, progress=False).reader
    models = {**{data: run(data=data) for data in ft.DATA}, "lora": run(method="lora"), "replay": run(replay=ft.REPLAY)}
    out, correct, probe = {}, {}, {}
    for name, model in models.items():
        correct[name], new_items = _closed(model, world, new_facts)
        out[f"{name}_new_heldout"] = score(correct[name], new_items)
        if name in ("paraphrase", "replay"):
            for part, facts in (("old_heldout", held_out), ("old_replayed", replayed)):
                out[f"{name}_{part}"] = score(*_closed(model, world, facts))
        if name in ft.DATA:
            out[f"{name}_trained_wording"] = score(*_closed(model, world, new_facts, "train"))
            probe[name] = dict(zip([f.id for f in new_facts], ft.memorised(model, new_facts)))
            out[f"{name}_memorised"] = figure(estimate(list(probe[name].values()), list(probe[name])))
    clusters = [it.fact for it in new_items]
    for name, (a, b) in {"lora_minus_full": ("paraphrase", "lora"), "paraphrase_minus_raw": ("raw", "paraphrase"),
                         "replay_minus_none_new": ("paraphrase", "replay"),
                         "paraphrase_no_qa_minus_raw": ("raw", "paraphrase_no_qa"),
                         "raw_qa_minus_raw": ("raw", "raw_qa"), "paraphrase_minus_raw_qa": ("raw_qa", "paraphrase"),
                         "paraphrase_minus_paraphrase_no_qa": ("paraphrase_no_qa", "paraphrase")}.items():
        out[name] = figure(compare(correct[a], correct[b], clusters))
    for name in ft.DATA:  # the probe minus the held-out questions, each question paired with its fact's probe
        out[f"{name}_memorised_minus_heldout"] = figure(compare(correct[name], [probe[name][f] for f in clusters],
                                                                clusters))
    days, tuned, today = list(range(world.day, world.day + 7)), reader, []
    for day in days:  # the daily update of 4.4, closed-book on each day's questions
        cfg = replace(ft.daily_config(), seed=seed)
        tuned = ft.finetune(tuned, world, world.facts_on(day), cfg, old_facts=old_facts + world.dynamic_facts(
            range(days[0], day)), progress=False).reader
        today.append(statistics.mean(_closed(tuned, world, world.facts_on(day))[0]))
    out["week_ft_new_day_acc"] = {"value": round(statistics.mean(today), 4), "n": 7 * len(new_facts)}
    out["week_end_first_day"] = score(*_closed(tuned, world, world.facts_on(days[0])))
    return out


def _notebook_06_setup():
    """What notebook 06's systems share across seeds: the world, questions, the two indexes, RAG only's answers."""
    import numpy as np

    from ragft import lm, rag
    from ragft.evaluate import exact_match
    from ragft.finetune import replay_split
    from ragft.readers import ReaderLLM, course_setting, load_reader
    from ragft.world import World

    world, reader, days_kept = World(seed=0, day=lm.TRAINING_DAYS + 1), load_reader(course_setting()), 7
    chunks = rag.split(world.as_documents(days=range(world.day - days_kept + 1, world.day + 1)))
    vectors = np.asarray(rag.embeddings().embed_documents([c.page_content for c in chunks]), dtype="float32")
    dynamic = [i for i, c in enumerate(chunks) if c.metadata["day"] > 0]
    chunks_dyn = [chunks[i] for i in dynamic]
    store_all = rag.vector_store(chunks, vectors=vectors)
    store_dyn = rag.vector_store(chunks_dyn, vectors=vectors[dynamic])
    held_out = replay_split(world.static_facts())[1]
    questions = world.qa(held_out, "heldout") + world.qa(world.facts_on(world.day), "heldout")  # as notebook 06
    rag_only = rag.rag_chain(rag.hybrid_retriever(chunks, store_all), ReaderLLM(reader=reader))
    outputs = rag_only.batch([q.question for q in questions])
    right = [exact_match(o["answer"], q.answer) for q, o in zip(questions, outputs)]
    return world, reader, questions, rag.hybrid_retriever(chunks_dyn, store_dyn), right


def _by_type(correct: Sequence[bool], questions: Sequence) -> dict:
    from ragft.reading import closed_book

    out = {}
    for kind in ("static", "dynamic"):
        picked = [(c, closed_book(q.question, q.answer, q.fact_id)) for c, q in zip(correct, questions)
                  if q.dynamic == (kind == "dynamic")]
        out[kind] = score([c for c, _ in picked], [it for _, it in picked])
    return out


def _notebook_06(setup, seed: int) -> dict:
    """Notebook 06's fine-tuning with one seed: static facts into the weights (the hybrid's model) and today's facts
    (fine-tuning only), each system asked notebook 06's questions; hybrid minus RAG only, paired."""
    from ragft import lm
    from ragft.evaluate import compare, exact_match
    from ragft.finetune import REPLAY, FinetuneConfig, daily_config, finetune, train_on, training_examples
    from ragft.hybrid import closed_book_chain, hybrid_chain, raft_examples
    from ragft.readers import ReaderLLM

    world, reader, questions, retriever_dyn, rag_right = setup
    reading = raft_examples(world, range(1, lm.TRAINING_DAYS + 1), n=2000, p_no_gold=0.0)
    consolidated = train_on(reader, training_examples(world, world.static_facts(), "paraphrase"),
                            FinetuneConfig(steps=60, replay=REPLAY, seed=seed), old_examples=reading, progress=False)
    ft_today = finetune(reader, world, world.facts_on(world.day), replace(daily_config(steps=120), seed=seed),
                        old_facts=world.static_facts(), progress=False)
    systems = {"fine-tuning only": closed_book_chain(ReaderLLM(reader=ft_today.reader)),
               "hybrid": hybrid_chain(retriever_dyn, ReaderLLM(reader=consolidated.reader))}
    asked = [q.question for q in questions]
    right = {name: [exact_match(o["answer"], q.answer) for q, o in zip(questions, s.batch(asked))]
             for name, s in systems.items()}
    out = {f"{name}_{kind}": v for name, r in right.items() for kind, v in _by_type(r, questions).items()}
    d = compare(rag_right, right["hybrid"], [q.fact_id for q in questions])
    out["hybrid_minus_rag_only"] = figure(d)
    return out


def spread(per_seed: list[dict]) -> dict:
    """Per figure: each seed's value (and interval), and the mean, min, max and standard deviation over seeds."""
    out = {}
    for key in per_seed[0]:
        values = [s[key]["value"] for s in per_seed]
        out[key] = {"mean": round(statistics.mean(values), 4), "min": min(values), "max": max(values),
                    "std": round(statistics.stdev(values), 4) if len(values) > 1 else 0.0,
                    "per_seed": [{k: s[key][k] for k in ("value", "interval", "n") if k in s[key]} for s in per_seed]}
    return out


def seeds(seeds: Sequence[int] = SEEDS) -> dict:
    """Notebook 04's experiments and notebook 06's fine-tuned systems over `seeds`; forgetting on the old facts held
    out of replay. Not run: notebook 06's RAFT, embedder and feedback sections, and 04's RAG week (no training)."""
    from ragft.finetune import FULL_LR, LORA_LR, REPLAY, REPLAY_POOL
    from ragft.readers import course_setting, load_reader

    reader = load_reader(course_setting())
    nb04 = [_notebook_04(reader, s) for s in seeds]
    setup = _notebook_06_setup()
    nb06 = [_notebook_06(setup, s) for s in seeds]
    questions, rag_right = setup[2], setup[4]
    return {"seeds": list(seeds), "full_lr": FULL_LR, "lora_lr": LORA_LR, "replay": REPLAY, "replay_pool": REPLAY_POOL,
            "notebook_04": spread(nb04), "notebook_06": spread(nb06),
            "notebook_06_rag_only": _by_type(rag_right, questions)}
