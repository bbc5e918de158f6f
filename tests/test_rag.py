"""The RAG module on small stores: retrievers, the chain with citations, updates, hot-swap, safe persistence."""

import json

import numpy as np
import pytest
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.language_models.fake import FakeListLLM

from ragft import rag
from ragft.evaluate import citation_accuracy, mrr, ndcg_at_k, recall_at_k
from ragft.world import World

WORLD = World(seed=0, n_towns=4, n_companies=3, n_people=3, day=3)


@pytest.fixture(scope="module")
def docs():
    return rag.split(WORLD.as_documents(days=[1, 2]))


@pytest.fixture(scope="module")
def store(docs):
    return rag.vector_store(docs)


def _gold(question_fact_id, docs):
    return {d.metadata["chunk"] for d in docs if question_fact_id in d.metadata["facts"].split(";")}


def test_words_is_a_real_tokenizer():
    assert rag.words("What was the HIGH in Holnok, on day 12? It closed at 184.20; low -3.") == \
        ["what", "was", "the", "high", "in", "holnok", "on", "day", "12", "it", "closed", "at", "184.20", "low", "-3"]


def test_split_keeps_metadata_and_gives_citable_chunk_ids(docs):
    assert all(d.metadata["chunk"].startswith(d.metadata["source"]) for d in docs)
    long = rag.split(["First sentence here. " * 30], chunk_size=100)
    assert len(long) > 1 and all(len(c.page_content) <= 100 for c in long)
    assert [c.metadata["chunk"] for c in long][:2] == ["text/0#1", "text/0#2"]


@pytest.mark.parametrize("name", ["keyword", "bm25", "vector", "vector_day", "hybrid"])
def test_every_retriever_finds_the_gold_document(name, docs, store):
    retriever = {"keyword": lambda: rag.KeywordRetriever.from_texts(docs, k=3), "bm25": lambda: rag.bm25_retriever(docs, 3),
                 "vector": lambda: rag.vector_retriever(store, 3), "vector_day": lambda: rag.vector_retriever(store, 3, True),
                 "hybrid": lambda: rag.hybrid_retriever(docs, store, 3)}[name]()
    questions = WORLD.qa(WORLD.facts_on(2), "heldout")
    ranked = [[d.metadata["chunk"] for d in retriever.invoke(q.question)] for q in questions]
    gold = [_gold(q.fact_id, docs) for q in questions]
    assert all(len(r) <= 3 for r in ranked)
    assert recall_at_k(ranked, gold, 3) >= 0.9, name


@pytest.mark.parametrize("name", ["vector", "bm25", "hybrid"])
def test_the_day_filter_keeps_only_that_day_and_timeless_pages(name, docs, store):
    retriever = {"vector": lambda: rag.vector_retriever(store, 6, day_filter=True),
                 "bm25": lambda: rag.bm25_retriever(docs, 6, day_filter=True),
                 "hybrid": lambda: rag.hybrid_retriever(docs, store, 6)}[name]()
    question = f"What was the weather in {WORLD.towns[0]} on day 2?"
    found = retriever.invoke(question)
    assert len(found) == 6 and {d.metadata["day"] for d in found} <= {0, 2}, name
    assert 1 in {d.metadata["day"] for d in rag.bm25_retriever(docs, 6).invoke(question)}  # unfiltered, day 1 ranks
    assert rag.day_of("What was the high on day 61?") == 61 and rag.day_of("Who founded Zenora?") is None


def test_the_day_filter_returns_k_documents_however_far_down_the_day_ranks():
    class ByDay(Embeddings):  # a document of day d sits at angle d/1000; every question at angle 0
        def embed_query(self, text):
            return [1.0, 0.0]

        def embed_documents(self, texts):
            return [[float(np.cos(rag.day_of(t) / 1000)), float(np.sin(rag.day_of(t) / 1000))] for t in texts]

    docs = [Document(f"report {i} of day {d}", metadata={"day": d}) for d in range(1, 301) for i in range(2)]
    docs += [Document(f"report {i} of day 900", metadata={"day": 900}) for i in range(4)]
    store = rag.vector_store(docs, ByDay())
    found = rag.vector_retriever(store, 4, day_filter=True).invoke("What happened on day 900?")
    assert len(found) == 4 and {d.metadata["day"] for d in found} == {900}


def test_bm25_is_case_and_punctuation_insensitive(docs):
    town = WORLD.towns[1]
    top = rag.bm25_retriever(docs, 1).invoke(f"{town.upper()}!!! weather, DAY 2?")[0]
    assert town in top.page_content


def test_the_chain_answers_with_citations(docs):
    fact = next(f for f in WORLD.facts_on(2) if f.attribute == "high")
    question = WORLD.questions(fact, "heldout")[0].question
    chain = rag.rag_chain(rag.bm25_retriever(docs, 3), FakeListLLM(responses=[f" {fact.value}"]))
    out = chain.invoke(question)
    assert out["answer"] == fact.value
    assert out["sources"] and set(out["sources"]) <= _gold(fact.id, docs)
    assert len(out["passages"]) == 3


def test_the_augmented_prompt_is_the_course_models_reading_format(docs):
    from ragft.lm import prompt

    seen = []

    class Spy(FakeListLLM):
        def _call(self, prompt, stop=None, run_manager=None, **kwargs):
            seen.append(prompt)
            return super()._call(prompt, stop, run_manager, **kwargs)

    retriever = rag.bm25_retriever(docs, 2)
    question = f"Where does {WORLD.companies[0]} have its headquarters?"
    rag.rag_chain(retriever, Spy(responses=["x"])).invoke(question)
    assert seen == [prompt(question, [d.page_content for d in retriever.invoke(question)])]


def test_a_batch_of_questions_is_one_batched_generation(docs):
    calls = []

    class Spy(FakeListLLM):
        def _generate(self, prompts, stop=None, run_manager=None, **kwargs):
            calls.append(len(prompts))
            return super()._generate(prompts, stop, run_manager, **kwargs)

    questions = [WORLD.questions(f, "heldout")[0].question for f in WORLD.facts_on(2)[:5]]
    outs = rag.rag_chain(rag.bm25_retriever(docs, 2), Spy(responses=["x"] * 5)).batch(questions)
    assert calls == [5]  # the course model reads the five prompts together, not one call per question
    assert [o["question"] for o in outs] == questions and all(len(o["passages"]) == 2 for o in outs)


def test_adding_a_day_makes_its_questions_answerable(docs, store):
    fact = next(f for f in WORLD.facts_on(3) if f.attribute == "close")
    question = WORLD.questions(fact, "heldout")[0].question
    local = rag.vector_store(docs, vectors=[store.index.reconstruct(i) for i in range(store.index.ntotal)])
    before = rag.vector_retriever(local, 3, day_filter=True).invoke(question)
    assert not any(fact.sentence in d.page_content for d in before)
    rag.add_documents(local, rag.split(WORLD.as_documents(days=[3], static=False)))
    after = rag.vector_retriever(local, 3, day_filter=True).invoke(question)
    assert any(fact.sentence in d.page_content for d in after)


def test_hot_swapping_the_index_under_the_same_model(docs, store):
    today = rag.vector_store(rag.split(WORLD.as_documents(days=[3])))
    fact = next(f for f in WORLD.facts_on(3) if f.attribute == "weather")
    question = WORLD.questions(fact, "heldout")[0].question
    llm = FakeListLLM(responses=[fact.value] * 2)
    old = rag.rag_chain(rag.vector_retriever(store, 2, True), llm).invoke(question)
    new = rag.rag_chain(rag.vector_retriever(today, 2, True), llm).invoke(question)
    assert not any(fact.sentence in d.page_content for d in old["passages"])
    assert any(fact.sentence in d.page_content for d in new["passages"])


def test_any_english_texts_work():
    texts = ["The cafeteria opens at eight o'clock.", "Parking is free on Sundays.", "The library closes at noon."]
    store = rag.vector_store(texts)
    assert "Parking" in rag.vector_retriever(store, 1).invoke("When can I park for free?")[0].page_content
    assert "library" in rag.bm25_retriever(texts, 1).invoke("library hours")[0].page_content.lower()


def test_bad_inputs_give_clear_errors(docs, store):
    with pytest.raises(ValueError, match="empty question"):
        rag.vector_retriever(store, 2, True).invoke("   ")
    with pytest.raises(ValueError, match="empty question"):
        rag.KeywordRetriever.from_texts(docs).invoke("")
    with pytest.raises(ValueError, match="empty store"):
        rag.bm25_retriever([])
    with pytest.raises(ValueError, match="empty document"):
        rag.as_documents(["fine", "  "])
    with pytest.raises(TypeError, match="list of texts"):
        rag.as_documents("a single string")
    with pytest.raises(ValueError, match="unknown index kind"):
        rag.faiss_index(8, "annoy")
    empty = rag.vector_store([])
    assert empty.index.ntotal == 0 and rag.vector_retriever(empty, 2).invoke("anything at all") == []


def test_an_unknown_entity_finds_nothing_and_the_chain_says_so(docs):
    chain = rag.rag_chain(rag.KeywordRetriever.from_texts(docs, k=2), FakeListLLM(responses=["a guess"]))
    out = chain.invoke("What is Qwzxcorp?")
    assert out == {"question": "What is Qwzxcorp?", "answer": rag.NO_ANSWER, "sources": [], "passages": []}


def test_index_round_trip_without_pickle(tmp_path, store):
    folder = rag.save_index(store, tmp_path / "index")
    assert sorted(p.name for p in folder.iterdir()) == ["documents.json", "index.faiss", "manifest.json"]
    loaded = rag.load_index(folder, store.embedding_function)
    q = f"Which river flows through {WORLD.towns[0]}?"
    assert [d.id for d in loaded.similarity_search(q, k=3)] == [d.id for d in store.similarity_search(q, k=3)]


def test_a_corrupt_or_missing_index_is_refused(tmp_path, store):
    folder = rag.save_index(store, tmp_path / "index")
    records = json.loads((folder / "documents.json").read_text())
    records[0]["text"] = "tampered"
    (folder / "documents.json").write_text(json.dumps(records))
    with pytest.raises(ValueError, match="corrupt"):
        rag.load_index(folder, store.embedding_function)
    (folder / "index.faiss").unlink()
    with pytest.raises(FileNotFoundError, match="index.faiss is missing"):
        rag.load_index(folder, store.embedding_function)
    with pytest.raises(FileNotFoundError, match="no saved index"):
        rag.load_index(tmp_path / "nowhere")


def test_hnsw_and_ivf_indexes_agree_with_flat_on_a_small_store():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(600, 16)).astype("float32")
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    docs = [Document(page_content=f"doc {i}", metadata={"source": f"d{i}"}) for i in range(600)]

    class Fixed(Embeddings):
        def embed_query(self, text):
            return vectors[int(text.split()[1])].tolist()

        def embed_documents(self, texts):
            return [self.embed_query(t) for t in texts]

    flat = rag.vector_store(docs, Fixed(), "flat", vectors)
    for kind, options in [("hnsw", {}), ("ivf", {"n_lists": 8})]:
        approx = rag.vector_store(docs, Fixed(), kind, vectors, **options)
        if kind == "ivf":
            approx.index.nprobe = 8
        hits = [approx.similarity_search(f"doc {i}", k=1)[0].metadata["source"] == f"d{i}" for i in range(0, 600, 20)]
        assert all(hits), kind
    assert flat.similarity_search("doc 5", k=1)[0].metadata["source"] == "d5"


def test_retrieval_metrics_match_hand_computed_values():
    ranked = [["a", "b", "c"], ["x", "y", "g"], ["p", "q", "r"]]
    gold = [{"a"}, {"g"}, {"z"}]
    assert recall_at_k(ranked, gold, 1) == pytest.approx(1 / 3)
    assert recall_at_k(ranked, gold, 3) == pytest.approx(2 / 3)
    assert mrr(ranked, gold) == pytest.approx((1 + 1 / 3) / 3)
    assert ndcg_at_k(ranked, gold, 10) == pytest.approx((1 + 0.5) / 3)
    assert citation_accuracy([["a"], ["g", "x"], []], gold) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="2 rankings for 3"):
        mrr(ranked[:2], gold)


def test_finetune_embedder_trains_saves_and_loads(tmp_path):
    pairs = [("What was the high in Holnok on day 3?", "On day 3 the high in Holnok was 12 degrees."),
             ("Who founded Zentrix?", "Zentrix was founded by Ana Brill."),
             ("In which region is Velbury?", "Velbury lies in the region of Norvale."),
             ("What did Cortech shares close at on day 2?", "On day 2 shares of Cortech closed at 113.81.")]
    out = rag.finetune_embedder(pairs, tmp_path / "emb", batch_size=2, progress=False)
    assert out["steps"] == 2 and len(out["losses"]) == 2 and (tmp_path / "emb").is_dir()
    vectors = rag.embeddings(out["path"]).embed_documents([p for _, p in pairs])
    assert len(vectors) == 4 and abs(np.linalg.norm(vectors[0]) - 1) < 1e-4
    with pytest.raises(ValueError, match="nothing to learn"):
        rag.finetune_embedder([], tmp_path / "x")
    with pytest.raises(ValueError, match="all"):
        rag.finetune_embedder([("q", "p"), ("q", "p", "n")], tmp_path / "x")
