"""Retrievers over any LangChain documents: keyword, BM25, vector and hybrid (BM25 + vector, reciprocal rank fusion).

Two rules are the course world's: they read each document's 'day' metadata and act only over documents that
have it. The day filter keeps the day a question names ('... on day 61?') plus timeless pages (day 0); the
hybrid retriever switches it on only over documents that all have a day. And a question about a day that no
document reports (a future day, day 0, a negative day) finds nothing, filter or not, so the chain says it does
not know rather than read another day's report. A batch of questions is embedded in one call (`.batch`).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.vectorstores import VectorStore
from pydantic import Field

from ragft.inputs import check_int, check_text
from ragft.rag.documents import STOPWORDS, as_documents, day_of, has_days, words
from ragft.rag.store import search

DEFAULT_K = 4


def _terms(query: str) -> set[str]:
    terms = set(words(check_text("question", query))) - STOPWORDS
    if not terms:
        raise ValueError(f"the question {query!r} has no searchable words")
    return terms


def days_kept(query: str) -> list[int] | None:
    """The days a day filter keeps for this question: the day it names and timeless pages (day 0); None: no day."""
    day = day_of(query)
    return None if day is None else [0, day]


def unreported_day(query: str, reports: Callable[[int], bool]) -> bool:
    """Whether the question names a day with no reports: before day 1 (day 0 marks timeless pages), or a day
    for which `reports(day)` is False (no dated document of that day)."""
    day = day_of(query)
    return day is not None and (day < 1 or not reports(day))


class KeywordRetriever(BaseRetriever):
    """The naive store: rank documents by how many of the question's words (minus stopwords) they contain."""

    docs: list[Document] = Field(default_factory=list)
    k: int = DEFAULT_K

    @classmethod
    def from_texts(cls, texts: Sequence[str | Document], k: int = DEFAULT_K, id_key: str | None = None) -> "KeywordRetriever":
        return cls(docs=as_documents(texts, id_key), k=check_int("k", k, 1))

    def add_documents(self, texts: Sequence[str | Document], id_key: str | None = None) -> None:
        """Adding knowledge is appending a document: nothing to retrain."""
        self.docs.extend(as_documents(texts, id_key))

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        terms = _terms(query)
        if has_days(self.docs) and unreported_day(query, lambda day: any(d.metadata["day"] == day for d in self.docs)):
            return []
        scored = [(len(terms & set(words(d.page_content))), -i) for i, d in enumerate(self.docs)]
        best = sorted(((s, i) for s, i in scored if s > 0), reverse=True)[: self.k]
        return [self.docs[-i] for _, i in best]


def bm25_retriever(docs: Sequence[str | Document], k: int = DEFAULT_K, day_filter: bool = False,
                   id_key: str | None = None) -> BaseRetriever:
    """BM25 keyword ranking with a real tokenizer (LangChain's default, str.split, is case- and punctuation-blind);
    over dated documents, with day_filter, only documents of the day the question names (plus timeless pages)."""
    from langchain_community.retrievers import BM25Retriever

    k = check_int("k", k, 1)
    docs = as_documents(docs, id_key)
    if not docs:
        raise ValueError("cannot build a BM25 retriever over an empty store")
    if not has_days(docs):
        return BM25Retriever.from_documents(docs, k=k, preprocess_func=words)
    ranked = len(docs) if day_filter else k  # the day filter ranks everything, then keeps the day
    return DatedBM25(bm25=BM25Retriever.from_documents(docs, k=ranked, preprocess_func=words), k=k,
                     day_filter=day_filter, days=frozenset(d.metadata["day"] for d in docs))


class DatedBM25(BaseRetriever):
    """BM25 over dated documents: nothing for a day they do not report; with day_filter, only the day a question
    names and timeless pages (day 0)."""

    bm25: Any
    k: int = DEFAULT_K
    day_filter: bool = True
    days: frozenset[int] = frozenset()

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        _terms(query)
        if unreported_day(query, self.days.__contains__):
            return []
        ranked, days = self.bm25.invoke(query), days_kept(query) if self.day_filter else None
        return (ranked if days is None else [d for d in ranked if d.metadata.get("day") in days])[: self.k]


class VectorRetriever(BaseRetriever):
    """Similarity search in a vector store (through the store seam); with day_filter, only the day the question
    names and timeless pages. Over dated documents, nothing for a day the store does not report. A batch of
    questions is embedded in one call."""

    store: Any
    k: int = DEFAULT_K
    day_filter: bool = False

    def _search(self, question: str, vector: Sequence[float]) -> list[Document]:
        found = search(self.store, vector, self.k, days_kept(question) if self.day_filter else None)
        if has_days(found) and unreported_day(question, lambda day: any(d.metadata["day"] == day for d in found)
                                              or bool(search(self.store, vector, 1, [day]))):
            return []
        return found

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return self._search(query, self.store.embeddings.embed_query(_checked(query, self.day_filter)))

    def batch(self, inputs: list[str], config: Any = None, **kwargs: Any) -> list[list[Document]]:
        questions = [_checked(q, self.day_filter) for q in inputs]
        vectors = self.store.embeddings.embed_documents(questions) if questions else []
        return [self._search(q, v) for q, v in zip(questions, vectors)]


def _checked(question: str, day_filter: bool) -> str:
    """The question, refused if it is not text (and, for a day filter, if it has no searchable words)."""
    if day_filter:
        _terms(question)
    return check_text("question", question)


def vector_retriever(store: VectorStore, k: int = DEFAULT_K, day_filter: bool = False) -> VectorRetriever:
    """Similarity search in a vector store; with day_filter, only documents of the day the question names."""
    return VectorRetriever(store=store, k=check_int("k", k, 1), day_filter=day_filter)


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

    k = check_int("k", k, 1)
    docs = as_documents(docs, id_key) if docs else []
    day_filter = day_filter and has_days(docs)
    key = id_key or "chunk"  # fuse by id where the documents carry one in metadata, else by text
    ensemble = EnsembleRetriever(retrievers=[bm25_retriever(docs, k, day_filter), vector_retriever(store, k, day_filter)],
                                 weights=list(weights), id_key=key if all(key in d.metadata for d in docs) else None)
    return HybridRetriever(ensemble=ensemble, k=k)
