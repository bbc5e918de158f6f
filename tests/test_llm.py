"""The generator as a LangChain model: the course model in LCEL, and the real-LLM settings (built, never called)."""

import pytest
from langchain_core.language_models.fake import FakeListLLM
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import PromptTemplate

from ragft import lm
from ragft.llm import CourseLLM, make_llm, parse_setting
from ragft.world import World


@pytest.fixture(scope="module")
def tiny_checkpoint(tmp_path_factory):
    tokenizer = lm.train_tokenizer(World(seed=0, n_towns=3, n_companies=2, n_people=3))
    model = lm.build_model(tokenizer, lm.ModelConfig(d_model=32, n_layers=1, n_heads=2, d_ff=64))
    return lm.save(model, tokenizer, tmp_path_factory.mktemp("tiny"))


def test_course_llm_runs_in_an_lcel_chain(tiny_checkpoint):
    llm = make_llm(f"course:{tiny_checkpoint}", max_new_tokens=3)
    assert isinstance(llm, CourseLLM)
    chain = PromptTemplate.from_template("{p}") | llm | StrOutputParser()
    prompt = lm.prompt("What is the river of Holnok?")
    direct = lm.generate(llm.model, llm.tokenizer, [prompt], max_new_tokens=3)[0]
    assert chain.invoke({"p": prompt}) == direct
    assert llm.batch([prompt, prompt]) == [direct, direct]


def test_a_real_checkpoint_folder_loads_through_huggingface_pipeline(tiny_checkpoint):
    llm = make_llm(f"hf:{tiny_checkpoint}", max_new_tokens=2)
    assert type(llm).__name__ == "HuggingFacePipeline"
    assert isinstance(llm.invoke("question: hello\nanswer:"), str)


def test_ollama_and_openai_settings_build_without_calling_the_network():
    ollama = make_llm("ollama:llama3.2")
    assert type(ollama).__name__ == "OllamaLLM" and ollama.model == "llama3.2"
    openai = make_llm("openai:my-model@http://127.0.0.1:9/v1")
    assert type(openai).__name__ == "ChatOpenAI" and openai.model_name == "my-model"


def test_the_setting_comes_from_the_environment(monkeypatch, tiny_checkpoint):
    monkeypatch.setenv("RAGFT_LLM", f"course:{tiny_checkpoint}")
    assert isinstance(make_llm(), CourseLLM)


def test_a_fake_llm_stands_in_for_any_generator_in_the_same_chain():
    chain = PromptTemplate.from_template("{p}") | FakeListLLM(responses=["Norvale"]) | StrOutputParser()
    assert chain.invoke({"p": lm.prompt("In which region is Holnok?")}) == "Norvale"


@pytest.mark.parametrize("setting, message", [
    ("gpt4", "must start with one of"), ("ollama:", "needs a model name"), ("hf:", "needs a path"),
])
def test_bad_settings_say_what_to_write(setting, message):
    with pytest.raises(ValueError, match=message):
        parse_setting(setting)


def test_hf_refuses_a_hub_name():
    with pytest.raises(FileNotFoundError, match="never a hub name"):
        make_llm("hf:gpt2")
