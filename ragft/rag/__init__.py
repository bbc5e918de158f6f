"""Retrieval-augmented generation on LangChain and FAISS: the non-parametric half of the course.

    documents.py    texts as Documents with citable ids, `split` for long documents, the day a question names
    embeddings.py   all-MiniLM-L6-v2 from its installed package
    store.py        the store seam: build, add, size, dimension, search with a day filter, save, load (FAISS default)
    retrievers.py   keyword, BM25, vector and hybrid retrievers; the course world's day filter
    chain.py        the chain: retrieve, read with the reader's prompt, cite or abstain

Every function takes LangChain `Document`s, so it works on the course world (`World.as_documents()`) and on
any documents a learner brings (strings, or Documents with an id); scores against a relevance file are in
`ragft.evaluate.score_rag`.

    docs   = split(world.as_documents())                # chunks of at most CHUNK_SIZE characters (world pages fit whole)
    store  = vector_store(docs)                         # FAISS over all-MiniLM-L6-v2; short documents need no split
    chain  = rag_chain(hybrid_retriever(docs, store), make_llm())
    chain.invoke("What was the high in Holnok on day 61?")  # {'question', 'answer', 'sources', 'passages'}
"""

from ragft.rag.chain import NO_ANSWER, ReadStep, Retrieve, cite, rag_chain, unknown_names
from ragft.rag.documents import CHUNK_SIZE, as_documents, day_of, doc_id, has_days, names_in, split, words
from ragft.rag.embeddings import embedder_path, embeddings, release_embedders
from ragft.rag.retrievers import (DEFAULT_K, DatedBM25, HybridRetriever, KeywordRetriever, VectorRetriever,
                                  bm25_retriever, days_kept, hybrid_retriever, unreported_day, vector_retriever)
from ragft.rag.store import (add_documents, dimension, faiss_index, load_index, save_index, search, size,
                             vector_store)

__all__ = ["CHUNK_SIZE", "DEFAULT_K", "DatedBM25", "HybridRetriever", "KeywordRetriever", "NO_ANSWER", "ReadStep",
           "Retrieve", "VectorRetriever", "add_documents", "as_documents", "bm25_retriever", "cite", "day_of",
           "days_kept", "dimension", "doc_id", "embedder_path", "embeddings", "faiss_index", "has_days",
           "hybrid_retriever", "load_index", "names_in", "rag_chain", "release_embedders", "save_index", "search",
           "size", "split", "unknown_names", "unreported_day", "vector_retriever", "vector_store", "words"]
