"""Answers from the course model: batched greedy decoding, one question, and accuracy on reading items."""

from __future__ import annotations

from typing import Sequence

import torch

from ragft.evaluate import exact_match
from ragft.lm.prompt import prompt
from ragft.lm.tokenizer import detokenize
from ragft.reading import ReadingItem


@torch.no_grad()
@torch.inference_mode()
def generate(model, tokenizer, prompts: Sequence[str], max_new_tokens: int = 12, batch_size: int = 16) -> list[str]:
    """Batched greedy decoding; returns the detokenized continuations (stopping at EOS).

    Without autograd (inference mode), and with logits for the last position only: a batch of long
    open-book prompts then costs tens of megabytes instead of hundreds.
    """
    model.eval()
    out: list[str] = []
    eos = tokenizer.eos_token_id
    for start in range(0, len(prompts), batch_size):
        chunk = list(prompts[start:start + batch_size])
        enc = tokenizer(chunk, return_tensors="pt", padding=True)
        ids, mask = enc["input_ids"], enc["attention_mask"]
        pos = (mask.cumsum(-1) - 1).clamp(min=0)
        past, done = None, torch.zeros(len(chunk), dtype=torch.bool)
        new = []
        step_ids = ids
        for _ in range(max_new_tokens):
            res = model(input_ids=step_ids, attention_mask=mask, position_ids=pos, past_key_values=past, use_cache=True,
                        logits_to_keep=1)
            past = res.past_key_values
            nxt = res.logits[:, -1].argmax(-1)
            nxt = torch.where(done, torch.full_like(nxt, eos), nxt)
            new.append(nxt)
            done |= nxt == eos
            if bool(done.all()):
                break
            step_ids = nxt[:, None]
            mask = torch.cat([mask, torch.ones(len(chunk), 1, dtype=mask.dtype)], dim=1)
            pos = pos[:, -1:] + 1
        gen = torch.stack(new, dim=1).tolist()
        for row in gen:
            row = row[: row.index(eos)] if eos in row else row
            out.append(detokenize(tokenizer.decode(row, skip_special_tokens=True)))
    return out


def answer(model, tokenizer, question: str, passages: Sequence[str] | None = None, max_new_tokens: int = 12) -> str:
    """Answer one question, closed-book (no passages) or open-book (with passages)."""
    return generate(model, tokenizer, [prompt(question, passages)], max_new_tokens)[0]


def accuracy_on(model, tokenizer, items: Sequence[ReadingItem]) -> float:
    """Exact-match accuracy of greedy answers on reading items (each asked in the course prompt format)."""
    preds = generate(model, tokenizer, [prompt(it.question, it.passages) for it in items])
    return sum(exact_match(p, it.gold) for p, it in zip(preds, items)) / max(1, len(items))
