"""The course language model: tokenizer, prompt format, data, training, checkpoints and the shipped model."""

import argparse
import hashlib
import json
import re
from dataclasses import replace

import numpy as np
import pytest
import torch

from ragft import lm, reading
from ragft.lm import card
from ragft.lm.__main__ import add_config_options, configs_from
from ragft.world import N_TRAIN_WORDINGS, QUESTIONS, STATEMENTS, World


@pytest.mark.parametrize("text", ["184.20", "-3", "day 61", "1907", "0.05", "98765.43"])
def test_tokenizer_round_trips_numbers(tokenizer, text):
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    assert tokenizer.unk_token_id not in ids
    assert lm.detokenize(tokenizer.decode(ids)) == text


def test_tokenizer_round_trips_names(tokenizer, world):
    for name in world.people[:5] + world.products[:5] + world.towns[:3]:
        ids = tokenizer(name, add_special_tokens=False)["input_ids"]
        assert tokenizer.unk_token_id not in ids
        assert lm.detokenize(tokenizer.decode(ids)) == name.lower()


def test_heldout_only_words_are_unknown_to_the_model(tokenizer):
    tokens = tokenizer.convert_ids_to_tokens(tokenizer("Tell me the weather.", add_special_tokens=False)["input_ids"])
    assert tokens == ["[UNK]", "[UNK]", "the", "weather", "."]


def test_every_digit_is_its_own_token_so_unseen_numbers_are_representable(tokenizer):
    tokens = tokenizer.convert_ids_to_tokens(tokenizer("98765.43", add_special_tokens=False)["input_ids"])
    assert tokens == ["9", "8", "7", "6", "5", ".", "4", "3"]


def test_tokenizer_is_lower_cased_and_knows_every_entity(tokenizer, world):
    assert tokenizer("Holnok")["input_ids"] == tokenizer("holnok")["input_ids"]
    names = world.towns + world.companies + world.people + world.rivers + world.products
    ids = tokenizer(" ".join(names), add_special_tokens=False)["input_ids"]
    assert tokenizer.unk_token_id not in ids


def test_detokenize_cleans_generated_text():
    assert lm.detokenize("1 8 4 . 2 0") == "184.20"
    assert lm.detokenize("- 3") == "-3"
    assert lm.detokenize(" ana  brill ") == "ana brill"


def test_prompt_format_closed_and_open_book():
    assert lm.prompt("Who founded Zentrix?") == "question: Who founded Zentrix?\nanswer:"
    p = lm.prompt("What was the high?", ["Weather report.\nOn day 1 it was 3 degrees.", "Other doc."])
    assert p == ("passage 1: Weather report. On day 1 it was 3 degrees.\npassage 2: Other doc.\n"
                 "question: What was the high?\nanswer:")
    assert lm.prompt("Q?", []) == lm.prompt("Q?")


@pytest.mark.parametrize("data_cfg", [lm.DataConfig()] + [stage.data for stage in lm.LATER_STAGES],
                         ids=["stage 1"] + [stage.name for stage in lm.LATER_STAGES])
def test_training_data_uses_only_training_days_and_wordings(tokenizer, world, data_cfg):
    stream = lm.PretrainStream(tokenizer, data_cfg, world)
    assert max(f.day for f in stream.dynamic) == reading.TRAINING_DAYS
    assert max(d.day for d in stream.index.docs) == reading.TRAINING_DAYS
    text = " ".join(tokenizer.decode(stream.sample()[0]) for _ in range(400))
    assert text.count("question :") > 300
    for heldout_start in ("name the", "since which year", "how many degrees", "how much were"):
        assert heldout_start not in text
    days = {int(d.replace(" ", "")) for d in re.findall(r"day ((?:\d )*\d)", text)}
    assert max(days) <= reading.TRAINING_DAYS


def test_cloze_questions_are_blanked_statements_never_heldout_wordings():
    assert reading.cloze("The sky over {e} on day {d} was {v}.", "weather") == "The sky over {e} on day {d} was what?"
    assert reading.cloze("{v} founded the company {e}.", "founder") == "Who founded the company {e}?"
    for attribute, templates in STATEMENTS.items():
        heldout = set(QUESTIONS[attribute][N_TRAIN_WORDINGS:])
        assert not heldout & {reading.cloze(t, attribute) for t in templates}, attribute


def test_requests_end_some_training_questions_with_a_full_stop(tokenizer, world):
    """request_share asks a training question like a request ('.'), the way most held-out wordings end."""
    always = lm.PretrainStream(tokenizer, lm.DataConfig(request_share=1.0, unk_noise=0.0), world)
    assert always.noisy("What was the high in Holnok on day 3?") == "What was the high in Holnok on day 3."
    never = lm.PretrainStream(tokenizer, lm.DataConfig(unk_noise=0.0), world)
    assert never.noisy("What was the high in Holnok on day 3?") == "What was the high in Holnok on day 3?"


def test_similar_values_keep_one_entitys_counterfactual_numbers_close(tokenizer, world):
    """similar_values draws an entity's prices and highs near its first one in the exercise, as the world's
    days are, so the reader must tell 245.69 from 246.59; without it every number is drawn afresh."""
    def numbers(share):
        stream = lm.PretrainStream(tokenizer, lm.DataConfig(similar_values=share), world)
        out = {}
        for kind, entity in (("market", world.companies[0]), ("weather", world.towns[0])):
            docs = [d for d in stream.index.by_entity[entity] if d.kind == kind][:6]
            texts, stated = stream.counterfactual(docs)
            out[kind] = [float(stated[fid].value) for d in docs for fid in d.facts
                         if stated[fid].attribute in ("close", "high")]
        return out
    close = numbers(1.0)
    assert max(close["market"]) / min(close["market"]) < 1.5
    assert max(close["weather"]) - min(close["weather"]) <= 6
    apart = numbers(0.0)
    assert max(apart["market"]) / min(apart["market"]) > 1.5 and max(apart["weather"]) - min(apart["weather"]) > 6


def test_later_stages_go_on_from_the_first_and_keep_one_history(tokenizer):
    tiny = lm.ModelConfig(d_model=32, n_layers=1, n_heads=2, d_ff=64)
    short = lm.TrainConfig(steps=6, batch_size=2, seq_len=128, warmup=2, eval_every=0, threads=1)
    model, tok, history = lm.pretrain(tokenizer, tiny, short, progress=False)
    first = history
    for stage in lm.LATER_STAGES:
        before = {k: v.clone() for k, v in model.state_dict().items()}
        model, tok, history = lm.continue_pretraining(model, tok, history, replace(stage, train=short), progress=False)
        assert any(not torch.equal(before[k], v) for k, v in model.state_dict().items())
    n = len(lm.LATER_STAGES)
    assert [s["step"] for s in history["steps"]] == list(range(1, 6 * (n + 1) + 1))
    assert [c["from_step"] for c in history["stages"]] == [6 * i for i in range(1, n + 1)]
    assert [c["name"] for c in history["stages"]] == [stage.name for stage in lm.LATER_STAGES]
    assert all(c["config"]["data"]["cloze_share"] > 0 for c in history["stages"])
    assert history["seconds"] >= first["seconds"] and history["tokens"] > first["tokens"]


def test_later_stages_always_show_distractors(tokenizer, world):
    """Every reading exercise of the later stages has at least min_distractors distractor passages."""
    for stage in lm.LATER_STAGES:
        assert stage.data.min_distractors >= 1
        stream = lm.PretrainStream(tokenizer, stage.data, world)
        counts = []
        for _ in range(300):
            text = tokenizer.decode(stream.sample()[0])
            if "passage 1 :" in text:
                counts.append(len(re.findall(r"passage \d+ :", text)))
        assert counts and min(counts) >= 1 + stage.data.min_distractors, stage.name


def test_reading_example_contains_gold_passage_and_distractors(world):
    index = reading.DocIndex(world, range(1, 11))
    fact = [f for f in world.facts_on(5) if f.attribute == "high"][0]
    item = reading.open_book_example(index, fact, "What was the high?", 3, np.random.default_rng(0))
    text = lm.prompt(item.question, item.passages)
    assert item.gold == fact.value and text.count("passage ") == 4
    assert index.gold[fact.id].text.split()[0] in text


def test_eval_sets_use_unseen_days_and_heldout_wordings(world):
    sets = reading.eval_sets(world)
    assert len(sets["closed_book_static"]) == len(world.static_facts()) * 2
    for item in sets["open_book_k2"][:50]:
        p = lm.prompt(item.question, item.passages)
        assert p.count("passage ") == 3
        assert any(f"day {d}" in p.split("question:")[1] for d in reading.EVAL_DAYS)


# sha256 of the first 100 examples of each stage's stream, as the kit produced them when the model was shipped
STREAM_FINGERPRINTS = {"stage 1": "a5eb9de5b241389f", "cloze and distractors": "2c8c76bba4e55cb5",
                       "more distractors": "77e7d612dcdf9f41", "requests and look-alike numbers": "3761ea494d4be1e0"}


@pytest.mark.parametrize("name", list(STREAM_FINGERPRINTS))
def test_pretraining_stream_is_unchanged(tokenizer, name):
    """The shipped checkpoint is reproducible only while every stage's stream yields the same examples."""
    data = {"stage 1": lm.DataConfig(), **{stage.name: stage.data for stage in lm.LATER_STAGES}}[name]
    stream = lm.PretrainStream(tokenizer, data, World(seed=0))
    examples = json.dumps([list(stream.sample()) for _ in range(100)])
    assert hashlib.sha256(examples.encode()).hexdigest()[:16] == STREAM_FINGERPRINTS[name]


def test_cli_options_are_the_config_fields_with_their_defaults():
    parser = argparse.ArgumentParser()
    add_config_options(parser)
    assert configs_from(parser.parse_args([])) == [lm.ModelConfig(), lm.TrainConfig(), lm.DataConfig()]
    assert lm.TrainConfig().threads == 2  # `make model` trains its first stage on 2 threads, as the shipped model
    model_cfg, train_cfg, data_cfg = configs_from(parser.parse_args(["--seed", "5", "--n-layers", "2", "--no-bf16"]))
    assert (model_cfg.n_layers, train_cfg.seed, data_cfg.seed, train_cfg.bf16) == (2, 5, 5, False)


def test_model_card_tells_how_every_stage_was_found(tmp_path):
    assert set(card.STORY) == {stage.name for stage in lm.LATER_STAGES}
    history = json.loads((lm.DEFAULT_DIR / "history.json").read_text())
    metrics = json.loads((lm.DEFAULT_DIR / "benchmark.json").read_text())
    text = lm.write_model_card(tmp_path, history, metrics, "python -m ragft.lm pretrain").read_text()
    assert "## How the stages were found" in text
    assert all(story in text for story in card.STORY.values())
    assert f"| open_book_k2 | {metrics['open_book_k2']:.3f} |" in text


def test_training_runs_and_loss_decreases(tokenizer):
    torch.manual_seed(0)
    _, _, hist = lm.pretrain(tokenizer, lm.ModelConfig(d_model=32, n_layers=1, n_heads=2, d_ff=64),
                             lm.TrainConfig(steps=30, batch_size=4, seq_len=128, lr=3e-3, warmup=5, eval_every=0, threads=1),
                             progress=False)
    losses = [s["loss"] for s in hist["steps"]]
    assert len(losses) == 30 and np.mean(losses[-5:]) < np.mean(losses[:5])
    assert hist["tokens_per_second"] > 0 and hist["params"] > 0


def test_save_load_round_trip_gives_identical_generations(tokenizer, tmp_path):
    torch.manual_seed(0)
    model = lm.build_model(tokenizer, lm.ModelConfig(d_model=32, n_layers=1, n_heads=2, d_ff=64))
    prompts = [lm.prompt("Who founded Zentrix?"), lm.prompt("What was the high?", ["On day 1 it was 3 degrees."])]
    before = lm.generate(model, tokenizer, prompts, max_new_tokens=5)
    lm.save(model, tokenizer, tmp_path / "m")
    model2, tok2 = lm.load(tmp_path / "m")
    assert lm.generate(model2, tok2, prompts, max_new_tokens=5) == before
    assert lm.count_parameters(model2) == lm.count_parameters(model)


def test_batched_generation_matches_one_at_a_time():
    model, tok = lm.load(lm.DEFAULT_DIR)
    prompts = [lm.prompt("Who founded Zentrix?"), lm.prompt("What was the high in Holnok on day 61?",
                                                            ["Weather report for Holnok, day 61.\nOn day 61 the high in Holnok was -3 degrees."])]
    assert lm.generate(model, tok, prompts) == [lm.generate(model, tok, [p])[0] for p in prompts]


TARGETS = {"closed_book_static_heldout": 0.95, "open_book_k0": 0.98, "open_book_k2": 0.95, "open_book_k4": 0.90}


@pytest.fixture(scope="module")
def shipped_sample():
    return lm.benchmark(lm.DEFAULT_DIR, sample=40)


@pytest.mark.slow
def test_shipped_checkpoint_reproduces_its_model_card_figures(shipped_sample):
    res = shipped_sample
    assert set(res) >= {"closed_book_static_heldout", "open_book_k0", "open_book_k2", "open_book_k4",
                        "closed_book_unseen_day", "pretrain_seconds", "params", "tokens_per_second"}
    card = json.loads((lm.DEFAULT_DIR / "benchmark.json").read_text())
    for key in TARGETS:  # 40 questions vs the full set: allow ~3 standard errors of sampling noise
        assert abs(res[key] - card[key]) <= 0.25, (key, res[key], card[key])
    assert res["closed_book_unseen_day"] <= 0.5  # the model is stale: it cannot know an unseen day
    assert res["params"] < 5_000_000 and res["pretrain_seconds"] <= 65 * 60


@pytest.mark.slow
@pytest.mark.parametrize("key", list(TARGETS))
def test_shipped_checkpoint_meets_course_targets(shipped_sample, key):
    card = json.loads((lm.DEFAULT_DIR / "benchmark.json").read_text())
    assert card[key] >= TARGETS[key], f"{key}: the full set scores {card[key]:.3f}, below the {TARGETS[key]:.2f} target"
    assert shipped_sample[key] >= TARGETS[key] - 0.1
