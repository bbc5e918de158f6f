"""The RAG package on small stores: retrievers, the chain with citations, updates, hot-swap, safe persistence,
the store seam on another LangChain store, and the kit on documents and a relevance file that are not the world."""

import json

import numpy as np
import pytest
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.language_models.fake import FakeListLLM

from ragft import rag
from ragft.evaluate import Estimate, citation_accuracy, hit_rate_at_k, mrr_at_k, ndcg_at_k
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
    assert hit_rate_at_k(ranked, gold, 3) >= 0.9, name


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

    docs = [Document(f"report {i} of day {d}", id=f"{d}/{i}", metadata={"day": d}) for d in range(1, 301) for i in range(2)]
    docs += [Document(f"report {i} of day 900", id=f"900/{i}", metadata={"day": 900}) for i in range(4)]
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
    local = rag.vector_store(docs, vectors=[store.index.reconstruct(i) for i in range(rag.size(store))])
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
    with pytest.raises(ValueError, match="question is empty"):
        rag.vector_retriever(store, 2, True).invoke("   ")
    with pytest.raises(ValueError, match="question is empty"):
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
    assert rag.size(empty) == 0 and rag.vector_retriever(empty, 2).invoke("anything at all") == []


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
    assert hit_rate_at_k(ranked, gold, 1) == pytest.approx(1 / 3)
    assert hit_rate_at_k(ranked, gold, 3) == pytest.approx(2 / 3)
    assert mrr_at_k(ranked, gold) == pytest.approx((1 + 1 / 3) / 3)
    assert mrr_at_k(ranked, gold, 2) == pytest.approx(1 / 3)
    assert ndcg_at_k(ranked, gold, 10) == pytest.approx((1 + 0.5) / 3)
    assert citation_accuracy([["a"], ["g", "x"], []], gold) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="2 rankings for 3"):
        mrr_at_k(ranked[:2], gold)


def test_finetune_embedder_trains_saves_and_loads(tmp_path):
    from ragft.finetune import finetune_embedder

    pairs = [("What was the high in Holnok on day 3?", "On day 3 the high in Holnok was 12 degrees."),
             ("Who founded Zentrix?", "Zentrix was founded by Ana Brill."),
             ("In which region is Velbury?", "Velbury lies in the region of Norvale."),
             ("What did Cortech shares close at on day 2?", "On day 2 shares of Cortech closed at 113.81.")]
    out = finetune_embedder(pairs, tmp_path / "emb", batch_size=2, progress=False)
    assert out["steps"] == 2 and len(out["losses"]) == 2 and (tmp_path / "emb").is_dir()
    vectors = rag.embeddings(out["path"]).embed_documents([p for _, p in pairs])
    assert len(vectors) == 4 and abs(np.linalg.norm(vectors[0]) - 1) < 1e-4
    with pytest.raises(ValueError, match="nothing to learn"):
        finetune_embedder([], tmp_path / "x")
    with pytest.raises(ValueError, match="all"):
        finetune_embedder([("q", "p"), ("q", "p", "n")], tmp_path / "x")


# ---- the store seam on another LangChain vector store -------------------------------------------------

def test_another_langchain_store_goes_through_the_same_seam(docs):
    from langchain_core.vectorstores import InMemoryVectorStore

    day_1 = [d for d in docs if d.metadata["day"] < 2]
    store = rag.vector_store(day_1, into=InMemoryVectorStore(rag.embeddings()))
    assert rag.size(store) == len(day_1) and rag.dimension(store) == 384
    day_2 = [d for d in docs if d.metadata["day"] == 2]
    rag.add_documents(store, day_2)
    assert rag.size(store) == len(docs)
    fact = next(f for f in WORLD.facts_on(2) if f.attribute == "high")
    question = WORLD.questions(fact, "heldout")[0].question
    found = rag.search(store, question, 6, days=[0, 2])
    assert len(found) == 6 and {d.metadata["day"] for d in found} <= {0, 2}
    assert [d.id for d in rag.vector_retriever(store, 3, day_filter=True).invoke(question)] == \
        [d.id for d in rag.vector_retriever(rag.vector_store(docs), 3, day_filter=True).invoke(question)]
    out = rag.rag_chain(rag.hybrid_retriever(docs, store, 3), FakeListLLM(responses=[fact.value])).invoke(question)
    assert out["answer"] == fact.value and set(out["sources"]) <= _gold(fact.id, docs)
    with pytest.raises(TypeError, match="FAISS"):
        rag.save_index(store, "unused")


def test_a_batch_of_questions_is_embedded_in_one_call_with_the_same_results(docs, store):
    calls = []

    class Counting(Embeddings):
        def embed_documents(self, texts):
            calls.append(len(texts))
            return store.embedding_function.embed_documents(texts)

        def embed_query(self, text):
            calls.append("query")
            return store.embedding_function.embed_query(text)

    counted = rag.vector_store(docs, Counting(), vectors=[store.index.reconstruct(i) for i in range(rag.size(store))])
    questions = [q.question for q in WORLD.qa(WORLD.facts_on(2), "heldout")][:8]
    for retriever in (rag.vector_retriever(counted, 3), rag.vector_retriever(counted, 3, day_filter=True),
                      rag.hybrid_retriever(docs, counted, 3)):
        calls.clear()
        batched = retriever.batch(questions)
        assert calls == [len(questions)]
        assert [[d.id for d in r] for r in batched] == [[d.id for d in retriever.invoke(q)] for q in questions]


# ---- the kit on a learner's own documents and relevance file ------------------------------------------

TOPICS = {
    "volcano": ["Mount Etna in Sicily is one of the most active volcanoes in Europe.",
                "Lava from a volcano cools into basalt, a dark volcanic rock.",
                "The 1980 eruption of Mount St. Helens blew away the north face of the volcano.",
                "Volcanologists measure gas emissions to forecast an eruption.",
                "Iceland sits on a rift where volcanoes form as the plates pull apart.",
                "Ash clouds from an erupting volcano can ground flights for days.",
                "Magma that reaches the surface is called lava.",
                "Hawaiian volcanoes are shield volcanoes with gentle slopes."],
    "coffee": ["Arabica coffee beans grow best at high altitude in the tropics.",
               "Espresso is brewed by forcing hot water through finely ground coffee.",
               "Roasting turns green coffee beans brown and develops their flavour.",
               "A cappuccino is espresso topped with steamed milk foam.",
               "Coffee plants produce red cherries, each holding two beans.",
               "Cold brew coffee steeps in cold water for twelve hours or more.",
               "Ethiopia is often named as the birthplace of coffee.",
               "Caffeine in coffee blocks adenosine and keeps people awake."],
    "sailing": ["A sailboat tacks by turning its bow through the wind.",
                "The mainsail is raised on the mast and trimmed with the mainsheet.",
                "Sailors read the wind from ripples on the water and the telltales on the sail.",
                "A keel keeps a sailboat from being pushed sideways by the wind.",
                "Reefing the sails reduces their area when the wind gets strong.",
                "The jib is a triangular sail set ahead of the mast.",
                "Port is the left side of a boat and starboard the right.",
                "A sailboat cannot sail straight into the wind."],
    "chess": ["The Sicilian Defence answers 1.e4 with c5.",
              "Castling moves the king two squares towards a rook, which jumps over it.",
              "A pawn that reaches the last rank is promoted, usually to a queen.",
              "The Queen's Gambit offers a pawn on c4 to gain the centre.",
              "Checkmate ends the game: the king is attacked and cannot escape.",
              "The club studied the Ruy Lopez opening on Tuesday evening.",
              "A knight moves in an L shape and can jump over other pieces.",
              "Stalemate is a draw: the player to move has no legal move and is not in check."],
}
QUERIES = {"q1": "How do scientists predict a volcanic eruption?", "q2": "How is espresso coffee made?",
           "q3": "How does a sailboat deal with strong wind?", "q4": "Which chess openings did the club study on day 3?",
           "q5": "What is molten rock from a volcano called?"}
QRELS = {"q1": {"volcano/3": 2, "volcano/2": 1, "volcano/0": 1, "coffee/0": 0},
         "q2": {"coffee/1": 2, "coffee/3": 1, "coffee/2": 1},
         "q3": {"sailing/4": 2, "sailing/3": 1, "sailing/0": 1, "sailing/2": 1},
         "q4": {"chess/5": 2, "chess/0": 1, "chess/3": 1},
         "q5": {"volcano/6": 2, "volcano/1": 1}}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Documents whose ids sit under their own metadata key, and a qrels file, as a learner would bring them."""
    folder = tmp_path_factory.mktemp("corpus")
    (folder / "qrels.tsv").write_text("query-id\tcorpus-id\tscore\n" + "".join(
        f"{q}\t{d}\t{g}\n" for q, docs in QRELS.items() for d, g in docs.items()))
    docs = [Document(text, metadata={"doc_id": f"{topic}/{i}", "topic": topic})
            for topic, texts in TOPICS.items() for i, text in enumerate(texts)]
    return docs, folder / "qrels.tsv"


def test_document_ids_come_from_the_document_or_a_named_key_never_from_a_position(corpus):
    docs, _ = corpus
    with pytest.raises(ValueError, match="no id.*id_key"):
        rag.as_documents(docs)
    named = rag.as_documents(docs, id_key="doc_id")
    assert [d.id for d in named][:2] == ["volcano/0", "volcano/1"] and docs[0].id is None  # copies, inputs untouched
    assert rag.doc_id(Document("x", id="mine", metadata={"doc_id": "other"}), "doc_id") == "mine"
    assert [c.id for c in rag.split(named[:1], chunk_size=40)] == ["volcano/0#1", "volcano/0#2"]


def test_the_kit_scores_any_documents_against_a_relevance_file(corpus):
    from ragft.evaluate import gold_chunks, read_qrels, score_rag

    docs, qrels_file = corpus
    qrels = read_qrels(qrels_file)
    assert qrels == QRELS and gold_chunks(rag.as_documents(docs, id_key="doc_id")) == {}  # no world facts here
    store = rag.vector_store(docs, id_key="doc_id")                     # whole documents: nothing to split
    retrievers = {"bm25": rag.bm25_retriever(docs, 4, id_key="doc_id"), "vector": rag.vector_retriever(store, 4),
                  "hybrid": rag.hybrid_retriever(docs, store, 4, id_key="doc_id")}
    for name, retriever in retrievers.items():
        chain = rag.rag_chain(retriever, FakeListLLM(responses=["x"] * len(QUERIES)), id_key="doc_id")
        scores = score_rag(chain, QUERIES, qrels, 4)
        assert "exact_match" not in scores and scores["hit@4"] == 1.0, (name, scores)
        rankings = [[d.id for d in retriever.invoke(q)] for q in QUERIES.values()]
        assert scores["mrr@10"] == pytest.approx(mrr_at_k(rankings, [{d for d, g in QRELS[q].items() if g} for q in QUERIES]))
        assert scores["ndcg@10"] > 0.6, (name, scores)
    # a question naming a day, over documents without days: the hybrid's day filter stays off
    found = retrievers["hybrid"].invoke(QUERIES["q4"])
    assert len(found) == 4 and "chess/5" in [d.id for d in found]


def test_hit_rate_ndcg_and_mrr_on_a_relevance_file_match_a_hand_computation():
    from langchain_core.retrievers import BaseRetriever

    from ragft.evaluate import score_rag

    class Fixed(BaseRetriever):
        rankings: dict

        def _get_relevant_documents(self, query, *, run_manager):
            return [Document(f"text of {i}", id=i) for i in self.rankings[query]]

    retriever = Fixed(rankings={"first?": ["b", "z", "a"], "second?": ["x", "c"], "third?": ["p", "q"]})
    qrels = {"1": {"a": 2, "b": 1, "z": 0}, "2": {"c": 1}, "3": {"e": 1}}
    chain = rag.rag_chain(retriever, FakeListLLM(responses=["of b", "nothing", "nothing"]))
    scores = score_rag(chain, {"1": "first?", "2": "second?", "3": "third?"}, qrels, 2)
    # question 1: b (grade 1) first, z (grade 0) is not relevant, a (grade 2) third:
    #   DCG = 1/log2(2) + 2/log2(4) = 2, ideal DCG = 2/log2(2) + 1/log2(3); reciprocal rank 1
    # question 2: c second: nDCG = (1/log2(3)) / 1, reciprocal rank 1/2; question 3: nothing relevant found
    assert scores["hit@1"] == pytest.approx(1 / 3) and scores["hit@2"] == pytest.approx(2 / 3)
    assert scores["recall@2"] == pytest.approx((1 / 2 + 1 + 0) / 3)  # question 1 has two relevant, one in the top 2
    assert scores["mrr@10"] == pytest.approx((1 + 1 / 2 + 0) / 3)
    assert scores["ndcg@10"] == pytest.approx((2 / (2 + 1 / np.log2(3)) + 1 / np.log2(3) + 0) / 3)
    assert scores["citation_accuracy"] == pytest.approx(1 / 3)  # 'of b' cites b; the others cite every passage
    for name in ("hit@1", "hit@2", "citation_accuracy"):   # each share with its interval, each query on its own
        assert scores[f"{name}_low"] <= scores[name] <= scores[f"{name}_high"], name
        assert Estimate.from_scores(scores, 3, name).value == scores[name]
    assert "exact_match" not in scores   # no answers in a relevance file


def test_relevance_files_in_the_usual_formats(tmp_path):
    from ragft.evaluate import read_qrels

    (tmp_path / "trec.txt").write_text("q1 0 d1 2\nq1 0 d2 0\nq2 0 d3 1\n")
    (tmp_path / "qrels.json").write_text(json.dumps({"q1": {"d1": 2, "d2": 0}, "q2": {"d3": 1}}))
    expected = {"q1": {"d1": 2, "d2": 0}, "q2": {"d3": 1}}
    assert read_qrels(tmp_path / "trec.txt") == expected == read_qrels(tmp_path / "qrels.json")
    (tmp_path / "bad.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\n")
    with pytest.raises(ValueError, match="bad.tsv:2"):
        read_qrels(tmp_path / "bad.tsv")


def test_an_embedder_is_loaded_once_until_released():
    first = rag.embeddings()
    assert rag.embeddings() is first
    rag.release_embedders()
    again = rag.embeddings()
    assert again is not first and again.embed_query("Holnok") == first.embed_query("Holnok")
