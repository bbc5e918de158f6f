"""Answers from the course model: batched greedy decoding, one question, and accuracy on reading items."""

from __future__ import annotations

from typing import Sequence

import torch

from ragft.evaluate import exact_match
from ragft.inputs import check_int, check_passages, check_text
from ragft.lm.prompt import prompt
from ragft.lm.tokenizer import detokenize
from ragft.reading import ReadingItem


@torch.no_grad()
@torch.inference_mode()
def generate(model, tokenizer, prompts: Sequence[str], max_new_tokens: int = 12, batch_size: int = 16) -> list[str]:
    """Batched greedy decoding; returns the detokenized continuations (stopping at EOS).

    Without autograd (inference mode), and with logits for the last position only: a batch of long
    open-book prompts then costs tens of megabytes instead of hundreds. A prompt of more tokens than the context
    leaves room for (its positions less max_new_tokens) loses its beginning (`keep_end`): its BOS token and its
    end, the question and 'answer:', stay; a prompt that fits is passed on untouched.
    """
    prompts = check_prompts(prompts)
    max_new_tokens, batch_size = check_int("max_new_tokens", max_new_tokens, 1), check_int("batch_size", batch_size, 1)
    limit = context_limit(model, max_new_tokens)
    model.eval()
    out: list[str] = []
    eos = tokenizer.eos_token_id
    for start in range(0, len(prompts), batch_size):
        chunk = list(prompts[start:start + batch_size])
        enc = tokenizer(chunk, return_tensors="pt", padding=True, verbose=False)  # keep_end fits a long one
        ids, mask = keep_end(enc["input_ids"], enc["attention_mask"], limit, tokenizer.bos_token_id)
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


def check_prompts(prompts: object) -> list[str]:
    """A list of prompt strings; a bare string is refused (it would be read as one prompt per character)."""
    if isinstance(prompts, str):
        raise TypeError(f"prompts must be a list of strings, got one string ({len(prompts)} characters): pass "
                        f"[prompt], or lm.answer(model, tokenizer, question) to answer one question")
    if not isinstance(prompts, Sequence):
        raise TypeError(f"prompts must be a list of strings, got {type(prompts).__name__}")
    for i, p in enumerate(prompts):
        if not isinstance(p, str):
            raise TypeError(f"prompts[{i}] must be a string, got {type(p).__name__} {p!r:.60}")
    return list(prompts)


def context_limit(model, max_new_tokens: int) -> int | None:
    """How many prompt tokens fit before `max_new_tokens` answer tokens in the model's context (None: no limit)."""
    positions = getattr(model.config, "max_position_embeddings", None) or getattr(model.config, "n_positions", None)
    if positions is None:
        return None
    if max_new_tokens >= positions:
        raise ValueError(f"max_new_tokens must be below the model's context of {positions} positions, "
                         f"got {max_new_tokens}")
    return positions - max_new_tokens


def keep_end(ids: torch.Tensor, mask: torch.Tensor, limit: int | None, bos: int | None) -> tuple[torch.Tensor, ...]:
    """Left-padded prompts cut to their last `limit` tokens (the BOS token kept first); unchanged when they fit."""
    if limit is None or ids.shape[1] <= limit:
        return ids, mask
    lengths = mask.sum(-1)
    first = ids[torch.arange(len(ids)), ids.shape[1] - lengths.clamp(min=1)]
    ids, mask = ids[:, -limit:].clone(), mask[:, -limit:]
    if bos is not None:
        ids[(lengths > limit) & (first == bos), 0] = bos
    return ids, mask


def answer(model, tokenizer, question: str, passages: Sequence[str] | None = None, max_new_tokens: int = 12) -> str:
    """Answer one question, closed-book (no passages) or open-book (with passages)."""
    question, passages = check_text("question", question), check_passages("passages", passages)
    return generate(model, tokenizer, [prompt(question, passages)], max_new_tokens)[0]


def accuracy_on(model, tokenizer, items: Sequence[ReadingItem]) -> float:
    """Exact-match accuracy of greedy answers on reading items (each asked in the course prompt format)."""
    preds = generate(model, tokenizer, [prompt(it.question, it.passages) for it in items])
    return sum(exact_match(p, it.gold) for p, it in zip(preds, items)) / max(1, len(items))
