"""The store seam: every vector-store operation the kit and its notebooks need, in one place.

    store = vector_store(docs)                         # FAISS (exact inner product) over all-MiniLM-L6-v2
    add_documents(store, new_day)                      # only the new documents are embedded
    size(store), dimension(store)                      # how many vectors, of how many numbers
    search(store, question, k=4, days=[0, 61])         # nearest documents, only from those days
    save_index(store, folder); load_index(folder)      # FAISS binary + JSON documents + a manifest, no pickle

FAISS is the default. Any other LangChain vector store goes through the same functions when it is passed
as `vector_store(docs, into=TheStore(embedding))`; `InMemoryVectorStore` is wired in as the example: another
store needs a line in `size` and one in `_day_filter` (how it counts and how it filters metadata).
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import secrets
import shutil
import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.vectorstores import InMemoryVectorStore, VectorStore

from ragft.rag.documents import as_documents
from ragft.rag.embeddings import embedder_identity, embeddings

INDEX_FILES = ("index.faiss", "documents.json")


def faiss_index(dim: int, kind: str = "flat", n_lists: int = 256, hnsw_m: int = 32, ef_search: int = 64,
                pq_m: int = 48, pq_bits: int = 8):
    """An empty FAISS index on inner product: 'flat' (exact), 'hnsw' (graph), 'ivf' or 'ivfpq' (both need training;
    'ivfpq' keeps pq_m codes of pq_bits bits a vector: 48 bytes instead of 384 x 4 for all-MiniLM-L6-v2)."""
    import faiss

    if kind == "flat":
        return faiss.IndexFlatIP(dim)
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efSearch = ef_search
        return index
    if kind == "ivf":
        return faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, n_lists, faiss.METRIC_INNER_PRODUCT)
    if kind == "ivfpq":
        return faiss.IndexIVFPQ(faiss.IndexFlatIP(dim), dim, n_lists, pq_m, pq_bits, faiss.METRIC_INNER_PRODUCT)
    raise ValueError(f"unknown index kind {kind!r}: choose 'flat', 'hnsw', 'ivf' or 'ivfpq'")


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
    if kind in ("ivf", "ivfpq"):
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


# ---- persistence without pickle (FAISS), atomic and self-describing ---------------------------------------
#
# save_index writes the three files into a new sibling folder `NAME.tmp-<pid>-<random>`, then swaps it in: the
# old folder is renamed away (`NAME.old-...`, then deleted) and the new one renamed to NAME. A rename is atomic
# on Linux, macOS and Windows alike (a symlink swap would need privileges on Windows, and replacing a folder in
# one step is POSIX-only), so a reader sees the old folder, the new one, or for a moment none; load_index waits
# out that moment. A reader that opens the manifest of one save and a file of the next cannot mix them: it
# checks the very bytes it parses against the manifest it read, and reads again when the folder was replaced.

MANIFEST = "manifest.json"
FORMAT = "ragft-index/2"
REPLACE_WAIT_S = 10.0  # how long load_index waits for a folder being replaced, and save_index for readers (Windows)


def save_index(store: VectorStore, folder: str | Path) -> Path:
    """Save a FAISS store as the FAISS binary + the documents as JSON + a manifest (the embedder's fingerprint,
    the dimension, the count and each file's SHA-256; no pickle), replacing the folder in one rename."""
    import faiss

    if not _is_faiss(store):
        raise TypeError(f"save_index saves FAISS stores, not {type(store).__name__}: use that store's own persistence")
    folder = Path(folder)
    if not _may_replace(folder):
        raise FileExistsError(f"{folder} exists and is not an index saved by save_index: save_index replaces the whole "
                              "folder, so give it a new folder (or empty this one)")
    ids = [store.index_to_docstore_id[i] for i in range(len(store.index_to_docstore_id))]
    records = [{"id": i, "text": d.page_content, "metadata": d.metadata} for i, d in zip(ids, map(store.docstore.search, ids))]
    blobs = {"index.faiss": faiss.serialize_index(store.index).tobytes(),
             "documents.json": json.dumps(records, ensure_ascii=False).encode()}
    manifest = {"format": FORMAT, "save_id": secrets.token_hex(8), "embedder": embedder_identity(store.embeddings),
                "dimension": store.index.d, "count": store.index.ntotal,
                "files": {name: hashlib.sha256(blob).hexdigest() for name, blob in blobs.items()}}
    blobs[MANIFEST] = json.dumps(manifest, indent=1).encode()
    tmp = temporary_sibling(folder)
    for name, blob in blobs.items():
        with open(tmp / name, "wb") as f:
            f.write(blob)
            f.flush()
            os.fsync(f.fileno())
    replace_folder(tmp, folder)
    return folder


def load_index(folder: str | Path, embedding: Embeddings | None = None) -> VectorStore:
    """Load a store saved by save_index, after checking its files, count and dimension against the manifest and
    that `embedding` (default: the kit's embedder) is the embedder that built it."""
    import faiss
    from langchain_community.docstore.in_memory import InMemoryDocstore
    from langchain_community.vectorstores import FAISS
    from langchain_community.vectorstores.utils import DistanceStrategy

    folder = Path(folder)
    deadline = time.monotonic() + REPLACE_WAIT_S
    while (read := _read_index_files(folder)) is None:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the index in {folder} was being replaced for {REPLACE_WAIT_S:.0f} s without end: load "
                               f"it once the save has finished, or, if a save was interrupted, delete {folder.name}.tmp-* "
                               "and save the index again")
        time.sleep(0.005)
    manifest, blobs = read
    embedding = embedding or embeddings()
    _check_embedder(folder, manifest, embedding)
    index = faiss.deserialize_index(np.frombuffer(blobs["index.faiss"], dtype=np.uint8))
    records = json.loads(blobs["documents.json"])
    if (index.d, index.ntotal, len(records)) != (manifest["dimension"], manifest["count"], manifest["count"]):
        raise ValueError(f"the index in {folder} holds {index.ntotal} vectors of {index.d} numbers and {len(records)} "
                         f"documents, but its manifest says {manifest['count']} of {manifest['dimension']}: rebuild it")
    docs = {r["id"]: Document(page_content=r["text"], metadata=r["metadata"], id=r["id"]) for r in records}
    return FAISS(embedding, index, InMemoryDocstore(docs), {i: r["id"] for i, r in enumerate(records)},
                 distance_strategy=DistanceStrategy.MAX_INNER_PRODUCT)


def _may_replace(folder: Path) -> bool:
    """Whether save_index may replace folder: absent, empty, or holding only what save_index writes."""
    try:
        return {p.name for p in folder.iterdir()} <= {*INDEX_FILES, MANIFEST}
    except FileNotFoundError:  # absent, or renamed away by another save this instant
        return True
    except NotADirectoryError:
        return False


def temporary_sibling(folder: Path) -> Path:
    """A new empty folder `NAME.tmp-<pid>-<random>` beside folder (same file system, so it can be renamed to it)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.with_name(f"{folder.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    tmp.mkdir()
    return tmp


def replace_folder(tmp: Path, folder: Path) -> None:
    """Rename the complete folder tmp to folder, first renaming away (then deleting) whatever is there."""
    deadline = time.monotonic() + REPLACE_WAIT_S
    while True:
        try:
            os.rename(tmp, folder)  # fails while folder exists (Linux replaces only an empty folder)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
        old = folder.with_name(f"{folder.name}.old-{os.getpid()}-{secrets.token_hex(4)}")
        try:
            os.rename(folder, old)
        except FileNotFoundError:
            continue  # another save renamed it away first
        except PermissionError:  # Windows: a reader has a file open in it for a moment
            time.sleep(0.01)
            continue
        shutil.rmtree(old, ignore_errors=True)


def _read_index_files(folder: Path) -> tuple[dict, dict[str, bytes]] | None:
    """The manifest and the bytes of the files it names, checked against it; None while the folder is being
    replaced (absent during a save's swap, or changed between reading the manifest and the files)."""
    path = folder / MANIFEST
    try:
        text = path.read_text()
    except FileNotFoundError:
        # A save was swapping its folder in: its temporary folder lives until the swap's last rename, so look for it
        # first, then for the folder again (the other order misses a swap that ends between the two looks).
        if any(folder.parent.glob(f"{glob.escape(folder.name)}.tmp-*")) or path.exists():
            return None
        raise FileNotFoundError(f"no saved index in {folder} (expected {MANIFEST} written by save_index)") from None
    manifest = _parse_manifest(path, text)
    blobs = {}
    for name, sha in manifest["files"].items():
        try:
            blobs[name] = (folder / name).read_bytes()
        except FileNotFoundError:
            if _save_id(folder) != manifest["save_id"]:
                return None
            raise FileNotFoundError(f"the index in {folder} is incomplete: {name} is missing; rebuild it") from None
        if hashlib.sha256(blobs[name]).hexdigest() != sha:
            if _save_id(folder) != manifest["save_id"]:
                return None
            raise ValueError(f"{folder / name} does not match the hash save_index wrote: the file is corrupt or was "
                             "changed; rebuild the index rather than load it")
    return manifest, blobs


def _parse_manifest(path: Path, text: str) -> dict:
    """The manifest, or a ValueError naming the file when it is not one save_index writes."""
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"{path} is not valid JSON ({e}): the index is damaged; rebuild it with rag.save_index") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ValueError(f"{path} is not a manifest save_index writes (format {FORMAT!r}): it is damaged or from an "
                         "older ragft that did not record the embedder; rebuild the index with rag.save_index")
    fields = {"save_id": str, "embedder": dict, "dimension": int, "count": int, "files": dict}
    wrong = [k for k, kind in fields.items() if not isinstance(manifest.get(k), kind)]
    if wrong or set(manifest["files"]) != set(INDEX_FILES) or not {"name", "fingerprint"} <= set(manifest["embedder"]):
        raise ValueError(f"{path} is damaged ({', '.join(wrong) or 'files or embedder'} missing or of the wrong type): "
                         "rebuild the index with rag.save_index")
    return manifest


def _save_id(folder: Path) -> str | None:
    """The save_id of the manifest now in folder (None if there is none or it is unreadable)."""
    try:
        return json.loads((folder / MANIFEST).read_text()).get("save_id")
    except (OSError, ValueError, AttributeError):
        return None


def _check_embedder(folder: Path, manifest: dict, embedding: Embeddings) -> None:
    """Refuse to pair an index with an embedder other than the one that built it (its vectors would not compare)."""
    built, given = manifest["embedder"], embedder_identity(embedding)
    if given["fingerprint"].startswith("class:") and built["fingerprint"] == given["fingerprint"]:
        given_dim = len(embedding.embed_query("dimension"))  # known by its class only: at least its size must agree
        if given_dim != manifest["dimension"]:
            raise ValueError(f"the index in {folder} holds vectors of {manifest['dimension']} numbers, but the embedder "
                             f"given ({given['name']}) makes {given_dim}: load it with the embedder that built it")
    if built["fingerprint"] != given["fingerprint"]:
        raise ValueError(
            f"the index in {folder} was built with another embedder ({built['name']}, fingerprint "
            f"{built['fingerprint'][:16]}) than the one given ({given['name']}, {given['fingerprint'][:16]}): questions "
            "would be compared with vectors of another model. Load it with the embedder that built it "
            f"(rag.load_index(folder, rag.embeddings({built['name']!r}))) or rebuild it: "
            "rag.save_index(rag.vector_store(docs, embedding), folder)")
