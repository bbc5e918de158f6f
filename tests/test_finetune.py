"""Fine-tuning a reader on a tiny config: full and LoRA learn, the base model is untouched, replay and options work."""

import pytest
import torch

from ragft import lm
from ragft import finetune as finetune_module
from ragft.evaluate import Estimate
from ragft.finetune import (DATA, REPLAY, REPLAY_POOL, FinetuneConfig, adapter_bytes, daily_config, finetune, memorised,
                            merge, replay_split, report, training_examples)
from ragft.reading import ReadingItem, closed_book_items, completion, continues_with
from ragft.readers import CourseReader, Reader
from ragft.world import ATTRIBUTES, STATEMENTS, World

WORLD = World(seed=0, n_towns=3, n_companies=2, n_people=2, day=2)


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    tokenizer = lm.train_tokenizer(WORLD)
    model = lm.build_model(tokenizer, lm.ModelConfig(d_model=48, n_layers=2, n_heads=2, d_ff=96))
    return CourseReader(model, tokenizer)


def test_training_data_forms():
    facts = WORLD.facts_on(2)[:2]
    raw = training_examples(WORLD, facts, "raw")
    para = training_examples(WORLD, facts, "paraphrase")
    assert raw == [f.sentence for f in facts]
    assert len(para) == 2 * 5 + 2 * 4 and any(isinstance(e, ReadingItem) and e.gold == facts[0].value for e in para)
    assert all("Tell me" not in (e if isinstance(e, str) else e.question) for e in para)  # never a held-out wording


def test_the_2x2_of_statements_and_qa_pairs_differs_only_in_what_it_names():
    facts = WORLD.facts_on(2)
    forms = {data: training_examples(WORLD, facts, data) for data in DATA}
    assert set(DATA) == {"raw", "raw_qa", "paraphrase_no_qa", "paraphrase"}
    statements = [s for f in facts for s in WORLD.statements(f)]
    qa = closed_book_items(WORLD, facts, "train")
    assert len(statements) == 5 * len(facts) and len(qa) == 4 * len(facts)
    assert forms["raw"] == [f.sentence for f in facts]                      # unchanged: the sentence once, no QA
    assert forms["paraphrase"] == statements + qa                           # unchanged: every statement, then QA
    assert forms["raw_qa"] == [f.sentence for f in facts] + qa              # the sentence once, then the same QA
    assert forms["paraphrase_no_qa"] == statements                          # every statement, no QA
    for data, (paraphrased, with_qa) in DATA.items():
        items = [e for e in forms[data] if isinstance(e, ReadingItem)]
        assert bool(items) == with_qa and (items == qa if with_qa else True), data
        texts = [e for e in forms[data] if isinstance(e, str)]
        assert texts == (statements if paraphrased else [f.sentence for f in facts]), data
    assert all(f.sentence in statements for f in facts)  # the raw sentence is one of the paraphrases


def test_a_data_form_outside_the_2x2_is_refused_with_the_forms_named():
    for data in DATA:
        assert FinetuneConfig(data=data).data == data
    with pytest.raises(ValueError, match="'raw', 'raw_qa', 'paraphrase_no_qa', 'paraphrase'.*got 'qa'"):
        FinetuneConfig(data="qa")
    cfg = FinetuneConfig()
    cfg.data = "statements"
    with pytest.raises(ValueError, match="finetune.DATA"):
        cfg.validate()
    with pytest.raises(ValueError, match="data must be one of"):
        training_examples(WORLD, WORLD.facts_on(2), "books")


def test_the_memorisation_probe_cuts_the_training_sentence_just_before_the_value(world, tokenizer):
    facts = world.static_facts() + world.facts_on(61)
    one_of_each = {f.attribute: f for f in reversed(facts)}
    assert set(one_of_each) == set(ATTRIBUTES)
    long_values = 0
    for attribute, fact in one_of_each.items():
        head = STATEMENTS[attribute][0].split("{v}")[0]
        if "{e}" not in head:  # 'The river {v} flows through {e}.': no beginning of it asks for the value
            with pytest.raises(ValueError, match="before naming the fact"):
                completion(fact)
            continue
        probe = completion(fact)
        assert (probe.value, probe.fact) == (fact.value, fact.id) and fact.entity in probe.prefix
        assert not fact.dynamic or f"day {fact.day}" in probe.prefix
        assert fact.sentence.startswith(probe.prefix + " " + fact.value), attribute
        # in tokens: the prefix is the training text's own beginning, and the value's tokens come next
        text, _ = lm.encode(tokenizer, fact.sentence)
        start = tokenizer(probe.prefix)["input_ids"]
        value = tokenizer(" " + fact.value, add_special_tokens=False)["input_ids"]
        assert text[:len(start)] == start and text[len(start):len(start) + len(value)] == value, attribute
        assert tokenizer.unk_token_id not in start + value
        long_values += len(value) > 1
        rest = fact.sentence[len(probe.prefix):]
        assert continues_with(rest, fact.value) and continues_with(lm.detokenize(tokenizer.decode(
            text[len(start):], skip_special_tokens=True)), fact.value), attribute
    assert long_values >= 3  # prices (437.36: six tokens), highs (-7), chief executives (two names)
    assert set(one_of_each) - {a for a in ATTRIBUTES if "{e}" in STATEMENTS[a][0].split("{v}")[0]} == {"river"}


def test_a_continuation_is_right_only_when_its_first_words_are_the_whole_value():
    assert continues_with("437.36.", "437.36") and continues_with("-7 degrees.", "-7")
    assert continues_with("rosa kroward as chief executive.", "Rosa Kroward")
    assert not continues_with("437.3", "437.36") and not continues_with("437.365.", "437.36")
    assert not continues_with("-71 degrees.", "-7") and not continues_with("rosa as chief executive.", "Rosa Kroward")
    assert not continues_with("degrees -7", "-7") and not continues_with("", "-7")


def test_memorised_continues_the_bare_prefix_and_reads_its_first_words():
    class Scripted(Reader):
        def generate(self, prompts, max_new_tokens=None):
            self.prompts = list(prompts)
            return ["foggy.", "3 degrees."]

    today = World(seed=0).facts_on(61)
    facts = [next(f for f in today if f.attribute == attribute) for attribute in ("weather", "high")]
    reader = Scripted(None, None)
    right = memorised(reader, facts)
    assert reader.prompts == [completion(f).prefix for f in facts]  # no question, no 'answer:': the text itself
    assert right == [facts[0].value == "foggy", facts[1].value == "3"]


def test_encode_and_collate_weigh_the_answer(tiny):
    tok = tiny.tokenizer
    ids, w = lm.encode(tok, lm.prompt("Who founded X?"), "Ana")
    assert ids[-1] == tok.eos_token_id and w[-1] == 1.0 and w[0] == 0.25
    x, y, weights = lm.collate([(ids, w), (ids[:3], w[:3])], tok.pad_token_id)
    assert x.shape == y.shape == weights.shape and weights[1, 2:].sum() == 0


def test_the_daily_recipe_is_full_fine_tuning_on_paraphrases_with_replay():
    cfg = daily_config()
    assert (cfg.method, cfg.data, cfg.steps, cfg.replay) == ("full", "paraphrase", 100, REPLAY)
    assert daily_config(steps=120).steps == 120


@pytest.mark.parametrize("method", ["full", "lora"])
def test_fine_tuning_learns_the_new_facts_and_leaves_the_base_model_alone(tiny, method, tmp_path):
    model = tiny.model
    before = {k: v.clone() for k, v in model.state_dict().items()}
    facts = WORLD.facts_on(2)[:4]
    cfg = FinetuneConfig(method=method, steps=60, lr=1e-2, batch_size=8)
    result = finetune(tiny, WORLD, facts, cfg, progress=False)
    first, last = sum(result.losses[:10]) / 10, sum(result.losses[-10:]) / 10
    assert last < first * (0.6 if method == "full" else 0.95), (first, last)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert type(result.reader) is CourseReader and result.reader.model is result.model and tiny.model is model
    assert result.trainable_params < result.total_params if method == "lora" else result.trainable_params == result.total_params
    r = report(result, WORLD, facts, WORLD.static_facts())
    assert set(r) >= {"new_heldout", "new_trained_wording", "old_heldout", "old_replayed", "seconds", "trainable_params"}
    old_items = closed_book_items(WORLD, replay_split(WORLD.static_facts())[1])
    assert r["old_heldout"] == result.reader.score(old_items) and isinstance(r["old_heldout"], Estimate)
    assert r["old_heldout"].value == result.reader.accuracy(old_items)
    new_items = closed_book_items(WORLD, facts, "heldout")
    assert r["new_heldout"] == result.reader.score(new_items)
    assert r["correct"]["new_heldout"] == result.reader.correct(new_items)  # the outcomes evaluate.compare pairs
    assert len(r["correct"]["new_trained_wording"]) == r["new_trained_wording"].n == 4 * len(facts)
    size = adapter_bytes(result, tmp_path / method)
    assert size > 0 and (size < 200_000 if method == "lora" else True)
    merged = merge(result)
    assert type(merged).__name__ == "LlamaForCausalLM"
    assert lm.generate(merged, tiny.tokenizer, [lm.prompt("Who?")]) == result.reader.answer(["Who?"])


def test_replay_and_early_stopping(tiny):
    facts = WORLD.facts_on(2)[:2]
    result = finetune(tiny, WORLD, facts, FinetuneConfig(steps=400, lr=1e-2, batch_size=8, replay=0.25, stop_at=0.0,
                                                         check_every=10), old_facts=WORLD.static_facts(), progress=False)
    assert result.steps == 10  # stop_at=0 is reached at the first check
    assert 0.0 <= result.reader.accuracy(closed_book_items(WORLD, facts, "train")) <= 1.0


def test_the_replay_split_is_deterministic_disjoint_and_stable():
    facts = World(seed=0).static_facts()
    pool, held_out = replay_split(facts)
    assert (pool, held_out) == replay_split(list(facts))
    assert not {f.id for f in pool} & {f.id for f in held_out} and len(pool) + len(held_out) == len(facts)
    assert abs(len(pool) / len(facts) - REPLAY_POOL) < 0.05  # 101 of 208 static facts
    grown_pool, grown_held_out = replay_split(facts + World(seed=0).facts_on(62))  # more old facts: no fact changes side
    assert set(pool) <= set(grown_pool) and set(held_out) <= set(grown_held_out)
    assert replay_split(facts, 0.0) == ([], facts) and replay_split(facts, 1.0) == (facts, [])


def test_replay_never_shows_a_held_out_old_fact(tiny, monkeypatch):
    seen = {}
    monkeypatch.setattr(finetune_module, "train_on", lambda reader, examples, cfg, old, *a, **k: seen.update(old=old))
    old_facts = WORLD.static_facts()
    finetune(tiny, WORLD, WORLD.facts_on(2)[:2], FinetuneConfig(replay=0.5), old_facts=old_facts, progress=False)
    texts = {e if isinstance(e, str) else e.question for e in seen["old"]}
    pool, held_out = replay_split(old_facts)
    assert held_out and pool
    for fact in held_out:
        assert not texts & set(WORLD.statements(fact)), fact
        assert not texts & {q.question for q in WORLD.questions(fact, "all")}, fact
    assert all(fact.sentence in texts for fact in pool)


def test_bad_options_are_refused(tiny):
    with pytest.raises(ValueError, match="'full' or 'lora'"):
        FinetuneConfig(method="qlora")
    with pytest.raises(ValueError, match="'raw', 'raw_qa', 'paraphrase_no_qa', 'paraphrase'"):
        FinetuneConfig(data="books")
    with pytest.raises(ValueError, match="replay needs old_facts"):
        finetune(tiny, WORLD, WORLD.facts_on(2), FinetuneConfig(replay=0.2), progress=False)
    with pytest.raises(ValueError, match="nothing to learn"):
        finetune(tiny, WORLD, [], progress=False)


def test_train_on_learns_given_examples_and_refuses_bad_settings(tiny):
    from ragft.finetune import train_on

    examples = [ReadingItem("Who founded Zentrix?", (), "Ana"), ReadingItem("Where is Holnok?", (), "Norvale")]
    result = train_on(tiny, examples, FinetuneConfig(steps=120, lr=1e-2, batch_size=4), progress=False)
    assert result.steps == 120 and result.losses[-1] < result.losses[0] / 2
    assert result.reader.accuracy(examples) == 1.0
    with pytest.raises(ValueError, match="no training examples"):
        train_on(tiny, [], progress=False)
    with pytest.raises(ValueError, match="replay"):
        train_on(tiny, examples, FinetuneConfig(replay=0.5), progress=False)
    with pytest.raises(ValueError, match="check questions"):
        train_on(tiny, examples, FinetuneConfig(stop_at=0.9), progress=False)


def test_the_seeds_bench_reports_mean_and_spread_of_every_figure():
    from ragft.course.bench_seeds import spread

    per_seed = [{"acc": {"value": v, "interval": [v - 0.1, v + 0.1], "n": 10}} for v in (0.5, 0.7, 0.6)]
    acc = spread(per_seed)["acc"]
    assert (acc["mean"], acc["min"], acc["max"], acc["std"]) == (0.6, 0.5, 0.7, 0.1)
    assert acc["per_seed"] == [{k: s["acc"][k] for k in ("value", "interval", "n")} for s in per_seed]


def test_lean_step_reads_the_output_layer_in_chunks_with_the_same_gradients_as_one_product(monkeypatch):
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    model = LlamaForCausalLM(LlamaConfig(vocab_size=300, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                                         num_attention_heads=4, num_key_value_heads=2, tie_word_embeddings=True))
    x = torch.randint(300, (4, 40))
    y, w = torch.randint(300, (4, 40)), (torch.rand(4, 40) > 0.3).float()  # 100-odd positions: four chunks of 32
    keep = w > 0
    assert keep.sum() > 3 * finetune_module.LOSS_ROWS
    grads = {}
    for how in ("one product", "lean_step"):
        tuned = finetune_module.frozen_copy(model)  # the word table (the output layer too) frozen, as under LoRA
        params = [p.requires_grad_(True) for n, p in tuned.named_parameters() if "embed_tokens" not in n]
        if how == "one product":
            logits = tuned.lm_head(tuned.model(input_ids=x).last_hidden_state[keep])
            loss = (torch.nn.functional.cross_entropy(logits, y[keep], reduction="none") * w[keep]).sum() / w[keep].sum()
            loss.backward()
        else:
            optimiser = torch.optim.SGD(params, lr=0.1)
            monkeypatch.setattr(optimiser, "step", lambda: None)  # the gradients as the update would see them
            step_loss = finetune_module.lean_step(tuned, optimiser, (x, y, w), clip=1e9)
        grads[how] = [p.grad for p in params]
    assert step_loss == pytest.approx(loss.item(), rel=1e-6)
    assert all(torch.equal(a, b) for a, b in zip(*grads.values())) and len(grads["lean_step"]) > 10
