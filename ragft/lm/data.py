"""The pretraining data: a seeded, endless stream of tokenized examples from the course world.

Static knowledge (paraphrased statements, encyclopedia pages, closed-book QA in the *training* question
wordings) and RAFT-style reading exercises built only from training days' dynamic facts: a question, the
gold document among distractors, the answer copied from the gold.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterator, Sequence

import numpy as np
import torch

from ragft.lm.prompt import prompt
from ragft.reading import TRAINING_DAYS, DocIndex, cloze
from ragft.world import ATTRIBUTES, N_TRAIN_WORDINGS, QUESTIONS, STATEMENTS, Doc, Fact, World


@dataclass
class DataConfig:
    """What the pretraining stream is made of."""

    seed: int = 0
    training_days: int = TRAINING_DAYS
    static_share: float = 0.5   # share of examples drawn from the static pool (statements, pages, QA)
    min_distractors: int = 0     # reading exercises get min_distractors..max_distractors distractor documents
    max_distractors: int = 5
    max_questions: int = 4       # questions asked about one set of passages (the first in the eval format)
    prompt_weight: float = 0.25  # loss weight of prompt tokens in QA examples (answers weigh 1)
    dynamic_statements: bool = True  # also read paraphrased statements of training days' dynamic facts
    unk_noise: float = 0.15      # share of training questions with a word replaced by / an extra [UNK]
    counterfactual: float = 0.75  # share of reading exercises whose passages carry fresh random values
    cloze_share: float = 0.0     # share of training questions asked as a statement with its value blanked (`cloze`)
    request_share: float = 0.0   # share of training questions that end with '.' instead of '?', as a request would
    similar_values: float = 0.0  # share of counterfactual exercises where an entity's prices / highs stay close


def encode(tokenizer, text: str, answer: str | None = None, prompt_weight: float = 0.25) -> tuple[list[int], list[float]]:
    """Token ids (BOS ... EOS) and per-token loss weights: answers weigh 1, the prompt before them less."""
    ids = tokenizer(text)["input_ids"]
    if answer is None:
        ids = ids + [tokenizer.eos_token_id]
        return ids, [1.0] * len(ids)
    ans = tokenizer(" " + answer, add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
    return ids + ans, [prompt_weight] * len(ids) + [1.0] * len(ans)


def collate(examples: Sequence[tuple[list[int], list[float]]], pad_id: int) -> tuple[torch.Tensor, ...]:
    """Right-pad examples into (inputs, targets, weights) for next-token prediction."""
    width = max(len(ids) for ids, _ in examples)
    ids = torch.tensor([i + [pad_id] * (width - len(i)) for i, _ in examples])
    weights = torch.tensor([w + [0.0] * (width - len(w)) for _, w in examples])
    return ids[:, :-1], ids[:, 1:], weights[:, 1:]


class PretrainStream:
    """A seeded, endless, deterministic stream of tokenized training examples (ids, loss weights)."""

    def __init__(self, tokenizer, cfg: DataConfig, world: World | None = None):
        self.tok, self.cfg = tokenizer, cfg
        self.world = world or World(seed=0)
        self.rng = np.random.default_rng([cfg.seed, 7])
        days = range(1, cfg.training_days + 1)
        self.index = DocIndex(self.world, days)
        self.dynamic = self.world.dynamic_facts(days)
        self.facts_by_id = {f.id: f for f in self.dynamic}
        static = self.world.static_facts()
        texts = [s for f in static for s in self.world.statements(f)]
        texts += [d.text for d in self.world.documents([], static=True)]
        self.static_texts = texts
        self.static_qa = [(q.question, q.answer) for q in self.world.qa(static, "train")]
        self.static_cloze = [(f.render(cloze(t, f.attribute)), f.value) for f in static for t in STATEMENTS[f.attribute]]
        self.dyn_texts = [s for f in self.dynamic for s in self.world.statements(f)[1:]] if cfg.dynamic_statements else []
        self.fillers = {"what", "which", "who", "where", "when", "how", "the", "in", "of", "is", "was", "did",
                        "does", "do", "on", "a", "at", "that"}

    def noisy(self, question: str) -> str:
        """Sometimes end the question like a request ('.'), and sometimes swap a question word for [UNK] or
        insert one, so unknown words get skipped."""
        if self.cfg.request_share and question.endswith("?") and self.rng.random() < self.cfg.request_share:
            question = question[:-1] + "."
        if self.rng.random() >= self.cfg.unk_noise:
            return question
        words = question.split()
        i = int(self.rng.integers(len(words)))
        if self.rng.random() < 0.5 and words[i].lower().strip("?,.") in self.fillers:
            words[i] = "[UNK]" + words[i][-1] if words[i][-1] in "?,." else "[UNK]"
        else:
            words.insert(int(self.rng.integers(len(words) + 1)), "[UNK]")
        return " ".join(words)

    def counterfactual(self, docs: list[Doc]) -> tuple[list[str], dict[str, Fact]]:
        """The documents re-rendered with fresh random values for every fact they state, and those facts.

        A reading exercise about a training day can be answered from memory (the same facts are also
        read as statements); with values drawn afresh the answer can only be copied from the passage,
        which is the skill a reader needs on days it never saw.
        """
        rng = self.rng
        similar = self.cfg.similar_values and rng.random() < self.cfg.similar_values
        first: dict[tuple[str, str], float] = {}   # an entity's first number in this exercise, when similar
        texts, facts = [], {}
        for doc in docs:
            lines = [doc.text.split("\n")[0]]
            for fid in doc.facts:
                f = self.facts_by_id[fid]
                near = first.get((f.entity, f.attribute)) if similar else None
                value, number = ATTRIBUTES[f.attribute].counterfactual.draw(self.world, rng, near)
                if number is not None:
                    first.setdefault((f.entity, f.attribute), number)
                facts[fid] = replace(f, value=value)
                lines.append(facts[fid].sentence)
            texts.append("\n".join(lines))
        return texts, facts

    def question_template(self, attribute: str) -> str:
        """A training question wording, or (cloze_share of the time) a statement with its value blanked."""
        if self.cfg.cloze_share and self.rng.random() < self.cfg.cloze_share:
            templates = STATEMENTS[attribute]
            return cloze(templates[self.rng.integers(len(templates))], attribute)
        return QUESTIONS[attribute][self.rng.integers(N_TRAIN_WORDINGS)]

    def encode(self, text: str, answer: str | None = None) -> tuple[list[int], list[float]]:
        """Token ids and loss weights of one example (see `encode`)."""
        return encode(self.tok, text, answer, self.cfg.prompt_weight)

    def sample(self) -> tuple[list[int], list[float]]:
        """One training example."""
        rng, cfg = self.rng, self.cfg
        if rng.random() < cfg.static_share:
            r = rng.random()
            if r < 0.5:
                cloze_now = cfg.cloze_share and rng.random() < cfg.cloze_share
                pool = self.static_cloze if cloze_now else self.static_qa
                question, value = pool[rng.integers(len(pool))]
                return self.encode(prompt(self.noisy(question)), value)
            if r < 0.85 or not self.dyn_texts:
                return self.encode(self.static_texts[rng.integers(len(self.static_texts))])
            return self.encode(self.dyn_texts[rng.integers(len(self.dyn_texts))])
        fact = self.dynamic[rng.integers(len(self.dynamic))]
        question = self.question_template(fact.attribute)
        k = int(rng.integers(cfg.min_distractors, cfg.max_distractors + 1))
        gold = self.index.gold[fact.id]
        docs = [gold] + self.index.distractors(gold, k, rng)
        docs = [docs[i] for i in rng.permutation(len(docs))]
        if rng.random() < cfg.counterfactual:
            texts, stated = self.counterfactual(docs)
        else:
            texts, stated = [d.text for d in docs], self.facts_by_id
        fact = stated[fact.id]
        ids, ws = self.encode(prompt(self.noisy(fact.render(question)), texts), fact.value)
        # follow-up questions about the same passages (any fact they state): more answers per token read
        facts = [stated[f] for d in docs for f in d.facts if f != fact.id]
        for i in rng.permutation(len(facts))[: int(rng.integers(cfg.max_questions))]:
            f = facts[i]
            q = self.noisy(f.render(self.question_template(f.attribute)))
            more, mws = self.encode(prompt(q), f.value)
            ids, ws = ids + more[1:], ws + mws[1:]  # drop the BOS: same example continues
        return ids, ws

    def batches(self, batch_size: int, seq_len: int) -> Iterator[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
        """Pack whole examples into rows of seq_len+1 tokens (never splitting one); yield (x, y, weights)."""
        pending: tuple[list[int], list[float]] | None = None
        pad = self.tok.pad_token_id
        while True:
            rows, wrows = [], []
            for _ in range(batch_size):
                ids: list[int] = []
                ws: list[float] = []
                while True:
                    ex = pending or self.sample()
                    pending = None
                    ex = (ex[0][: seq_len + 1], ex[1][: seq_len + 1])
                    if len(ids) + len(ex[0]) > seq_len + 1:
                        pending = ex
                        break
                    ids += ex[0]
                    ws += ex[1]
                n = seq_len + 1 - len(ids)
                rows.append(ids + [pad] * n)
                wrows.append(ws + [0.0] * n)
            t = torch.tensor(rows)
            w = torch.tensor(wrows)
            yield t[:, :-1], t[:, 1:], w[:, 1:]
