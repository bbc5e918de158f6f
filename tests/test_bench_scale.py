"""The store-scale bench part (issue 22, item 2) on a small store: real chunks up to 600, noise-extended to 5,000
vectors. Costs at every size, quality only where the chunks are real, and the day filter is the kit's own."""

import numpy as np
import pytest

from ragft import rag
from ragft.course import bench, bench_scale

SIZES, REAL_MAX = (300, 600, 5_000), 600


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("store_scale")


@pytest.fixture(scope="module")
def curves(cache):
    return bench_scale.measure(SIZES, real_max=REAL_MAX, n_queries=40, cache_dir=cache, log=lambda *_: None)


def test_the_part_is_registered():
    assert bench.PARTS["store_scale"] is bench_scale.store_scale
    assert max(bench_scale.SIZES) >= 1_000_000 and bench_scale.REAL_MAX < max(bench_scale.SIZES)


def test_every_size_has_positive_costs_for_every_index(curves):
    n = len(SIZES)
    assert len(curves["chunks"]) == n and curves["chunks"] == sorted(curves["chunks"]) and curves["chunks"][-1] == 5_000
    assert curves["real"] == [True, True, False] and curves["embed_measured"] == curves["real"]
    for field in ("build_s", "memory_mb", "p50_ms", "p95_ms"):
        for kind in bench_scale.KINDS:
            values = curves[field][kind]
            assert len(values) == n and all(v > 0 for v in values), (field, kind, values)
    for kind in bench_scale.KINDS:
        assert all(p95 >= p50 for p50, p95 in zip(curves["p50_ms"][kind], curves["p95_ms"][kind]))
    assert all(e > 0 for e in curves["embed_seconds"]) and all(d >= 1 for d in curves["days"])


def test_flat_recall_is_exact_and_the_ann_recalls_are_shares(curves):
    assert curves["recall_at_10"]["flat"] == [1.0] * len(SIZES)
    for kind in ("hnsw", "ivfpq"):
        assert all(0.0 <= r <= 1.0 for r in curves["recall_at_10"][kind]), kind
        assert all(p in bench_scale.LADDERS[kind] for p in curves["param"][kind])


def test_memory_grows_with_the_store_and_pq_compresses_it(curves):
    for kind in bench_scale.KINDS:
        memory = curves["memory_mb"][kind]
        assert all(a < b for a, b in zip(memory, memory[1:])), (kind, memory)
    flat, hnsw, pq = (curves["memory_mb"][k][-1] for k in ("flat", "hnsw", "ivfpq"))
    assert hnsw > flat > 5 * pq  # the graph adds to the vectors; product quantization shrinks them
    assert curves["vectors_mb"][-1] == pytest.approx(5_000 * 384 * 4 / 2**20, rel=0.01)
    assert all(a < b for a, b in zip(curves["texts_mb"], curves["texts_mb"][1:]))


def test_quality_carries_intervals_where_real_and_nothing_past_it(curves):
    for k in (1, 4):
        for mode in ("vector", "day_filter"):
            *real, extended = curves[f"hit_at_{k}"][mode]
            assert extended is None
            for fig in real:
                low, high = fig["interval"]
                assert set(fig) == {"value", "interval", "n"} and fig["n"] > 0 and 0 <= low <= fig["value"] <= high <= 1
    for key in ("lookalike_top1", "k_for_hit_95", "tokens_per_query"):
        assert curves[key][-1] is None and all(v is not None for v in curves[key][:-1]), key
    tokens = curves["tokens_per_query"][0]
    assert 0 < tokens["closed_book"] < tokens["k4_vector"] and tokens["k4_day_filter"] > tokens["closed_book"]
    assert set(curves["key"]) >= {"latency", "memory", "build_time", "quality", "tokens"}


def test_the_day_filter_ranks_as_the_kits_store_does(curves, cache):
    from ragft.world import World

    world = World(seed=0)
    chunks = bench_scale.real_chunks(5, world)
    vectors, _ = bench_scale.embed_cached(chunks, cache)  # a prefix of the curves' store: read from the cache
    store = rag.vector_store(chunks, vectors=vectors)
    questions = [q.question for q in world.qa(world.facts_on(5), "heldout")[:6]]
    queries = np.asarray(rag.embeddings().embed_documents(questions), dtype="float32")
    days = np.array([c.metadata["day"] for c in chunks])
    mine = bench_scale.rankings(vectors, queries, 4, np.isin(days, rag.days_kept("day 5")))
    for q, row in zip(queries, mine):
        kit = [d.id for d in rag.search(store, q.tolist(), 4, days=rag.days_kept("day 5"))]
        assert kit == [chunks[i].id for i in row]
    plain = bench_scale.rankings(vectors, queries, 4)
    assert [d.id for d in rag.search(store, queries[0].tolist(), 4)] == [chunks[i].id for i in plain[0]]


def test_embeddings_are_cached_and_only_new_chunks_embedded(tmp_path):
    chunks = bench_scale.real_chunks(3)
    first, _ = bench_scale.embed_cached(chunks[:40], tmp_path)
    again, seconds = bench_scale.embed_cached(chunks[:60], tmp_path)
    meta = next(tmp_path.glob("*.json")).read_text()
    assert '"embedded": 60' in meta and seconds > 0  # 40, then the 20 new ones, never the first 40 again
    assert again.shape == (60, 384) and np.array_equal(again[:40], first)


def test_extended_vectors_are_unit_look_alikes_of_real_ones():
    rng = np.random.default_rng(1)
    real = rng.normal(size=(50, 384)).astype("float32")
    real /= np.linalg.norm(real, axis=1, keepdims=True)
    out = bench_scale.extend(real, 300)
    assert out.shape == (300, 384) and np.array_equal(out[:50], real)
    assert np.allclose(np.linalg.norm(out, axis=1), 1, atol=1e-5)
    nearest = (out[50:] @ real.T).max(axis=1)
    assert nearest.min() > 0.9  # each copy sits next to its source


def test_the_curves_are_written_and_read_back(curves, tmp_path):
    paths = bench_scale.write(curves, ship=True, results_dir=tmp_path)
    assert [p.name for p in paths] == ["store_scale.json"] * 2 and paths[1].parent.name == "shipped"
    data, whose = bench_scale.load(results_dir=tmp_path)
    assert whose == "yours" and data["chunks"] == curves["chunks"]
    paths[0].unlink()
    assert bench_scale.load(results_dir=tmp_path)[1] == "shipped"
    with pytest.raises(FileNotFoundError, match="store_scale"):
        bench_scale.load("yours", tmp_path)
