"""The RAG chain: retrieve, read (the reader's prompt, one batched generation), answer with citations or abstain."""

from __future__ import annotations

from typing import Any, Sequence

from langchain_core.documents import Document
from langchain_core.output_parsers import StrOutputParser
from langchain_core.runnables import Runnable, RunnableLambda

from ragft.evaluate import normalize_answer
from ragft.inputs import check_text, check_texts
from ragft.rag.documents import doc_id, has_days, names_in, words

NO_ANSWER = "no document found"


def cite(answer: str, passages: Sequence[Document], id_key: str | None = None) -> list[str]:
    """Ids (`doc_id`) of the passages that contain the answer (all retrieved ids if none does)."""
    target = normalize_answer(answer)
    ids = [doc_id(p, id_key) for p in passages]
    used = [i for i, p in zip(ids, passages) if target and f" {target} " in f" {normalize_answer(p.page_content)} "]
    return used or ids


def unknown_names(question: str, passages: Sequence[Document]) -> bool:
    """Whether the question names someone or something (a capitalised name, `names_in`) that no passage mentions:
    'Atlantis' in no report. A course-world rule: it acts only on passages with 'day' metadata."""
    names = names_in(question)
    return bool(names) and has_days(passages) and not any(names & set(words(p.page_content)) for p in passages)


class Retrieve(Runnable):
    """question -> {'passages', 'question'}; a batch of questions is one `retriever.batch` call (the vector
    retrievers embed the questions together). A question that is not text, is empty or too long is refused here."""

    def __init__(self, retriever: Runnable):
        if not isinstance(retriever, Runnable):
            raise TypeError(f"retriever must be a LangChain retriever (a Runnable), got {type(retriever).__name__}: "
                            "build one with rag.hybrid_retriever, rag.vector_retriever or rag.bm25_retriever")
        self.retriever = retriever

    def invoke(self, question: str, config: Any = None, **kwargs: Any) -> dict:
        return self.batch([check_text("question", question)], config)[0]

    def batch(self, questions: Sequence[str], config: Any = None, **kwargs: Any) -> list[dict]:
        questions = check_texts("questions", questions)
        found = self.retriever.batch(questions, config)
        return [{"passages": passages, "question": q} for q, passages in zip(questions, found)]


class ReadStep(Runnable):
    """{'question', 'passages'} -> the same dict with 'answer': the llm reads the prompt its reader expects
    (`readers.prompt_for`: the course format, or a real model's chat template; closed-book without passages),
    and the answer is cleaned as its reader does (`readers.extract_for`).

    A batch of questions is one `llm.batch` call, so the model reads many prompts per forward pass; an LCEL
    `RunnableParallel` around the llm would call it once per question.
    """

    def __init__(self, llm: Runnable):
        if not isinstance(llm, Runnable):
            raise TypeError(f"llm must be a LangChain model (a Runnable), got {type(llm).__name__}: "
                            "use ragft.readers.make_llm()")
        self.llm, self.generate = llm, llm | StrOutputParser()

    def invoke(self, x: dict, config: Any = None, **kwargs: Any) -> dict:
        return self.batch([x], config)[0]

    def batch(self, inputs: Sequence[dict], config: Any = None, **kwargs: Any) -> list[dict]:
        from ragft.readers import extract_for, prompt_for

        prompts = [prompt_for(self.llm, x["question"], [d.page_content for d in x["passages"]]) for x in inputs]
        texts = self.generate.batch(prompts, config, **kwargs)
        return [{**x, "answer": extract_for(self.llm, text)} for x, text in zip(inputs, texts)]


def rag_chain(retriever: Runnable, llm: Runnable, id_key: str | None = None) -> Runnable:
    """retriever -> the reader's prompt -> llm -> {'question', 'answer', 'sources', 'passages'}. Sources are the
    cited passages' ids (`cite`). "I don't know" is an answer: NO_ANSWER, with no sources, rather than the model's
    guess, when no passage came back (nothing matched, or a day no document reports) or when the passages name
    none of the question's names (`unknown_names`); the passages retrieved are still returned, for inspection."""

    def with_citations(x: dict) -> dict:
        if not x["passages"] or unknown_names(x["question"], x["passages"]):
            return {"question": x["question"], "answer": NO_ANSWER, "sources": [], "passages": x["passages"]}
        answer = x["answer"].strip()
        return {"question": x["question"], "answer": answer, "sources": cite(answer, x["passages"], id_key),
                "passages": x["passages"]}

    return Retrieve(retriever) | ReadStep(llm) | RunnableLambda(with_citations)
