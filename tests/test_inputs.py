"""The input contract: every wrong input to a public entry point gets a TypeError/ValueError that names the
argument, what it got and what to do, raised at the kit's boundary; nothing hangs, nothing reaches the network."""

import math
import socket
from dataclasses import replace

import numpy as np
import pytest
import torch

from ragft import inputs, lm
from ragft import threshold as th
from ragft.finetune import FinetuneConfig, finetune_embedder
from ragft.lm.generate import keep_end
from ragft.reading import DocIndex, ReadingItem, eval_sets, open_book_example, subsample
from ragft.readers import CourseReader, load_reader, make_llm, parse_setting
from ragft.world import World
from ragft.world.world import MAX_DAY

NAN, INF = math.nan, math.inf
WORLD = World(seed=0, day=3)


def refused(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("call, error, message", [
    (lambda: inputs.check_int("seed", "abc"), TypeError, r"seed must be a whole number \(int\), got str 'abc'"),
    (lambda: inputs.check_int("day", 2.5), TypeError, "day must be a whole number .*got float 2.5"),
    (lambda: inputs.check_int("day", True), TypeError, "day must be a whole number .*got bool True"),
    (lambda: inputs.check_int("k", -1, 0), ValueError, "k must be at least 0, got -1"),
    (lambda: inputs.check_int("k", 9, 1, 5), ValueError, "k must be between 1 and 5, got 9"),
    (lambda: inputs.check_number("lr", NAN), ValueError, "lr must be a finite number, got nan"),
    (lambda: inputs.check_number("lr", INF), ValueError, "lr must be a finite number, got inf"),
    (lambda: inputs.check_number("lr", "1e-3"), TypeError, "lr must be a number, got str"),
    (lambda: inputs.check_number("lr", 0, 0, low_open=True), ValueError, "lr must be above 0, got 0.0"),
    (lambda: inputs.check_share("share", 1.7), ValueError, "share must be between 0 and 1, got 1.7"),
    (lambda: inputs.check_text("question", None), TypeError, "question must be a string, got NoneType None"),
    (lambda: inputs.check_text("question", 42), TypeError, "question must be a string, got int 42"),
    (lambda: inputs.check_text("question", " \n"), ValueError, "question is empty"),
    (lambda: inputs.check_text("question", "x" * 2001), ValueError, "question has 2001 characters, more than the 2000"),
    (lambda: inputs.check_texts("questions", "abc"), TypeError, r"questions must be a list of strings.*\['abc'\]"),
    (lambda: inputs.check_texts("questions", ["ok", None]), TypeError, r"questions\[1\] must be a string"),
    (lambda: inputs.check_passages("passages", "one passage"), TypeError, "wrap a single passage in a list"),
    (lambda: inputs.check_passages("passages", ["a", 3]), TypeError, r"passages\[1\] must be a string"),
    (lambda: inputs.check_choice("split", "test", ("train", "heldout")), ValueError, "split must be one of"),
])
def test_the_validators_name_the_argument_and_what_it_got(call, error, message):
    refused(call, error, message)


def test_the_validators_pass_good_values_through_unchanged():
    assert inputs.check_int("n", np.int64(3), 1) == 3 and inputs.check_number("x", np.float32(0.5)) == 0.5
    assert inputs.check_text("question", "Who?") == "Who?" and inputs.check_texts("q", ("a", "b")) == ["a", "b"]
    assert inputs.check_passages("p", None) == () and inputs.check_passages("p", ["a"]) == ("a",)
    assert inputs.check_text("question", "x" * 5000, max_chars=None) == "x" * 5000


@pytest.mark.parametrize("call, error, message", [
    (lambda: World(seed="abc"), TypeError, "seed must be a whole number .*got str 'abc'"),
    (lambda: World(seed=-1), ValueError, "seed must be at least 0, got -1"),
    (lambda: World(day=2.5), TypeError, "day must be a whole number .*got float 2.5"),
    (lambda: World(day=True), TypeError, "day must be a whole number .*got bool True"),
    (lambda: World(day=0), ValueError, "day must be 1 or later, got 0"),
    (lambda: World(day=MAX_DAY + 1), ValueError, f"day must be at most MAX_DAY = {MAX_DAY}"),
    (lambda: World(n_towns="24"), TypeError, "n_towns must be a whole number .*got str '24'"),
    (lambda: World(n_companies=3.0), TypeError, "n_companies must be a whole number"),
    (lambda: World(n_people=0), ValueError, "n_people must be between 1 and 384, got 0"),
    (lambda: World(news_per_day=99), ValueError, "news_per_day must be between 0 and n_companies"),
    (lambda: WORLD.facts_on(10**8), ValueError, f"day must be at most MAX_DAY = {MAX_DAY}.*got 100000000"),
    (lambda: WORLD.facts_on(-5), ValueError, "days are numbered from 1"),
    (lambda: WORLD.facts_on("61"), TypeError, "day must be a whole number .*got str '61'"),
    (lambda: WORLD.advance(2.0), TypeError, "days must be a whole number"),
    (lambda: WORLD.advance(10**8), ValueError, f"would pass the world's last day, MAX_DAY = {MAX_DAY}"),
    (lambda: WORLD.documents(5), TypeError, r"days must be a list of days such as \[61\] .*got int 5"),
    (lambda: WORLD.documents([1, 0]), ValueError, r"days\[1\] must be 1 or later, got 0"),
    (lambda: WORLD.facts([10**9]), ValueError, r"days\[0\] must be at most MAX_DAY"),
    (lambda: WORLD.to_json("1-3"), TypeError, "days must be a list of days"),
    (lambda: WORLD.question_mix("10", 0.5), TypeError, "n must be a whole number .*got str '10'"),
    (lambda: WORLD.question_mix(10, NAN), ValueError, "dynamic_share must be a finite number, got nan"),
    (lambda: WORLD.question_mix(10, 0.5, days=[0]), ValueError, "days are numbered from 1"),
    (lambda: WORLD.question_mix(10, 0.5, split="test"), ValueError, "split must be one of"),
    (lambda: WORLD.question_mix(10, 0.5, seed=-2), ValueError, "seed must be at least 0"),
    (lambda: WORLD.entity(None), TypeError, "name must be an entity's name"),
    (lambda: WORLD.names("city"), ValueError, "kind must be one of"),
])
def test_wrong_world_inputs_are_refused_at_the_boundary(call, error, message):
    refused(call, error, message)


def test_a_world_keeps_its_clock_when_a_move_is_refused():
    world = World(seed=0, day=5)
    with pytest.raises(ValueError):
        world.advance(MAX_DAY)
    assert world.day == 5 and world.facts_on(5) == World(seed=0).facts_on(5)


@pytest.fixture(scope="module")
def course():
    return load_reader("course")


@pytest.mark.parametrize("kwargs, error, message", [
    ({"prompts": "Who founded Zentrix?"}, TypeError, r"prompts must be a list of strings, got one string .*lm.answer"),
    ({"prompts": [None]}, TypeError, r"prompts\[0\] must be a string, got NoneType"),
    ({"prompts": ["a"], "max_new_tokens": 0}, ValueError, "max_new_tokens must be at least 1, got 0"),
    ({"prompts": ["a"], "max_new_tokens": -3}, ValueError, "max_new_tokens must be at least 1, got -3"),
    ({"prompts": ["a"], "max_new_tokens": 512}, ValueError, "max_new_tokens must be below the model's context of 512"),
    ({"prompts": ["a"], "batch_size": 0}, ValueError, "batch_size must be at least 1, got 0"),
])
def test_generate_refuses_wrong_inputs(course, kwargs, error, message):
    refused(lambda: lm.generate(course.model, course.tokenizer, **kwargs), error, message)


def test_answer_refuses_a_bad_question_or_passages(course):
    refused(lambda: lm.answer(course.model, course.tokenizer, None), TypeError, "question must be a string")
    refused(lambda: lm.answer(course.model, course.tokenizer, "Who?", "a passage"), TypeError, "wrap a single passage")


def test_a_prompt_longer_than_the_context_keeps_its_end_and_fits(course):
    seen = []
    hook = course.model.register_forward_pre_hook(
        lambda _, args, kwargs: seen.append(kwargs["position_ids"].max().item()), with_kwargs=True)
    try:
        question = "Tell me about the towns of the world. " * 2700 + "Name the region of the town Holnok."
        assert len(question) > 100_000
        long, short = lm.generate(course.model, course.tokenizer, [lm.prompt(question), lm.prompt("Who?")])
    finally:
        hook.remove()
    assert max(seen) < 512  # never past the model's 512 positions
    assert long == course.ask("Name the region of the town Holnok.")  # the end of the question was kept
    ids, mask = torch.tensor([[0, 0, 5, 6, 7], [1, 2, 3, 4, 8]]), torch.tensor([[0, 0, 1, 1, 1], [1, 1, 1, 1, 1]])
    cut_ids, cut_mask = keep_end(ids, mask, 3, bos=1)
    assert cut_ids.tolist() == [[5, 6, 7], [1, 4, 8]] and cut_mask.tolist() == [[1, 1, 1], [1, 1, 1]]
    assert keep_end(ids, mask, 5, bos=1)[0] is ids  # prompts that fit are passed on untouched


@pytest.mark.parametrize("field, value, error, message", [
    ("lr", 0, ValueError, "lr must be above 0, got 0.0"),
    ("lr", -1e-3, ValueError, "lr must be above 0"),
    ("lr", NAN, ValueError, "lr must be a finite number"),
    ("lr", "7e-4", TypeError, "lr must be a number, got str"),
    ("steps", 0, ValueError, "steps must be at least 1, got 0"),
    ("steps", 10.5, TypeError, "steps must be a whole number"),
    ("batch_size", 0, ValueError, "batch_size must be at least 1, got 0"),
    ("seconds", -1, ValueError, "seconds must be at least 0"),
    ("seconds", INF, ValueError, "seconds must be a finite number"),
    ("lora_r", 0, ValueError, "lora_r must be at least 1"),
    ("lora_alpha", None, TypeError, "lora_alpha must be a whole number"),
    ("lora_targets", "q_proj", TypeError, "lora_targets must be a tuple of module names"),
    ("stop_at", 1.5, ValueError, "stop_at must be between 0 and 1, got 1.5"),
    ("check_every", 0, ValueError, "check_every must be at least 1"),
    ("replay", NAN, ValueError, "replay must be a finite number"),
    ("replay", 1.0, ValueError, "replay is a share of each batch"),
    ("seed", -1, ValueError, "seed must be at least 0"),
])
def test_finetune_configs_refuse_bad_fields(field, value, error, message):
    refused(lambda: FinetuneConfig(**{field: value}), error, message)


def test_finetune_configs_keep_their_defaults_and_check_a_field_changed_later():
    cfg = FinetuneConfig()
    assert (cfg.lr, cfg.steps, cfg.batch_size, cfg.replay, cfg.method) == (None, 150, 16, 0.0, "full")
    refused(lambda: FinetuneConfig(batch_size=2, replay=0.9), ValueError, "leaves no room for new examples")
    cfg.lr = 0
    refused(cfg.validate, ValueError, "lr must be above 0")
    refused(lambda: finetune_embedder([("q", "p")], "unused", lr=0), ValueError, "lr must be above 0")
    refused(lambda: finetune_embedder([("q", "p")], "unused", epochs=0), ValueError, "epochs must be at least 1")


@pytest.mark.parametrize("kwargs, error, message", [
    ({"days_kept": NAN}, TypeError, "days_kept must be a whole number .*got float nan"),
    ({"changes_per_day": NAN}, TypeError, "changes_per_day must be a whole number"),
    ({"retrain_every": INF}, TypeError, "retrain_every must be a whole number .*got float inf"),
    ({"retrain_every": 0}, ValueError, "retrain_every must be positive, got 0"),
    ({"queries_per_day": -5}, ValueError, "queries_per_day must be positive"),
    ({"dynamic_share": NAN}, ValueError, "dynamic_share must be a finite number"),
    ({"dynamic_share": "0.3"}, TypeError, "dynamic_share must be a number, got str"),
    ({"dynamic_share": 1.5}, ValueError, "dynamic_share is a proportion between 0 and 1"),
])
def test_scenarios_refuse_bad_fields(kwargs, error, message):
    refused(lambda: th.Scenario(**kwargs), error, message)


MEASURED = th.Measured(closed_static=0.95, stale_dynamic=0.05, ft_dynamic=0.4, rag_static=0.9,
                       rag_dynamic={1: 0.9, 30: 0.85}, ft_seconds_per_fact=0.1, index_seconds_per_doc=0.01,
                       query_seconds_closed=0.01, query_seconds_rag={1: 0.02, 30: 0.03})


@pytest.mark.parametrize("kwargs, error, message", [
    ({"closed_static": 1.7}, ValueError, r"Measured.closed_static \(an accuracy\) must be between 0 and 1, got 1.7"),
    ({"rag_static": NAN}, ValueError, "Measured.rag_static .*must be a finite number"),
    ({"hybrid_static": -0.1}, ValueError, "Measured.hybrid_static .*between 0 and 1"),
    ({"ft_seconds_per_fact": -1}, ValueError, "Measured.ft_seconds_per_fact must be at least 0"),
    ({"query_seconds_closed": INF}, ValueError, "Measured.query_seconds_closed must be a finite number"),
    ({"docs_per_fact": "0.6"}, TypeError, "Measured.docs_per_fact must be a number"),
    ({"rag_dynamic": {}}, ValueError, "Measured.rag_dynamic is empty"),
    ({"rag_dynamic": [0.9]}, TypeError, "Measured.rag_dynamic must be a dict"),
    ({"rag_dynamic": {0: 0.9}}, ValueError, "a days-kept key of Measured.rag_dynamic must be at least 1"),
    ({"rag_dynamic": {1: 1.2}}, ValueError, r"Measured.rag_dynamic\[1\] must be between 0 and 1"),
    ({"query_seconds_rag": {1: -0.1}}, ValueError, r"Measured.query_seconds_rag\[1\] must be at least 0"),
])
def test_measurements_refuse_bad_fields(kwargs, error, message):
    refused(lambda: replace(MEASURED, **kwargs), error, message)


def test_the_shipped_measurements_and_every_preset_still_pass():
    m = th.load_measurements(whose="shipped")
    assert all(th.recommend(s, m)[0] in th.STRATEGIES for s in th.PRESETS.values())
    refused(lambda: th.curves(th.Scenario(), m, points=1), ValueError, "points must be at least 2")


READER = CourseReader(model=None, tokenizer=None)  # every check below fires before the model is used


@pytest.mark.parametrize("call, error, message", [
    (lambda: READER.answer(None), TypeError, "questions must be a list of strings, got NoneType"),
    (lambda: READER.answer("Who founded Zentrix?"), TypeError, r"questions must be a list of strings.*wrap"),
    (lambda: READER.answer([42]), TypeError, r"questions\[0\] must be a string, got int 42"),
    (lambda: READER.answer(["  "]), ValueError, r"questions\[0\] is empty"),
    (lambda: READER.answer(["Who?"], ["one passage"]), TypeError, r"passages\[0\] must be a list of passage strings"),
    (lambda: READER.answer(["Who?"], "p"), TypeError, "passages must be a list with one list of passage strings"),
    (lambda: READER.ask(None), TypeError, "question must be a string, got NoneType"),
    (lambda: READER.ask("Who?", "a passage"), TypeError, "wrap a single passage in a list"),
    (lambda: READER.ask("x" * 100_000), ValueError, "question has 100000 characters"),
    (lambda: READER.accuracy(["Who?"]), TypeError, "items must be a list of ragft.reading.ReadingItem"),
    (lambda: CourseReader(None, None, max_new_tokens=0), ValueError, "max_new_tokens must be at least 1, got 0"),
    (lambda: parse_setting(5), TypeError, "the model setting must be a string .*got int 5"),
    (lambda: load_reader(["course"]), TypeError, "the model setting must be a string"),
    (lambda: make_llm(5), TypeError, "the model setting must be a string"),
    (lambda: make_llm("course", max_new_tokens=0), ValueError, "max_new_tokens must be at least 1, got 0"),
])
def test_wrong_reader_inputs_are_refused(call, error, message):
    refused(call, error, message)


@pytest.mark.parametrize("setting", ["course:gpt2", "hf:gpt2", "hf:Qwen/Qwen2.5-0.5B-Instruct", "course:org/model"])
def test_a_hub_name_is_refused_without_opening_a_socket(setting, monkeypatch):
    tried = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, address: tried.append(address))
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **k: tried.append(host))
    with pytest.raises(FileNotFoundError, match="never a hub name"):
        make_llm(setting)
    with pytest.raises(FileNotFoundError, match="never a hub name"):
        load_reader(setting)
    assert tried == []


INDEX = DocIndex(WORLD, range(1, 4))
FACT = WORLD.facts_on(2)[0]
RNG = np.random.default_rng(0)


@pytest.mark.parametrize("call, error, message", [
    (lambda: open_book_example(INDEX, FACT, "Q?", -1, RNG), ValueError, "k must be at least 0, got -1"),
    (lambda: open_book_example(INDEX, FACT, "Q?", 1.5, RNG), TypeError, "k must be a whole number"),
    (lambda: open_book_example(INDEX, FACT, None, 1, RNG), TypeError, "question must be a string"),
    (lambda: open_book_example(INDEX, FACT, "Q?", 1, 0), TypeError, "rng must be a numpy Generator"),
    (lambda: open_book_example(INDEX, WORLD.facts_on(9)[0], "Q?", 1, RNG), ValueError,
     "the index covers days 1 to 3; build DocIndex"),
    (lambda: eval_sets(WORLD, split="test"), ValueError, "split must be one of"),
    (lambda: eval_sets(WORLD, ks=4), TypeError, r"ks must be a list of numbers of distractors such as \(0, 2, 4\)"),
    (lambda: eval_sets(WORLD, ks=(0, -1)), ValueError, r"ks\[1\] must be at least 0, got -1"),
    (lambda: eval_sets(WORLD, seed="0"), TypeError, "seed must be a whole number"),
    (lambda: subsample([1, 2], -1, 0), ValueError, "n must be at least 0"),
])
def test_wrong_reading_task_inputs_are_refused(call, error, message):
    refused(call, error, message)


def test_k_zero_is_the_gold_passage_alone():
    item = open_book_example(INDEX, FACT, "Q?", 0, np.random.default_rng(0))
    assert isinstance(item, ReadingItem) and len(item.passages) == 1 and FACT.sentence in item.passages[0]
