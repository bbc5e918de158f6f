"""Every test runs offline: no network, no model hub. Notebook kernels inherit the same guard."""

import importlib.util
import os
from pathlib import Path

import pytest

OFFLINE_DIR = Path(__file__).parent / "offline"

os.environ.update({"RAGFT_BLOCK_NETWORK": "1", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
                   "HF_DATASETS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"})
os.environ["PYTHONPATH"] = os.pathsep.join([str(OFFLINE_DIR)] + [p for p in [os.environ.get("PYTHONPATH")] if p])

# The guard for this process; kernels and other subprocesses load it through PYTHONPATH.
_spec = importlib.util.spec_from_file_location("ragft_offline_guard", OFFLINE_DIR / "sitecustomize.py")
_guard = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_guard)


# The default world and the course tokenizer trained on it, shared by the test files that read them (trained once).
@pytest.fixture(scope="session")
def world():
    from ragft.world import World

    return World(seed=0)


@pytest.fixture(scope="session")
def tokenizer(world):
    from ragft import lm

    return lm.train_tokenizer(world)
