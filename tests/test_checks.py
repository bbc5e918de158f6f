"""Self-checks say what is wrong (never a bare AssertionError) and accept a right answer."""

import pytest
from langchain_core.documents import Document

from ragft.course import checks
from ragft.world import World

WORLD = World(seed=0, day=61)
STATIC = WORLD.qa(WORLD.static_facts()[:2], "heldout")[:2]
TODAY = WORLD.qa(WORLD.facts_on(61)[:1], "heldout")[:1]


def test_stale_model_guess():
    questions = STATIC + TODAY
    actual = [True, False, False]
    unsolved = checks.stale_model_guess(None, questions, actual, cutoff_day=60)
    assert not unsolved.ok and "list of 3 True/False" in str(unsolved)
    wrong = checks.stale_model_guess([True, False, True], questions, actual, cutoff_day=60)
    assert not wrong.ok and "after the model's training data ended (day 60)" in str(wrong)
    assert "question 2: it is a static fact" in str(wrong)
    right = checks.stale_model_guess([True, True, False], questions, actual, cutoff_day=60)
    assert right.ok and "2: wrong" in str(right)


def test_store_answers():
    fact = WORLD.facts_on(61)[0]
    other = Document(page_content="Holnok lies in the region of Lowmere.")
    gold = Document(page_content=fact.sentence)
    missing = checks.store_answers([other], "x", fact.value, fact.sentence)
    assert not missing.ok and "store.add_documents" in str(missing)
    assert "it returned 'Holnok lies" in str(missing) and "fresh copy" in str(missing)
    assert "it returned nothing" in str(checks.store_answers([], "x", fact.value, fact.sentence))
    misread = checks.store_answers([gold], "nonsense", fact.value, fact.sentence)
    assert not misread.ok and "instead of" in str(misread)
    assert checks.store_answers([gold], fact.value, fact.value, fact.sentence).ok


def test_retriever_finds():
    from ragft import rag

    texts = ["Lunch is served in the blue hall.", "Exercises are due every Friday."]
    assert "set `my_retriever`" in str(checks.retriever_finds(None, "When are exercises due?", "Friday"))
    assert "not a retriever" in str(checks.retriever_finds(texts, "When are exercises due?", "Friday"))
    wrong = rag.KeywordRetriever.from_texts(texts[:1])
    assert "top chunk is" in str(checks.retriever_finds(wrong, "When is lunch served, and exercises?", "Friday"))
    assert checks.retriever_finds(rag.bm25_retriever(texts, 1), "When are exercises due?", "Friday").ok


def test_day_filter_fixes():
    from langchain_core.documents import Document

    class Fixed:
        def __init__(self, day):
            self.day = day

        def invoke(self, question):
            return [Document(page_content="x", metadata={"day": self.day})]

    q = "What was the high in Holnok on day 61?"
    assert "set `broken_question`" in str(checks.day_filter_fixes(None, Fixed(16), Fixed(61)))
    assert "names no day" in str(checks.day_filter_fixes("Who founded Zenora?", Fixed(16), Fixed(61)))
    assert "already returns a day-61" in str(checks.day_filter_fixes(q, Fixed(61), Fixed(61)))
    assert checks.day_filter_fixes(q, Fixed(16), Fixed(61)).ok


def test_paraphrase_gap_and_cost_ratio():
    runs = {"raw": {"new_trained_wording": 0.3, "new_heldout": 0.1},
            "paraphrase": {"new_trained_wording": 0.9, "new_heldout": 0.2}}
    assert 'set `my_answer`' in str(checks.paraphrase_gap(None, runs))
    assert "look again" in str(checks.paraphrase_gap("held-out", runs))
    assert checks.paraphrase_gap("training", runs).ok
    week = [{"ft_seconds": 10.0, "index_seconds": 0.5}, {"ft_seconds": 12.0, "index_seconds": 0.6}]
    assert "set `my_ratio`" in str(checks.cost_ratio(None, week))
    assert "other way round" in str(checks.cost_ratio(0.55 / 11, week))
    assert checks.cost_ratio(20.0, week).ok


def test_threshold_exercises():
    from ragft import threshold as th
    from tests.test_threshold import M

    assert "set `bank`" in str(checks.bank_desk(None, None, M))
    assert "A month is 30 days" in str(checks.bank_desk(th.Scenario(dynamic_share=0.8, changes_per_day=1500,
                                                                    retrain_every=7, days_kept=90, queries_per_day=2000), "x", M))
    bank = th.Scenario(dynamic_share=0.8, changes_per_day=1500, retrain_every=30, days_kept=90, queries_per_day=2000)
    assert "recommends" in str(checks.bank_desk(bank, "fine-tuning only", M))
    assert checks.bank_desk(bank, th.recommend(bank, M)[0], M).ok
    support = th.PRESETS["customer support"]
    assert "set `my_threshold`" in str(checks.threshold_value(None, support, M))
    assert checks.threshold_value(th.threshold(support, M), support, M).ok
    desk = th.PRESETS["stock and news desk"]
    assert "set `my_retrain_every`" in str(checks.retrain_needed("?", desk, M, 0.5))
    assert checks.retrain_needed(None, desk, M, 0.5).ok != checks.retrain_needed(1, desk, M, 0.5).ok


def test_smallest_k():
    by_k = {1: {"hit@1": 0.8, "exact_match": 0.7}, 2: {"hit@2": 0.96, "exact_match": 0.85},
            4: {"hit@4": 0.99, "exact_match": 0.8}}
    assert "set `my_k`" in str(checks.smallest_k("?", by_k))
    assert "read the hit@k line" in str(checks.smallest_k(4, by_k))
    assert checks.smallest_k(2, by_k).ok and "best at k=2" in str(checks.smallest_k(2, by_k))


def test_start_here_exercises():
    world = World(seed=0, day=61)
    assert "pair of booleans" in str(checks.seeds(None))
    assert "a seed fixes everything" in str(checks.seeds((False, True)))
    assert checks.seeds((True, True)).ok
    assert "set `my_count`" in str(checks.rainy_towns(None, world, 61))
    truth = sum(f.attribute == "weather" and f.value == "rainy" for f in world.facts_on(61))
    assert "is not it" in str(checks.rainy_towns(truth + 1, world, 61))
    assert checks.rainy_towns(truth, world, 61).ok
    assert "set `my_mix`" in str(checks.mix_share(None, 20, 0.75))
    assert "asked: 20" in str(checks.mix_share(world.question_mix(20, 0.5), 20, 0.75))
    assert checks.mix_share(world.question_mix(20, 0.75), 20, 0.75).ok


def test_reads_not_knows_asks_the_reader_closed_and_open_book():
    from ragft.evaluate import exact_match
    from ragft.readers import load_reader

    reader = load_reader("course")
    assert "set `my_question`" in str(checks.reads_not_knows(None, reader, WORLD))
    assert "is not one of today's" in str(checks.reads_not_knows("Who founded Zentrix?", reader, WORLD))
    golds = {f: d for d in WORLD.documents([61], static=False) for f in d.facts}
    for q in WORLD.qa(WORLD.facts_on(61), "heldout"):
        if not exact_match(reader.ask(q.question), q.answer) and exact_match(reader.ask(q.question, [golds[q.fact_id].text]),
                                                                              q.answer):
            assert checks.reads_not_knows(q.question, reader, WORLD).ok
            break
    else:
        pytest.fail("the course model reads no day-61 question it does not know")


def test_exercise_01_2_recovers_from_a_wrong_first_try():
    """Notebook 01's exercise 2 run wrong, then right: the right answer passes (the cell copies 1.5's store)."""
    import json

    from ragft import ROOT
    from ragft.course.runner import BEGIN, strip_solutions
    from ragft.rag import KeywordRetriever

    class LastWord:  # reads the last word of the first passage: enough for "... in Holnok."
        def ask(self, question, passages=()):
            return passages[0].rstrip(".").split()[-1] if passages else ""

    cells = json.loads((ROOT / "solutions" / "01_parametric_vs_nonparametric.ipynb").read_text())["cells"]
    cell = next("".join(c["source"]) for c in cells if "checks.store_answers" in "".join(c["source"]))
    assert BEGIN in cell
    world = World(seed=0, day=61)
    store = KeywordRetriever.from_texts(world.as_documents(days=[61]), k=1)  # as 1.5's store, with fewer days
    ns = {"world": world, "store": store, "reader": LastWord(), "checks": checks,
          "KeywordRetriever": KeywordRetriever, "print": lambda verdict: ns.setdefault("verdicts", []).append(verdict)}
    wrong = strip_solutions(cell).replace("# YOUR CODE HERE", "my_store.add_documents([news_question])  #")
    exec(wrong, ns)
    exec(cell, ns)
    first, second = ns["verdicts"]
    assert not first.ok and "fresh copy" in str(first), first
    assert second.ok, second
    assert len(store.docs) == len(world.as_documents(days=[61])), "the exercise changed 1.5's store"


def test_day_filter_check_explains_a_day_the_store_does_not_hold():
    class Empty:
        def invoke(self, question):
            return []

    verdict = checks.day_filter_fixes("What was the high in Holnok on day 400?", Empty(), Empty())
    assert not verdict.ok and "no report of day 400" in verdict.message
