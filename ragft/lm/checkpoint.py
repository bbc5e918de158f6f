"""Checkpoints: save and load with transformers' save_pretrained / from_pretrained, and benchmark one.

`save` also writes checksums.json (the SHA-256 and size of every weight, config and tokenizer file) and `load`
checks a folder against it, so a flipped byte, an edited config or a truncated file is refused, not loaded.
"""

from __future__ import annotations

import hashlib
import json
import os
from contextlib import contextmanager
from pathlib import Path

from ragft import MODELS_DIR
from ragft.lm.generate import accuracy_on
from ragft.lm.model import count_parameters
from ragft.reading import eval_sets, subsample
from ragft.world import World

DEFAULT_DIR = MODELS_DIR / "course-model"
CHECKSUMS = "checksums.json"
NOT_CHECKED = {"README.md", "history.json", "benchmark.json", "sealed.json", CHECKSUMS}  # what the model says about itself


def save(model, tokenizer, path: str | Path, history: dict | None = None) -> Path:
    """Save model (safetensors + config) and tokenizer with save_pretrained; history.json beside them."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    if history is not None:
        (path / "history.json").write_text(json.dumps(history, indent=1))
    write_checksums(path)
    return path


def write_checksums(path: str | Path) -> Path:
    """Write checksums.json: the SHA-256 and size of every file of the folder that loading reads."""
    path = Path(path)
    files = {p.name: {"sha256": _sha256(p), "bytes": p.stat().st_size}
             for p in sorted(path.iterdir()) if p.is_file() and p.name not in NOT_CHECKED and not p.name.startswith(".")}
    tmp = path / f"{CHECKSUMS}.tmp-{os.getpid()}"
    tmp.write_text(json.dumps({"files": files}, indent=1) + "\n")
    os.replace(tmp, path / CHECKSUMS)  # the old checksums stay until the new ones are complete
    return path / CHECKSUMS


def verify(path: str | Path) -> None:
    """Check a checkpoint folder against its checksums.json (if it has one): a clear error for a changed,
    truncated or missing file, with how to restore it."""
    path = Path(path)
    if not (path / CHECKSUMS).is_file():
        return
    try:
        files = json.loads((path / CHECKSUMS).read_text())["files"]
        expected = {name: (f["sha256"], f["bytes"]) for name, f in files.items()}
    except (ValueError, KeyError, TypeError) as e:
        raise ValueError(f"{path / CHECKSUMS} is damaged ({type(e).__name__}: {e}); {_restore_hint(path)}") from None
    for name, (sha, size) in expected.items():
        file = path / name
        if not file.is_file():
            raise FileNotFoundError(f"the checkpoint {path} is incomplete: {name} is missing; {_restore_hint(path)}")
        if file.stat().st_size != size:
            raise ValueError(f"{file} is truncated or was changed: {file.stat().st_size:,} bytes where "
                             f"{CHECKSUMS} says {size:,}; {_restore_hint(path)}")
        if _sha256(file) != sha:
            raise ValueError(f"{file} is corrupt or was edited: its SHA-256 differs from the one in {CHECKSUMS}, "
                             f"written when it was saved, and it would answer wrongly; {_restore_hint(path)}")


def _restore_hint(path: Path) -> str:
    if path.resolve() == DEFAULT_DIR.resolve():
        return "restore the shipped model with `git checkout models/` (or rebuild it from its seed with `make model`)"
    return "save the model again with ragft.lm.save (re-run what wrote this folder)"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load(path: str | Path = DEFAULT_DIR):
    """Load (model, tokenizer) from a checkpoint folder with AutoModelForCausalLM / AutoTokenizer, after checking
    its files against checksums.json when it has one."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if not Path(path).is_dir():
        raise FileNotFoundError(f"no checkpoint folder at {str(path)!r}: lm.load takes a local folder saved by "
                                "ragft.lm.save, never a hub name")
    verify(path)
    tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
    tokenizer.padding_side = "left"
    with quiet_loading():
        model = AutoModelForCausalLM.from_pretrained(str(path), local_files_only=True)
    model.eval()
    return model, tokenizer


@contextmanager
def quiet_loading():
    """Silence transformers' "Loading weights" bar around a load of the kit's own (it takes a second, and a bar
    on every load reads like a download); other progress bars are left as they were."""
    from transformers.utils import logging

    was_on = logging.is_progress_bar_enabled()
    logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_on:
            logging.enable_progress_bar()


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
