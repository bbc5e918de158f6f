"""The course model itself: a small Llama (rotary positions, RMSNorm, SwiGLU, tied embeddings) from transformers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ModelConfig:
    """Size of the Llama-style model (rotary positions, RMSNorm, SwiGLU, tied embeddings)."""

    d_model: int = 192
    n_layers: int = 6
    n_heads: int = 6
    d_ff: int = 512
    max_len: int = 512


def build_model(tokenizer, cfg: ModelConfig | None = None):
    """A fresh LlamaForCausalLM sized by cfg, with the tokenizer's vocabulary and special tokens."""
    from transformers import LlamaConfig, LlamaForCausalLM

    cfg = cfg or ModelConfig()
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=cfg.d_model, intermediate_size=cfg.d_ff,
                         num_hidden_layers=cfg.n_layers, num_attention_heads=cfg.n_heads,
                         num_key_value_heads=cfg.n_heads, max_position_embeddings=cfg.max_len,
                         rope_theta=10000.0, tie_word_embeddings=True, initializer_range=0.02,
                         bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                         pad_token_id=tokenizer.pad_token_id)
    return LlamaForCausalLM(config)


def count_parameters(model) -> int:
    """Number of distinct trainable parameters (tied embeddings counted once)."""
    seen = {id(p): p for p in model.parameters() if p.requires_grad}
    return sum(p.numel() for p in seen.values())
