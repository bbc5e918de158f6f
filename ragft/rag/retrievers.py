"""Retrievers over any LangChain documents: keyword, BM25, vector and hybrid (BM25 + vector, reciprocal rank fusion).

The day filter (keep the day a question names, '... on day 61?', plus timeless pages, day 0) is the
course world's: it reads each document's 'day' metadata, and the hybrid retriever switches it on only
over documents that all have one. A batch of questions is embedded in one call (`.batch`).
"""

from __future__ import annotations

from typing import Any, Sequence

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.vectorstores import VectorStore
from pydantic import Field

from ragft.rag.documents import as_documents, day_of, has_days, words
from ragft.rag.store import search

DEFAULT_K = 4
STOPWORDS = frozenset("a an the of in on at to is was were be by for and or what which who whom how did does "
                      "do tell me name when where that this its it with as from".split())


def _terms(query: str) -> set[str]:
    if not query or not query.strip():
        raise ValueError("empty question: there is nothing to search for")
    terms = set(words(query)) - STOPWORDS
    if not terms:
        raise ValueError(f"the question {query!r} has no searchable words")
    return terms


def days_kept(query: str) -> list[int] | None:
    """The days a day filter keeps for this question: the day it names and timeless pages (day 0); None: no day."""
    day = day_of(query)
    return None if day is None else [0, day]


class KeywordRetriever(BaseRetriever):
    """The naive store: rank documents by how many of the question's words (minus stopwords) they contain."""

    docs: list[Document] = Field(default_factory=list)
    k: int = DEFAULT_K

    @classmethod
    def from_texts(cls, texts: Sequence[str | Document], k: int = DEFAULT_K, id_key: str | None = None) -> "KeywordRetriever":
        return cls(docs=as_documents(texts, id_key), k=k)

    def add_documents(self, texts: Sequence[str | Document], id_key: str | None = None) -> None:
        """Adding knowledge is appending a document: nothing to retrain."""
        self.docs.extend(as_documents(texts, id_key))

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        terms = _terms(query)
        scored = [(len(terms & set(words(d.page_content))), -i) for i, d in enumerate(self.docs)]
        best = sorted(((s, i) for s, i in scored if s > 0), reverse=True)[: self.k]
        return [self.docs[-i] for _, i in best]


def bm25_retriever(docs: Sequence[str | Document], k: int = DEFAULT_K, day_filter: bool = False,
                   id_key: str | None = None) -> BaseRetriever:
    """BM25 keyword ranking with a real tokenizer (LangChain's default, str.split, is case- and punctuation-blind);
    with day_filter, only documents of the day the question names (plus timeless pages)."""
    from langchain_community.retrievers import BM25Retriever

    docs = as_documents(docs, id_key)
    if not docs:
        raise ValueError("cannot build a BM25 retriever over an empty store")
    if day_filter:  # rank everything, then keep the day: BM25 scores every document anyway
        return BM25DayFilter(bm25=BM25Retriever.from_documents(docs, k=len(docs), preprocess_func=words), k=k)
    return BM25Retriever.from_documents(docs, k=k, preprocess_func=words)


class BM25DayFilter(BaseRetriever):
    """BM25 restricted to the day a question names and timeless pages (day 0)."""

    bm25: Any
    k: int = DEFAULT_K

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        ranked, days = self.bm25.invoke(query), days_kept(query)
        return (ranked if days is None else [d for d in ranked if d.metadata.get("day") in days])[: self.k]


class VectorRetriever(BaseRetriever):
    """Similarity search in a vector store (through the store seam); with day_filter, only the day the question
    names and timeless pages. A batch of questions is embedded in one call."""

    store: Any
    k: int = DEFAULT_K
    day_filter: bool = False

    def _days(self, query: str) -> list[int] | None:
        if self.day_filter:
            _terms(query)
            return days_kept(query)
        return None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return search(self.store, query, self.k, self._days(query))

    def batch(self, inputs: list[str], config: Any = None, **kwargs: Any) -> list[list[Document]]:
        days = [self._days(q) for q in inputs]
        vectors = self.store.embeddings.embed_documents(list(inputs)) if inputs else []
        return [search(self.store, v, self.k, d) for v, d in zip(vectors, days)]


def vector_retriever(store: VectorStore, k: int = DEFAULT_K, day_filter: bool = False) -> VectorRetriever:
    """Similarity search in a vector store; with day_filter, only documents of the day the question names."""
    return VectorRetriever(store=store, k=k, day_filter=day_filter)


class HybridRetriever(BaseRetriever):
    """Keyword (BM25) and vector results fused by reciprocal rank (LangChain's EnsembleRetriever), top k kept."""

    ensemble: Any
    k: int = DEFAULT_K

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        _terms(query)
        return self.ensemble.invoke(query)[: self.k]

    def batch(self, inputs: list[str], config: Any = None, **kwargs: Any) -> list[list[Document]]:
        for q in inputs:
            _terms(q)
        keyword, vector = self.ensemble.retrievers
        ranked = zip([keyword.invoke(q) for q in inputs], vector.batch(inputs))
        return [self.ensemble.weighted_reciprocal_rank(list(lists))[: self.k] for lists in ranked]


def hybrid_retriever(docs: Sequence[str | Document], store: VectorStore, k: int = DEFAULT_K, day_filter: bool = True,
                     weights: tuple[float, float] = (0.5, 0.5), id_key: str | None = None) -> HybridRetriever:
    """The kit's default retriever: BM25 + vector search fused by reciprocal rank fusion, both halves day-filtered
    where every document has 'day' metadata (the course world); elsewhere a day in the question changes nothing."""
    from langchain_classic.retrievers import EnsembleRetriever

    docs = as_documents(docs, id_key) if docs else []
    day_filter = day_filter and has_days(docs)
    key = id_key or "chunk"  # fuse by id where the documents carry one in metadata, else by text
    ensemble = EnsembleRetriever(retrievers=[bm25_retriever(docs, k, day_filter), vector_retriever(store, k, day_filter)],
                                 weights=list(weights), id_key=key if all(key in d.metadata for d in docs) else None)
    return HybridRetriever(ensemble=ensemble, k=k)
