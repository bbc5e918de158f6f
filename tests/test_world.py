"""The course world: seeded, deterministic, and consistent between facts, documents and questions."""

import json
import math
import re

import pytest

from ragft.world import (ATTRIBUTES, DYNAMIC_ATTRIBUTES, N_TRAIN_WORDINGS, QUESTIONS, STATEMENTS, Attribute, Number,
                         World, random_walk, register, registered, walk_value)

DAYS = range(1, 8)


@pytest.fixture(scope="module")
def world():
    return World(seed=0, day=7)


def test_same_seed_gives_byte_identical_output():
    assert World(seed=3, day=5).to_json() == World(seed=3, day=5).to_json()


def test_different_seeds_differ():
    a, b = World(seed=1, day=3), World(seed=2, day=3)
    assert a.to_json() != b.to_json()
    assert a.towns != b.towns


def test_days_are_independent_of_the_order_they_are_looked_at():
    late_first = World(seed=0)
    late = late_first.facts_on(30)
    early = late_first.facts_on(2)
    fresh = World(seed=0)
    assert fresh.facts_on(2) == early and fresh.facts_on(30) == late


def test_advance_moves_the_clock_and_returns_the_new_days_facts():
    w = World(seed=0, day=10)
    facts = w.advance()
    assert w.day == 11 and facts == w.facts_on(11)
    assert {f.day for f in facts} == {11}
    with pytest.raises(ValueError, match="only moves forward"):
        w.advance(0)


def test_dynamic_facts_change_from_day_to_day(world):
    by_day = [{(f.entity, f.attribute): f.value for f in world.facts_on(d)} for d in DAYS]
    for attribute in ("weather", "high", "close"):
        keys = [k for k in by_day[0] if k[1] == attribute]
        changed = sum(by_day[0][k] != by_day[1][k] for k in keys)
        assert changed > 0, f"no {attribute} changed between day 1 and day 2"
    assert all(k[1] in DYNAMIC_ATTRIBUTES for day in by_day for k in day)


def test_static_facts_never_change(world):
    later = World(seed=0, day=7)
    later.advance(30)
    assert later.static_facts() == world.static_facts()


def test_every_fact_type_has_at_least_four_wordings_and_a_held_out_split():
    for attribute in STATEMENTS:
        assert len(STATEMENTS[attribute]) >= 4
        assert len(QUESTIONS[attribute]) > N_TRAIN_WORDINGS >= 4


def test_every_qa_answer_appears_in_exactly_the_documents_that_state_its_fact(world):
    docs = world.documents(DAYS)
    for fact in world.facts(DAYS):
        stating = [d for d in docs if fact.id in d.facts]
        assert stating, f"no document states {fact.id}"
        containing = [d for d in docs if fact.sentence in d.text]
        assert {d.id for d in stating} == {d.id for d in containing}, fact.id
        for qa in world.questions(fact):
            assert all(qa.answer in d.text for d in stating), (qa, [d.id for d in stating])


def test_held_out_wordings_never_appear_in_training_text(world):
    facts = world.facts(DAYS)
    training_text = "\n".join([d.text for d in world.documents(DAYS)]
                              + [s for f in facts for s in world.statements(f)]
                              + [q.question for q in world.qa(facts, "train")])
    heldout = world.qa(facts, "heldout")
    assert heldout and all(q.split == "heldout" for q in heldout)
    for q in heldout:
        assert q.question not in training_text, q.question
    for attribute, templates in QUESTIONS.items():
        stems = [t.split("{")[0] for t in templates[N_TRAIN_WORDINGS:] if t.split("{")[0]]
        train = [t for t in templates[:N_TRAIN_WORDINGS]]
        assert not any(t.startswith(s) for s in stems for t in train), attribute


def test_a_days_dynamic_facts_are_answerable_from_that_days_documents_only(world):
    for day in (3, 6):
        todays = world.documents([day], static=False)
        others = world.documents([d for d in DAYS if d != day])
        for fact in world.facts_on(day):
            assert any(fact.sentence in d.text for d in todays), fact.id
            assert not any(fact.sentence in d.text for d in others), fact.id
            assert all(d.day == day for d in todays if fact.id in d.facts)


def test_documents_export_as_langchain_documents_with_metadata(world):
    docs = world.as_documents([2])
    kinds = {d.metadata["kind"] for d in docs}
    assert kinds == {"encyclopedia", "weather", "market", "news"}
    for d in docs:
        assert set(d.metadata) >= {"source", "kind", "day", "entity", "attribute", "facts"}
        assert d.id == d.metadata["source"] and d.page_content
        assert d.metadata["day"] in (0, 2)


def test_json_export_is_plain_and_complete(world):
    data = json.loads(world.to_json())
    assert data["day"] == 7 and len(data["towns"]) == len(world.towns)
    assert len(data["facts"]) == len(world.facts()) and len(data["qa"]) == len(world.qa(world.facts()))


def test_world_size_is_a_parameter():
    small = World(seed=0, n_towns=3, n_companies=2, n_people=4, news_per_day=1)
    assert small.summary()["static_facts"] == 3 * 3 + 2 * 4 + 4 * 3
    assert len(small.facts_on(1)) == 3 * 2 + 2 + 1


@pytest.mark.parametrize("share", [0.0, 0.3, 1.0])
def test_question_mix_has_the_requested_dynamic_share(world, share):
    mix = world.question_mix(100, share, days=[world.day])
    assert len(mix) == 100
    assert sum(q.dynamic for q in mix) == round(100 * share)
    assert all(q.split == "heldout" for q in mix)
    assert all(q.day in (0, world.day) for q in mix)


def test_bad_inputs_give_errors_a_learner_can_act_on(world):
    name = world.towns[0]
    with pytest.raises(ValueError, match=f"did you mean '{name}'"):
        world.entity(name[:-1] + "x")
    assert world.entity(name)["kind"] == "town"
    with pytest.raises(ValueError, match="proportion between 0 and 1"):
        world.question_mix(10, 1.5)
    with pytest.raises(ValueError, match="n_towns"):
        World(n_towns=0)
    with pytest.raises(ValueError, match="numbered from 1"):
        world.facts_on(0)
    with pytest.raises(ValueError, match="split must be"):
        world.qa(world.static_facts(), "test")


# A new kind of fact, defined in one place: a daily exchange rate per town, stated in the market reports.
EXCHANGE = Attribute(
    "exchange", "town", sample=walk_value, doc="market",
    setup=random_walk(0.5, 2.0, stream=4, volatility=0.02, floor=0.001, decimals=3),
    counterfactual=Number(fresh=lambda rng: rng.uniform(0.2, 5.0),
                          near=lambda rng, x: x * math.exp(rng.normal(0, 0.02)), text=lambda x: f"{x:.3f}"),
    statements=("On day {d} one crown bought {v} marks in {e}.",
                "In {e} the crown was worth {v} marks on day {d}.",
                "The exchange rate in {e} on day {d} was {v} marks to the crown.",
                "Day {d} saw the crown trade at {v} marks in {e}.",
                "Money changers in {e} gave {v} marks for a crown on day {d}."),
    questions=("What was the exchange rate in {e} on day {d}?",
               "How many marks did a crown buy in {e} on day {d}?",
               "On day {d}, what was the crown worth in {e}?",
               "What did one crown fetch in {e} on day {d}?",
               "Tell me the exchange rate in {e} on day {d}.",
               "Give the number of marks per crown in {e} on day {d}."))
TINY = dict(seed=0, n_towns=3, n_companies=2, n_people=4, day=5, news_per_day=1)


def test_a_new_kind_of_fact_is_one_registry_entry():
    plain = World(**TINY)
    with registered(EXCHANGE):
        assert "exchange" in DYNAMIC_ATTRIBUTES and STATEMENTS["exchange"] == EXCHANGE.statements
        w = World(**TINY)
        rates = [f for f in w.facts() if f.attribute == "exchange"]
        assert len(rates) == 3 * 5 and {f.entity for f in rates} == set(w.towns)
        assert len({f.value for f in rates}) > 5 and all(re.fullmatch(r"\d+\.\d{3}", f.value) for f in rates)
        # the world's other facts and documents are untouched: the walk draws from its own stream
        assert [f for f in w.facts() if f.attribute != "exchange"] == plain.facts()
        docs = w.documents()
        assert [d for d in docs if "exchange" not in d.metadata()["attribute"]] == plain.documents()
        for f in rates:
            (doc,) = [d for d in docs if f.id in d.facts]
            assert doc.kind == "market" and doc.id == f"market/day{f.day}/{f.entity.lower()}" and f.sentence in doc.text
            train, heldout = w.questions(f, "train"), w.questions(f, "heldout")
            assert len(train) == N_TRAIN_WORDINGS and len(heldout) == 2
            assert all(q.answer == f.value and f.entity in q.question and f"day {f.day}" in q.question
                       for q in train + heldout)
        mix = w.question_mix(200, 1.0, days=range(1, 6))
        assert any(q.attribute == "exchange" for q in mix) and all(q.split == "heldout" for q in mix)
    assert "exchange" not in ATTRIBUTES and "exchange" not in STATEMENTS and "exchange" not in DYNAMIC_ATTRIBUTES
    assert World(**TINY).to_json() == plain.to_json()


def test_a_new_kind_of_fact_goes_through_the_pretraining_stream():
    from ragft.lm import DataConfig, PretrainStream, train_tokenizer

    with registered(EXCHANGE):
        w = World(**TINY)
        tok = train_tokenizer(w)
        stream = PretrainStream(tok, DataConfig(training_days=5, counterfactual=1.0, similar_values=1.0), w)
        market = [d for d in stream.index.docs if d.kind == "market" and d.entity in w.towns]
        texts, stated = stream.counterfactual(market[:4])
        rates = [(stream.facts_by_id[i], stated[i]) for d in market[:4] for i in d.facts if "|exchange|" in i]
        assert all(re.fullmatch(r"\d+\.\d{3}", new.value) and new.sentence in "\n".join(texts)
                   for _, new in rates)
        assert any(old.value != new.value for old, new in rates)
        first = {}  # similar values: an entity's later rates stay near its first one in the exercise
        for old, new in rates:
            x = first.setdefault(old.entity, float(new.value))
            assert abs(float(new.value) / x - 1) < 0.2
        examples = [tok.decode(stream.sample()[0]) for _ in range(300)]
        assert sum("crown" in e for e in examples) > 10


def test_registering_a_kind_of_fact_checks_it_with_an_actionable_error():
    no_counterfactual = Attribute("rate", "town", EXCHANGE.statements, EXCHANGE.questions, walk_value, doc="market")
    with pytest.raises(ValueError, match="needs a counterfactual"):
        register(no_counterfactual)
    with pytest.raises(ValueError, match="name is taken"):
        register(ATTRIBUTES["weather"])
    with pytest.raises(ValueError, match="kind must be one of"):
        register(Attribute("moon", "planet", EXCHANGE.statements, EXCHANGE.questions, walk_value))
    with pytest.raises(RuntimeError), registered(EXCHANGE):
        raise RuntimeError("an experiment fails")
    assert "rate" not in ATTRIBUTES and "exchange" not in ATTRIBUTES and "moon" not in ATTRIBUTES
