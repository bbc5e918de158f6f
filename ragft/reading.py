"""The reading task every reader is scored on, the course model and a real LLM alike.

A reading item is a question, the passages put before the reader (none: closed-book) and the gold
answer. Each reader turns it into its own prompt (the course model's `passage 1: ... answer:` format,
or a chat template), so the same items score every model. Open-book items put the gold document among
distractors a retriever might return: the same day's reports about other entities, or the same
entity's reports of other days.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np

from ragft.evaluate import normalize_answer
from ragft.inputs import check_choice, check_int, check_text
from ragft.world import PERSON_VALUED, STATEMENTS, Doc, Fact, World, sealed

TRAINING_DAYS = 60  # the course model is pretrained on days 1..TRAINING_DAYS; later days are "unseen"
EVAL_DAYS = (TRAINING_DAYS + 1, TRAINING_DAYS + 2, TRAINING_DAYS + 3)  # the dev days (see eval_sets)


class ReadingItem(NamedTuple):
    """One question for a reader: closed-book when `passages` is empty."""

    question: str
    passages: tuple[str, ...]
    gold: str
    fact: str = ""  # the fact asked about (its id): wordings of one fact are scored as one cluster


class DocIndex:
    """The dynamic documents of some days, indexed to find a fact's gold document and its distractors."""

    def __init__(self, world: World, days: Sequence[int]):
        self.docs = world.documents(days, static=False)
        self.days = list(days)
        self.gold: dict[str, Doc] = {f: d for d in self.docs for f in d.facts}
        self.by_day_kind: dict[tuple[int, str], list[Doc]] = {}
        self.by_entity: dict[str, list[Doc]] = {}
        for d in self.docs:
            self.by_day_kind.setdefault((d.day, d.kind), []).append(d)
            self.by_entity.setdefault(d.entity, []).append(d)

    def distractors(self, gold: Doc, k: int, rng: np.random.Generator) -> list[Doc]:
        """k documents a retriever might return besides the gold one: same day and kind about other
        entities, or the same entity on other days (or another kind of report on the same day)."""
        same_day = [d for d in self.by_day_kind[(gold.day, gold.kind)] if d.entity != gold.entity]
        same_entity = [d for d in self.by_entity[gold.entity] if d.id != gold.id]
        rng.shuffle(same_day)
        rng.shuffle(same_entity)
        out: list[Doc] = []
        while len(out) < k and (same_day or same_entity):
            pool = same_day if (same_day and (not same_entity or rng.random() < 0.5)) else same_entity
            out.append(pool.pop())
        return out


def closed_book(question: str, gold: str, fact: str = "") -> ReadingItem:
    """A question asked with no passage: the reader answers from its weights."""
    return ReadingItem(question, (), gold, fact)


def closed_book_items(world: World, facts: Sequence[Fact], split: str = "heldout") -> list[ReadingItem]:
    """Every question about `facts` in the split's wordings, closed-book: what the weights know of them."""
    return [closed_book(q.question, q.answer, q.fact_id) for q in world.qa(facts, split)]


class Completion(NamedTuple):
    """A memorisation probe: a fact's document sentence cut just before its value, and the value that continues it."""

    prefix: str
    value: str
    fact: str  # the fact's id


def completion(fact: Fact) -> Completion:
    """The fact's document sentence (`fact.sentence`, what raw fine-tuning reads) up to its value: 'On day 61 the
    high in Holnok was' -> '-7'. No question, no prompt: the training text's own beginning, to be continued."""
    head = STATEMENTS[fact.attribute][0].split("{v}")[0]
    if "{e}" not in head or (fact.dynamic and "{d}" not in head):
        raise ValueError(f"the sentence of {fact.id!r} ({fact.sentence!r}) states its value before naming the "
                         "fact, so no beginning of it asks for the value: probe facts whose sentence names the "
                         "entity (and day) first")
    return Completion(fact.render(head).rstrip(), fact.value, fact.id)


def continues_with(text: str, value: str) -> bool:
    """Whether a continuation starts with the value: its first words equal the value's, compared as exact match
    compares answers (case, punctuation); what follows them ('degrees.') is not read."""
    words, want = normalize_answer(text).split(), normalize_answer(value).split()
    return bool(want) and words[:len(want)] == want


def open_book_example(index: DocIndex, fact: Fact, question: str, k: int, rng: np.random.Generator) -> ReadingItem:
    """A reading exercise: the question, the gold document and k distractors shuffled, and the answer."""
    k, question = check_int("k", k, 0), check_text("question", question)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator (np.random.default_rng(seed)), got {type(rng).__name__}")
    if getattr(fact, "id", None) not in index.gold:
        raise ValueError(f"no document of the index states {fact!r}: the index covers days "
                         f"{min(index.days, default=None)} to {max(index.days, default=None)}; "
                         "build DocIndex(world, days) with the fact's day")
    gold = index.gold[fact.id]
    docs = [gold] + index.distractors(gold, k, rng)
    order = rng.permutation(len(docs))
    return ReadingItem(question, tuple(docs[i].text for i in order), fact.value, fact.id)


def cloze(template: str, attribute: str) -> str:
    """A statement template turned into a question by blanking its value: 'The sky over {e} on day {d} was what?'.

    Every paraphrased statement the model reads becomes a way of asking, so a question phrased like any
    statement (not only like the 4 training question wordings) leads to the fact."""
    question = template.replace("{v}", "who" if attribute in PERSON_VALUED else "what").rstrip(".")
    return question[0].upper() + question[1:] + "?"


def eval_sets(world: World | None = None, split: str = "heldout", seed: int = 0,
              ks: Sequence[int] = (0, 2, 4)) -> dict[str, list[ReadingItem]]:
    """The dev split: closed-book static, open-book on the unseen days EVAL_DAYS with k distractors, and
    closed-book on those days. Development looked at it (tune here); final figures come from `sealed_sets`."""
    split, seed = check_choice("split", split, ("train", "heldout", "all")), check_int("seed", seed, 0)
    ks = _check_ks(ks)
    world = world or World(seed=0)
    sets = {"closed_book_static": [closed_book(q.question, q.answer, q.fact_id)
                                   for q in world.qa(world.static_facts(), split)]}
    index = DocIndex(world, range(1, EVAL_DAYS[-1] + 1))
    facts = world.dynamic_facts(EVAL_DAYS)
    for k in ks:
        rng = np.random.default_rng([seed, 11, k])
        sets[f"open_book_k{k}"] = [open_book_example(index, f, q.question, k, rng)
                                   for f in facts for q in world.questions(f, split)]
    sets["closed_book_unseen_day"] = [closed_book(q.question, q.answer, q.fact_id) for q in world.qa(facts, split)]
    return sets


def sealed_sets(world: World | None = None, ks: Sequence[int] = (0, 2, 4), seed: int = 0) -> dict[str, list[ReadingItem]]:
    """The sealed test split, for final figures only: `eval_sets`' figures asked in the sealed wordings, open- and
    closed-book on the sealed days (`ragft.world.sealed`). No code that trains, tunes or teaches may call it."""
    ks, seed = _check_ks(ks), check_int("seed", seed, 0)
    world = world or World(seed=0)
    with sealed.unsealed():
        ask = lambda f: [f.render(t) for t in sealed.wordings(f.attribute)]
        sets = {"closed_book_static": [closed_book(q, f.value, f.id) for f in world.static_facts() for q in ask(f)]}
        index = DocIndex(world, sealed.SEALED_RANGE)
        facts = world.dynamic_facts(sealed.SEALED_DAYS)
        for k in ks:
            rng = np.random.default_rng([seed, 17, k])
            sets[f"open_book_k{k}"] = [open_book_example(index, f, q, k, rng) for f in facts for q in ask(f)]
        sets["closed_book_unseen_day"] = [closed_book(q, f.value, f.id) for f in facts for q in ask(f)]
    return sets


def sealed_facts(world: World | None = None, day: int = sealed.SEALED_DAYS[0]) -> list[Fact]:
    """The facts that change on a sealed day, for final figures only: the sealed benchmark fine-tunes on them and
    asks them in the sealed wordings (`sealed_sets`). No code that trains, tunes or teaches may call it."""
    if day not in sealed.SEALED_DAYS:
        raise ValueError(f"day {day!r} is not a sealed day: choose from {sealed.SEALED_DAYS}")
    with sealed.unsealed():
        return (world or World(seed=0)).facts_on(day)


def _check_ks(ks: object) -> list[int]:
    """Numbers of distractors, such as (0, 2, 4)."""
    if isinstance(ks, (str, bytes)) or not isinstance(ks, Sequence):
        raise TypeError(f"ks must be a list of numbers of distractors such as (0, 2, 4), got {ks!r}")
    return [check_int(f"ks[{i}]", k, 0) for i, k in enumerate(ks)]


def fact_clusters(items: Sequence[ReadingItem]) -> list[str] | None:
    """Each item's fact, for `evaluate.estimate`'s bootstrap over facts (an item without one is its own); None
    (Wilson's interval) when no item names a fact."""
    return [it.fact or f"item {i}" for i, it in enumerate(items)] if any(it.fact for it in items) else None


def subsample(items: list, n: int | None, seed: int) -> list:
    """n items drawn without replacement, in their original order (all of them when n is None or too big)."""
    n, seed = None if n is None else check_int("n", n, 0), check_int("seed", seed, 0)
    if n is None or n >= len(items):
        return items
    idx = np.random.default_rng([seed, 13]).choice(len(items), n, replace=False)
    return [items[i] for i in sorted(idx)]
