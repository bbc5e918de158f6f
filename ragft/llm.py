"""The generator as a LangChain model: the course model by default, a real LLM with one setting.

The setting is an argument of `make_llm` or the environment variable RAGFT_LLM:

    course                    the shipped course model (default: offline, CPU, milliseconds a question)
    course:PATH               another checkpoint folder saved by `ragft.lm.save`
    hf:PATH                   any local Hugging Face causal-LM folder, through HuggingFacePipeline
    ollama:MODEL[@URL]        a model served by Ollama (URL defaults to http://localhost:11434)
    openai:MODEL[@BASE_URL]   an OpenAI-compatible endpoint; the key comes from OPENAI_API_KEY

Every choice is a LangChain runnable, so `prompt | llm | StrOutputParser()` works the same way.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from langchain_core.language_models.llms import LLM
from langchain_core.outputs import Generation, LLMResult
from pydantic import ConfigDict

SETTING_VARIABLE = "RAGFT_LLM"
KINDS = ("course", "hf", "ollama", "openai")


class CourseLLM(LLM):
    """The course model (or any checkpoint saved by ragft.lm) as a LangChain LLM: greedy, batched."""

    model: Any
    tokenizer: Any
    max_new_tokens: int = 12
    model_config = ConfigDict(arbitrary_types_allowed=True)

    @property
    def _llm_type(self) -> str:
        return "ragft-course-model"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"parameters": sum(p.numel() for p in self.model.parameters()), "max_new_tokens": self.max_new_tokens}

    def _complete(self, prompts: list[str], stop: list[str] | None) -> list[str]:
        from ragft.lm import generate

        texts = generate(self.model, self.tokenizer, prompts, max_new_tokens=self.max_new_tokens)
        for s in stop or []:
            texts = [t.split(s)[0] for t in texts]
        return texts

    def _call(self, prompt: str, stop: list[str] | None = None, run_manager: Any = None, **kwargs: Any) -> str:
        return self._complete([prompt], stop)[0]

    def _generate(self, prompts: list[str], stop: list[str] | None = None, run_manager: Any = None,
                  **kwargs: Any) -> LLMResult:
        return LLMResult(generations=[[Generation(text=t)] for t in self._complete(prompts, stop)])


def course_llm(path: str | Path | None = None, max_new_tokens: int = 12) -> CourseLLM:
    """Load a checkpoint folder (default: the shipped course model) as a LangChain LLM."""
    from ragft import lm

    model, tokenizer = lm.load(path or lm.DEFAULT_DIR)
    return CourseLLM(model=model, tokenizer=tokenizer, max_new_tokens=max_new_tokens)


def parse_setting(setting: str) -> tuple[str, str, str]:
    """'kind:name@url' -> (kind, name, url); a clear error for anything else."""
    kind, _, rest = setting.strip().partition(":")
    if kind not in KINDS:
        raise ValueError(f"unknown LLM setting {setting!r}: it must start with one of {', '.join(KINDS)} "
                         f"(for example 'course', 'hf:/path/to/checkpoint', 'ollama:llama3.2')")
    name, _, url = rest.partition("@")
    if kind in ("hf", "ollama", "openai") and not name:
        raise ValueError(f"the LLM setting {setting!r} needs a {'path' if kind == 'hf' else 'model name'} after '{kind}:'")
    return kind, name, url


def _optional(module: str, package: str):
    try:
        return __import__(module, fromlist=["_"])
    except ImportError as error:
        raise ImportError(f"this LLM setting needs the optional package {package}: pip install {package}") from error


def make_llm(setting: str | None = None, max_new_tokens: int = 12):
    """The generator named by `setting` (or $RAGFT_LLM, or the course model) as a LangChain model."""
    kind, name, url = parse_setting(setting or os.environ.get(SETTING_VARIABLE) or "course")
    if kind == "course":
        return course_llm(name or None, max_new_tokens)
    if kind == "hf":
        if not Path(name).is_dir():
            raise FileNotFoundError(f"no checkpoint folder at {name!r}: 'hf:' takes a local folder, never a hub name")
        from langchain_huggingface import HuggingFacePipeline

        return HuggingFacePipeline.from_model_id(
            model_id=name, task="text-generation",
            pipeline_kwargs={"max_new_tokens": max_new_tokens, "do_sample": False, "return_full_text": False})
    if kind == "ollama":
        return _optional("langchain_ollama", "langchain-ollama").OllamaLLM(
            model=name, base_url=url or "http://localhost:11434", temperature=0, num_predict=max_new_tokens)
    return _optional("langchain_openai", "langchain-openai").ChatOpenAI(
        model=name, base_url=url or None, temperature=0, max_completion_tokens=max_new_tokens,
        api_key=os.environ.get("OPENAI_API_KEY", "not-needed-for-local-servers"))
