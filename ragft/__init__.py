"""ragft: the machinery behind the course "RAG versus fine-tuning".

One module per idea: `world` (the fictional world), `lm` (the tiny course model), `llm` (the
generator as a LangChain model), `rag` (retrieval), `finetune`, `evaluate` (scores), `feedback`
(human ratings), `threshold` (the decision model and explorer), `checks` and `quiz` (exercises),
`course` (runs the notebooks; student versions), `envcheck` (the self-check), `bench` (the
benchmark command), `site` (the course site), `figures` (the lessons' figures). Notebooks import
from here; nothing here imports a notebook.
"""

from pathlib import Path

__version__ = "0.1.0"

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = ROOT / "notebooks"
MODELS_DIR = ROOT / "models"
RESULTS_DIR = ROOT / "results"
BUILD_DIR = ROOT / "build"
