"""Retrieval over any English texts, on LangChain: the non-parametric half of the course."""

from __future__ import annotations

import re
from typing import Sequence

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import Field

STOPWORDS = frozenset("a an the of in on at to is was were be by for and or what which who whom how did does "
                      "do tell me name when where that this its it with as from".split())
_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?|-[0-9]+")


def words(text: str) -> list[str]:
    """A real tokenizer for keyword search: lower-case, split on punctuation, keep 184.20 and -3 whole."""
    return _WORD.findall(text.lower())


def as_documents(texts: Sequence[str | Document]) -> list[Document]:
    """Any list of strings or Documents as Documents (strings get a source id 'text/<i>')."""
    docs = [t if isinstance(t, Document) else Document(page_content=t, metadata={"source": f"text/{i}"})
            for i, t in enumerate(texts)]
    for d in docs:
        if not isinstance(d.page_content, str) or not d.page_content.strip():
            raise ValueError(f"empty document (source {d.metadata.get('source', '?')!r}): every text needs words")
    return docs


class KeywordRetriever(BaseRetriever):
    """The naive store: rank documents by how many of the question's words (minus stopwords) they contain."""

    docs: list[Document] = Field(default_factory=list)
    k: int = 4

    @classmethod
    def from_texts(cls, texts: Sequence[str | Document], k: int = 4) -> "KeywordRetriever":
        return cls(docs=as_documents(texts), k=k)

    def add_documents(self, texts: Sequence[str | Document]) -> None:
        """Adding knowledge is appending a document: nothing to retrain."""
        self.docs.extend(as_documents(texts))

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        terms = set(words(query)) - STOPWORDS
        if not terms:
            raise ValueError("the question has no searchable words")
        scored = [(len(terms & set(words(d.page_content))), -i) for i, d in enumerate(self.docs)]
        best = sorted(((s, i) for s, i in scored if s > 0), reverse=True)[: self.k]
        return [self.docs[-i] for _, i in best]
