"""Pretraining: the optimiser settings, the learning-rate schedule, one training step and the loop."""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass

import torch

from ragft.lm.data import DataConfig, PretrainStream
from ragft.lm.generate import accuracy_on
from ragft.lm.model import ModelConfig, build_model, count_parameters
from ragft.lm.tokenizer import train_tokenizer
from ragft.reading import ReadingItem, eval_sets, subsample
from ragft.world import World


@dataclass
class TrainConfig:
    """Optimisation settings."""

    steps: int = 4500
    batch_size: int = 16
    seq_len: int = 256
    lr: float = 3e-3
    min_lr_ratio: float = 0.05
    warmup: int = 100
    weight_decay: float = 0.05
    grad_clip: float = 1.0
    eval_every: int = 500
    eval_sample: int = 48
    max_minutes: float | None = None  # optional wall-clock cap (stops early; the schedule is by steps)
    seed: int = 0
    threads: int = 2  # the shipped model's: half the time of 1 on an idle 2-core machine (1 if the other core is busy)
    bf16: bool = True  # bfloat16 autocast for the forward pass (fast on CPUs with AMX; weights stay fp32)


def lr_at(step: int, cfg: TrainConfig) -> float:
    """Linear warmup then cosine decay to min_lr_ratio * lr."""
    if step < cfg.warmup:
        return cfg.lr * (step + 1) / cfg.warmup
    t = min(1.0, (step - cfg.warmup) / max(1, cfg.steps - cfg.warmup))
    return cfg.lr * (cfg.min_lr_ratio + (1 - cfg.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * t)))


def train_step(model, optimiser, batch: tuple[torch.Tensor, ...], clip: float = 1.0, bf16: bool = False) -> float:
    """One optimiser step on the weighted next-token loss (pretraining and fine-tuning alike); returns the loss."""
    x, y, w = batch
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        logits = model(input_ids=x).logits
    logits = logits.float()
    ce = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1), reduction="none")
    loss = (ce * w.reshape(-1)).sum() / w.sum()
    optimiser.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], clip)
    optimiser.step()
    return loss.item()


def quick_eval(model, tokenizer, sets: dict[str, list[ReadingItem]]) -> dict[str, float]:
    """Accuracy on each (small) evaluation set; leaves the model in train mode."""
    scores = {name: accuracy_on(model, tokenizer, items) for name, items in sets.items()}
    model.train()
    return scores


def pretrain(tokenizer=None, model_cfg: ModelConfig | None = None, train_cfg: TrainConfig | None = None,
             data_cfg: DataConfig | None = None, world: World | None = None, progress: bool = True,
             evaluate_on: dict[str, list[ReadingItem]] | None = None, model=None):
    """Pretrain a fresh model from the seed (or go on training `model`, with its tokenizer); returns
    (model, tokenizer, history).

    evaluate_on: {name: [ReadingItem, ...]} scored every eval_every steps (default: samples of the benchmark).

    history = {"config": ..., "steps": [{step, seconds, loss, lr, tokens}], "evals": [{step, seconds, <set>: acc}],
    "seconds", "tokens", "tokens_per_second", "params"}.
    """
    from tqdm.auto import tqdm

    model_cfg, train_cfg, data_cfg = model_cfg or ModelConfig(), train_cfg or TrainConfig(), data_cfg or DataConfig()
    world = world or World(seed=0)
    torch.set_num_threads(train_cfg.threads)
    torch.manual_seed(train_cfg.seed)
    if model is not None and tokenizer is None:
        raise ValueError("to go on training a model, pass its tokenizer too")
    tokenizer = tokenizer or train_tokenizer(world)
    model = model if model is not None else build_model(tokenizer, model_cfg)
    model.train()
    stream = PretrainStream(tokenizer, data_cfg, world).batches(train_cfg.batch_size, train_cfg.seq_len)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": train_cfg.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=train_cfg.lr, betas=(0.9, 0.98))
    if evaluate_on is None:
        sets = eval_sets(world)
        evaluate_on = {"closed_book_static_heldout": subsample(sets["closed_book_static"], train_cfg.eval_sample, 1),
                       "open_book_k2": subsample(sets["open_book_k2"], train_cfg.eval_sample, 1)}
    history: dict = {"config": {"model": asdict(model_cfg), "train": asdict(train_cfg), "data": asdict(data_cfg)},
                     "params": count_parameters(model), "steps": [], "evals": []}
    t0, tokens, eval_time = time.perf_counter(), 0, 0.0
    bar = tqdm(total=train_cfg.steps, desc="pretrain", disable=not progress)
    for step in range(train_cfg.steps):
        x, y, w = next(stream)
        for g in opt.param_groups:
            g["lr"] = lr_at(step, train_cfg)
        loss = train_step(model, opt, (x, y, w), train_cfg.grad_clip, train_cfg.bf16)
        tokens += int((x != tokenizer.pad_token_id).sum())
        seconds = time.perf_counter() - t0 - eval_time
        history["steps"].append({"step": step + 1, "seconds": round(seconds, 2), "loss": round(loss, 4),
                                 "lr": lr_at(step, train_cfg), "tokens": tokens})
        bar.update(1)
        bar.set_postfix(loss=f"{loss:.3f}", tok_s=f"{tokens / max(seconds, 1e-9):.0f}")
        last = step + 1 == train_cfg.steps
        out_of_time = train_cfg.max_minutes is not None and seconds > 60 * train_cfg.max_minutes
        if train_cfg.eval_every and ((step + 1) % train_cfg.eval_every == 0 or last or out_of_time):
            te = time.perf_counter()
            scores = quick_eval(model, tokenizer, evaluate_on)
            eval_time += time.perf_counter() - te
            history["evals"].append({"step": step + 1, "seconds": round(seconds, 2),
                                     **{k: round(v, 4) for k, v in scores.items()}})
            bar.write(f"step {step + 1}: loss {loss:.3f} " + " ".join(f"{k} {v:.3f}" for k, v in scores.items()))
        if out_of_time:  # stopped on purpose: the bar ends full (green), saying why, not as a failure
            bar.total = step + 1
            bar.set_description(f"pretrain (stopped by the time budget: {train_cfg.max_minutes:g} min)")
            break
    bar.close()
    seconds = time.perf_counter() - t0 - eval_time
    history["seconds"] = round(seconds, 1)
    history["tokens"] = tokens
    history["tokens_per_second"] = round(tokens / seconds, 1)
    model.eval()
    return model, tokenizer, history
