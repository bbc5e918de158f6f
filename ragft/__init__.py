"""ragft: the machinery behind the course "RAG versus fine-tuning".

One module per idea: `world` (the fictional world), `lm` (the tiny course model), `evaluate`
(scores), `course` (runs the notebooks headless), `envcheck` (the environment self-check),
`bench` (the benchmark command). Notebooks import from here; nothing here imports a notebook.
"""

from pathlib import Path

__version__ = "0.1.0"

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = ROOT / "notebooks"
MODELS_DIR = ROOT / "models"
RESULTS_DIR = ROOT / "results"
BUILD_DIR = ROOT / "build"
