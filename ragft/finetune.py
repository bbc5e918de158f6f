"""Fine-tuning the course model on new facts: full or LoRA, raw text or paraphrases + QA, with replay.

    result = finetune(model, tokenizer, world, world.facts_on(61), FinetuneConfig(method="lora"))
    result.model        # the fine-tuned copy (the model passed in is never changed)
    report(result, world, new_facts, old_facts)   # accuracy on new and old facts, time, size

The fine-tuning step is `lm.train_step`, the same one pretraining uses.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import torch

from ragft import lm
from ragft.evaluate import accuracy
from ragft.world import Fact, World

# Full fine-tuning's default learning rate. The course model's last pretraining stages peaked at 5e-4 and 2e-4; at 1e-3 a
# day's fine-tuning shook the old static facts loose even with replay; 7e-4 learns the new facts as well as 1e-3.
FULL_LR = 7e-4
# The share of each batch the course replays from old knowledge when it fine-tunes a day's facts (notebooks 04-06).
# Day 61, 150 steps, replay share (at learning rate) -> old static facts and the day's facts (held-out wordings):
# shipped course model (100% before): 0 (7e-4) 72.8% and 77.9%; 0.4 (7e-4) 98.8%, 51.5%; 0.5 (7e-4) 100%, 53.7%;
# 0.6 (7e-4) 99.8%, 35.3%. The course model shipped before it (3 stages, 100% before) needed 0.5: 0.4 (7e-4) 93.3%, 46.3%;
# 0.5 (7e-4) 97.6%, 44.1%; 0.3 (5e-4) 93.3%; 0.4 (5e-4) 95.4%. 0.5 keeps the old facts within 3 points with both.
REPLAY = 0.5
LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


@dataclass
class FinetuneConfig:
    """One fine-tuning run. `steps` fixes the compute; `seconds` optionally caps the wall time."""

    method: str = "full"          # "full" (every weight) or "lora" (low-rank adapters, peft)
    data: str = "paraphrase"      # "raw" (each fact stated once) or "paraphrase" (all statements + QA)
    replay: float = 0.0           # share of each batch drawn from old knowledge
    steps: int = 150
    seconds: float | None = None
    batch_size: int = 16
    lr: float | None = None       # default: FULL_LR full, 5e-3 LoRA
    lora_r: int = 8
    lora_alpha: int = 16
    lora_targets: tuple[str, ...] = LORA_TARGETS
    stop_at: float | None = None  # early stopping: stop once training-wording accuracy on the new facts reaches this
    check_every: int = 25
    seed: int = 0

    def __post_init__(self):
        if self.method not in ("full", "lora"):
            raise ValueError(f"method is 'full' or 'lora', got {self.method!r}")
        if self.data not in ("raw", "paraphrase"):
            raise ValueError(f"data is 'raw' or 'paraphrase', got {self.data!r}")
        if not 0.0 <= self.replay < 1.0:
            raise ValueError(f"replay is a share of each batch, between 0 and 1 (exclusive), got {self.replay}")
        if self.steps < 1:
            raise ValueError(f"steps must be at least 1, got {self.steps}")


@dataclass
class FinetuneResult:
    model: torch.nn.Module
    config: FinetuneConfig
    seconds: float
    steps: int
    losses: list[float] = field(default_factory=list)
    trainable_params: int = 0
    total_params: int = 0


def training_examples(world: World, facts: Sequence[Fact], data: str) -> list[tuple[str, str | None]]:
    """(text, answer) pairs: raw = each fact's document sentence once; paraphrase = every statement + QA pairs."""
    if data == "raw":
        return [(f.sentence, None) for f in facts]
    return ([(s, None) for f in facts for s in world.statements(f)]
            + [(lm.prompt(q.question), q.answer) for q in world.qa(facts, "train")])


def apply_lora(model, r: int = 8, alpha: int = 16, targets: Sequence[str] = LORA_TARGETS):
    """Wrap a copy of the model with LoRA adapters (peft): only the adapters train."""
    from peft import LoraConfig, get_peft_model

    return get_peft_model(model, LoraConfig(r=r, lora_alpha=alpha, target_modules=list(targets), lora_dropout=0.0,
                                            bias="none", task_type="CAUSAL_LM"))


def finetune(model, tokenizer, world: World, new_facts: Sequence[Fact], cfg: FinetuneConfig | None = None,
             old_facts: Sequence[Fact] = (), progress: bool = True) -> FinetuneResult:
    """Fine-tune a copy of `model` on the new facts (plus replay of `old_facts`); the original is untouched."""
    cfg = cfg or FinetuneConfig()
    if not new_facts:
        raise ValueError("nothing to learn: new_facts is empty")
    if cfg.replay > 0 and not old_facts:
        raise ValueError("replay needs old_facts to replay")
    old = training_examples(world, old_facts, "paraphrase") if cfg.replay else []
    check = [(lm.prompt(q.question), q.answer) for q in world.qa(new_facts, "train")]
    return train_on(model, tokenizer, training_examples(world, new_facts, cfg.data), cfg, old, check, progress,
                    desc=f"fine-tune ({cfg.method}, {cfg.data}, replay {cfg.replay:.0%})")


def train_on(model, tokenizer, examples: Sequence[tuple[str, str | None]], cfg: FinetuneConfig | None = None,
             old_examples: Sequence[tuple[str, str | None]] = (), check: Sequence[tuple[str, str]] = (),
             progress: bool = True, desc: str = "fine-tune") -> FinetuneResult:
    """Fine-tune a copy of `model` on (text, answer or None) examples; `cfg.replay` of each batch from `old_examples`.

    `check`: (prompt, gold) pairs for early stopping (`cfg.stop_at`). `cfg.data` is not used here: the
    examples are given. `finetune` (facts) and notebook 06 (reading exercises, feedback) both end here.
    """
    from tqdm.auto import tqdm

    cfg = cfg or FinetuneConfig()
    if not examples:
        raise ValueError("nothing to learn: no training examples")
    if cfg.replay > 0 and not old_examples:
        raise ValueError("replay needs old examples to replay")
    if cfg.stop_at is not None and not check:
        raise ValueError("early stopping (stop_at) needs check questions")
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    tuned = copy.deepcopy(model)
    if cfg.method == "lora":
        tuned = apply_lora(tuned, cfg.lora_r, cfg.lora_alpha, cfg.lora_targets)
    tuned.train()
    params = [p for p in tuned.parameters() if p.requires_grad]
    lr = cfg.lr or (FULL_LR if cfg.method == "full" else 5e-3)
    optimiser = torch.optim.AdamW(params, lr=lr, weight_decay=0.0)
    new = [lm.encode(tokenizer, t, a) for t, a in examples]
    old = [lm.encode(tokenizer, t, a) for t, a in old_examples] if cfg.replay else []
    n_old = int(round(cfg.batch_size * cfg.replay))
    result = FinetuneResult(tuned, cfg, 0.0, 0, trainable_params=sum(p.numel() for p in params),
                            total_params=lm.count_parameters(model))
    start = time.perf_counter()
    bar = tqdm(range(cfg.steps), desc=desc, disable=not progress)
    for step in bar:
        batch = [new[i] for i in rng.integers(len(new), size=cfg.batch_size - n_old)]
        batch += [old[i] for i in rng.integers(len(old), size=n_old)] if n_old else []
        for g in optimiser.param_groups:  # linear decay to 10%
            g["lr"] = lr * (1 - 0.9 * step / cfg.steps)
        loss = lm.train_step(tuned, optimiser, lm.collate(batch, tokenizer.pad_token_id))
        result.losses.append(loss)
        result.steps = step + 1
        bar.set_postfix(loss=f"{loss:.3f}")
        if cfg.seconds is not None and time.perf_counter() - start > cfg.seconds:
            break
        if cfg.stop_at is not None and (step + 1) % cfg.check_every == 0:
            if closed_book_accuracy(tuned, tokenizer, check) >= cfg.stop_at:
                break
            tuned.train()
    result.seconds = time.perf_counter() - start
    tuned.eval()
    return result


def closed_book_accuracy(model, tokenizer, items: Sequence[tuple[str, str]]) -> float:
    """Exact match of closed-book greedy answers on (prompt, gold) pairs."""
    return accuracy(lm.generate(model, tokenizer, [p for p, _ in items]), [g for _, g in items])


def fact_accuracy(model, tokenizer, world: World, facts: Sequence[Fact], split: str = "heldout") -> float:
    """Closed-book accuracy on questions about `facts` in the given wordings."""
    return closed_book_accuracy(model, tokenizer, [(lm.prompt(q.question), q.answer) for q in world.qa(facts, split)])


def adapter_bytes(result: FinetuneResult, folder: str | Path) -> int:
    """Save what must be shipped for this update (LoRA: the adapter; full: the whole model); return its size."""
    folder = Path(folder)
    result.model.save_pretrained(folder)
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def merge(result: FinetuneResult):
    """A plain transformers model with the LoRA adapters merged into its weights (full fine-tuning: as is)."""
    return result.model.merge_and_unload() if result.config.method == "lora" else result.model


def report(result: FinetuneResult, tokenizer, world: World, new_facts: Sequence[Fact],
           old_facts: Sequence[Fact] = ()) -> dict[str, float]:
    """New-fact accuracy (held-out and trained wordings), old-fact retention, time and size of a run."""
    out = {"new_heldout": fact_accuracy(result.model, tokenizer, world, new_facts, "heldout"),
           "new_trained_wording": fact_accuracy(result.model, tokenizer, world, new_facts, "train"),
           "seconds": result.seconds, "steps": result.steps, "trainable_params": result.trainable_params}
    if old_facts:
        out["old_heldout"] = fact_accuracy(result.model, tokenizer, world, old_facts, "heldout")
    return out
