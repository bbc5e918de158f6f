"""The benchmark's sealed parts: final figures on the sealed test split (`reading.sealed_sets`: later unseen days,
question wordings written after all tuning), each beside the same figure on the dev split.

    python -m ragft.course.bench sealed            # the shipped course model, closed- and open-book
    python -m ragft.course.bench sealed_finetune   # fine-tuning's methods at their tuned settings

Nothing here chooses a setting: every one was fixed in ragft/finetune.py, on the dev day, before these run. Every
accuracy is {value, interval: [low, high], n} (`bench_seeds.figure`), its interval bootstrapped over facts.
"""

from __future__ import annotations

import json
from typing import Sequence

from ragft.course.bench_seeds import STEPS, figure, score

FINETUNE_METHODS = ("full", "lora", "full_replay", "lora_replay")  # at FULL_LR / LORA_LR, without and with REPLAY


def course_model(seed: int = 0) -> dict:
    """Issue 21's sealed figures: the shipped course model on the sealed test split and, under "dev", on the dev split
    (`reading.eval_sets`). Also saved beside the model (sealed.json, with its weights' SHA-256) for its card, which
    is rewritten to quote them."""
    from ragft import lm
    from ragft.lm.card import SEALED_FILE, rewrite_model_card
    from ragft.readers import course_setting, load_reader
    from ragft.reading import eval_sets, sealed_sets
    from ragft.world import sealed

    reader = load_reader(course_setting())

    def has_unknown(item) -> bool:
        return reader.tokenizer.unk_token_id in reader.tokenizer(item.question)["input_ids"]

    sets, figures, by_unknown = sealed_sets(seed=seed), {}, {}
    for name, items in sets.items():  # each sealed figure, and split by whether the question holds an unknown word
        correct, unknown = reader.correct(items), [has_unknown(it) for it in items]
        figures[name] = score(correct, items, seed)
        by_unknown[name] = {label: score([c for c, u in zip(correct, unknown) if u == want],
                                         [it for it, u in zip(items, unknown) if u == want], seed)
                            for label, want in (("unknown_word", True), ("known_words", False)) if want in unknown}
    dev = {name: score(reader.correct(items), items, seed) for name, items in eval_sets(seed=seed).items()}
    share = sum(map(has_unknown, sets["closed_book_static"])) / len(sets["closed_book_static"])
    result = {**figures, "dev": dev, "by_unknown_word": by_unknown, "days": list(sealed.SEALED_DAYS),
              "wordings": sealed.count(), "unknown_word_share": round(share, 4)}
    weights = json.loads((lm.DEFAULT_DIR / "checksums.json").read_text())["files"]["model.safetensors"]["sha256"]
    saved = {**{k: v for k, v in result.items() if k not in figures}, "figures": figures, "model_sha256": weights,
             "command": "make bench PART=sealed"}
    (lm.DEFAULT_DIR / SEALED_FILE).write_text(json.dumps(saved, indent=1) + "\n")
    rewrite_model_card(lm.DEFAULT_DIR)
    return result


def _config(method: str, seed: int):
    """A method of FINETUNE_METHODS as notebook 04 runs it: paraphrases, 150 steps, its tuned rate, REPLAY or none."""
    from ragft import finetune as ft

    base = method.removesuffix("_replay")
    return ft.FinetuneConfig(method=base, data="paraphrase", steps=STEPS, lr=ft.FULL_LR if base == "full" else ft.LORA_LR,
                             replay=ft.REPLAY if method.endswith("_replay") else 0.0, seed=seed)


def _finetuned(reader, world, new_facts: list, asked: dict[str, list], old_facts: list, methods: Sequence[str],
               seed: int) -> dict:
    """Before, and after each method learns `new_facts` (their statements and training wordings, as always): the
    accuracy on each list of `asked` items; LoRA minus full on the new facts, paired, when both ran."""
    from ragft.evaluate import compare
    from ragft.finetune import finetune

    out = {"before": {part: score(reader.correct(items), items, seed) for part, items in asked.items()}}
    correct = {}
    for method in methods:
        tuned = finetune(reader, world, new_facts, _config(method, seed), old_facts=old_facts, progress=False).reader
        correct[method] = {part: tuned.correct(items) for part, items in asked.items()}
        out[method] = {part: score(correct[method][part], items, seed) for part, items in asked.items()}
    for replay in ("", "_replay"):
        if f"full{replay}" in correct and f"lora{replay}" in correct:
            a, b = correct[f"full{replay}"]["new_facts"], correct[f"lora{replay}"]["new_facts"]
            out[f"lora_minus_full{replay}"] = figure(compare(a, b, [it.fact for it in asked["new_facts"]], seed))
    return out


def finetune_figures(methods: Sequence[str] = FINETUNE_METHODS, seed: int = 0, dev: bool = True) -> dict:
    """Fine-tuning's methods at their settings fixed on the dev day (finetune.FULL_LR, LORA_LR, REPLAY), applied to the
    first sealed day's facts and asked in the sealed wordings: the day's facts, and the old static facts held out of
    replay (forgetting). Under "dev" (when `dev`): the same runs on the dev day, asked in held-out wordings."""
    from ragft import finetune as ft
    from ragft.readers import course_setting, load_reader
    from ragft.reading import closed_book_items, sealed_facts, sealed_sets
    from ragft.world import World, sealed

    unknown = [m for m in methods if m not in FINETUNE_METHODS]
    if unknown:
        raise ValueError(f"methods holds {unknown}: choose from {FINETUNE_METHODS}")
    world, reader = World(seed=0), load_reader(course_setting())
    old_facts = world.static_facts()
    held_out = ft.replay_split(old_facts)[1]
    new_facts = sealed_facts(world)  # the facts to apply the method to, asked in the sealed wordings of sealed_sets
    sets, new_ids, held_ids = sealed_sets(world, ks=(), seed=seed), {f.id for f in new_facts}, {f.id for f in held_out}
    asked = {"new_facts": [it for it in sets["closed_book_unseen_day"] if it.fact in new_ids],
             "old_heldout": [it for it in sets["closed_book_static"] if it.fact in held_ids]}
    out = {"sealed_day": sealed.SEALED_DAYS[0], "dev_day": ft.LR_DEV_DAY, "steps": STEPS, "seed": seed,
           "full_lr": ft.FULL_LR, "lora_lr": ft.LORA_LR, "replay": ft.REPLAY,
           "sealed": _finetuned(reader, world, new_facts, asked, old_facts, methods, seed)}
    if dev:
        dev_facts = world.facts_on(ft.LR_DEV_DAY)
        asked = {"new_facts": closed_book_items(world, dev_facts, "heldout"),
                 "old_heldout": closed_book_items(world, held_out, "heldout")}
        out["dev"] = _finetuned(reader, world, dev_facts, asked, old_facts, methods, seed)
    return out
