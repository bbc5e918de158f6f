"""Documents for retrieval: any texts as LangChain `Document`s with a citable id, chunks, and what a question
names (its day, its names).

Every document the kit retrieves has an id: its `doc.id`, else the metadata key you name (`id_key`), else
'chunk' then 'source' (what `split` and the course world write). A document with none is refused, because
retrieval metrics and citations compare ids.
"""

from __future__ import annotations

import re
from typing import Sequence

from langchain_core.documents import Document

CHUNK_SIZE = 256  # characters, not tokens; every world document fits whole (notebook 02 plots the lengths)
ID_KEYS = ("chunk", "source")  # metadata keys read for an id, in order, when a document has no doc.id
_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?|-[0-9]+")
_DAY = re.compile(r"\bday\s+(-?\d+)\b", re.IGNORECASE)
_CAPITALISED = re.compile(r"[^\W\d_]\w*")
STOPWORDS = frozenset("a an the of in on at to is was were be by for and or what which who whom how did does "
                      "do tell me name when where that this its it with as from".split())
COMMON_WORDS = STOPWORDS | {"day", "describe", "since", "give", "show", "list", "explain", "find", "please", "i"}


def words(text: str) -> list[str]:
    """A real tokenizer for keyword search: lower-case, split on punctuation, keep 184.20 and -3 whole."""
    return _WORD.findall(text.lower())


def doc_id(doc: Document, id_key: str | None = None) -> str:
    """A document's citable id: doc.id, else metadata[id_key] (by default 'chunk', then 'source')."""
    keys = (id_key,) if id_key else ID_KEYS
    found = doc.id or next((doc.metadata[k] for k in keys if doc.metadata.get(k)), None)
    if not found:
        raise ValueError(f"the document {doc.page_content[:40]!r} has no id: give it Document(id=...), or metadata "
                         f"{' or '.join(repr(k) for k in keys)}, or name the metadata key that holds ids with id_key=")
    return str(found)


def as_documents(texts: Sequence[str | Document], id_key: str | None = None) -> list[Document]:
    """Any list of strings or Documents as Documents, each with an id (`doc_id`; a string gets 'text/<i>').

    A Document without doc.id comes back as a copy with its id filled in from its metadata.
    """
    if isinstance(texts, (str, Document)):
        raise TypeError("pass a list of texts or Documents, not a single one")
    docs = [t if isinstance(t, Document) else Document(page_content=t, metadata={"source": f"text/{i}"})
            for i, t in enumerate(texts)]
    for d in docs:
        if not isinstance(d.page_content, str) or not d.page_content.strip():
            raise ValueError(f"empty document (source {d.metadata.get('source', '?')!r}): every text needs words")
    return [d if d.id else d.model_copy(update={"id": doc_id(d, id_key)}) for d in docs]


def split(texts: Sequence[str | Document], chunk_size: int = CHUNK_SIZE, chunk_overlap: int = 0,
          id_key: str | None = None) -> list[Document]:
    """Cut long documents into chunks of at most `chunk_size` characters, at paragraph, line, then sentence
    boundaries; chunks keep their metadata and get the id '<document id>#<n>'.

    For documents that are already passage-sized (abstracts, FAQ answers), skip it: every retriever and
    `vector_store` take documents whole.
    """
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=chunk_size, chunk_overlap=chunk_overlap,
                                              separators=["\n\n", "\n", ". ", " ", ""])
    chunks = []
    for doc in as_documents(texts, id_key):  # a stable, citable id per chunk: the document's id and #n
        for n, chunk in enumerate(splitter.split_documents([doc]), 1):
            chunk.id = chunk.metadata["chunk"] = f"{doc.id}#{n}"
            chunks.append(chunk)
    return chunks


def day_of(question: str) -> int | None:
    """The day a question asks about ('... on day 61?' -> 61, 'day -5' -> -5), or None: the one reading of a day
    that the day filter, the hybrid's router and the chain share. Reports are dated from day 1; day 0 marks
    timeless pages, so a question about day 0 or a negative day asks about a day with no reports."""
    match = _DAY.search(question)
    return int(match.group(1)) if match else None


def names_in(question: str) -> set[str]:
    """The names a question asks about, as `words` spells them: its capitalised words but common ones
    ('Where was Ana Brill born?' -> {'ana', 'brill'}; 'What', 'Tell', 'On' are not names)."""
    capitalised = [w for w in _CAPITALISED.findall(question) if w[0].isupper()]
    return {w for token in capitalised for w in words(token)} - COMMON_WORDS


def has_days(docs: Sequence[Document]) -> bool:
    """Whether every document carries 'day' metadata (the course world's), so a day filter can apply."""
    return bool(docs) and all("day" in d.metadata for d in docs)
