"""The benchmark command: prints the course's measured figures and saves them.

    python -m ragft.course.bench              # every part
    python -m ragft.course.bench base_model   # one part: base_model, rag, finetune, threshold, hybrid, real_model,
                                              # lr_sweep, replay_sweep, seeds (ragft/course/bench_seeds.py),
                                              # sealed, sealed_finetune (ragft/course/bench_sealed.py),
                                              # store_scale (ragft/course/bench_scale.py),
                                              # new_static (ragft/course/bench_static.py),
                                              # real_hybrid, real_raft, real_oos, real_data,
                                              # real_seeds (bench_real.py)

Figures go to results/benchmark.json, one section per part; running one part keeps the others. A part the course
reads (real_model: notebook 04 and the "Does it transfer?" table; real_hybrid and real_raft: notebook 06 and that table) also goes to its own file, results/FILE (yours);
with --ship, to results/shipped/FILE too (the kit's):

    python -m ragft.course.bench real_model --ship      # = make bench PART=real_model, then shipped
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Callable

from ragft import RESULTS_DIR, model_setting
from ragft.course import bench_real, bench_scale, bench_sealed, bench_seeds, bench_static
from ragft.results import FinetuneResults, HybridResults, ThresholdResults, save_curve, scalars
from ragft.threshold import comes_true


def _base_model() -> dict:
    from ragft.lm import benchmark

    return benchmark()


def run_notebooks(prefixes: list[str]) -> dict[str, dict[str, float]]:
    """Execute notebooks one by one, each in a fresh kernel: wall seconds and the kernel's peak memory."""
    from ragft.course.runner import execute, notebooks

    out = {}
    for path in notebooks(prefixes):
        run = execute(path)
        out[path.stem] = {"seconds": run.seconds, "peak_rss_mb": run.peak_mb}
    return out


def notebook_figures(prefixes: list[str]) -> dict:
    """Run notebooks with run_notebooks: seconds and the kernel's peak memory per notebook, and the largest peak."""
    runs = run_notebooks(prefixes)
    return {"notebook_seconds": {k: v["seconds"] for k, v in runs.items()},
            "notebook_peak_mb": {k: v["peak_rss_mb"] for k, v in runs.items()},
            "peak_rss_mb": max(v["peak_rss_mb"] for v in runs.values())}


def _notebooks() -> dict:
    """Every notebook in order, each in a fresh kernel: seconds and peak memory (the classroom's sizing figures)."""
    return notebook_figures([])


def _embed_overhead(texts: list[str], batch_size: int = 64, repeats: int = 3) -> float:
    """Kit embeddings time / raw sentence-transformers time, same texts and batch size (best of `repeats`)."""
    from sentence_transformers import SentenceTransformer

    from ragft import rag

    kit = rag.embeddings(batch_size=batch_size)
    raw = SentenceTransformer(rag.embedder_path(), device="cpu")
    kit.embed_documents(texts[:64]), raw.encode(texts[:64], batch_size=batch_size)  # warm up both
    best = {"kit": float("inf"), "raw": float("inf")}
    for _ in range(repeats):  # alternate, so that machine noise hits both alike
        for name, fn in (("kit", lambda: kit.embed_documents(texts)),
                         ("raw", lambda: raw.encode(texts, batch_size=batch_size, normalize_embeddings=True))):
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return best["kit"] / best["raw"]


def _ann_100k(n_chunks: int = 100_000, n_queries: int = 200) -> dict:
    """Flat vs HNSW on 100k real chunks of the world (about 7 minutes on 2 cores, most of it embedding)."""
    import numpy as np

    from ragft import rag
    from ragft.world import World

    world = World(seed=0)
    days = 1 + n_chunks // len(world.documents([1], static=False))
    chunks = rag.split(world.as_documents(days=range(1, days + 1)))[:n_chunks]
    vectors = np.asarray(rag.embeddings().embed_documents([c.page_content for c in chunks]), dtype="float32")
    questions = [q.question for q in world.qa(world.facts_on(days), "heldout")][:n_queries]
    queries = np.asarray(rag.embeddings().embed_documents(questions), dtype="float32")

    def per_query(index) -> tuple[float, np.ndarray]:
        found, start = [], time.perf_counter()
        for q in queries:  # one query at a time, as a chain asks them
            found.append(index.search(q[None], 10)[1][0])
        return 1000 * (time.perf_counter() - start) / len(queries), np.array(found)

    flat = rag.faiss_index(vectors.shape[1], "flat")
    flat.add(vectors)
    flat_ms, truth = per_query(flat)
    hnsw = rag.faiss_index(vectors.shape[1], "hnsw")
    hnsw.add(vectors)
    for ef in (16, 32, 64, 128, 256):
        hnsw.hnsw.efSearch = ef
        hnsw_ms, found = per_query(hnsw)
        recall = float(np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth)]))
        if recall >= 0.95:
            break
    return {"chunks_100k": len(chunks), "flat_query_ms_100k": round(flat_ms, 3), "hnsw_query_ms_100k": round(hnsw_ms, 3),
            "hnsw_recall_at_10": round(recall, 4), "hnsw_ef_search": ef, "hnsw_speedup": round(flat_ms / hnsw_ms, 1)}


def _rag() -> dict:
    """Issue 4's figures: RAG on an unseen day, embedding overhead, 100k-chunk indexes, notebooks 02-03."""
    from ragft import lm, rag
    from ragft.evaluate import gold_chunks, score_rag
    from ragft.readers import make_llm
    from ragft.world import World

    world = World(seed=0, day=lm.TRAINING_DAYS + 1)
    chunks = rag.split(world.as_documents())
    store = rag.vector_store(chunks)
    questions = world.qa(world.facts_on(world.day), "heldout")
    llm = make_llm()
    # k is chosen from notebook 03's measurement: the default retriever's hit@1 is 1.0 on this world, and
    # every passage past the gold one is a look-alike the course model may copy from; the hit rate is reported at 5
    chosen = score_rag(rag.rag_chain(rag.hybrid_retriever(chunks, store, k=1), llm), questions, gold_chunks(chunks), 1)
    scores = score_rag(rag.rag_chain(rag.hybrid_retriever(chunks, store, k=5), llm), questions, gold_chunks(chunks), 5)
    notebooks = notebook_figures(["02", "03"])
    return {"answer_em_unseen_day": round(chosen["exact_match"], 4), "answer_k": 1,
            "answer_em_unseen_day_interval": [round(chosen["exact_match_low"], 4), round(chosen["exact_match_high"], 4)],
            "answer_em_unseen_day_k5": round(scores["exact_match"], 4), "hit_at_1": round(chosen["hit@1"], 4),
            "hit_at_5": round(scores["hit@5"], 4), "model": model_setting(),  # the reader RAGFT_MODEL selected
            "citation_accuracy": round(chosen["citation_accuracy"], 4), "questions": len(questions),
            "embed_overhead_ratio": round(_embed_overhead([c.page_content for c in chunks[:2000]]), 3),
            **_ann_100k(), **notebooks}


def finetune_figures(results: FinetuneResults) -> dict:
    """Issue 5's figures from notebook 04's results: its accuracies and cost ratio, and the week's means."""
    return {**{k: round(v, 4) for k, v in scalars(results).items()}, "intervals": results.intervals,
            "ft_new_day_acc": round(results.ft_new_day_acc, 4), "rag_new_day_acc": round(results.rag_new_day_acc, 4)}


def _finetune() -> dict:
    """Issue 5's figures: run notebook 04 and read the results/finetune.json it wrote."""
    notebook = notebook_figures(["04"])
    record = FinetuneResults.read("yours")
    return {**finetune_figures(record), "model": record.model, **notebook}  # model: the course model (notebook 04)


def _threshold() -> dict:
    """Issue 6's figures: run notebook 05 and read the results/threshold.json it wrote.

    In `validation` (in sample: the unit numbers come from the same world and question pool), predicted and
    measured are accuracies as fractions; max_abs_error_points is in percentage points; redraw_ms is the median of
    the notebook's timed slider moves (min and max beside it). Issue 22's figures: preset_choices (the recommendation
    per preset at the default, illustrative prices; "(base model alone)" where fine-tuning only has nothing to learn),
    preset_choices_distinct, threshold_by_preset (None: fine-tuning only stays ahead at every share) with its 95% band,
    and threshold_spread_points (largest minus smallest threshold, a never-crossing one left out); the same presets'
    choices and thresholds on the real model's unit numbers (SmolLM2: preset_choices_real, threshold_by_preset_real);
    out of sample (day 75, a 30-day store, shares 0.25 and 0.75: `oos_validation`), oos_max_abs_error_points and
    whether every prediction is within 5 points or inside its measured 95% interval.
    """
    notebook = notebook_figures(["05"])
    record = ThresholdResults.read("yours")
    results = record.to_dict()
    rounded = lambda d: {k: round(v, 4) if isinstance(v, float) else v for k, v in d.items()}
    presets = record.presets
    thresholds = {name: p["threshold"] for name, p in presets.items()}
    crossing = [t for t in thresholds.values() if t is not None]
    return {**rounded({k: v for k, v in results.items() if k not in ("presets", "presets_real")}),
            "validation": [rounded(v) for v in results["validation"]],
            "preset_choices": {name: p["choice"] + (" (base model alone)" if p["base_model_alone"] else "")
                               for name, p in presets.items()},
            "preset_choices_distinct": len({p["choice"] for p in presets.values()}),
            "threshold_by_preset": {name: None if t is None else round(t, 4) for name, t in thresholds.items()},
            "threshold_band_by_preset": {name: [round(x, 4) for x in p["threshold_band"]] for name, p in presets.items()},
            "threshold_spread_points": round(100 * (max(crossing) - min(crossing)), 1) if crossing else None,
            "preset_choices_real": {name: p["choice"] for name, p in record.presets_real.items()},
            "threshold_by_preset_real": {name: None if p["threshold"] is None else round(p["threshold"], 4)
                                         for name, p in record.presets_real.items()},
            "oos_max_abs_error_points": None if record.oos_max_abs_error_points is None
            else round(record.oos_max_abs_error_points, 1),
            "oos_within_5_points_or_interval": all(comes_true(v["predicted"], v["measured"], v["inside_interval"])
                                                   for v in record.oos_validation) if record.oos_validation else None,
            "model": record.model, **notebook}  # the course model: notebook 05 checks its systems


def _hybrid() -> dict:
    """Issue 7's figures: run notebook 06 and read the results/hybrid.json it wrote.

    Accuracies are fractions at the kit's default dynamic share; raft_acc_by_k maps reader -> k -> accuracy on
    today's questions and on static questions whose gold passage is absent.
    """
    notebook = notebook_figures(["06"])
    h = HybridResults.read("yours")
    return {"acc_hybrid": h.acc_hybrid, "acc_rag_only": h.acc_rag_only, "acc_ft_only": h.acc_ft_only,
            "index_docs_hybrid": h.index_docs_hybrid, "index_docs_rag_only": h.index_docs_rag_only,
            "retriever_hit1_before": h.retriever_hit1_before, "retriever_hit1_after": h.retriever_hit1_after,
            "raft_acc_by_k": h.raft_acc_by_k, "default_share": h.default_share,
            "retriever_seconds": round(h.retriever_seconds, 1), "intervals": h.intervals, "model": h.model, **notebook}


def read_scores(reader, items: list) -> dict:
    """One batched generation on reading items: exact match of the extracted answers with its 95% interval,
    bootstrapped over facts (Wilson's for items that name none, as the real-world probe; {value, interval, n},
    `bench_seeds.figure`) and the share of raw generations that contain the gold answer."""
    from ragft.evaluate import estimate, exact_match, normalize_answer
    from ragft.reading import fact_clusters

    texts = reader.generate([reader.prompt(it.question, it.passages) for it in items])
    hits = [exact_match(reader.extract(t), it.gold) for t, it in zip(texts, items)]
    contains = sum(normalize_answer(it.gold) in normalize_answer(t) for t, it in zip(texts, items))
    return {**bench_seeds.figure(estimate(hits, fact_clusters(items))), "contains": round(contains / len(items), 4)}


def lora_figures(reader, seed: int = 0, train_seed: int = 0) -> dict:
    """LoRA on the new facts of one unseen day (`smollm2.LORA_*`, chosen on the dev split), replaying general
    questions in the model's own answers (`smollm2.learn_facts`): their held-out wordings closed-book before and
    after (interval bootstrapped over facts), the real-world probe after it and its paired change from before
    (forgetting), the seconds on this machine (lora_seconds: the training; lora_replay_seconds: answering the replay
    questions); then the same without replay (`smollm2.lora_config(replay=False)`), to show what replay buys.
    `train_seed` is the training's own seed (batch order, LoRA's initial adapters: `bench_real.lora_seeds`); `seed`
    the bootstrap's."""
    from dataclasses import replace

    from ragft import smollm2
    from ragft.course.bench_seeds import figure
    from ragft.evaluate import compare, estimate
    from ragft.reading import closed_book_items
    from ragft.realworld import probe_items
    from ragft.world import World

    world = World(seed=0, day=smollm2.LORA_DAY)
    facts = world.facts_on(smollm2.LORA_DAY)[:smollm2.LORA_FACTS]
    heldout = closed_book_items(world, facts, "heldout")
    probe_before = reader.correct(probe_items())
    out = {"lora_new_facts_heldout_before": figure(reader.score(heldout, seed))}
    for replay, name in ((True, ""), (False, "_no_replay")):
        start = time.perf_counter()
        result = smollm2.learn_facts(reader, world, facts, replace(smollm2.lora_config(replay), seed=train_seed))
        replay_seconds = time.perf_counter() - start - result.seconds
        probe_after = result.reader.correct(probe_items())
        change = compare(probe_before, probe_after, seed=seed)
        out |= {f"lora{name}_new_facts_heldout": figure(result.reader.score(heldout, seed)),
                f"real_world_probe_after_lora{name}": figure(estimate(probe_after)),
                f"real_world_probe_change{name}": {**figure(change), "within_noise": change.within_noise},
                f"lora{name}_seconds": round(result.seconds, 1), f"lora{name}_steps": result.steps,
                f"lora{name}_lr": result.config.lr}
        out |= {"lora_replay_seconds": round(replay_seconds, 1)} if replay else {}
    return out | {"lora_facts": len(facts), "lora_replay": smollm2.LORA_REPLAY, "lora_day": smollm2.LORA_DAY}


def _real_model(n: int = 40, seed: int = 0) -> dict:
    """Issue 20's figures: SmolLM2-135M-Instruct (RAGFT_MODEL=smollm2) beside the course model on the same items,
    n a figure (held-out wordings; open book on unseen days), each with its 95% interval (`read_scores`).

    load_seconds: GGUF to float32 torch model; tokens_per_second: new tokens over the whole generate call (prompt
    included) for 8 open-book questions; peak_rss_mb: this process, both models loaded, LoRA training included.
    LoRA figures: see `lora_figures`.
    """
    import resource

    from ragft.readers import load_reader
    from ragft.reading import eval_sets, subsample
    from ragft.realworld import probe_items
    from ragft.world import World

    start = time.perf_counter()
    smol = load_reader("smollm2")
    load_seconds = time.perf_counter() - start
    course = load_reader("course")
    sets = eval_sets(World(seed=0), "heldout", seed)
    items = {"closed_book_course_world": subsample(sets["closed_book_static"], n, seed),
             "real_world_probe": probe_items(),
             **{f"open_book_k{k}": subsample(sets[f"open_book_k{k}"], n, seed) for k in (0, 2, 4)}}
    timed = [smol.prompt(it.question, it.passages) for it in items["open_book_k2"][:8]]
    start = time.perf_counter()
    texts = smol.generate(timed)
    seconds = time.perf_counter() - start
    tokens = sum(len(smol.tokenizer(t, add_special_tokens=False)["input_ids"]) for t in texts)
    figures = {name: read_scores(smol, its) for name, its in items.items()}
    figures |= {f"course_model_{name}": read_scores(course, its) for name, its in items.items()}
    figures |= lora_figures(smol, seed)
    return {"model": "SmolLM2-135M-Instruct (Q4_1 GGUF, float32)", "load_seconds": round(load_seconds, 1),
            "tokens_per_second": round(tokens / seconds, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024), **figures}


PARTS: dict[str, Callable[[], dict]] = {"base_model": _base_model, "rag": _rag, "finetune": _finetune,
                                         "threshold": _threshold, "hybrid": _hybrid,
                                         "real_model": _real_model, "notebooks": _notebooks,
                                         "lr_sweep": bench_seeds.lr_sweep, "replay_sweep": bench_seeds.replay_sweep,
                                         "seeds": bench_seeds.seeds, "sealed": bench_sealed.course_model,
                                         "sealed_finetune": bench_sealed.finetune_figures,
                                         "store_scale": bench_scale.store_scale,
                                         "new_static": bench_static.part,
                                         "real_hybrid": bench_real.hybrid, "real_raft": bench_real.raft,
                                         "real_seeds": bench_real.lora_seeds,
                                         "real_oos": bench_real.oos, "real_data": bench_real.data_forms}
# parts the course reads: results/FILE, with --ship results/shipped/FILE
FILES = {"real_model": "real_model.json", "real_data": "real_data.json", "real_hybrid": "real_hybrid.json",
         "real_raft": "real_raft.json", "real_oos": "real_oos.json", "real_seeds": "real_seeds.json"}


def run(parts: list[str], ship: bool = False) -> dict:
    """Run the named parts, merge them into results/benchmark.json and return the whole file; a part of FILES also
    to results/FILE (and, with ship, results/shipped/FILE)."""
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        raise SystemExit(f"unknown part(s) {unknown}; choose from {sorted(PARTS)}")
    path = RESULTS_DIR / "benchmark.json"
    ran = {}
    for part in parts:
        start = time.perf_counter()
        ran[part] = PARTS[part]()
        print(f"== {part} ({time.perf_counter() - start:.0f} s)")
        for key, value in ran[part].items():
            print(f"  {key:32} {value}" if not isinstance(value, list) else "\n    ".join([f"  {key}", *map(str, value)]))
        if part in FILES:
            print("  wrote", *save_curve(FILES[part], ran[part], ship, RESULTS_DIR))
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    results = {**(json.loads(path.read_text()) if path.exists() else {}), **ran}  # read now: another run may have saved
    path.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"saved to {path}")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("parts", nargs="*", help=f"parts to run (default: all of {sorted(PARTS)})")
    parser.add_argument("--ship", action="store_true", help=f"also write {sorted(FILES.values())} to results/shipped/")
    args = parser.parse_args(argv)
    run(args.parts or list(PARTS), args.ship)
    return 0


if __name__ == "__main__":
    sys.exit(main())
