"""'I don't know' as an answer: questions with no answer in the store (a future day, day 0, a negative or huge
day, an unknown town) get rag.NO_ANSWER with no sources through every retriever and the hybrid chain; bad
questions and bad k get a clear error at the chains' boundary; valid questions are never touched."""

import pytest
from langchain_core.documents import Document
from langchain_core.language_models.fake import FakeListLLM
from langchain_core.vectorstores import InMemoryVectorStore

from ragft import rag
from ragft.hybrid import closed_book_chain, hybrid_chain, is_dynamic
from ragft.inputs import MAX_QUESTION_CHARS
from tests.test_rag import WORLD, docs, store  # noqa: F401 (test_rag's tiny world: days 1-2 in a store)

TOWN = WORLD.towns[0]
NO_REPORT_DAYS = [3, 0, -5, 10**30]   # the store below holds days 1 and 2: day 3 is its future
UNANSWERABLE = ([f"What was the weather in {TOWN} on day {d}?" for d in NO_REPORT_DAYS]
                + [f"Tell me the high temperature in {TOWN} on day -5.", "What was the weather in Atlantis on day 2?",
                   "What did Globex shares close at on day 2?", "In which region is Atlantis?"])
BAD_QUESTIONS = [("", ValueError, "question is empty"), ("   \n", ValueError, "question is empty"),
                 (None, TypeError, "question must be a string"), (61, TypeError, "question must be a string"),
                 ("x" * (MAX_QUESTION_CHARS + 1), ValueError, "question has .* characters")]


@pytest.fixture(scope="module")
def retrievers(docs, store):
    return {"vector": rag.vector_retriever(store, 3),
            "vector, day filter": rag.vector_retriever(store, 3, day_filter=True),
            "bm25": rag.bm25_retriever(docs, 3), "bm25, day filter": rag.bm25_retriever(docs, 3, day_filter=True),
            "keyword": rag.KeywordRetriever.from_texts(docs, k=3), "hybrid": rag.hybrid_retriever(docs, store, 3)}


def _valid(docs):
    """A question the store answers, its answer and its gold chunks."""
    fact = next(f for f in WORLD.facts_on(2) if f.attribute == "weather" and f.entity == TOWN)
    gold = {d.metadata["chunk"] for d in docs if fact.id in d.metadata["facts"].split(";")}
    return WORLD.questions(fact, "heldout")[0].question, fact.value, gold


def test_one_reading_of_a_day_and_of_the_names_a_question_asks_about():
    assert [rag.day_of(f"on day {d}?") for d in (61, 0, -5, 10**30)] == [61, 0, -5, 10**30]
    assert rag.day_of("What was the high on Day 7?") == 7 and rag.day_of("Who founded Zentrix?") is None
    assert rag.day_of("today, on Monday 5") is None
    assert rag.days_kept("weather on day -5") == [0, -5]
    assert all(is_dynamic(f"What was the weather in {TOWN} on day {d}?") for d in (0, -5, 10**30))
    assert rag.names_in("Where was Ana Brill born?") == {"ana", "brill"}
    assert rag.names_in("Tell me the high in Holnok on day 3.") == {"holnok"}
    assert rag.names_in("Holnok is in which region?") == {"holnok"}
    assert rag.names_in("what was the weather on day 3?") == set()


@pytest.mark.parametrize("question", UNANSWERABLE[:-1])
def test_every_retriever_chain_abstains_on_questions_the_store_cannot_answer(question, retrievers):
    for name, retriever in retrievers.items():
        chain = rag.rag_chain(retriever, FakeListLLM(responses=["rainy"] * 2))
        for out in (chain.invoke(question), chain.batch([question])[0]):
            assert out["answer"] == rag.NO_ANSWER and out["sources"] == [], (name, question, out)
            assert set(out) == {"question", "answer", "sources", "passages"} and out["question"] == question


def test_a_day_with_no_reports_finds_nothing_but_timeless_questions_still_do(retrievers):
    for name, retriever in retrievers.items():
        for day in NO_REPORT_DAYS:
            assert retriever.invoke(f"What was the weather in {TOWN} on day {day}?") == [], (name, day)
        assert retriever.invoke(f"Which river flows through {TOWN}?"), name


def test_a_valid_question_still_gets_its_cited_answer(docs, retrievers):
    question, answer, gold = _valid(docs)
    for name, retriever in retrievers.items():
        out = rag.rag_chain(retriever, FakeListLLM(responses=[f" {answer} "])).invoke(question)
        assert out["answer"] == answer and set(out["sources"]) & gold, name


def test_the_hybrid_chain_sends_days_the_weights_cannot_know_to_retrieval_which_abstains(docs, store):
    question, answer, _ = _valid(docs)
    chain = hybrid_chain(rag.hybrid_retriever(docs, store, 3), FakeListLLM(responses=[answer]))
    outs = chain.batch(UNANSWERABLE[:-1] + [question])
    assert [o["route"] for o in outs] == ["retrieval"] * len(outs)
    assert [o["answer"] for o in outs] == [rag.NO_ANSWER] * (len(outs) - 1) + [answer]
    assert all(o["sources"] == [] for o in outs[:-1]) and outs[-1]["sources"]


def test_an_unknown_name_abstains_with_the_passages_kept_for_inspection(docs, retrievers):
    out = rag.rag_chain(retrievers["hybrid"], FakeListLLM(responses=["Lowmere"])).invoke(UNANSWERABLE[-1])
    assert out["answer"] == rag.NO_ANSWER and out["sources"] == [] and out["passages"]
    assert not any("atlantis" in rag.words(p.page_content) for p in out["passages"])


def test_valid_questions_never_meet_the_abstention_rules(docs, retrievers):
    """Every held-out question of the store's days, static and dynamic: its day is reported and the passages
    retrieved (even one, even the wrong one) name what it asks about."""
    questions = [q.question for q in WORLD.qa(WORLD.facts_on(1) + WORLD.facts_on(2) + WORLD.static_facts(), "heldout")]
    for name in ("vector", "hybrid", "bm25"):
        for question, passages in zip(questions, retrievers[name].batch(questions)):
            assert passages and not rag.unknown_names(question, passages), (name, question)


def test_the_rules_are_the_course_worlds_and_stay_off_over_undated_documents():
    texts = ["The cafeteria opens at eight o'clock on day 3.", "Parking is free on Sundays.", "Atlantis is a myth."]
    store = rag.vector_store(texts)
    for retriever in (rag.vector_retriever(store, 1), rag.bm25_retriever(texts, 1, day_filter=True),
                      rag.hybrid_retriever(texts, store, 1)):
        out = rag.rag_chain(retriever, FakeListLLM(responses=["at eight"])).invoke("When does Zorbaville eat on day 9?")
        assert out["answer"] == "at eight" and out["sources"] and out["passages"]


def test_another_store_through_the_seam_abstains_on_a_day_it_does_not_report(docs):
    store = rag.vector_store(docs, into=InMemoryVectorStore(rag.embeddings()))
    question, _, gold = _valid(docs)
    retriever = rag.vector_retriever(store, 2)
    assert retriever.invoke(question.replace("day 2", "day 9")) == []
    assert retriever.invoke(question.replace("day 2", "day 0")) == []
    assert gold & {d.id for d in retriever.invoke(question)}


def test_a_day_reported_only_deep_in_the_store_is_still_a_reported_day():
    """The plain vector search returns other days' reports for day 2; the store still holds day 2, so no abstention."""
    docs = [Document(f"Weather in {TOWN}, day {d}: sunny.", id=f"w{d}", metadata={"day": d}) for d in range(1, 40)]
    found = rag.vector_retriever(rag.vector_store(docs), 1).invoke(f"What was the weather in {TOWN} on day 2?")
    assert len(found) == 1


@pytest.mark.parametrize("bad, error, message", BAD_QUESTIONS)
def test_bad_questions_are_refused_at_every_chains_boundary(bad, error, message, retrievers):
    llm = FakeListLLM(responses=["x"])
    chains = {name: rag.rag_chain(r, llm) for name, r in retrievers.items()}
    chains["hybrid chain"] = hybrid_chain(retrievers["hybrid"], llm)
    chains["closed-book chain"] = closed_book_chain(llm)
    for name, chain in chains.items():
        with pytest.raises(error, match=message):
            chain.invoke(bad)
        with pytest.raises(error, match=message.replace("question ", r"questions?(\[1\])? ")):
            chain.batch(["Who founded Zentrix?", bad])


def test_retrievers_refuse_bad_questions_and_chains_refuse_what_is_not_a_retriever_or_a_model(retrievers):
    for name, retriever in retrievers.items():
        with pytest.raises(TypeError, match="question must be a string"):
            retriever.invoke(None)
        with pytest.raises(ValueError, match="question is empty"):
            retriever.invoke("  ")
    with pytest.raises(TypeError, match="retriever must be a LangChain retriever"):
        rag.rag_chain(None, FakeListLLM(responses=["x"]))
    with pytest.raises(TypeError, match="llm must be a LangChain model"):
        rag.rag_chain(retrievers["bm25"], "gpt2")


@pytest.mark.parametrize("k, error, message", [(0, ValueError, "k must be at least 1, got 0"),
                                               (-1, ValueError, "k must be at least 1, got -1"),
                                               (2.0, TypeError, "k must be a whole number"),
                                               (True, TypeError, "k must be a whole number"),
                                               (None, TypeError, "k must be a whole number")])
def test_every_retriever_factory_wants_k_a_whole_number_at_least_1(k, error, message, docs, store):
    factories = [lambda: rag.vector_retriever(store, k), lambda: rag.vector_retriever(store, k, day_filter=True),
                 lambda: rag.bm25_retriever(docs, k), lambda: rag.bm25_retriever(docs, k, day_filter=True),
                 lambda: rag.hybrid_retriever(docs, store, k), lambda: rag.KeywordRetriever.from_texts(docs, k)]
    for make in factories:
        with pytest.raises(error, match=message):
            make()


def test_the_hybrid_abstains_on_a_static_question_about_a_name_its_catalogue_lacks(docs, store):
    static = [q.question for q in WORLD.qa(WORLD.static_facts(), "heldout")][:5]
    llm = FakeListLLM(responses=["Lowmere"] * 10)
    chain = hybrid_chain(rag.hybrid_retriever(docs, store, 3), llm, known_names=WORLD.entities)
    outs = chain.batch(["In which region is Atlantis?"] + static)
    assert outs[0] == {"question": "In which region is Atlantis?", "answer": rag.NO_ANSWER, "sources": [],
                       "passages": [], "route": "weights"}
    assert all(o["route"] == "weights" and o["answer"] == "Lowmere" for o in outs[1:])
    without = hybrid_chain(rag.hybrid_retriever(docs, store, 3), llm).invoke("In which region is Atlantis?")
    assert without["answer"] == "Lowmere"  # no catalogue: the weights are asked, as the docstring says
