"""The model card: README.md of a checkpoint folder, written from its history.json and benchmark figures.

`STORY` tells how each later stage was found (the findings and the trials' numbers); the card prints it
under "How the stages were found". Figures: gold alone / gold + k = the gold passage with k distractors.
"""

from __future__ import annotations

import json
from pathlib import Path

from ragft.reading import EVAL_DAYS, TRAINING_DAYS
from ragft.world import ATTRIBUTES, N_TRAIN_WORDINGS, QUESTIONS

SEALED_FILE = "sealed.json"  # the sealed figures `make bench PART=sealed` wrote for this checkpoint (its weights' SHA-256)
PRETRAIN_COMMAND = "python -m ragft.lm pretrain"  # how the shipped checkpoint was trained

HISTORY = (  # how the course's fine-tuning findings moved with the base model (notebook 04, day 61, held-out wordings)
    "Its findings moved with the model. LoRA against full fine-tuning in notebook 04 (150 steps on day 61's facts, "
    "136 held-out questions about 68 facts, where a 95% interval spans about ±7 points) read 41.9% vs 65.4% (commit "
    "caa046a), 60.3% vs 68.4% (3458637), 77.2% vs 66.9% (ed8b739: LoRA ahead, and the course said so), 83.1% vs "
    "66.9% (d012c5e), 87.5% vs 86.8% (353df65) and 75.7% vs 77.9% with this model (0a72f12: full ahead again): the "
    "order reversed twice, each time with a new base model, and the last two gaps are inside the noise. The "
    "replay share went 30% -> 40% -> 50% (3458637, d012c5e) as each new model lost more old facts with the one before, "
    "then to 70% when it was swept on the dev day and read on old facts held out of replay.")

STORY = {
    "cloze and distractors":
        "After stage 1, one held-out wording, 'Describe the sky over {e} on day {d}.', was answered 3 times in 72 "
        "even with the gold passage alone: the model had met 'sky' in statements, never in a question. Asking 30% "
        "of the training questions as blanked statements (`ragft.reading.cloze`: 'The sky over {e} on day {d} was "
        "what?') fixed it (72 in 72 in a 450-step trial). Reading among distractors was the weak part (gold + 2: "
        "46%; 57 of 62 wrong answers in 120 were copied from a wrong passage: another town, or the same town on "
        "another day), hence at least one distractor in every exercise. After it: gold alone 82% -> 98.5%, gold + 2 "
        "46% -> 76%, gold + 4 31% -> 67%, closed-book static facts 95.2% -> 94.0%. The loss on answer tokens only "
        "(prompt weight 0) read better (gold alone / gold + 2 / gold + 4: 99.5% / 92.4% / 89.2%, closed-book 99.3%; "
        "with a stage 3 at lr 2e-4: gold "
        "+ 2 94.6%, gold + 4 88.7%), but such a model's static facts did not reliably survive a day of "
        "fine-tuning: in notebook 04's setting (day 61, 150 steps, lr 7e-4) with 40 / 50 / 60% replay they went "
        "from 98.8% to 96.4 / 87.7 / 95.4% (this model: 100% to 93.3 / 97.6 / 99.0%). Weighing the static "
        "questions' prompt tokens 0.25 again kept them (98.3% to 95.2 / 97.8 / 97.8%) but gave most of the reading "
        "back (gold + 2 90.7%, gold + 4 84.3%), so this stage keeps prompt weight 0.25. Its steps fill what stage 1 "
        "leaves of the hour.",
    "more distractors":
        "After stage 2, gold + 2 had flattened near 70% (quick evaluations every 250 steps) and closed-book static "
        "facts sat at 94%. A fresh learning-rate cycle on new data, at least 2 distractors per exercise, less "
        "static text and the loss on answer tokens only (most passages carry random values no model can predict) "
        "lifted them: gold + 2 76% -> 91.7%, gold + 4 67% -> 88.0%, closed-book 94.0% -> 100%, gold alone 98.5% -> "
        "99.8%. Trials (closed-book / gold alone / gold + 2 / gold + 4): prompt weight 0.25, 96.9% / 99.5% / 90.0% "
        "/ 82.1% (the model shipped before this one), and 97.6% / 96.6% / 88.5% / 81.1% with data seed 2; 2,200 "
        "steps instead of 1,500, 99.5% / 96.3% / 89.7% / 86.8%; with prompt weight 0.25, 1..5 distractors and data "
        "seed 2, 95.7% / 84.8% / 85.8% / 77.9%; every exercise counterfactual, 94.7% / 96.6% / 77.0% / 67.9%; the "
        "question also stated before the passages, 91.6% / 96.3% / 87.3% / 79.4%.",
    "requests and look-alike numbers":
        "After stage 3 the model read better in the training wordings than in the held-out ones (gold + 2: 96.6% "
        "against 91.7%): 28 of the 32 held-out wordings are requests ending with '.' ('Tell me the weather in {e} "
        "on day {d}.') and every training question ended with '?'. Asking half of them with '.' (`request_share`; "
        "no held-out word is shown) gave gold + 2 91.7% -> 94.4%, gold + 4 88.0% -> 91.4%. The errors left were "
        "mostly numbers copied with a wrong digit (245.59 for 245.69, beside a passage saying 246.59): a price "
        "moves little from day to day, but counterfactual prices were drawn afresh between 5 and 500, so the "
        "reader had rarely had to tell two close prices apart. Keeping an entity's prices and highs close "
        "(`similar_values`) gave gold + 2 95.1%, gold + 4 92.4% (numbers copied wrong 11 -> 7 of 408 at gold + 2), "
        "closed-book 100% and gold alone 100%. Its steps are what the kit's 65 minutes of pretraining leave. Trials with requests alone "
        "(gold + 2 / gold + 4): 900, 1,000 and 1,500 steps gave 93.6% / 92.9%, 94.9% / 92.6% and 95.3% / 90.9% "
        "(1,500 steps bring pretraining to 68.4 minutes); 30% requests, 94.6% / 92.6%; without requests, 1,000 "
        "steps lifted the training wordings (gold + 2 98.0%) but not the held-out ones (89.5% / 86.3%); a shorter "
        "stage 3 (500 steps) to make room for 1,500 steps here, 93.9% / 88.2%. Dropped: made-up day numbers "
        "(1..99) in the counterfactual passages, against the other confusion left (day 60's report copied for day "
        "61: 60 is the only training day starting with a 6): 10 consecutive numbers per exercise fixed it but made "
        "the model take other days (16 for 61) and lose more than it won (88.0% / 79.9%, 1,000 steps); numbers "
        "drawn from all of 1..99 did not fix it. The static facts still survive notebook 04's fine-tuning (100% to "
        "98.8 / 100 / 99.8% with 40 / 50 / 60% replay).",
}


def _stage_lines(history: dict) -> list[str]:
    """The Data section's lines about the stages after the first (continue_pretraining), if any ran."""
    lines = []
    for number, c in enumerate(history.get("stages", []), start=2):
        train, data = c["config"]["train"], c["config"]["data"]
        lines.append(
            f"* **stage {number}, {c['name']}** (`continue_pretraining`, from step {c['from_step']}): {c['steps']} more "
            f"steps, data seed {data['seed']}, {data['static_share']:.0%} static examples, every reading exercise with "
            f"{data['min_distractors']}..{data['max_distractors']} distractors, {data['cloze_share']:.0%} of the "
            f"training questions asked as blanked statements, "
            + (f"{data['request_share']:.0%} ending with '.' instead of '?', " if data.get("request_share") else "")
            + (f"in {data['similar_values']:.0%} of counterfactual exercises an entity's numbers kept close, "
               if data.get("similar_values") else "")
            + f"prompt tokens of QA examples weighted "
            f"{data['prompt_weight']}; lr {train['lr']} (warmup {train['warmup']}, cosine), "
            f"{c['seconds'] / 60:.1f} min on {train['threads']} CPU threads. Held-out question wordings are still "
            f"never shown.")
    return lines


def _story(history: dict) -> list[str]:
    """The card's "How the stages were found" section: one paragraph per later stage that ran."""
    stages = history.get("stages", [])
    if not stages:
        return []
    lines = ["", "## How the stages were found", "",
             "Each later stage answers what the evaluations after the one before showed. Figures are on held-out "
             "wordings and unseen days: *gold alone* is the gold passage by itself, *gold + k* the gold passage "
             "among k distractors."]
    for number, c in enumerate(stages, start=2):
        lines += ["", f"**Stage {number}, {c['name']}.** {STORY.get(c['name'], '(a stage the kit no longer defines)')}"]
    return lines


def _tuned_on() -> list[str]:
    """The card's "What was tuned on what" section: where the dev figures were looked at, so why they overstate."""
    heldout = [q for a in ATTRIBUTES for q in QUESTIONS[a][N_TRAIN_WORDINGS:]]
    today = TRAINING_DAYS + 1
    return ["", "## What was tuned on what", "",
            f"The Metrics above are the **dev split** (`ragft.reading.eval_sets`: days {EVAL_DAYS[0]}..{EVAL_DAYS[-1]}, "
            "the held-out wordings). Development looked at it, so its figures overstate what the model does on "
            "questions nobody tuned on:", "",
            "* the later stages were designed by reading evaluations on it (see How the stages were found): stage 4 "
            f"asks training questions as requests because {sum(q.endswith('.') for q in heldout)} of the "
            f"{len(heldout)} held-out wordings end with '.'; the `[UNK]` augmentation was aimed at the words only "
            "held-out wordings use (listed under Data); stage 3's data seed was chosen on this benchmark (two tried);",
            f"* fine-tuning's `finetune.FULL_LR` and `finetune.REPLAY` were chosen (commits 3886e9f, 3458637, d012c5e) "
            f"by fine-tuning on day {today}'s facts and reading day {today}'s held-out questions, and day {today} is "
            "\"today\" in notebooks 01-06; both were then swept again on the dev day 70 by rules written before the "
            "runs (`make bench PART=lr_sweep`, `PART=replay_sweep`): FULL_LR stayed 7e-4, REPLAY moved from 0.5 to 0.7, "
            "and LoRA's rate (never swept before) became 1e-2.",
            "", HISTORY, "",
            "Final figures come from the sealed split, which nothing that trains, tunes or teaches reads."]


def _sealed(path: Path) -> list[str]:
    """The card's "Sealed test split" section, from the sealed.json the benchmark wrote for these very weights."""
    file = path / SEALED_FILE
    sealed = json.loads(file.read_text()) if file.is_file() else None
    sums = path / "checksums.json"
    weights = json.loads(sums.read_text())["files"].get("model.safetensors", {}).get("sha256") if sums.is_file() else None
    lines = ["", "## Sealed test split", ""]
    if sealed is None or sealed.get("model_sha256") != weights:
        return lines + ["Not measured for these weights yet: `make bench PART=sealed` measures it and rewrites this card."]
    days, dev = sealed["days"], sealed["dev"]
    cell = lambda f: f"{f['value']:.3f} [{f['interval'][0]:.3f}, {f['interval'][1]:.3f}], n = {f['n']}"
    lines += [f"Fixed after all of the above (`ragft.world.sealed`, read only by `ragft.reading.sealed_sets`): the "
              f"unseen days {days[0]}..{days[-1]}, which no notebook, training or tuning run uses, and "
              f"{sealed['wordings']} question wordings written fresh, unlike the training and held-out ones "
              f"({sealed['unknown_word_share']:.0%} of the closed-book questions hold a word the tokenizer never "
              "saw, which reads as `[UNK]`). Exact match with a 95% interval bootstrapped over facts, measured by "
              f"`{sealed['command']}`:", "",
              f"| figure | dev (days {EVAL_DAYS[0]}..{EVAL_DAYS[-1]}, held-out wordings) | sealed |", "|---|---|---|"]
    lines += [f"| {k} | {cell(dev[k])} | {cell(v)} |" for k, v in sealed["figures"].items() if k in dev]
    split = sealed.get("by_unknown_word")
    if split:
        lines += ["", "The sealed questions split by whether they hold a word the tokenizer never saw: a word-level "
                  "tokenizer cannot read a new word, and the unknown one is often the word that names the fact "
                  "(the model then answers the wrong kind of fact). The gap between the two columns is what the "
                  "tokenizer costs; what is left against dev is the wording and the days.", "",
                  "| figure | every word known | an unknown word |", "|---|---|---|"]
        lines += [f"| {k} | {cell(v['known_words']) if 'known_words' in v else '-'} | "
                  f"{cell(v['unknown_word']) if 'unknown_word' in v else '-'} |" for k, v in split.items()]
    return lines


def rewrite_model_card(path: str | Path, command: str = PRETRAIN_COMMAND) -> Path:
    """Write a checkpoint's card again from the files beside it (history, benchmark and sealed figures), no training."""
    path = Path(path)
    history = json.loads((path / "history.json").read_text())
    return write_model_card(path, history, json.loads((path / "benchmark.json").read_text()), command)


def write_model_card(path: str | Path, history: dict, metrics: dict, command: str) -> Path:
    """Write README.md (the model card) into a checkpoint folder from its history and benchmark figures."""
    path = Path(path)
    cfg = history["config"]
    size = sum(f.stat().st_size for f in path.iterdir() if f.is_file() and f.name != "README.md")
    evals = history.get("evals", [])
    stages = history.get("stages", [])
    first_steps = stages[0]["from_step"] if stages else history["steps"][-1]["step"]
    first_seconds = history["seconds"] - sum(c["seconds"] for c in stages)
    curve = [s for s in history["steps"] if s["step"] % max(1, len(history["steps"]) // 20) == 0 or s is history["steps"][-1]]
    lines = [
        "---", "library_name: transformers", "pipeline_tag: text-generation", "license: mit", "---", "",
        "# course-model: the tiny course language model of \"RAG versus fine-tuning\"", "",
        "A Llama-style causal LM (rotary positions, RMSNorm, SwiGLU, tied embeddings) pretrained from scratch "
        "on CPU on the fictional course world (`ragft.world.World(seed=0)`). It knows the world's static facts "
        "closed-book and has learned to *read*: given numbered passages it copies the answer from the right one. "
        f"It never saw any day after day {TRAINING_DAYS} nor any held-out question wording.", "",
        "## Load it", "", "```python", "from ragft.readers import load_reader",
        "reader = load_reader('course:models/course-model')   # or load_reader(): the shipped model",
        "reader.ask('Name the founder of the company Zentrix.')",
        "reader.ask(question, [doc.page_content for doc in retrieved])", "```", "",
        "The prompt format (`lm.prompt`): `passage 1: ...`, `passage 2: ...` (open-book only), then `question: ...`, "
        "then `answer:`; "
        "the answer is generated greedily up to `[EOS]` and cleaned with `lm.detokenize`.", "",
        "## Data", "",
        "* static knowledge: every paraphrased statement of the 208 static facts, the 64 encyclopedia pages, and "
        "closed-book QA in the 4 *training* question wordings;",
        f"* paraphrased statements of the dynamic facts of training days 1..{TRAINING_DAYS};",
        f"* reading exercises (RAFT-style) from training days 1..{TRAINING_DAYS} only: a training-wording question, "
        f"the gold document plus 0..{cfg['data']['max_distractors']} distractors (same-day documents of the same kind "
        "about other entities, and the same entity's other documents), shuffled; the answer is copied from the gold.",
        f"* in {cfg['data'].get('counterfactual', 0):.0%} of reading exercises every passage is re-rendered with fresh "
        "random values (counterfactual): the answer cannot come from memory, only from the passage. Without this, "
        "the model answered training-day exercises from memory and copied poorly on unseen days (gold passage "
        "alone: 44% instead of 82%);",
        f"* up to {cfg['data']['max_questions'] - 1} follow-up questions about the same passages (any fact they state) "
        "follow a reading exercise's answer, so one set of passages teaches several answers;",
        f"* {cfg['data']['unk_noise']:.0%} of training questions get a word replaced by, or an extra, `[UNK]`: the "
        "tokenizer's vocabulary comes from training text only, so the few words that only held-out wordings use "
        "('tell', 'me', 'describe', 'many', 'much', 'passes') are unknown and the model learns to skip them;",
        f"* mix: {cfg['data']['static_share']:.0%} static examples, the rest reading exercises; examples are packed "
        f"whole into rows of {cfg['train']['seq_len']} tokens; loss on every token, prompt tokens of QA examples "
        f"weighted {cfg['data']['prompt_weight']}, answer tokens 1.", *_stage_lines(history), "",
        "## Model and training", "",
        f"* config: d_model {cfg['model']['d_model']}, {cfg['model']['n_layers']} layers, {cfg['model']['n_heads']} heads, "
        f"d_ff {cfg['model']['d_ff']}, context {cfg['model']['max_len']}",
        f"* tokenizer: word level, lower-cased, punctuation split off, one token per digit (so any number is "
        f"representable and copied digit by digit); {history.get('vocab_size', '?')} tokens incl. [PAD] [UNK] [BOS] [EOS]",
        f"* parameters: {history['params']:,}; checkpoint size {size / 1e6:.1f} MB",
        f"* optimiser: AdamW, lr {cfg['train']['lr']} (warmup {cfg['train']['warmup']}, cosine to "
        f"{cfg['train']['min_lr_ratio']} x), weight decay {cfg['train']['weight_decay']}, batch "
        f"{cfg['train']['batch_size']} x {cfg['train']['seq_len']} tokens, {first_steps} steps, seed {cfg['train']['seed']}"
        + (" (then the later stages, above)" if stages else ""),
        f"* bfloat16 autocast: {cfg['train']['bf16']}; wall time {first_seconds / 60:.1f} min on "
        f"{cfg['train']['threads']} CPU thread(s)" + (f", {history['seconds'] / 60:.1f} min with all {len(stages) + 1} "
                                                     "stages" if stages else "") + " (quick evaluations excluded); "
        f"{history['tokens']:,} training tokens (non-padding); {history['tokens_per_second']:,.0f} tokens/s"
        + (" (all stages)" if stages else ""), "",
        "Reproduce it (deterministic data order and seed; timings vary with the machine):", "",
        "```", command, "```", "",
        "## Metrics", "",
        "Greedy decoding, exact match (`ragft.evaluate.exact_match`), default world, **held-out question wordings**; "
        f"open-book figures on the unseen days {EVAL_DAYS[0]}..{EVAL_DAYS[-1]}: the dev split, which development "
        "looked at (see What was tuned on what; the sealed figures follow it).", "",
        "| figure | accuracy |", "|---|---|",
    ]
    lines += [f"| {k} | {v:.3f} |" for k, v in metrics.items() if k not in ("pretrain_seconds", "params", "tokens_per_second")]
    lines += [*_tuned_on(), *_sealed(path)]
    lines += ["", "## Training curve", "", "The loss is each stage's weighted training loss (with that stage's prompt weight), "
              "comparable within a stage but not across stages that weigh prompt tokens differently.", "",
              "| step | minutes | loss |", "|---|---|---|"]
    lines += [f"| {s['step']} | {s['seconds'] / 60:.1f} | {s['loss']:.3f} |" for s in curve]
    if evals:
        keys = [k for k in evals[0] if k not in ("step", "seconds")]
        lines += ["", "Quick evaluations during training (small samples, held-out wordings):", "",
                  "| step | minutes | " + " | ".join(keys) + " |", "|---" * (len(keys) + 2) + "|"]
        lines += [f"| {e['step']} | {e['seconds'] / 60:.1f} | " + " | ".join(f"{e[k]:.3f}" for k in keys) + " |" for e in evals]
    lines += ["", "The full history is in `history.json` (step, seconds, loss, lr, tokens; periodic evaluations).",
              *_story(history)]
    (path / "README.md").write_text("\n".join(lines) + "\n")
    return path / "README.md"
