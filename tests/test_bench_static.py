"""New static knowledge (issue 22, item 1): entities the course model never saw, spelled in words it knows, put into
its weights or into the store, at a tiny amount (10 facts, a few steps) so that the test stays fast."""

import pytest

from ragft import finetune as ft
from ragft.course import bench, bench_static, page_reading
from ragft.readers import load_reader
from ragft.reading import closed_book_items
from ragft.world import PROFESSIONS, REGIONS, SECTORS, Fact, StaticWorld, World, unseen_world
from ragft.world.unseen import collisions

DEV_PER_KIND = bench_static.DEV_PER_KIND


@pytest.fixture(scope="module")
def reader():
    return load_reader("course")


@pytest.fixture(scope="module")
def world():
    return bench_static.unseen_world(per_kind=3 + DEV_PER_KIND)  # 30 measured facts, then the dev entities


@pytest.fixture(scope="module")
def training():
    return World(seed=0)


def _has_interval(fig: dict) -> bool:
    low, high = fig["interval"]
    return low <= fig["value"] <= high and fig["n"] > 0


def test_the_part_is_registered():
    assert bench.PARTS["new_static"] is bench_static.part


def test_new_names_never_collide_with_the_training_world_and_spell_in_known_words(world, reader, training):
    assert collisions(world, training) == set() and isinstance(world, StaticWorld)
    assert unseen_world(3 + DEV_PER_KIND, bench_static.NEW_SEED).static_facts() == world.static_facts()
    names = world.towns + world.companies + world.people
    assert len(set(names)) == len(names) == 3 * (3 + DEV_PER_KIND)
    unk = reader.tokenizer.unk_token_id
    assert not [n for n in names if unk in reader.tokenizer(n)["input_ids"]]
    facts = world.static_facts()
    assert {f.entity for f in facts} == set(names) and not any(f.dynamic for f in facts)
    assert not {f.id for f in facts} & {f.id for f in training.static_facts()}
    assert world.facts_on(61) == []  # static only


def test_amounts_are_whole_trios_and_dev_entities_stay_apart(world):
    ten, thirty, dev = (bench_static.amount_facts(world, 10), bench_static.amount_facts(world, 30),
                        bench_static.amount_facts(world, 0, dev=True))
    assert len(ten) == 10 and len(thirty) == 30 and len(dev) == 10 * DEV_PER_KIND
    assert set(ten) <= set(thirty) and not {f.entity for f in dev} & {f.entity for f in thirty}
    with pytest.raises(ValueError, match="multiples of 10"):
        bench_static.amount_facts(world, 15)
    with pytest.raises(ValueError, match="holds 30 facts"):
        bench_static.amount_facts(world, 40)


def test_steps_grow_with_the_facts_at_fixed_passes():
    one = bench_static.steps_for(90, 4, 16, ft.REPLAY)
    assert one == 72  # 4 passes over 90 examples, 5 new a batch
    assert bench_static.steps_for(900, 4, 16, ft.REPLAY) == 10 * one


def test_the_base_model_does_not_know_the_new_facts(world, reader):
    before = reader.score(closed_book_items(world, bench_static.amount_facts(world, 30), "heldout"))
    assert before.value <= 0.15 and before.low <= before.value <= before.high  # chance: a region, a sector, a job


def test_fine_tuning_puts_new_facts_into_the_weights_with_forgetting_measured(world, reader):
    facts = bench_static.amount_facts(world, 10)
    out = bench_static.weights(reader, world, facts, epochs=3, seed=0)
    assert out["steps"] == bench_static.steps_for(out["examples"], 3, 16, ft.REPLAY) and out["replay"] == ft.REPLAY
    for key in ("before", "accuracy", "old_before", "old_after", "forgetting"):
        assert _has_interval(out[key]), key
    assert out["accuracy"]["value"] >= out["before"]["value"] + 0.3
    assert out["old_before"]["value"] >= 0.9 and out["old_before"]["n"] == out["old_after"]["n"]
    assert out["train_seconds"] > 0 and out["query_seconds"] > 0 and out["prompt_tokens"] > 5


def test_indexing_the_new_pages_lets_the_retriever_find_them(world, reader):
    facts = bench_static.amount_facts(world, 10)
    out = bench_static.store(reader, world, facts, seed=0)
    assert _has_interval(out["accuracy"]) and _has_interval(out["hit_at_1"])
    assert out["hit_at_1"]["value"] >= 0.9  # the store holds the knowledge and retrieval finds it
    assert out["pages_added"] == 3 and out["store_chunks"] == len(World(seed=0).documents([])) + out["chunks_added"]
    assert out["index_seconds"] > 0 and out["prompt_tokens"] > 20  # a page read costs tokens the closed book does not
    # The course model was taught to read daily reports, never encyclopedia pages (lm/data.py: static facts are
    # recalled, not read), so it reads new pages badly: the store's accuracy is the reader's limit, not retrieval's.
    assert out["accuracy"]["value"] <= out["hit_at_1"]["value"]


def test_a_static_world_is_built_from_given_facts_and_refuses_facts_not_its_own(training):
    town = training.towns[0]
    facts = [f for f in training.static_facts() if f.entity == town]
    small = StaticWorld([town], [], [], facts, rivers=training.rivers)
    assert small.static_facts() == facts and small.entity(town)["region"] == training.entity(town)["region"]
    assert [d.text for d in small.documents([])] == [d.text for d in training.documents([]) if d.entity == town]
    assert small.facts_on(5) == [] and small.advance(3) == [] and small.summary()["dynamic_facts"] == 0
    with pytest.raises(ValueError, match="static facts of its own entities"):
        StaticWorld([town], [], [], facts + [Fact("Nowhere", "town", "region", "Norvale")])
    with pytest.raises(ValueError, match="static facts of its own entities"):
        StaticWorld([town], [], [], [Fact(town, "town", "weather", "sunny", 3)])
    with pytest.raises(ValueError, match="unique"):
        StaticWorld([town, town], [], [], facts)


def test_counterfactual_pages_change_every_value_to_another_valid_one(training):
    fake = page_reading.counterfactual_world(training)
    real, changed = training.static_facts(), fake.static_facts()
    assert [f.id for f in real] == [f.id for f in changed]
    assert all(a.value != b.value for a, b in zip(real, changed))
    pools = {"region": REGIONS, "river": training.rivers, "headquarters": training.towns, "hometown": training.towns,
             "sector": SECTORS, "founder": training.people, "profession": PROFESSIONS}
    assert all(f.value in pools[f.attribute] if f.attribute in pools else f.value.isdigit() for f in changed)
    pages = {d.entity: d.text for d in fake.documents([])}
    assert all(f.sentence in pages[f.entity] for f in changed)
    items = page_reading.page_examples(training, 20, max_distractors=1)
    truth = {f.id: f.value for f in real}
    assert all(it.gold != truth[it.fact] and it.gold in " ".join(it.passages) for it in items)
    assert {len(it.passages) for it in items} <= {1, 2}


def test_a_page_reading_fine_tune_makes_the_store_readable(world, reader, training):
    """40 steps, gold page alone (about 15 s): the raw reader answers a counterfactual page from memory, the
    page-reading reader copies it. The new entities' pages are NOT asserted: at this scale the gain is small and
    not robust (dev entities, 60 questions: 1.7% -> 15% after 40 steps, 16.7% after 150; 10 facts here: 0 -> 0);
    the benchmark measures it with its interval."""
    tuned = page_reading.page_reader(reader, steps=40, page_share=0.5, max_distractors=0, n=1000)
    assert tuned["steps"] == 40 and tuned["seconds"] > 0
    assert tuned["old_closed_book_after"]["value"] >= 0.8  # replay keeps most of what the weights held
    fake = page_reading.page_examples(training, 60, max_distractors=0, seed=1)
    raw_fake, read_fake = sum(reader.correct(fake)), sum(tuned["reader"].correct(fake))
    assert raw_fake <= 6 and read_fake >= raw_fake + 20  # memory cannot answer a counterfactual page; reading can
