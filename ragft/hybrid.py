"""RAG and fine-tuning together (notebook 06): a router, reading exercises for a RAFT reader, feedback as data.

    chain = hybrid_chain(retriever, llm)    # static questions closed-book, dynamic ones through RAG
    chain.batch(questions)                  # [{'question', 'answer', 'sources', 'passages', 'route'}, ...]
    raft_examples(world, days, n=2000)      # reading items, gold present or absent, to fine-tune on (RAFT)
    feedback_examples(store.corrections())  # thumbs-down ratings with a correction, as closed-book reading items
    correction_documents(store.corrections())  # corrections of dated facts, as documents for the index

A question about a dated fact ("... on day 61?") is dynamic: its answer lives in the index. Any other
question is about the timeless part of the world, which the hybrid keeps in the weights. A day the weights
cannot know (a future day, day 0, a negative day) is dynamic too: the index has no report of it, so the
retrieval route answers `rag.NO_ANSWER` rather than the weights guessing.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

import numpy as np
from langchain_core.documents import Document
from langchain_core.runnables import Runnable, RunnableLambda

from ragft import rag
from ragft.feedback import usable_corrections
from ragft.inputs import check_text, check_texts
from ragft.reading import DocIndex, ReadingItem, closed_book, open_book_example
from ragft.world import N_TRAIN_WORDINGS, QUESTIONS, World


def is_dynamic(question: str) -> bool:
    """The router's rule: a question that names a day (any day, as `rag.day_of` reads it) asks about dynamic
    knowledge."""
    return rag.day_of(check_text("question", question)) is not None


def closed_book_chain(llm: Runnable) -> Runnable:
    """question -> the model alone (no retrieval, its reader's closed-book prompt) -> the same dict as
    `rag.rag_chain`, with no sources. A question that is not text, is empty or too long is refused."""
    return (RunnableLambda(lambda q: {"question": check_text("question", q), "passages": []})
            | rag.ReadStep(llm)
            | RunnableLambda(lambda x: {**x, "answer": x["answer"].strip(), "sources": []}))


class HybridChain(Runnable):
    """Route each question: dynamic ones through the RAG chain, static ones to the model's weights.

    A batch is split by route and each part is run as one batch, so the model still answers many
    questions per forward pass. Every output says which route it took.
    """

    def __init__(self, retrieval: Runnable, closed_book: Runnable, route: Callable[[str], bool] = is_dynamic,
                 known_names: Iterable[str] | None = None):
        self.retrieval, self.closed_book, self.route = retrieval, closed_book, route
        self.known = None if known_names is None else {w for name in known_names for w in rag.words(name)}

    def unknown(self, question: str) -> bool:
        """Whether a question for the weights names nothing the catalogue knows ('In which region is Atlantis?'):
        the weights would only guess, so the hybrid abstains. Without a catalogue it never abstains here."""
        names = rag.names_in(question)
        return self.known is not None and bool(names) and not names & self.known

    def invoke(self, question: str, config: Any = None, **kwargs: Any) -> dict:
        return self.batch([check_text("question", question)], config)[0]

    def batch(self, questions: Sequence[str], config: Any = None, **kwargs: Any) -> list[dict]:
        questions = check_texts("questions", questions)
        routes = [self.route(q) for q in questions]
        outs: list[dict | None] = [None] * len(questions)
        for dynamic, chain in ((True, self.retrieval), (False, self.closed_book)):
            where = [i for i, r in enumerate(routes) if r == dynamic]
            if not dynamic:
                for i in [i for i in where if self.unknown(questions[i])]:
                    outs[i] = {"question": questions[i], "answer": rag.NO_ANSWER, "sources": [], "passages": [],
                               "route": "weights"}
                where = [i for i in where if outs[i] is None]
            if where:
                for i, out in zip(where, chain.batch([questions[i] for i in where], config)):
                    outs[i] = {**out, "route": "retrieval" if dynamic else "weights"}
        return outs  # type: ignore[return-value]


def hybrid_chain(retriever: Runnable, llm: Runnable, known_names: Iterable[str] | None = None) -> HybridChain:
    """The hybrid system: a retriever over the dynamic documents only, and the model's weights for the rest.

    known_names: the entities the weights were trained on (e.g. `world.entities`); a question for the weights that
    names none of them gets `rag.NO_ANSWER` instead of a guess."""
    return HybridChain(rag.rag_chain(retriever, llm), closed_book_chain(llm), known_names=known_names)


def raft_examples(world: World, days: Sequence[int], n: int, max_distractors: int = 4, p_no_gold: float = 0.2,
                  p_static: float = 0.5, abstain: str | None = None, seed: int = 0) -> list[ReadingItem]:
    """Reading exercises in the spirit of RAFT (Zhang et al. 2024), from training days and training wordings.

    Each item is drawn from a 2x2: a dated question (share 1 - p_static) or a static one (p_static), with its gold
    passage present (1 - p_no_gold) or absent (p_no_gold), independently, so the question's form (a day or none)
    says nothing about whether to read. Passages: the gold (a day's report, or the entity's encyclopedia page)
    among 0..max_distractors look-alikes; without the gold, 1..max_distractors of them (for a dated question the
    same day's reports of other entities and the entity's other days; for a static one, dynamic reports). Target:
    the fact's value, copied from the gold when present and from the weights when absent, as RAFT does; for a
    dated question without its gold, `abstain` instead when given (e.g. `rag.NO_ANSWER` for a reader whose
    vocabulary can say it; the course tokenizer cannot). Each reader asks the items in its own prompt
    (`finetune.train_on`). With p_no_gold = p_static = 0 the items are the plain dynamic exercises.
    """
    if not (0 <= p_no_gold <= 1 and 0 <= p_static <= 1):
        raise ValueError(f"p_no_gold and p_static are shares between 0 and 1, got {p_no_gold} and {p_static}")
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if abstain is not None:
        abstain = check_text("abstain", abstain)
    rng = np.random.default_rng([seed, 6])
    index = DocIndex(world, days)
    pages = {f: d for d in world.documents([], static=True) for f in d.facts}
    facts = world.dynamic_facts(days)
    static = world.static_facts()
    out = []
    for _ in range(n):
        k = int(rng.integers(max_distractors + 1))
        u = rng.random()  # one draw picks the cell of the 2x2: absent with p_no_gold, then static with p_static
        absent = u < p_no_gold
        if (u / p_no_gold if absent else (u - p_no_gold) / (1 - p_no_gold)) < p_static:
            fact = static[rng.integers(len(static))]
            question = fact.render(QUESTIONS[fact.attribute][rng.integers(N_TRAIN_WORDINGS)])
            own = index.by_entity.get(fact.entity, [])
            pool = own if own and rng.random() < 0.5 else index.docs
            docs = [pool[i] for i in rng.choice(len(pool), size=min(max(k, int(absent)), len(pool)), replace=False)]
            docs = docs if absent else [pages[fact.id], *docs]
            passages = tuple(docs[i].text for i in rng.permutation(len(docs)))
            out.append(ReadingItem(question, passages, fact.value))
            continue
        fact = facts[rng.integers(len(facts))]
        question = fact.render(QUESTIONS[fact.attribute][rng.integers(N_TRAIN_WORDINGS)])
        if absent:
            docs = index.distractors(index.gold[fact.id], max(k, 1), rng)
            out.append(ReadingItem(question, tuple(d.text for d in docs), abstain or fact.value))
        else:
            out.append(open_book_example(index, fact, question, k, rng))
    return out


def feedback_examples(corrections: Sequence[dict]) -> list[ReadingItem]:
    """Thumbs-down ratings with a corrected answer -> closed-book reading items to fine-tune on."""
    return [closed_book(row["question"], row["correction"].strip()) for row in usable_corrections(corrections)]


def correction_documents(corrections: Sequence[dict]) -> list[Document]:
    """Thumbs-down ratings with a correction of a dated fact -> documents for the index, dated like the question.

    A correction of today's weather is true today only: it belongs in the index (where the day filter keeps it
    to its day and it can be deleted), not in the weights. Corrections of undated facts are left out.
    """
    out = []
    for row in usable_corrections(corrections):
        question = row["question"].strip()
        day = rag.day_of(question)
        if day is not None:
            chunk = f"feedback/{row.get('id', len(out))}"
            out.append(Document(page_content=f"Correction: {question} {row['correction'].strip()}.", id=chunk,
                                metadata={"source": "feedback", "chunk": chunk, "day": day, "facts": ""}))
    return out
