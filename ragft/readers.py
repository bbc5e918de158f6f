"""The reader seam: load a model, build its prompt, generate greedily, extract the answer.

    reader = load_reader()                        # the course model; 'hf:PATH' loads any local causal LM
    reader.answer(["Name the region of the town Holnok."])              # ['lowmere']
    reader.accuracy(items)                        # exact match on ragft.reading.ReadingItem's, after extract()
    reader.score(items)                           # the same with its 95% interval (an evaluate.Estimate)
    llm = make_llm()                              # a reader as a LangChain LLM (or an Ollama / OpenAI server)

The setting is an argument or the environment variable RAGFT_MODEL (RAGFT_LLM, its old name, still works):

    course                    the shipped course model (default: offline, CPU, milliseconds a question)
    smollm2                   SmolLM2-135M-Instruct, a real pretrained LLM installed with the course (ragft.smollm2)
    course:PATH               another checkpoint folder saved by `ragft.lm.save`
    hf:PATH                   any local transformers causal-LM folder: its chat template if it has one
    ollama:MODEL[@URL]        make_llm only: a model served by Ollama (URL defaults to http://localhost:11434)
    openai:MODEL[@BASE_URL]   make_llm only: an OpenAI-compatible endpoint; the key comes from OPENAI_API_KEY
"""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path
from typing import Any, Sequence

import torch
from langchain_core.language_models.llms import LLM
from langchain_core.outputs import Generation, LLMResult
from pydantic import ConfigDict

from ragft import lm, model_setting
from ragft.evaluate import Estimate, accuracy, estimate, exact_matches
from ragft.inputs import check_int, check_passages, check_text, check_texts
from ragft.lm.generate import check_prompts, context_limit, keep_end
from ragft.memory import big_blocks_to_system
from ragft.reading import ReadingItem, fact_clusters

KINDS = ("course", "smollm2", "hf", "ollama", "openai")
INSTRUCTION = ("Answer the question from the passages if there are any, else from what you know. Reply with the "
               "answer only (a name, a word or a number), not a sentence.")


class Reader:
    """A model that answers reading items: its prompt format, batched greedy generation, answer extraction."""

    name = "reader"
    max_new_tokens = 12
    # how many items a notebook asks this reader per setting (a fixed sample, `reading.subsample`, seed 0): None is
    # all of them; a reader that writes sentences on a CPU (about a second an answer) gets a sample, wider intervals
    items_per_setting: int | None = None
    setting: str | None = None  # the model setting load_reader loaded it from; None for a copy around other weights

    def __init__(self, model: torch.nn.Module, tokenizer: Any, name: str | None = None,
                 max_new_tokens: int | None = None):
        self.model, self.tokenizer = model, tokenizer
        self.name = name or self.name
        if max_new_tokens is not None:
            self.max_new_tokens = check_int("max_new_tokens", max_new_tokens, 1)

    def prompt(self, question: str, passages: Sequence[str] = ()) -> str:
        """The text the model continues: closed-book without passages, open-book with them."""
        raise NotImplementedError

    def generate(self, prompts: Sequence[str], max_new_tokens: int | None = None) -> list[str]:
        """Greedy continuations of the prompts, batched."""
        raise NotImplementedError

    def extract(self, text: str) -> str:
        """The answer inside a generated text (the text itself for a model trained to answer with the value)."""
        return text

    def encode(self, text: str, answer: str | None = None) -> tuple[list[int], list[float]]:
        """Token ids and loss weights to train on: a text whole, or a prompt and its answer (the answer weighs most)."""
        return lm.encode(self.tokenizer, text, answer)

    def answer(self, questions: Sequence[str], passages: Sequence[Sequence[str]] | None = None) -> list[str]:
        """Answer each question, closed-book or with its passages; one batched generation for all."""
        questions = check_texts("questions", questions)
        passages = [()] * len(questions) if passages is None else _check_passage_lists(passages)
        if len(passages) != len(questions):
            raise ValueError(f"{len(passages)} lists of passages for {len(questions)} questions: give one per question")
        texts = self.generate([self.prompt(q, p) for q, p in zip(questions, passages)])
        return [self.extract(t) for t in texts]

    def ask(self, question: str, passages: Sequence[str] = ()) -> str:
        """Answer one question."""
        return self.answer([check_text("question", question)], [check_passages("passages", passages)])[0]

    def accuracy(self, items: Sequence[ReadingItem]) -> float:
        """Exact match of the extracted answers on reading items (closed-book when an item has no passages)."""
        items = _check_items(items)
        answers = self.answer([it.question for it in items], [it.passages for it in items])
        return accuracy(answers, [it.gold for it in items])

    def correct(self, items: Sequence[ReadingItem]) -> list[bool]:
        """Whether each item's extracted answer matches its gold: the outcomes `evaluate.compare` pairs up."""
        items = _check_items(items)
        return exact_matches(self.answer([it.question for it in items], [it.passages for it in items]),
                             [it.gold for it in items])

    def score(self, items: Sequence[ReadingItem], seed: int = 0) -> Estimate:
        """Exact match on reading items with its 95% interval, bootstrapped over facts (wordings of one fact are
        right or wrong together); Wilson's interval when the items name no fact."""
        items = _check_items(items)
        return estimate(self.correct(items), fact_clusters(items), seed=seed)

    def with_model(self, model: torch.nn.Module) -> Reader:
        """The same reader (tokenizer, prompt, settings) around another model, e.g. a fine-tuned copy."""
        other = copy.copy(self)
        other.model, other.setting = model, None
        return other

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


class CourseReader(Reader):
    """The course model (or any checkpoint saved by ragft.lm): the `passage i: ... question: ... answer:` prompt
    it was trained on, and `lm.generate`'s batched greedy decoding."""

    name = "course-model"

    @classmethod
    def load(cls, path: str | Path | None = None) -> CourseReader:
        """Load a checkpoint folder (default: the shipped course model)."""
        model, tokenizer = lm.load(path or lm.DEFAULT_DIR)
        return cls(model, tokenizer)

    def prompt(self, question: str, passages: Sequence[str] = ()) -> str:
        return lm.prompt(question, passages)

    def generate(self, prompts: Sequence[str], max_new_tokens: int | None = None) -> list[str]:
        return lm.generate(self.model, self.tokenizer, prompts,
                           self.max_new_tokens if max_new_tokens is None else max_new_tokens)


class HFReader(Reader):
    """Any local transformers causal LM: its chat template when the tokenizer has one (an instruction to answer
    with the value only, then the passages and the question), else the plain reading prompt; greedy."""

    name = "hf"
    items_per_setting = 24  # SmolLM2 on 2 cores: notebooks 01 and 02 in ~6 min each, 03 in ~17 (01: over 20 in full)
    max_new_tokens = 32  # room for an answer in a sentence, which `extract` then reduces to the value

    @classmethod
    def load(cls, path: str | Path) -> HFReader:
        """Load a checkpoint folder with AutoModelForCausalLM / AutoTokenizer (left padding for batches)."""
        from transformers import AutoModelForCausalLM, AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(str(path))
        tokenizer.padding_side = "left"
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        with lm.checkpoint.quiet_loading():
            model = AutoModelForCausalLM.from_pretrained(str(path))
        model.eval()
        return cls(model, tokenizer, name=Path(path).name)

    @property
    def chat(self) -> bool:
        """Whether the tokenizer carries a chat template (an instruct model)."""
        return bool(getattr(self.tokenizer, "chat_template", None))

    def prompt(self, question: str, passages: Sequence[str] = ()) -> str:
        """The chat template around the instruction, then the passages and the question; with passages the
        question also comes first, so that a small model reads them knowing what to look for."""
        if not self.chat:
            return lm.prompt(question, passages)
        question = f"Question: {' '.join(question.split())}"
        lines = [f"Passage {i}: {' '.join(p.split())}" for i, p in enumerate(passages, 1)]
        messages = [{"role": "system", "content": INSTRUCTION},
                    {"role": "user", "content": "\n".join(([question] if lines else []) + lines + [question])}]
        return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    @torch.inference_mode()
    def generate(self, prompts: Sequence[str], max_new_tokens: int | None = None, batch_size: int = 8) -> list[str]:
        prompts, batch_size = check_prompts(prompts), check_int("batch_size", batch_size, 1)
        if max_new_tokens is not None:
            check_int("max_new_tokens", max_new_tokens, 1)
        max_new_tokens = max_new_tokens or self.max_new_tokens
        limit = context_limit(self.model, max_new_tokens)
        self.model.eval()
        out: list[str] = []
        with big_blocks_to_system():  # a batch's activations go back to the system: a lower peak, the same text
            for start in range(0, len(prompts), batch_size):
                # a chat template writes its own special tokens; a plain prompt gets the tokenizer's (BOS)
                enc = self.tokenizer(prompts[start:start + batch_size], return_tensors="pt", padding=True,
                                     add_special_tokens=not self.chat, verbose=False)
                enc["input_ids"], enc["attention_mask"] = keep_end(
                    enc["input_ids"], enc["attention_mask"], limit, self.tokenizer.bos_token_id)
                ids = self.model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=False,
                                          pad_token_id=self.tokenizer.pad_token_id)
                new = ids[:, enc["input_ids"].shape[1]:]
                out += [" ".join(t.split()) for t in self.tokenizer.batch_decode(new, skip_special_tokens=True)]
        return out

    def extract(self, text: str) -> str:
        return extract_answer(text)

    def encode(self, text: str, answer: str | None = None) -> tuple[list[int], list[float]]:
        """In a chat template only the answer is learned (the prompt weighs 0), right after the assistant's turn
        opens, then the end-of-turn token so that the model stops: fine-tuning teaches it to answer with the value."""
        if not self.chat:
            return super().encode(text, answer)
        ids = self.tokenizer(text, add_special_tokens=False)["input_ids"]
        if answer is None:
            ids = ids + [self.tokenizer.eos_token_id]
            return ids, [1.0] * len(ids)
        ans = self.tokenizer(answer, add_special_tokens=False)["input_ids"] + [self.tokenizer.eos_token_id]
        return ids + ans, [0.0] * len(ids) + [1.0] * len(ans)


_PREFIX = re.compile(r"^(?:final answer|answer|the answer is|the answer|it is|it was|it's)\s*[:\-]?\s+", re.I)
_DAY = re.compile(r",?\s*\b(?:on )?day \d+\b,?", re.I)
_ROLE = re.compile(r"\s+(?:as|became) (?:the |its |their |new )*chief executive\b.*$", re.I)
_LINK = re.compile(r"\s(?:is|was|are|were|by|at|in|of|as|called|named|appointed)(?=\s)", re.I)
_NUMBER = re.compile(r"^[-+]?\d+(?:[.,]\d+)*")


def extract_answer(text: str) -> str:
    """The value in an answer written as a sentence: 'The high in Holnok on day 61 was -7 degrees.' -> '-7'.

    First line, first sentence; what follows a colon ('Answer: ...', 'The answer is: ...'); the day and a
    trailing 'as chief executive' dropped; in a sentence, what follows its last link word ('is', 'was', 'by',
    'in', 'of', 'called', 'appointed', ...) up to a comma; a number alone without its unit. A short answer stays.
    """
    line = next((s for s in text.splitlines() if s.strip()), "")
    line = re.sub(r"[*_`\"]", "", line).strip()
    line = re.split(r"\.(?:\s|$)", line)[0]          # the first sentence (184.20 stays whole)
    line = re.split(r":\s", line)[-1]                 # what follows 'The answer is: '
    line = _PREFIX.sub("", line.strip())
    line = _ROLE.sub("", _DAY.sub("", line)).strip()
    links = list(_LINK.finditer(line))
    if links:
        line = line[links[-1].end():].strip()
    line = line.split(", ")[0]                        # 'snowy, which is ...' (no value holds ', ')
    number = _NUMBER.match(line.strip())
    return number.group() if number else line.strip(" .,;:!?'")


def parse_setting(setting: str) -> tuple[str, str, str]:
    """'kind:name@url' -> (kind, name, url); a clear error for anything else."""
    if not isinstance(setting, str):
        raise TypeError(f"the model setting must be a string such as 'course' or 'hf:/path/to/checkpoint', "
                        f"got {type(setting).__name__} {setting!r}")
    kind, _, rest = setting.strip().partition(":")
    if kind not in KINDS:
        raise ValueError(f"unknown model setting {setting!r}: it must start with one of {', '.join(KINDS)} "
                         f"(for example 'course', 'hf:/path/to/checkpoint', 'ollama:llama3.2')")
    name, _, url = rest.partition("@")
    if kind == "smollm2" and rest:
        raise ValueError(f"the model setting {setting!r} takes nothing after 'smollm2': write 'smollm2'")
    if kind in ("hf", "ollama", "openai") and not name:
        raise ValueError(f"the model setting {setting!r} needs a {'path' if kind == 'hf' else 'model name'} "
                         f"after '{kind}:'")
    return kind, name, url


def course_setting() -> str:
    """The course model that full fine-tuning takes (notebooks 04-06, make bench's fine-tuning parts) whatever reader
    RAGFT_MODEL selects: the one it names ('course:PATH', a checkpoint of your own), else the shipped one. A full
    fine-tune takes minutes for its 2.7 million parameters and would take hours for a real model on a CPU."""
    setting = model_setting()
    return setting if parse_setting(setting)[0] == "course" else "course"


def load_reader(setting: str | None = None, reuse: Reader | None = None) -> Reader:
    """The local model named by `setting` (or $RAGFT_MODEL, or the course model) as a Reader.

    `reuse`: a reader already loaded, returned as it is when it was loaded from the same setting (so a notebook can
    set the course model beside SmolLM2 whichever of them RAGFT_MODEL selected, without loading one twice)."""
    setting = model_setting() if setting is None or setting == "" else setting
    kind, name, _ = parse_setting(setting)  # a clear error for anything but a setting string
    setting = setting.strip()
    if reuse is not None and not isinstance(reuse, Reader):
        raise TypeError(f"reuse must be a Reader (from load_reader), got {type(reuse).__name__}")
    if reuse is not None and reuse.setting is not None and parse_setting(reuse.setting)[:2] == (kind, name):
        return reuse
    if kind in ("ollama", "openai"):
        raise ValueError(f"{setting!r} is a model behind a server, not a local reader: load_reader takes 'course', "
                         "'course:PATH', 'smollm2' or 'hf:PATH'; make_llm(setting) gives a server's model as a "
                         "LangChain LLM")
    if kind == "smollm2":
        from ragft import smollm2

        reader: Reader = HFReader(*smollm2.load(), name="smollm2")
    elif name and not Path(name).is_dir():
        raise FileNotFoundError(f"no checkpoint folder at {name!r}: '{kind}:' takes a local folder, never a hub name")
    else:
        reader = CourseReader.load(name or None) if kind == "course" else HFReader.load(name)
    reader.setting = setting
    return reader


class ReaderLLM(LLM):
    """A Reader as a LangChain LLM: `prompt | llm | StrOutputParser()` generates with the reader, greedily."""

    reader: Reader
    max_new_tokens: int | None = None  # None: the reader's own
    model_config = ConfigDict(arbitrary_types_allowed=True)

    @property
    def _llm_type(self) -> str:
        return f"ragft-{self.reader.name}"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"reader": self.reader.name, "max_new_tokens": self.max_new_tokens or self.reader.max_new_tokens}

    def _complete(self, prompts: list[str], stop: list[str] | None) -> list[str]:
        texts = self.reader.generate(prompts, self.max_new_tokens)
        for s in stop or []:
            texts = [t.split(s)[0] for t in texts]
        return texts

    def _call(self, prompt: str, stop: list[str] | None = None, run_manager: Any = None, **kwargs: Any) -> str:
        return self._complete([prompt], stop)[0]

    def _generate(self, prompts: list[str], stop: list[str] | None = None, run_manager: Any = None,
                  **kwargs: Any) -> LLMResult:
        return LLMResult(generations=[[Generation(text=t)] for t in self._complete(prompts, stop)])


def _check_items(items: Any) -> list[ReadingItem]:
    """Reading items as a list (one item alone is accepted)."""
    items = list(items) if isinstance(items, Sequence) and not isinstance(items, str) else [items]
    if not all(isinstance(it, ReadingItem) for it in items):
        raise TypeError("items must be a list of ragft.reading.ReadingItem (question, passages, gold), got "
                        f"{', '.join(sorted({type(it).__name__ for it in items}))} inside")
    return items


def _check_passage_lists(passages: Any) -> list[tuple[str, ...]]:
    """One list of passage strings per question."""
    if isinstance(passages, str) or not isinstance(passages, Sequence):
        raise TypeError(f"passages must be a list with one list of passage strings per question, "
                        f"got {type(passages).__name__}")
    return [check_passages(f"passages[{i}]", p) for i, p in enumerate(passages)]


def _optional(module: str, package: str):
    try:
        return __import__(module, fromlist=["_"])
    except ImportError as error:
        raise ImportError(f"this model setting needs the optional package {package}: pip install {package}") from error


def make_llm(setting: str | None = None, max_new_tokens: int | None = None):
    """The generator named by `setting` (or $RAGFT_MODEL, or the course model) as a LangChain model; max_new_tokens
    None: a local reader's own (12 for the course model, 32 for a model that answers in sentences), 12 for a server."""
    if max_new_tokens is not None:
        max_new_tokens = check_int("max_new_tokens", max_new_tokens, 1)
    setting = model_setting() if setting is None or setting == "" else setting
    kind, name, url = parse_setting(setting)
    if kind in ("course", "smollm2", "hf"):
        return ReaderLLM(reader=load_reader(setting), max_new_tokens=max_new_tokens)
    max_new_tokens = max_new_tokens or 12
    if kind == "ollama":
        return _optional("langchain_ollama", "langchain-ollama").OllamaLLM(
            model=name, base_url=url or "http://localhost:11434", temperature=0, num_predict=max_new_tokens)
    return _optional("langchain_openai", "langchain-openai").ChatOpenAI(
        model=name, base_url=url or None, temperature=0, max_completion_tokens=max_new_tokens,
        api_key=os.environ.get("OPENAI_API_KEY", "not-needed-for-local-servers"))


def prompt_for(llm: Any, question: str, passages: Sequence[str]) -> str:
    """The prompt `llm` should read: its reader's (course format or chat template), else the course format."""
    return llm.reader.prompt(question, passages) if isinstance(llm, ReaderLLM) else lm.prompt(question, passages)


def extract_for(llm: Any, text: str) -> str:
    """The answer inside what `llm` generated: its reader's extraction, else the text stripped."""
    return llm.reader.extract(text) if isinstance(llm, ReaderLLM) else text.strip()


def items_per_setting(llm: Any) -> int | None:
    """How many questions a notebook asks `llm` a setting: its reader's `Reader.items_per_setting` (None: all of
    them, as for a server's model)."""
    return llm.reader.items_per_setting if isinstance(llm, ReaderLLM) else None
