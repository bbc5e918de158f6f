"""Worlds of given static facts, and the entities the course model never saw (`unseen_world`).

`StaticWorld` is a World made from entities and static facts one already has, instead of drawing them from a seed:
no day clock brings it reports or news. `unseen_world` builds one whose towns, companies and people the registry
draws as always (regions, sectors, years, headquarters in its own towns, founders among its own people) in
World(seed=seed), World(seed=seed + 1), ... (a World names at most 96 people), then respelled so that no name is a
name of the training world World(seed=0) and every word of every name is a word of that world: the course model's
word-level tokenizer knows every word (a never-seen word is [UNK], which neither the weights nor a passage could
carry). Towns and companies are two of the training world's product names ("Lumo Quill"), a person one of its
first names and a product name ("Ana Vexx"): in the training text a product name is only ever a launched product,
never an entity with static facts. Rivers (values) are the training world's rivers.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from ragft.world.registry import ATTRIBUTES, ENTITY_KINDS
from ragft.world.world import Fact, World, _check_day


class StaticWorld(World):
    """A world of given entities and static facts, with no dynamic facts on any day (no reports, no news).

    Everything a World does with its static facts works the same: `static_facts`, `entity`, `qa`, `documents`
    (the encyclopedia pages), `as_documents`, `question_mix` with `dynamic_share=0`. `seed` seeds question mixes."""

    def __init__(self, towns: Sequence[str], companies: Sequence[str], people: Sequence[str],
                 facts: Sequence[Fact], rivers: Sequence[str] = (), products: Sequence[str] = (), seed: int = 0):
        # No World.__init__: it would draw entities and facts from the seed; these are given.
        self.seed, self.day, self.news_per_day = seed, 1, 0
        self.attributes = dict(ATTRIBUTES)
        self.towns, self.companies, self.people = list(towns), list(companies), list(people)
        self.rivers, self.products = list(rivers), list(products)
        names = self.towns + self.companies + self.people
        if len(set(names)) != len(names):
            repeated = sorted({n for n in names if names.count(n) > 1})
            raise ValueError(f"entity names must be unique; repeated: {repeated}")
        kinds = self.entities
        wrong = [f for f in facts if kinds.get(f.entity) != f.kind or f.dynamic or f.attribute not in ATTRIBUTES
                 or ATTRIBUTES[f.attribute].dynamic or ATTRIBUTES[f.attribute].kind != f.kind]
        if wrong:
            raise ValueError(f"a StaticWorld's facts are static facts of its own entities (a registered static "
                             f"attribute of the entity's kind, day 0); {len(wrong)} are not, e.g. {wrong[0]!r}")
        self._state: dict = {}
        self._static = list(facts)

    def facts_on(self, day: int) -> list[Fact]:
        """No dynamic facts: a static world has no reports and no news on any day."""
        _check_day("day", day)
        return []


def _respellings(training: World, per_kind: int, seed: int) -> tuple[list[str], list[str]]:
    """2 x per_kind place/company names (two product names) and per_kind people (a first name and a product name)."""
    products, firsts = training.products, sorted({p.split()[0] for p in training.people})
    rng = np.random.default_rng([seed, 22])
    pairs = [f"{a} {b}" for a in products for b in products if a != b]
    pairs = [pairs[i] for i in rng.permutation(len(pairs))[: 2 * per_kind]]
    people = [f"{a} {b}" for a in firsts for b in products]
    people = [people[i] for i in rng.permutation(len(people))[:per_kind]]
    if len(pairs) < 2 * per_kind or len(people) < per_kind:
        raise ValueError(f"at most {min(len(pairs) // 2, len(people))} new entities of each kind can be spelled")
    return pairs, people


def unseen_world(per_kind: int, seed: int = 22, training: World | None = None) -> StaticWorld:
    """A StaticWorld of `per_kind` towns, companies and people that `training` (default World(seed=0)) does not
    have, spelled in its words (see the module's docstring); each entity's facts in registry order, the entities
    in the order the worlds drew them."""
    training = training or World(seed=0)
    pairs, people = _respellings(training, per_kind, seed)
    parts = math.ceil(per_kind / 90)
    sizes = [per_kind // parts + (i < per_kind % parts) for i in range(parts)]
    worlds = [World(seed=seed + i, n_towns=n, n_companies=n, n_people=n) for i, n in enumerate(sizes)]
    names: dict[str, list[str]] = {kind: [] for kind in ENTITY_KINDS}
    facts, used = [], 0
    for part, n in zip(worlds, sizes):
        respell = {**dict(zip(part.towns, pairs[used:used + n])),
                   **dict(zip(part.companies, pairs[per_kind + used:per_kind + used + n])),
                   **dict(zip(part.people, people[used:used + n])),
                   **{r: training.rivers[i % len(training.rivers)] for i, r in enumerate(part.rivers)}}
        used += n
        for kind in ENTITY_KINDS:
            names[kind] += [respell[x] for x in part.names(kind)]
        facts += [Fact(respell[f.entity], f.kind, f.attribute, respell.get(f.value, f.value), 0)
                  for f in part.static_facts()]
    order = {name: i for i, name in enumerate(names["town"] + names["company"] + names["person"])}
    return StaticWorld(names["town"], names["company"], names["person"], sorted(facts, key=lambda f: order[f.entity]),
                       rivers=sorted(set(training.rivers)), products=worlds[0].products, seed=seed)


def collisions(world: World, training: World | None = None) -> set[str]:
    """Names (lower-cased) that `world` shares with the training world's towns, companies, people, rivers, products:
    none for `unseen_world` entities (their words are the training world's, their names are not)."""
    training = training or World(seed=0)
    old = {n.lower() for n in training.towns + training.companies + training.people + training.rivers
           + training.products}
    return {n.lower() for n in world.towns + world.companies + world.people} & old
