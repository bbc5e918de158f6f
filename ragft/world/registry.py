"""The attribute registry: every kind of fact the world knows, each described in one place.

An `Attribute` says which entities have it, how it is stated and asked, how its values are drawn,
which document states it, and how a reading exercise draws a fresh value for it. The world, its
documents and questions, and the course model's reading exercises all derive from the registry, so a
new kind of fact is one `register(Attribute(...))` (see `attributes.py`, or `registered` in a test).
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping, NamedTuple, Sequence

import numpy as np

if TYPE_CHECKING:
    from ragft.world.world import World

ENTITY_KINDS = {"town": "towns", "company": "companies", "person": "people"}  # kind -> the World's list of names
DOC_KINDS = {  # document kind -> its title line; encyclopedia pages are static, the others daily
    "encyclopedia": "{e} ({kind}).",
    "weather": "Weather report for {e}, day {d}.",  # a report: every entity that has such facts, every day
    "market": "Market report for {e}, day {d}.",
    "news": "News from {e}, day {d}.",  # events: a few entities a day, one fact per document
}
N_TRAIN_WORDINGS = 4  # question wordings 0-3 are for training, the rest are held out


class Draw(NamedTuple):
    """What a value sampler sees: the world, the random generator, the entity and day (0: static), the
    values already drawn for this entity and day, and the attribute's state (what its `setup` returned)."""

    world: World
    rng: np.random.Generator
    entity: str
    day: int
    today: dict[str, str]
    state: Any


Sampler = Callable[[Draw], str]
Setup = Callable[["World", np.random.Generator, list[str]], Any]
Pool = Sequence[str] | str  # a fixed list of values, or the name of a list the world draws ("towns", "rivers", ...)


def _values(world: World, pool: Pool) -> Sequence[str]:
    return getattr(world, pool) if isinstance(pool, str) else pool


def one_of(pool: Pool) -> Sampler:
    """A sampler of one value of a pool, uniformly."""
    return lambda d: str(d.rng.choice(_values(d.world, pool)))


def year(first: int, last: int) -> Sampler:
    """A sampler of a year in first..last-1."""
    return lambda d: str(int(d.rng.integers(first, last)))


@dataclass(frozen=True)
class Choice:
    """A counterfactual value: any value of a pool."""

    pool: Pool

    def draw(self, world: World, rng: np.random.Generator, near: float | None = None) -> tuple[str, float | None]:
        values = _values(world, self.pool)
        return str(values[rng.integers(len(values))]), None


@dataclass(frozen=True)
class Number:
    """A counterfactual number: `fresh` draws one anywhere plausible, `near` one close to a given number
    (look-alike values an exercise must tell apart), `text` writes it."""

    fresh: Callable[[np.random.Generator], float]
    near: Callable[[np.random.Generator, float], float]
    text: Callable[[float], str] = str

    def draw(self, world: World, rng: np.random.Generator, near: float | None = None) -> tuple[str, float | None]:
        """The value as text, and as a number (for `near` on the entity's next value)."""
        x = self.fresh(rng) if near is None else self.near(rng, near)
        return self.text(x), x


class RandomWalk:
    """A number per entity that moves by a random percentage each day, like a share price.

    Day d's steps are a pure function of (seed, stream, d): `stream` must be one no other walk uses
    (the world draws with 0, 1 and 3 itself; the share price walks with 2)."""

    def __init__(self, names: list[str], start: list[float], seed: int, stream: int,
                 volatility: float, floor: float, decimals: int):
        self.names, self.seed, self.stream = names, seed, stream
        self.volatility, self.floor, self.decimals = volatility, floor, decimals
        self.values: dict[int, dict[str, float]] = {0: dict(zip(names, start))}

    def at(self, name: str, day: int) -> float:
        for d in range(max(self.values) + 1, day + 1):
            prev = self.values[d - 1]
            steps = np.random.default_rng([self.seed, self.stream, d]).normal(0.0, self.volatility, len(self.names))
            self.values[d] = {n: max(self.floor, round(prev[n] * math.exp(s), self.decimals))
                              for n, s in zip(self.names, steps)}
        return self.values[day][name]


def random_walk(low: float, high: float, stream: int, volatility: float = 0.03, floor: float = 1.0,
                decimals: int = 2) -> Setup:
    """A setup that starts each entity's walk between low and high (use `walk_value` as the sampler)."""
    def setup(world: World, rng: np.random.Generator, names: list[str]) -> RandomWalk:
        start = [round(float(rng.uniform(low, high)), decimals) for _ in names]
        return RandomWalk(names, start, world.seed, stream, volatility, floor, decimals)
    return setup


def walk_value(d: Draw) -> str:
    """The sampler of a `random_walk` attribute: the entity's value on the day."""
    return f"{d.state.at(d.entity, d.day):.{d.state.decimals}f}"


@dataclass(frozen=True)
class Attribute:
    """One kind of fact. Templates use {e} (entity), {v} (value) and {d} (day); `statements[0]` is the
    canonical sentence documents use, `questions[:N_TRAIN_WORDINGS]` are training wordings, the rest held out."""

    name: str
    kind: str                      # the entity kind that has it: "town", "company" or "person"
    statements: tuple[str, ...]
    questions: tuple[str, ...]
    sample: Sampler                # draws a value (see Draw)
    doc: str = "encyclopedia"      # the document kind that states it (see DOC_KINDS); not encyclopedia: dynamic
    counterfactual: Choice | Number | None = None  # a fresh value for a reading exercise (dynamic attributes)
    setup: Setup | None = None     # drawn once when a world is made (a town's climate, a share's first price)
    needs: tuple[str, ...] = ()    # attributes of the same entity and day its sampler reads (drawn first)
    person: bool = False           # the value is a person: a blanked statement asks 'who'

    @property
    def dynamic(self) -> bool:
        return self.doc != "encyclopedia"


ATTRIBUTES: dict[str, Attribute] = {}  # the registry, in the order the world draws and lists facts


def register(attribute: Attribute) -> Attribute:
    """Add a kind of fact to the registry, after checking what the world and the course rely on."""
    a = attribute
    checks = [(a.name in ATTRIBUTES, "the name is taken"),
              (a.kind not in ENTITY_KINDS, f"kind must be one of {list(ENTITY_KINDS)}"),
              (a.doc not in DOC_KINDS, f"doc must be one of {list(DOC_KINDS)}"),
              (len(a.questions) <= N_TRAIN_WORDINGS,
               f"it needs more than {N_TRAIN_WORDINGS} question wordings (the rest are held out)"),
              (not all("{e}" in t and "{v}" in t for t in a.statements), "every statement needs {e} and {v}"),
              (not all("{e}" in t for t in a.questions), "every question needs {e}"),
              (a.dynamic and not all("{d}" in t for t in [*a.statements, *a.questions]),
               "a dynamic attribute's templates need {d}"),
              (a.dynamic and a.counterfactual is None, "a dynamic attribute needs a counterfactual (Choice or Number)")]
    problems = [message for failed, message in checks if failed]
    if problems:
        raise ValueError(f"cannot register attribute {a.name!r}: " + "; ".join(problems))
    ATTRIBUTES[a.name] = a
    return a


@contextmanager
def registered(*attributes: Attribute) -> Iterator[None]:
    """Register kinds of fact for the duration of a `with` block (a test, an experiment), then remove them."""
    try:
        for a in attributes:
            register(a)
        yield
    finally:
        for a in attributes:
            if ATTRIBUTES.get(a.name) is a:
                del ATTRIBUTES[a.name]


def draw_order(specs: list[Attribute]) -> list[Attribute]:
    """The attributes in registry order, except that what a sampler `needs` is drawn before it."""
    order: list[Attribute] = []
    while len(order) < len(specs):
        done = {a.name for a in order}
        ready = [a for a in specs if a.name not in done and set(a.needs) <= done]
        if not ready:
            raise ValueError(f"attributes {[a.name for a in specs if a.name not in done]} need each other "
                             "(or an attribute of another entity kind)")
        order.append(ready[0])
    return order


class _Templates(Mapping[str, tuple[str, ...]]):
    """A live, read-only view of one template field of every registered attribute."""

    def __init__(self, field: str):
        self.field = field

    def __getitem__(self, name: str) -> tuple[str, ...]:
        if name not in ATTRIBUTES:
            raise KeyError(f"unknown attribute {name!r}; registered: {', '.join(ATTRIBUTES)}")
        return getattr(ATTRIBUTES[name], self.field)

    def __iter__(self) -> Iterator[str]:
        return iter(list(ATTRIBUTES))

    def __len__(self) -> int:
        return len(ATTRIBUTES)


class _Names(Sequence[str]):
    """A live, read-only view of the names of the registered attributes that pass a test."""

    def __init__(self, test: Callable[[Attribute], bool]):
        self.test = test

    def _names(self) -> tuple[str, ...]:
        return tuple(a.name for a in ATTRIBUTES.values() if self.test(a))

    def __getitem__(self, i):  # type: ignore[override]
        return self._names()[i]

    def __len__(self) -> int:
        return len(self._names())

    def __repr__(self) -> str:
        return repr(self._names())


STATEMENTS = _Templates("statements")
QUESTIONS = _Templates("questions")
DYNAMIC_ATTRIBUTES = _Names(lambda a: a.dynamic)
NEWS_ATTRIBUTES = _Names(lambda a: a.doc == "news")
PERSON_VALUED = _Names(lambda a: a.person)  # attributes whose value is a person ('who' rather than 'what')
