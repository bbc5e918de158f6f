"""Notebook 06's building blocks: the router and hybrid chain, RAFT examples, feedback examples, the ecosystem map."""

from collections import Counter

import pytest
from langchain_core.language_models.fake import FakeListLLM

from ragft import lm, rag
from ragft.course import checks, ecosystem
from ragft.hybrid import (HybridChain, closed_book_chain, correction_documents, feedback_examples, hybrid_chain, is_dynamic,
                          raft_examples)
from ragft.reading import DocIndex, ReadingItem
from ragft.world import N_TRAIN_WORDINGS, QUESTIONS, World

WORLD = World(seed=0, n_towns=4, n_companies=3, n_people=3, day=3)


class Recorder(FakeListLLM):
    """A fake LLM that remembers the prompts it was given."""

    seen: list = []

    def _call(self, prompt, stop=None, run_manager=None, **kwargs):
        self.seen.append(prompt)
        return super()._call(prompt, stop, run_manager, **kwargs)


def test_the_router_sends_dated_questions_to_the_index():
    mix = WORLD.question_mix(40, 0.5, days=[1, 2, 3], seed=0)
    assert [is_dynamic(q.question) for q in mix] == [q.dynamic for q in mix]


def test_the_hybrid_retrieves_only_for_dynamic_questions_and_keeps_the_order():
    docs = rag.split(WORLD.as_documents(days=[3], static=False))
    dynamic = WORLD.qa(WORLD.facts_on(3), "heldout")[0]
    static = WORLD.qa(WORLD.static_facts(), "heldout")[0]
    llm = Recorder(responses=["from the index", "from the weights"])
    llm.seen = []
    chain = hybrid_chain(rag.bm25_retriever(docs, 2), llm)
    outs = chain.batch([static.question, dynamic.question])
    assert [o["route"] for o in outs] == ["weights", "retrieval"]
    assert outs[0]["sources"] == [] and outs[0]["passages"] == [] and outs[1]["passages"]
    assert outs[0]["question"] == static.question and outs[1]["question"] == dynamic.question
    with_passages = [p for p in llm.seen if "passage 1:" in p]
    assert len(with_passages) == 1 and dynamic.question in with_passages[0]
    assert chain.invoke(static.question)["route"] == "weights"


def test_the_hybrid_refuses_empty_questions():
    chain = HybridChain(closed_book_chain(FakeListLLM(responses=["x"])), closed_book_chain(FakeListLLM(responses=["x"])))
    with pytest.raises(ValueError, match=r"questions\[1\] is empty"):
        chain.batch(["Who founded Zentrix?", "  "])


def test_closed_book_chain_uses_the_plain_prompt():
    llm = Recorder(responses=[" Norvale "])
    llm.seen = []
    out = closed_book_chain(llm).invoke("In which region is Holnok?")
    assert out["answer"] == "Norvale" and llm.seen == [lm.prompt("In which region is Holnok?")]


def _raft_cells(examples, days):
    """Each item's question form (dated or not), whether its gold passage is among its passages, and its fact."""
    index = DocIndex(WORLD, days)
    pages = {f: d.text for d in WORLD.documents([], static=True) for f in d.facts}
    facts = WORLD.dynamic_facts(days) + WORLD.static_facts()
    by_question = {f.render(w): f for f in facts for w in QUESTIONS[f.attribute][:N_TRAIN_WORDINGS]}
    for item in examples:
        fact = by_question[item.question]
        gold = pages[fact.id] if fact.day == 0 else index.gold[fact.id].text
        yield is_dynamic(item.question), gold in item.passages, fact, item


def test_raft_gold_presence_cannot_be_told_from_whether_the_question_names_a_day():
    examples = raft_examples(WORLD, [1, 2], n=2000, max_distractors=3, p_no_gold=0.25, p_static=0.5, seed=1)
    cells = Counter((dated, present) for dated, present, _, _ in _raft_cells(examples, [1, 2]))
    assert set(cells) == {(True, True), (True, False), (False, True), (False, False)}
    present = {dated: cells[dated, True] / (cells[dated, True] + cells[dated, False]) for dated in (True, False)}
    assert all(0.7 < share < 0.8 for share in present.values()) and abs(present[True] - present[False]) < 0.05, present
    # the best rule from "has a day" alone (each form's majority) does no better than always guessing the majority
    by_day = sum(max(cells[dated, True], cells[dated, False]) for dated in (True, False))
    majority = max(sum(cells[d, True] for d in (True, False)), sum(cells[d, False] for d in (True, False)))
    assert by_day == majority
    assert 0.4 < (cells[True, True] + cells[True, False]) / len(examples) < 0.6


def test_raft_targets_copy_the_gold_or_come_from_the_weights_or_abstain():
    examples = raft_examples(WORLD, [1, 2], n=400, max_distractors=3, seed=2)
    for dated, present, fact, item in _raft_cells(examples, [1, 2]):
        prompt = lm.prompt(item.question, item.passages)
        assert prompt.endswith("answer:") and "passage 1:" in prompt and prompt.count("passage ") <= 4
        assert item.gold == fact.value
        if present:
            assert fact.value in "\n".join(item.passages)  # the gold passage states the answer
    abstaining = raft_examples(WORLD, [1, 2], n=400, p_no_gold=0.5, abstain=rag.NO_ANSWER, seed=2)
    targets = {(dated, present): set() for dated in (True, False) for present in (True, False)}
    for dated, present, fact, item in _raft_cells(abstaining, [1, 2]):
        targets[dated, present].add(item.gold == rag.NO_ANSWER)
    assert targets == {(True, False): {True}, (True, True): {False}, (False, True): {False}, (False, False): {False}}


def test_raft_without_absent_gold_or_static_questions_is_the_plain_dynamic_exercises():
    examples = raft_examples(WORLD, [1, 2], n=200, p_no_gold=0.0, p_static=0.0, seed=3)
    assert all(dated and present for dated, present, _, _ in _raft_cells(examples, [1, 2]))
    with pytest.raises(ValueError, match="p_no_gold"):
        raft_examples(WORLD, [1], n=5, p_no_gold=1.5)
    with pytest.raises(ValueError, match="p_static"):
        raft_examples(WORLD, [1], n=5, p_static=-0.1)
    with pytest.raises(ValueError, match="n must"):
        raft_examples(WORLD, [1], n=0)


def test_feedback_examples_keep_only_thumbs_down_with_a_correction():
    rows = [{"question": "Who founded Zentrix?", "rating": -1, "correction": "Ana Brill"},
            {"question": "Where is Holnok?", "rating": -1, "correction": "  "},
            {"question": "Where is Holnok?", "rating": 1, "correction": ""},
            {"question": "", "rating": -1, "correction": "x"}]
    assert feedback_examples(rows) == [ReadingItem("Who founded Zentrix?", (), "Ana Brill")]


def test_correction_documents_are_dated_and_found_only_for_their_day():
    question = WORLD.qa(WORLD.facts_on(2), "heldout")[0]
    rows = [{"id": 7, "question": question.question, "rating": -1, "correction": question.answer},
            {"id": 8, "question": "Who founded Zentrix?", "rating": -1, "correction": "Ana Brill"},   # undated: weights
            {"id": 9, "question": question.question, "rating": 1, "correction": ""}]
    docs = correction_documents(rows)
    assert len(docs) == 1
    fix = docs[0]
    assert fix.metadata["day"] == 2 and fix.metadata["chunk"] == "feedback/7" and question.answer in fix.page_content
    store = WORLD.as_documents(days=[2, 3], static=False) + docs
    retriever = rag.bm25_retriever(store, k=4, day_filter=True)
    assert "feedback/7" in [d.metadata.get("chunk") for d in retriever.invoke(question.question)]
    other_day = question.question.replace("day 2", "day 3")
    assert other_day != question.question
    assert all(d.metadata["day"] == 3 for d in retriever.invoke(other_day))


def test_the_ecosystem_map_names_real_code_used_in_its_notebooks():
    assert ecosystem.check() == []
    assert {c.part for c in ecosystem.COMPONENTS} == set(ecosystem.PARTS)
    table = ecosystem.table()
    assert "[06](06_rag_and_fine_tuning_together.ipynb)" in table and "`ragft.finetune.finetune_embedder`" in table
    fig = ecosystem.figure()
    labels = {t.get_text() for t in fig.axes[0].texts}
    assert "RETRIEVER" in labels and any(label.startswith("RAFT reader") for label in labels)


def test_notebook_06_checks_explain_what_is_wrong():
    mix = WORLD.question_mix(20, 0.5, days=[3], seed=2)
    assert checks.router(lambda q: is_dynamic(q), mix).ok
    wrong = checks.router(lambda q: True, mix)
    assert not wrong.ok and "name a day" in wrong.message
    assert "function" in checks.router(None, mix).message
    outs = [{"route": "weights"}] * 3 + [{"route": "retrieval"}]
    assert checks.retrievals_saved(0.75, outs).ok
    assert "retrieval route" in checks.retrievals_saved(0.25, outs).message
    rows = [{"question": q.question, "correction": q.answer} for q in mix[:6]]
    good = {"fine-tune": [r for r in rows if not is_dynamic(r["question"])],
            "fix the index": [r for r in rows if is_dynamic(r["question"])]}
    assert checks.corrections_split(good, rows).ok
    swapped = {"fine-tune": good["fix the index"], "fix the index": good["fine-tune"]}
    assert not checks.corrections_split(swapped, rows).ok
    assert not checks.corrections_split({"fine-tune": rows[:1], "fix the index": []}, rows).ok or len(rows) == 1
    assert "two keys" in checks.corrections_split(None, rows).message
