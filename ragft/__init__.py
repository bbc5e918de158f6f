"""ragft: the machinery behind the course "RAG versus fine-tuning".

The science, in the order the course meets it (data flows one way, top to bottom):

    world       the seeded fictional world: an attribute registry, entities, days, facts, documents, QA
    reading     the reading task every reader is scored on: questions, gold + distractor passages
    lm          the tiny course GPT: tokenizer, data, model, training, generation, checkpoint, model card
    readers     the reader seam: load a model, build its prompt, generate, extract the answer
    rag         retrieval: documents, embeddings, the store seam (FAISS), retrievers, the chain
    finetune    full and LoRA fine-tuning with replay; the embedder's fine-tuning
    hybrid      fine-tuned weights for static facts, retrieval for dynamic ones; RAFT; feedback
    evaluate    exact match and retrieval metrics
    feedback    human ratings in SQLite
    results     typed records of what each notebook measured (yours, else the shipped ones)
    unit_numbers  the decision model's measured inputs, with their 95% intervals and draws
    threshold   the decision model: accuracy bands and money per day of three strategies, presets

The course's tooling lives apart in `ragft.course` (checks, quiz, widgets, figures, ecosystem, bench,
runner, site, envcheck); no science module imports it, and nothing here imports a notebook.
"""

import os
from pathlib import Path

__version__ = "0.1.0"

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = ROOT / "notebooks"
MODELS_DIR = ROOT / "models"
SHIPPED_DIR = ROOT / "results" / "shipped"  # the kit's own run of every notebook and bench part
# Where your runs write (results/ and build/): the kit's folder, or the folder RAGFT_WORK names (a read-only shared
# install, one folder per graded student, or one per model: RAGFT_MODEL=smollm2 RAGFT_WORK=work-smollm2)
WORK_DIR = Path(os.environ.get("RAGFT_WORK") or ROOT).resolve()
RESULTS_DIR = WORK_DIR / "results"
BUILD_DIR = WORK_DIR / "build"


def model_setting() -> str:
    """The model the notebooks read with: $RAGFT_MODEL, else the old $RAGFT_LLM, else 'course' (ragft.readers parses
    it: 'course', 'smollm2', 'hf:PATH', ...). Results records note it (ragft.results)."""
    return os.environ.get("RAGFT_MODEL") or os.environ.get("RAGFT_LLM") or "course"
