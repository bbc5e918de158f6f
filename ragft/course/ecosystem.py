"""The map of the RAG ecosystem, drawn from the kit itself: every component the learner built, where it sits.

    ecosystem.figure()      # matplotlib: retriever / generator / evaluator / trainer, each component boxed
    ecosystem.table()       # Markdown: component, the kit's code, the notebook where it was built (a link)

Each entry names real code (`module.attribute`) and the notebook that uses it; `check()` imports
every one and reads every notebook, so the map cannot drift from the kit (tests call it).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

PARTS = {
    "retriever": ("collect", "process", "store", "retrieve"),
    "generator": ("input", "augmentation", "prompt", "output"),
    "evaluator": ("metrics", "human feedback"),
    "trainer": ("fine-tuning",),
}


@dataclass(frozen=True)
class Component:
    part: str
    step: str
    label: str
    code: str      # "module.attribute" inside ragft
    notebook: str  # two-digit prefix of the notebook that builds or uses it


COMPONENTS = (
    Component("retriever", "collect", "world reports as Documents", "world.World.as_documents", "02"),
    Component("retriever", "collect", "any texts as Documents", "rag.as_documents", "02"),
    Component("retriever", "process", "recursive character splitter", "rag.split", "02"),
    Component("retriever", "store", "MiniLM embeddings", "rag.embeddings", "02"),
    Component("retriever", "store", "FAISS store, add a day", "rag.vector_store", "02"),
    Component("retriever", "store", "HNSW / IVF indexes", "rag.faiss_index", "03"),
    Component("retriever", "store", "index files, hash-checked", "rag.save_index", "02"),
    Component("retriever", "store", "corrections into the index", "hybrid.correction_documents", "06"),
    Component("retriever", "retrieve", "keyword, BM25", "rag.bm25_retriever", "02"),
    Component("retriever", "retrieve", "vector search, day filter", "rag.vector_retriever", "02"),
    Component("retriever", "retrieve", "hybrid (rank fusion)", "rag.hybrid_retriever", "02"),
    Component("retriever", "retrieve", "router: weights or index", "hybrid.hybrid_chain", "06"),
    Component("generator", "input", "course model / real LLM", "readers.make_llm", "02"),
    Component("generator", "augmentation", "LCEL RAG chain", "rag.rag_chain", "02"),
    Component("generator", "prompt", "reading format or chat template", "readers.Reader.prompt", "01"),
    Component("generator", "output", "answers with citations", "rag.cite", "02"),
    Component("evaluator", "metrics", "exact match", "evaluate.exact_match", "03"),
    Component("evaluator", "metrics", "hit@k, recall@k, MRR@10, nDCG@10", "evaluate.score_rag", "03"),
    Component("evaluator", "human feedback", "thumbs in SQLite", "feedback.FeedbackStore", "03"),
    Component("trainer", "fine-tuning", "pretraining from scratch", "lm.pretrain", "01"),
    Component("trainer", "fine-tuning", "full and LoRA fine-tuning", "finetune.finetune", "04"),
    Component("trainer", "fine-tuning", "RAFT reader", "hybrid.raft_examples", "06"),
    Component("trainer", "fine-tuning", "retriever (embedder)", "finetune.finetune_embedder", "06"),
    Component("trainer", "fine-tuning", "feedback into training", "hybrid.feedback_examples", "06"),
)

COLOURS = {"retriever": "#cfe3f7", "generator": "#d8efd2", "evaluator": "#fbe5c8", "trainer": "#ead7f2"}


def resolve(component: Component):
    """The kit's object a component names (raises if the code moved)."""
    module, _, attribute = component.code.partition(".")
    obj = importlib.import_module(f"ragft.{module}")
    for name in attribute.split("."):
        obj = getattr(obj, name)
    return obj


def notebook_of(component: Component):
    """The solution notebook (the source of the student one) where a component is built or used."""
    from ragft.course.runner import SOLUTIONS_DIR

    found = sorted(SOLUTIONS_DIR.glob(f"{component.notebook}_*.ipynb"))
    if not found:
        raise FileNotFoundError(f"no notebook {component.notebook} for {component.label!r}")
    return found[0]


def check() -> list[str]:
    """Problems with the map: code that does not import, notebooks missing or not using the code."""
    problems = []
    for c in COMPONENTS:
        if c.part not in PARTS or c.step not in PARTS[c.part]:
            problems.append(f"{c.label}: unknown place {c.part}/{c.step}")
        try:
            resolve(c)
        except (ImportError, AttributeError) as error:
            problems.append(f"{c.label}: {c.code} does not resolve ({error})")
        try:
            if c.code.split(".")[-1] not in notebook_of(c).read_text():
                problems.append(f"{c.label}: notebook {c.notebook} never uses {c.code}")
        except FileNotFoundError as error:
            problems.append(str(error))
    return problems


def table() -> str:
    """The map as a Markdown table, each notebook a link (relative to notebooks/)."""
    lines = ["| part | step | component | the kit's code | notebook |", "|---|---|---|---|---|"]
    for c in COMPONENTS:
        name = notebook_of(c).name
        lines.append(f"| {c.part} | {c.step} | {c.label} | `ragft.{c.code}` | [{c.notebook}]({name}) |")
    return "\n".join(lines)


def figure():
    """The map as a matplotlib figure: one column per part, one row of boxes per step."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(13, 6.2))
    ax.set_xlim(0, 4)
    ax.axis("off")
    top, lowest = 1.0, 1.0
    for x, (part, steps) in enumerate(PARTS.items()):
        ax.text(x + 0.5, top, part.upper(), ha="center", va="bottom", fontsize=12, weight="bold")
        y = top - 0.05
        for step in steps:
            ax.text(x + 0.05, y, step, fontsize=9, style="italic", va="top", color="#444")
            y -= 0.045
            for c in (c for c in COMPONENTS if c.part == part and c.step == step):
                ax.text(x + 0.5, y, f"{c.label}  · {c.notebook}", ha="center", va="top", fontsize=8.5,
                        bbox={"boxstyle": "round,pad=0.3", "fc": COLOURS[part], "ec": "#888"})
                y -= 0.06
            y -= 0.02
        lowest = min(lowest, y)
    ax.set_ylim(lowest, top + 0.05)
    ax.set_title("The RAG ecosystem, as built in this course (number = notebook)", fontsize=12)
    fig.tight_layout()
    return fig
