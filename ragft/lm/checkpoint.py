"""Checkpoints: save and load with transformers' save_pretrained / from_pretrained, and benchmark one."""

from __future__ import annotations

import json
from pathlib import Path

from ragft import MODELS_DIR
from ragft.lm.generate import accuracy_on
from ragft.lm.model import count_parameters
from ragft.reading import eval_sets, subsample
from ragft.world import World

DEFAULT_DIR = MODELS_DIR / "course-model"


def save(model, tokenizer, path: str | Path, history: dict | None = None) -> Path:
    """Save model (safetensors + config) and tokenizer with save_pretrained; history.json beside them."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    if history is not None:
        (path / "history.json").write_text(json.dumps(history, indent=1))
    return path


def load(path: str | Path = DEFAULT_DIR):
    """Load (model, tokenizer) from a checkpoint folder with AutoModelForCausalLM / AutoTokenizer."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(path))
    tokenizer.padding_side = "left"
    model = AutoModelForCausalLM.from_pretrained(str(path))
    model.eval()
    return model, tokenizer


def benchmark(model_dir: str | Path = DEFAULT_DIR, sample: int | None = None, seed: int = 0,
              training_wordings: bool = False) -> dict:
    """Evaluate a checkpoint on the default world (held-out wordings; `sample` questions per figure if given)."""
    model, tokenizer = load(model_dir)
    world = World(seed=0)
    sets = eval_sets(world, "heldout", seed)
    names = {"closed_book_static": "closed_book_static_heldout", "open_book_k0": "open_book_k0",
             "open_book_k2": "open_book_k2", "open_book_k4": "open_book_k4",
             "closed_book_unseen_day": "closed_book_unseen_day"}
    result = {names[k]: round(accuracy_on(model, tokenizer, subsample(v, sample, seed)), 4) for k, v in sets.items()}
    if training_wordings:
        train_sets = eval_sets(world, "train", seed)
        for k in ("closed_book_static", "open_book_k0", "open_book_k2", "open_book_k4"):
            result[k + "_train_wordings"] = round(accuracy_on(model, tokenizer, subsample(train_sets[k], sample, seed)), 4)
    hist_path = Path(model_dir) / "history.json"
    hist = json.loads(hist_path.read_text()) if hist_path.exists() else {}
    result["pretrain_seconds"] = hist.get("seconds")
    result["params"] = hist.get("params", count_parameters(model))
    result["tokens_per_second"] = hist.get("tokens_per_second")
    return result
