"""The store seam: every vector-store operation the kit and its notebooks need, in one place.

    store = vector_store(docs)                         # FAISS (exact inner product) over all-MiniLM-L6-v2
    add_documents(store, new_day)                      # only the new documents are embedded
    size(store), dimension(store)                      # how many vectors, of how many numbers
    search(store, question, k=4, days=[0, 61])         # nearest documents, only from those days
    save_index(store, folder); load_index(folder)      # FAISS binary + JSON documents + SHA-256 manifest, no pickle

FAISS is the default. Any other LangChain vector store goes through the same functions when it is passed
as `vector_store(docs, into=TheStore(embedding))`; `InMemoryVectorStore` is wired in as the example: another
store needs a line in `size` and one in `_day_filter` (how it counts and how it filters metadata).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.vectorstores import InMemoryVectorStore, VectorStore

from ragft.rag.documents import as_documents
from ragft.rag.embeddings import embeddings

INDEX_FILES = ("index.faiss", "documents.json")


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


def vector_store(docs: Sequence[str | Document], embedding: Embeddings | None = None, kind: str = "flat", vectors=None,
                 id_key: str | None = None, into: VectorStore | None = None, **index_options) -> VectorStore:
    """A LangChain FAISS store over docs (embedded here unless `vectors` are given, one per doc), or the empty
    LangChain store `into` filled with them. Documents go in whole: `split` them first only if they are long."""
    docs = as_documents(docs, id_key) if docs else []
    if into is not None:
        if vectors is not None:
            raise ValueError("vectors= fills a FAISS store; a store passed as into= embeds its documents itself")
        if docs:
            into.add_documents(docs, ids=[d.id for d in docs])
        return into
    from langchain_community.docstore.in_memory import InMemoryDocstore
    from langchain_community.vectorstores import FAISS
    from langchain_community.vectorstores.utils import DistanceStrategy

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
                             metadatas=[d.metadata for d in docs], ids=[d.id for d in docs])
    return store


def add_documents(store: VectorStore, docs: Sequence[str | Document], id_key: str | None = None) -> list[str]:
    """Add new documents (a new day) to a store in place: nothing is re-embedded but them."""
    docs = as_documents(docs, id_key)
    return store.add_documents(docs, ids=[d.id for d in docs])


def size(store: VectorStore) -> int:
    """How many documents (vectors) the store holds."""
    if _is_faiss(store):
        return store.index.ntotal
    if isinstance(store, InMemoryVectorStore):
        return len(store.store)
    raise _not_wired(store, "size")


def dimension(store: VectorStore) -> int:
    """How many numbers each vector has (384 for all-MiniLM-L6-v2): size x dimension x 4 bytes of float32."""
    if _is_faiss(store):
        return store.index.d
    return len(store.embeddings.embed_query("dimension"))


def search(store: VectorStore, query: str | Sequence[float], k: int, days: Sequence[int] | None = None) -> list[Document]:
    """The k documents nearest a question (or its vector, already embedded); with days, only documents whose
    'day' metadata is one of them."""
    if isinstance(query, str):
        return store.similarity_search(query, k=k, **_day_filter(store, days))
    return store.similarity_search_by_vector(query, k=k, **_day_filter(store, days))


def _day_filter(store: VectorStore, days: Sequence[int] | None) -> dict[str, Any]:
    """The keyword arguments that make this store's similarity search keep only `days`."""
    if days is None:
        return {}
    if _is_faiss(store):  # FAISS filters after ranking: rank the whole store, as a fixed fetch_k (20) starves the filter
        return {"filter": {"day": {"$in": list(days)}}, "fetch_k": size(store)}
    if isinstance(store, InMemoryVectorStore):
        return {"filter": lambda d: d.metadata.get("day") in days}
    raise _not_wired(store, "day filter")


def _is_faiss(store: VectorStore) -> bool:
    from langchain_community.vectorstores import FAISS

    return isinstance(store, FAISS)


def _not_wired(store: VectorStore, what: str) -> TypeError:
    return TypeError(f"{type(store).__name__} is not wired into the store seam: add its {what} to ragft/rag/store.py "
                     "(FAISS and InMemoryVectorStore show how)")


# ---- persistence without pickle (FAISS) ---------------------------------------------------------------

def save_index(store: VectorStore, folder: str | Path) -> Path:
    """Save a FAISS store as the FAISS binary + the documents as JSON + a manifest of their SHA-256 (no pickle)."""
    import faiss

    if not _is_faiss(store):
        raise TypeError(f"save_index saves FAISS stores, not {type(store).__name__}: use that store's own persistence")
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


def load_index(folder: str | Path, embedding: Embeddings | None = None) -> VectorStore:
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
