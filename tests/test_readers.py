"""The reader seam: the course model and any local transformers checkpoint behind one interface, as readers and
as LangChain LLMs; the real-LLM server settings (built, never called)."""

import pytest
from langchain_core.language_models.fake import FakeListLLM
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import PromptTemplate

from ragft import lm
from ragft.evaluate import exact_match
from ragft.reading import ReadingItem
from ragft.readers import (INSTRUCTION, CourseReader, HFReader, ReaderLLM, extract_answer, extract_for,
                           items_per_setting, load_reader, make_llm, parse_setting, prompt_for)
from ragft.world import World

CHAT_TEMPLATE = ("{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}\n{% endfor %}"
                 "{% if add_generation_prompt %}<|assistant|>\n{% endif %}")


@pytest.fixture(scope="module")
def tiny_checkpoint(tmp_path_factory):
    tokenizer = lm.train_tokenizer(World(seed=0, n_towns=3, n_companies=2, n_people=3))
    model = lm.build_model(tokenizer, lm.ModelConfig(d_model=32, n_layers=1, n_heads=2, d_ff=64))
    return lm.save(model, tokenizer, tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def course():
    return load_reader("course")


def test_the_course_reader_answers_as_lm_generate_on_lm_prompt(tiny_checkpoint):
    reader = load_reader(f"course:{tiny_checkpoint}")
    assert isinstance(reader, CourseReader)
    questions = ["What is the river of Holnok?", "Who founded Zentrix?", "What was the high?"]
    passages = [(), ("On day 1 it was 3 degrees.",), ("Doc one.", "Doc two.")]
    prompts = [lm.prompt(q, p) for q, p in zip(questions, passages)]
    assert [reader.prompt(q, p) for q, p in zip(questions, passages)] == prompts
    direct = lm.generate(reader.model, reader.tokenizer, prompts)
    assert reader.answer(questions, passages) == direct
    assert reader.answer(questions[:1]) == direct[:1] and reader.ask(questions[1], passages[1]) == direct[1]
    items = [ReadingItem(q, p, a) for q, p, a in zip(questions, passages, [direct[0], "nonsense", direct[2]])]
    assert reader.accuracy(items) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="one per question"):
        reader.answer(questions, passages[:1])


def test_with_model_keeps_the_reader_and_swaps_the_model(tiny_checkpoint):
    reader = load_reader(f"course:{tiny_checkpoint}")
    other = lm.build_model(reader.tokenizer, lm.ModelConfig(d_model=32, n_layers=1, n_heads=2, d_ff=64))
    swapped = reader.with_model(other)
    assert type(swapped) is CourseReader and swapped.model is other and swapped.tokenizer is reader.tokenizer
    assert reader.model is not other
    assert swapped.answer(["Who?"]) == lm.generate(other, reader.tokenizer, [lm.prompt("Who?")])


def test_a_loaded_reader_is_reused_for_its_own_setting_and_a_fine_tuned_copy_never(monkeypatch, tiny_checkpoint):
    monkeypatch.setenv("RAGFT_MODEL", f"course:{tiny_checkpoint}")
    selected = load_reader()
    assert selected.setting == f"course:{tiny_checkpoint}"
    assert load_reader(f" course:{tiny_checkpoint} ", reuse=selected) is selected   # the same setting: not loaded again
    other = load_reader(f"hf:{tiny_checkpoint}", reuse=selected)                 # another one: loaded
    assert isinstance(other, HFReader) and other.setting == f"hf:{tiny_checkpoint}"
    copy = selected.with_model(lm.build_model(selected.tokenizer, lm.ModelConfig(d_model=32, n_layers=1, n_heads=2,
                                                                                  d_ff=64)))
    assert copy.setting is None, "a copy around other weights is not the model its setting names"
    fresh = load_reader(f"course:{tiny_checkpoint}", reuse=copy)
    assert fresh is not copy and fresh.model is not copy.model
    with pytest.raises(TypeError, match="reuse must be a Reader"):
        load_reader("course", reuse="course")


def test_a_reader_runs_in_an_lcel_chain(tiny_checkpoint):
    llm = make_llm(f"course:{tiny_checkpoint}", max_new_tokens=3)
    assert isinstance(llm, ReaderLLM) and isinstance(llm.reader, CourseReader)
    chain = PromptTemplate.from_template("{p}") | llm | StrOutputParser()
    prompt = lm.prompt("What is the river of Holnok?")
    direct = lm.generate(llm.reader.model, llm.reader.tokenizer, [prompt], max_new_tokens=3)[0]
    assert chain.invoke({"p": prompt}) == direct
    assert llm.batch([prompt, prompt]) == [direct, direct]


def test_the_course_model_folder_is_a_transformers_checkpoint_any_reader_loads(course):
    reader = load_reader(f"hf:{lm.DEFAULT_DIR}")
    assert isinstance(reader, HFReader) and not reader.chat          # no chat template: the plain reading prompt
    world = World(seed=0)
    qa = [q for q in world.qa(world.static_facts(), "heldout") if q.attribute in ("region", "river", "sector")][:6]
    questions = [q.question for q in qa]
    assert [reader.prompt(q) for q in questions] == [lm.prompt(q) for q in questions]
    answers = reader.answer(questions)
    assert answers == course.answer(questions)                       # greedy through model.generate, same words
    assert all(exact_match(a, q.answer) for a, q in zip(answers, qa))
    llm = make_llm(f"hf:{lm.DEFAULT_DIR}")
    assert isinstance(llm.reader, HFReader) and exact_match(llm.invoke(lm.prompt(questions[0])), qa[0].answer)


def test_a_tokenizer_with_a_chat_template_gets_an_instruction_and_the_template(tiny_checkpoint):
    reader = load_reader(f"hf:{tiny_checkpoint}")
    reader.tokenizer.chat_template = CHAT_TEMPLATE
    assert reader.chat
    prompt = reader.prompt("Who  founded Zentrix?", ["Zentrix was founded\nby Ana.", "Other doc."])
    assert prompt == (f"<|system|>\n{INSTRUCTION}\n<|user|>\nQuestion: Who founded Zentrix?\n"
                      "Passage 1: Zentrix was founded by Ana.\n"
                      "Passage 2: Other doc.\nQuestion: Who founded Zentrix?\n<|assistant|>\n")
    assert reader.prompt("Who founded Zentrix?").endswith("<|user|>\nQuestion: Who founded Zentrix?\n<|assistant|>\n")
    texts = reader.generate([prompt, reader.prompt("Where is Holnok?")], max_new_tokens=3)
    assert len(texts) == 2 and all(isinstance(t, str) for t in texts)
    llm = ReaderLLM(reader=reader)
    assert prompt_for(llm, "Who founded Zentrix?", []) == reader.prompt("Who founded Zentrix?")


def test_answers_are_extracted_from_what_the_model_generates(tiny_checkpoint):
    reader = load_reader(f"hf:{tiny_checkpoint}")
    sentence = "On day 61 the high in Holnok was -7 degrees."
    reader.generate = lambda prompts, max_new_tokens=None: [sentence] * len(prompts)
    assert reader.answer(["a", "b"]) == ["-7", "-7"]
    assert reader.accuracy([ReadingItem("a", (), "-7"), ReadingItem("b", (), "3")]) == 0.5
    assert extract_for(ReaderLLM(reader=reader), "Answer: Lowmere") == "Lowmere"
    assert extract_for(FakeListLLM(responses=["x"]), " Lowmere ") == "Lowmere"


def test_a_reader_that_writes_sentences_is_asked_a_sample_and_the_course_model_everything(tiny_checkpoint):
    assert items_per_setting(ReaderLLM(reader=load_reader(f"hf:{tiny_checkpoint}"))) == HFReader.items_per_setting == 24
    assert items_per_setting(make_llm("course")) is None            # every question, as the shipped results
    assert items_per_setting(FakeListLLM(responses=["x"])) is None  # a server's model: every question


@pytest.mark.parametrize("text, value", [
    ("Lowmere", "Lowmere"), ("Petra Orring", "Petra Orring"), ("437.36", "437.36"), ("1216.", "1216"),
    ("Answer: Ashwick", "Ashwick"), ("The answer is Lowmere.", "Lowmere"), ("**Ashwick**", "Ashwick"),
    ("The high in Holnok on day 61 was -7 degrees.", "-7"), ("Zenora was founded by Petra Orring.", "Petra Orring"),
    ("Shares of Zenora closed at 437.36 on day 61.", "437.36"), ("It was foggy.\nIt often is.", "foggy"),
    ("Holnok lies in the region of Lowmere. It is a quiet town.", "Lowmere"), ("-3°C", "-3"),
    ("On day 61 Zendex launched a product called Orla.", "Orla"), ("Bodo Falkova works as a painter.", "a painter"),
    ("", ""),
])
def test_extract_answer_finds_the_value_in_a_sentence(text, value):
    assert extract_answer(text) == value


def test_prompt_for_uses_the_course_format_for_any_other_llm():
    fake = FakeListLLM(responses=["x"])
    assert prompt_for(fake, "Q?", ["a  b"]) == lm.prompt("Q?", ["a  b"])


def test_ollama_and_openai_settings_build_without_calling_the_network():
    ollama = make_llm("ollama:llama3.2")
    assert type(ollama).__name__ == "OllamaLLM" and ollama.model == "llama3.2"
    openai = make_llm("openai:my-model@http://127.0.0.1:9/v1")
    assert type(openai).__name__ == "ChatOpenAI" and openai.model_name == "my-model"


def test_the_setting_comes_from_the_environment_the_old_name_still_works(monkeypatch, tiny_checkpoint):
    monkeypatch.delenv("RAGFT_MODEL", raising=False)
    monkeypatch.setenv("RAGFT_LLM", f"hf:{tiny_checkpoint}")
    assert isinstance(load_reader(), HFReader)
    monkeypatch.setenv("RAGFT_MODEL", f"course:{tiny_checkpoint}")
    assert isinstance(load_reader(), CourseReader) and isinstance(make_llm().reader, CourseReader)


def test_a_fake_llm_stands_in_for_any_generator_in_the_same_chain():
    chain = PromptTemplate.from_template("{p}") | FakeListLLM(responses=["Norvale"]) | StrOutputParser()
    assert chain.invoke({"p": lm.prompt("In which region is Holnok?")}) == "Norvale"


@pytest.mark.parametrize("setting, message", [
    ("gpt4", "must start with one of"), ("ollama:", "needs a model name"), ("hf:", "needs a path"),
])
def test_bad_settings_say_what_to_write(setting, message):
    with pytest.raises(ValueError, match=message):
        parse_setting(setting)
    with pytest.raises(ValueError, match=message):
        load_reader(setting)


def test_load_reader_refuses_hub_names_servers_and_missing_folders():
    with pytest.raises(FileNotFoundError, match="never a hub name"):
        load_reader("hf:gpt2")
    with pytest.raises(FileNotFoundError, match="never a hub name"):
        make_llm("hf:HuggingFaceTB/SmolLM2-135M-Instruct")
    with pytest.raises(FileNotFoundError, match="no checkpoint folder"):
        load_reader("course:/no/such/folder")
    with pytest.raises(ValueError, match="make_llm"):
        load_reader("ollama:llama3.2")


@pytest.mark.parametrize("selected, taken", [(None, "course"), ("smollm2", "course"), ("hf:/some/folder", "course"),
                                             ("course:/my/checkpoint", "course:/my/checkpoint")])
def test_full_fine_tuning_takes_the_course_model_whatever_reader_is_selected(monkeypatch, selected, taken):
    from ragft.readers import course_setting

    monkeypatch.delenv("RAGFT_LLM", raising=False)
    if selected is None:
        monkeypatch.delenv("RAGFT_MODEL", raising=False)
    else:
        monkeypatch.setenv("RAGFT_MODEL", selected)
    assert course_setting() == taken


@pytest.mark.parametrize("name", ["04_fine_tuning", "05_decision_threshold", "06_rag_and_fine_tuning_together"])
def test_the_fine_tuning_notebooks_read_with_the_course_model_and_say_so_in_their_results(name):
    import ast
    import json

    from ragft.course.runner import SOLUTIONS_DIR

    cells = json.loads((SOLUTIONS_DIR / f"{name}.ipynb").read_text())["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    calls = [node for node in ast.walk(ast.parse(code)) if isinstance(node, ast.Call)]
    called = lambda node: getattr(node.func, "id", getattr(node.func, "attr", None))
    for node in calls:
        assert called(node) != "make_llm", f"{name}: make_llm() reads with RAGFT_MODEL's model"
        if called(node) == "load_reader":
            assert ast.unparse(node.args[0]) in ("'smollm2'", "course_setting()"), ast.unparse(node)
    saved = [node for node in calls if called(node) in ("from_estimates", "ThresholdResults")]
    assert saved and all("model" in {k.arg for k in node.keywords} for node in saved), f"{name}: results name no model"
