"""The benchmark's store-scale part (issue 22, item 2): "cumbersome RAG", measured as the store grows.

    python -m ragft.course.bench store_scale          # the full curve (make bench PART=store_scale)
    python -m ragft.course.bench_scale --sizes 1000,5000 --real-max 2000   # a small run, same code
    python -m ragft.course.bench_scale --ship         # the full curve, also written to results/shipped/

The store is the course world's (`World(seed=0)`): encyclopedia pages (day 0, 64 chunks) and the reports and news of
days 1..D (44 chunks a day). Every day kept adds look-alikes of the same templates: the same towns and companies with
other values, which a question about the newest day must not confuse with its own report.

Two kinds of size (`real` says which):
- real (at most `real_max` chunks): whole days of real chunks (`rag.split`), embedded with the kit's embedder
  (all-MiniLM-L6-v2); QUALITY is measured here: hit@1 and hit@4 of the gold report for the held-out questions
  about the newest day D (the gold chunks are the ones whose 'facts' metadata states the fact), with 95% intervals
  bootstrapped over facts, for plain vector search (exact, the whole store) and for the day filter the kit's
  retrievers apply (`rag.days_kept`: day D and the timeless pages, ranked exactly: what FAISS's filter returns);
  `lookalike_top1`: the share whose top passage (plain vector) is another day's report on the same entity;
  `k_for_hit_95`: the smallest k (1..64) at which plain vector search reaches hit@k >= 0.95; tokens per query: the
  course model's prompt (`lm.prompt`) with the passages retrieved, counted with the course tokenizer.
- extended (beyond `real_max`): the real store plus copies of its vectors (drawn at random) with Gaussian noise of
  `NOISE_SIGMA` a dimension (noise norm ~0.3; cosine ~0.96 to its source: a look-alike) and re-normalised. Only
  COSTS are measured on them; quality past the real size is NOT measured (those fields are None).

Costs at every size, for each index (`rag.faiss_index`): 'flat' (exact), 'hnsw' (M=32, efConstruction 40) and 'ivfpq'
(nlist = sqrt(n) clipped to [8, 1024] and n / 39; 48 sub-quantizers, 8 bits from 10,000 vectors, 4 bits below;
trained on at least 39 vectors a centroid, at most 100,000):
build_s (add, and train for IVF-PQ; FAISS's default threads), memory_mb (the serialised index: vectors, graph
links or codes), p50_ms/p95_ms (one query at a time, one thread, `n_queries` real questions), recall_at_10 against
flat (efSearch / nprobe raised up a ladder until recall >= 0.95 or it stops improving; the setting in `param`).
texts_mb: the chunks' text (no index compresses it). embed_seconds: chunks x the seconds a chunk measured here while
embedding (extrapolated linearly past the real size: `embed_measured` False). Embeddings are cached under
build/store_scale/, so a rerun only searches and builds.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from ragft import MODELS_DIR, RESULTS_DIR, ROOT
from ragft.results import load_curve, save_curve

SIZES = (1_000, 10_000, 50_000, 100_000, 300_000, 1_000_000)
REAL_MAX = 100_000   # real chunks embedded (~2,270 days, before the sealed test split's days); past it, noise-extended vectors
KINDS = ("flat", "hnsw", "ivfpq")
NOISE_SIGMA = 0.015  # per dimension, then re-normalised
RECALL_TARGET = 0.95
LADDERS = {"hnsw": (16, 32, 64, 128, 256, 512), "ivfpq": (1, 4, 16, 64, 256)}
K_MAX = 64
CACHE_DIR = ROOT / "build" / "store_scale"
FILE = "store_scale.json"
KEY = {
    "latency": "REMOVED by an ANN index: flat search time grows in proportion to the chunks; HNSW and IVF-PQ grow far "
               "slower, at the recall_at_10 shown (an index approximates the exact ranking, so it can only lose hits)",
    "memory": "NOT removed by HNSW (the vectors plus graph links: more than flat); IVF-PQ compresses the vectors "
              "(~48 bytes instead of 1,536) at a recall cost; the chunks' text (texts_mb) stays whatever the index",
    "build_time": "NOT removed: every chunk is embedded (embed_seconds, the largest cost, the same for every index); "
                  "HNSW and IVF-PQ add their own build time over flat's",
    "quality": "NOT removed: look-alike reports of other days crowd the gold one out of plain vector search as days "
               "are kept (hit@1 falls, lookalike_top1 rises); metadata (the day filter) restores it, not the index",
    "tokens": "NOT removed: a prompt holds k passages whatever the index; keeping hit@k without a filter needs a "
              "larger k (k_for_hit_95), and tokens grow with k",
    "extended": "past real_max chunks the store is real vectors plus noisy copies: costs only, quality not measured",
}


def days_for(chunks: int, world=None) -> int:
    """The days of reports that make about `chunks` chunks with the encyclopedia pages (at least one)."""
    from ragft import rag
    from ragft.world import World

    world = world or World(seed=0)
    per_day, pages = len(rag.split(world.as_documents([1], static=False))), len(rag.split(world.as_documents([])))
    return max(1, round((chunks - pages) / per_day))


def real_chunks(days: int, world=None) -> list:
    """The course world's chunks: the encyclopedia pages, then days 1..days in order (a smaller store is a prefix).
    The world refuses days that reach the sealed test split, so real stores stay below about 112k chunks."""
    from ragft import rag
    from ragft.world import World

    return rag.split((world or World(seed=0)).as_documents(days=range(1, days + 1)))


def embed_cached(chunks: list, cache_dir: Path = CACHE_DIR, block: int = 10_000) -> tuple[np.ndarray, float]:
    """The chunks' vectors and the measured seconds a chunk, from the cache where it holds a prefix of these chunks;
    the rest is embedded (in blocks, the cache saved after each) and timed."""
    from ragft import rag
    from ragft.rag.embeddings import embedder_identity

    embedder = rag.embeddings()
    tag = embedder_identity(embedder)["fingerprint"].replace(":", "_").replace("/", "_")[:16]
    vec_path, meta_path = cache_dir / f"vectors-{tag}.npy", cache_dir / f"vectors-{tag}.json"
    ids = [c.id for c in chunks]
    vectors, meta = None, {"ids": [], "seconds": 0.0, "embedded": 0}
    if vec_path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta["ids"][: len(ids)] == ids[: len(meta["ids"])]:
            vectors = np.load(vec_path, mmap_mode="r")
        else:
            meta = {"ids": [], "seconds": 0.0, "embedded": 0}
    have = min(len(meta["ids"]), len(ids))
    if have < len(ids):
        cache_dir.mkdir(parents=True, exist_ok=True)
        vectors = None if vectors is None else np.array(vectors[:have])
        for start in range(have, len(ids), block):
            texts = [c.page_content for c in chunks[start:start + block]]
            began = time.perf_counter()
            new = np.asarray(embedder.embed_documents(texts), dtype="float32")
            meta["seconds"] += time.perf_counter() - began
            meta["embedded"] += len(texts)
            vectors = new if vectors is None else np.concatenate([vectors, new])
            meta["ids"] = ids[: len(vectors)]
            np.save(vec_path, vectors)
            meta_path.write_text(json.dumps(meta))
    return np.ascontiguousarray(vectors[: len(ids)]), meta["seconds"] / max(1, meta["embedded"])


def extend(vectors: np.ndarray, n: int, sigma: float = NOISE_SIGMA, seed: int = 0) -> np.ndarray:
    """The real vectors, then n - len(vectors) noisy copies of randomly drawn ones (re-normalised): look-alikes."""
    rng, out = np.random.default_rng(seed), np.empty((n, vectors.shape[1]), "float32")
    out[: len(vectors)] = vectors
    for start in range(len(vectors), n, 100_000):
        stop = min(n, start + 100_000)
        block = vectors[rng.integers(0, len(vectors), stop - start)]
        block = block + rng.standard_normal(block.shape, dtype="float32") * sigma
        out[start:stop] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def _build(kind: str, vectors: np.ndarray):
    from ragft import rag

    n, dim = vectors.shape
    if kind != "ivfpq":
        index = rag.faiss_index(dim, kind)
        index.add(vectors)
        return index
    n_lists = int(np.clip(np.sqrt(n), 8, 1024))
    n_lists = max(1, min(n_lists, n // 39))
    index = rag.faiss_index(dim, "ivfpq", n_lists=n_lists, pq_bits=8 if n >= 10_000 else 4)
    # at least 39 training points a centroid, for the coarse lists and for each sub-quantizer's 2^bits codes
    wanted = max(64 * n_lists, 39 * 2 ** (8 if n >= 10_000 else 4))
    train = vectors[np.random.default_rng(0).choice(n, min(n, wanted, 100_000), replace=False)]
    index.train(np.ascontiguousarray(train))
    index.add(vectors)
    return index


def _timed_search(index, queries: np.ndarray, k: int = 10) -> tuple[list[float], np.ndarray]:
    """One query at a time, as a chain asks them: each one's milliseconds and the ids found."""
    times, found = [], []
    for q in queries:
        start = time.perf_counter()
        found.append(index.search(q[None], k)[1][0])
        times.append(1000 * (time.perf_counter() - start))
    return times, np.array(found)


def index_costs(vectors: np.ndarray, queries: np.ndarray, kinds=KINDS, build_threads: int | None = None) -> dict:
    """Per index kind: build_s, memory_mb, p50_ms, p95_ms, recall_at_10 against flat and its search param."""
    import faiss

    threads = faiss.omp_get_max_threads()
    out, truth = {}, None
    try:
        for kind in ("flat",) + tuple(k for k in kinds if k != "flat"):
            faiss.omp_set_num_threads(build_threads or threads)
            start = time.perf_counter()
            index = _build(kind, vectors)
            build_s = time.perf_counter() - start
            memory_mb = len(faiss.serialize_index(index)) / 2**20
            faiss.omp_set_num_threads(1)
            row = {"build_s": round(build_s, 4), "memory_mb": round(memory_mb, 3)}
            recall, param = 1.0, None
            if kind == "flat":
                times, truth = _timed_search(index, queries)
            else:
                for param in LADDERS[kind]:
                    if kind == "hnsw":
                        index.hnsw.efSearch = param
                    else:
                        index.nprobe = min(param, index.nlist)
                    times, found = _timed_search(index, queries)
                    last, recall = recall, float(np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth)]))
                    if recall >= RECALL_TARGET or (param != LADDERS[kind][0] and recall - last < 0.005):
                        break
            row.update(p50_ms=round(float(np.percentile(times, 50)), 4), p95_ms=round(float(np.percentile(times, 95)), 4),
                       recall_at_10=round(recall, 4), param=param)
            out[kind] = row
            del index
    finally:
        faiss.omp_set_num_threads(threads)
    return out


def rankings(vectors: np.ndarray, queries: np.ndarray, k: int, keep: np.ndarray | None = None) -> np.ndarray:
    """Exact top-k row numbers per query by inner product; with `keep` (a row mask), only those rows (the day filter:
    FAISS's filter ranks the whole store, then keeps the days, so the result is the same)."""
    rows = np.arange(len(vectors)) if keep is None else np.flatnonzero(keep)
    scores = queries @ vectors[rows].T
    k = min(k, len(rows))
    top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    order = np.take_along_axis(scores, top, 1).argsort(axis=1)[:, ::-1]
    return rows[np.take_along_axis(top, order, 1)]


def quality(world, chunks: list, vectors: np.ndarray, day: int, tokenizer=None) -> dict:
    """Retrieval quality on a real store for the held-out questions about `day` (see the module docstring)."""
    from ragft import rag
    from ragft.course.bench_seeds import figure
    from ragft.evaluate import estimate, gold_chunks, hits_at_k
    from ragft.lm.prompt import prompt

    questions = world.qa(world.facts_on(day), "heldout")
    queries = np.asarray(rag.embeddings().embed_documents([q.question for q in questions]), dtype="float32")
    ids = [c.id for c in chunks]
    by_fact = gold_chunks(chunks)
    gold = [by_fact.get(q.fact_id, set()) for q in questions]
    clusters = [q.fact_id for q in questions]
    chunk_days = np.array([c.metadata["day"] for c in chunks])
    ranked = {"vector": rankings(vectors, queries, K_MAX),
              "day_filter": rankings(vectors, queries, K_MAX, np.isin(chunk_days, rag.days_kept(f"day {day}")))}
    as_ids = {mode: [[ids[i] for i in row] for row in r] for mode, r in ranked.items()}
    out = {mode: {f"hit_at_{k}": figure(estimate(hits_at_k(as_ids[mode], gold, k), clusters)) for k in (1, 4)}
           for mode in ranked}
    entity = {c.id: (c.metadata.get("entity"), c.metadata.get("kind")) for c in chunks}
    top = [chunks[r[0]] for r in ranked["vector"]]
    out["lookalike_top1"] = round(float(np.mean([t.metadata["day"] not in (0, day)
                                                and any(entity[t.id] == entity[g] for g in gs)
                                                for t, gs in zip(top, gold)])), 4)
    hit_rate = lambda k: float(np.mean(hits_at_k(as_ids["vector"], gold, k)))  # noqa: E731
    k95 = next((k for k in (1, 2, 4, 8, 16, 32, K_MAX) if hit_rate(k) >= 0.95), None)
    if tokenizer is None:
        from tokenizers import Tokenizer
        tokenizer = Tokenizer.from_file(str(MODELS_DIR / "course-model" / "tokenizer.json"))
    count = lambda mode, k: round(float(np.mean([len(tokenizer.encode(prompt(  # noqa: E731
        q.question, [chunks[i].page_content for i in row[:k]])).ids) for q, row in zip(questions, ranked[mode])])), 1)
    out["k_for_hit_95"] = k95
    out["tokens_per_query"] = {"closed_book": count("vector", 0), "k4_vector": count("vector", 4),
                               "k4_day_filter": count("day_filter", 4),
                               "k_for_hit_95": None if k95 is None else count("vector", k95)}
    out["questions"] = len(questions)
    return out


def measure(sizes=SIZES, real_max: int = REAL_MAX, n_queries: int = 200, cache_dir: Path = CACHE_DIR,
            build_threads: int | None = None, log=print) -> dict:
    """The curves by store size (module docstring): one entry a size in every list, dicts keyed by index kind."""
    from ragft import rag
    from ragft.world import World

    world = World(seed=0)
    sizes = sorted(int(s) for s in sizes)
    real_sizes = [s for s in sizes if s <= real_max] or [min(real_max, sizes[0])]
    max_days = days_for(max(real_sizes), world)
    chunks = real_chunks(max_days, world)
    log(f"store_scale: {len(chunks)} real chunks ({max_days} days); embedding what build/ lacks")
    vectors, seconds_per_chunk = embed_cached(chunks, cache_dir)
    chunk_days = np.array([c.metadata["day"] for c in chunks])
    text_bytes = np.cumsum([len(c.page_content.encode()) for c in chunks])
    questions = world.qa(world.facts_on(max_days) + world.facts_on(max(1, max_days - 1)), "heldout")[:n_queries]
    queries = np.asarray(rag.embeddings().embed_documents([q.question for q in questions]), dtype="float32")
    curves = {"chunks": [], "days": [], "real": [], "embed_seconds": [], "embed_measured": [], "texts_mb": [],
              "vectors_mb": [], **{f: {k: [] for k in KINDS} for f in ("build_s", "memory_mb", "p50_ms", "p95_ms")},
              "recall_at_10": {k: [] for k in KINDS}, "param": {k: [] for k in KINDS if k != "flat"},
              "hit_at_1": {"vector": [], "day_filter": []}, "hit_at_4": {"vector": [], "day_filter": []},
              "lookalike_top1": [], "k_for_hit_95": [], "tokens_per_query": []}
    for size in sizes:
        real = size <= real_max
        days = days_for(size, world)
        if real:  # the chunks of days 0..days: a prefix, as days come in order
            n = int(np.searchsorted(chunk_days, days, side="right"))
            store = vectors[:n]
        else:
            n, store = size, extend(vectors, size)
        start = time.perf_counter()
        costs = index_costs(store, queries, build_threads=build_threads)
        q = quality(world, chunks[:n], store, days) if real else None
        log(f"  {n:>9,} chunks ({'real' if real else 'extended'}): {time.perf_counter() - start:.0f} s")
        text_mb = (text_bytes[n - 1] if real else text_bytes[-1] * n / len(chunks)) / 2**20
        for key, value in (("chunks", n), ("days", days), ("real", real), ("embed_measured", real),
                           ("embed_seconds", round(n * seconds_per_chunk, 1)), ("texts_mb", round(float(text_mb), 2)),
                           ("vectors_mb", round(n * store.shape[1] * 4 / 2**20, 2))):
            curves[key].append(value)
        for kind, row in costs.items():
            for field in ("build_s", "memory_mb", "p50_ms", "p95_ms", "recall_at_10"):
                curves[field][kind].append(row[field])
            if kind in curves["param"]:
                curves["param"][kind].append(row["param"])
        for k in (1, 4):
            for mode in ("vector", "day_filter"):
                curves[f"hit_at_{k}"][mode].append(q[mode][f"hit_at_{k}"] if q else None)
        for key in ("lookalike_top1", "k_for_hit_95", "tokens_per_query"):
            curves[key].append(q[key] if q else None)
        del store
    return {**curves, "settings": {"real_max": real_max, "noise_sigma": NOISE_SIGMA, "n_queries": len(queries),
                                   "embed_seconds_per_chunk": round(seconds_per_chunk, 6),
                                   "search_threads": 1, "recall_target": RECALL_TARGET, "k_max": K_MAX,
                                   "questions": "held-out wordings about the newest day kept"},
            "key": KEY}


def write(curves: dict, ship: bool = False, results_dir: Path = RESULTS_DIR) -> list[Path]:
    """results/store_scale.json (yours); with ship, results/shipped/store_scale.json too (the kit's)."""
    return save_curve(FILE, curves, ship, results_dir)


def load(whose: str | None = None, results_dir: Path = RESULTS_DIR) -> tuple[dict, str]:
    """The curves and whose they are: the learner's run (results/store_scale.json), else the kit's shipped one."""
    curves, found = load_curve(FILE, whose, results_dir)
    if curves is None:
        raise FileNotFoundError(f"no {FILE} in {results_dir} ({whose or 'yours or shipped'}): "
                                "run make bench PART=store_scale")
    return curves, found


COLOURS = {"flat": "tab:gray", "hnsw": "tab:blue", "ivfpq": "tab:orange"}
LABELS = {"flat": "flat (exact)", "hnsw": "HNSW", "ivfpq": "IVF-PQ"}


def plot(curves: dict, shipped: dict | None = None):
    """Three panels against the chunks kept (log scale): search latency (p50, one query, one thread) and the index's
    memory for each index kind (the texts' size beside them), and hit@1 of the gold report, plain vector search
    against the day filter, with 95% intervals where quality was measured. `curves` draws as markers and lines;
    `shipped` (the kit's full run), if given, as faint lines behind them."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
    for run, style, alpha in ((shipped, "-", 0.35), (curves, "o-", 1.0)):
        if run is None:
            continue
        x, label = run["chunks"], (lambda text: text if run is curves else None)
        for kind in KINDS:
            axes[0].plot(x, run["p50_ms"][kind], style, color=COLOURS[kind], alpha=alpha, label=label(LABELS[kind]))
            axes[1].plot(x, run["memory_mb"][kind], style, color=COLOURS[kind], alpha=alpha, label=label(LABELS[kind]))
        axes[1].plot(x, run["texts_mb"], style.replace("o", "s"), color="tab:green", alpha=alpha,
                     label=label("the chunks' text"))
        for mode, colour in (("vector", "tab:gray"), ("day_filter", "tab:purple")):
            rows = [(n, h) for n, h in zip(x, run["hit_at_1"][mode]) if h]
            if rows:
                values = [h["value"] for _, h in rows]
                errors = [[v - h["interval"][0] for v, (_, h) in zip(values, rows)],
                          [h["interval"][1] - v for v, (_, h) in zip(values, rows)]]
                axes[2].errorbar([n for n, _ in rows], values, errors, fmt=style, color=colour, alpha=alpha,
                                 capsize=3, label=label("plain vector search" if mode == "vector" else "day filter"))
    axes[0].set(yscale="log", ylabel="ms per search (median)", title="latency: an index removes it")
    axes[1].set(yscale="log", ylabel="MB", title="memory: IVF-PQ shrinks vectors, not text")
    axes[2].set(ylim=(0, 1.05), ylabel="hit@1 (gold report first)", title="look-alikes: a filter helps, not an index")
    for ax in axes:
        ax.set(xscale="log", xlabel="chunks in the store")
        ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    return fig


def store_scale() -> dict:
    """The bench part: measure at SIZES up to 1,000,000 chunks and write results/store_scale.json."""
    curves = measure()
    write(curves)
    return curves


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="store sizes in chunks, comma-separated")
    parser.add_argument("--real-max", type=int, default=REAL_MAX, help="largest store of real (embedded) chunks")
    parser.add_argument("--queries", type=int, default=200, help="questions timed at each size")
    parser.add_argument("--ship", action="store_true", help="also write results/shipped/store_scale.json")
    args = parser.parse_args(argv)
    curves = measure([int(s) for s in args.sizes.split(",")], args.real_max, args.queries)
    for path in write(curves, args.ship):
        print(f"saved to {path}")
    print(json.dumps({k: v for k, v in curves.items() if k != "key"}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
