"""Facts, questions, documents, and the seeded World that draws them from the attribute registry."""

from __future__ import annotations

import difflib
import json
from dataclasses import asdict, dataclass, field
from typing import Iterable

import numpy as np

from ragft.inputs import check_choice, check_int, check_number
from ragft.world import sealed
from ragft.world.registry import (ATTRIBUTES, DOC_KINDS, ENTITY_KINDS, N_TRAIN_WORDINGS, QUESTIONS, STATEMENTS,
                                  Attribute, Draw, draw_order)

MAX_DAY = 100_000  # the last day a world has (about 270 years): prices are stepped day by day up to it

_TOWN_HEADS = ["mar", "vel", "tor", "bren", "ost", "kel", "dun", "ash", "cal", "fen", "hol", "lis",
               "mor", "pel", "quen", "rav", "sel", "tarn", "ul", "wyn", "zor", "bal", "cor", "gar"]
_TOWN_TAILS = ["nok", "bury", "wick", "holm", "stead", "mouth", "ford", "dale", "mere", "thorpe"]
_RIVER_HEADS = ["oss", "lun", "ver", "tam", "esk", "brim", "sav", "ond", "ryl", "dav"]
_RIVER_TAILS = ["el", "an", "ith", "or", "ume", "ax"]
_CO_HEADS = ["zen", "vol", "cor", "lux", "dyn", "plex", "sol", "ner", "quor", "tri", "ver", "kal",
             "om", "ax", "bri", "fal"]
_CO_TAILS = ["trix", "cor", "tech", "ora", "ion", "ware", "lyn", "dex"]
_FIRST = ["Ana", "Bodo", "Cira", "Dario", "Elin", "Fenna", "Goran", "Hedda", "Ivo", "Jora", "Kasimir",
          "Lenka", "Milo", "Nadia", "Oren", "Petra", "Quint", "Rosa", "Sten", "Tilda", "Ulf", "Vera",
          "Wim", "Yara"]
_LAST_HEADS = ["brill", "dorn", "falk", "grim", "hask", "jel", "krow", "lind", "mott", "nyst", "orr",
               "prell", "rask", "sorb", "tull", "vask"]
_LAST_TAILS = ["er", "sen", "ova", "ing", "by", "ard"]
_PRODUCT_HEADS = ["lumo", "quill", "vex", "nimbo", "orla", "pix", "rondo", "sura", "tavi", "zeph"]
_PRODUCT_TAILS = ["", "x", "on", "ia"]


@dataclass(frozen=True)
class Fact:
    """One fact: entity's attribute has value (on a day, for dynamic facts; day 0 = static)."""

    entity: str
    kind: str  # "town", "company" or "person"
    attribute: str
    value: str
    day: int = 0

    @property
    def dynamic(self) -> bool:
        return self.day > 0

    @property
    def id(self) -> str:
        return f"{self.entity}|{self.attribute}|{self.day}"

    def render(self, template: str) -> str:
        return template.format(e=self.entity, v=self.value, d=self.day)

    @property
    def sentence(self) -> str:
        """The canonical statement, the one documents use."""
        return self.render(STATEMENTS[self.attribute][0])


@dataclass(frozen=True)
class QA:
    """A question about one fact, in one wording; split is 'train' or 'heldout'."""

    question: str
    answer: str
    fact_id: str
    attribute: str
    day: int
    wording: int
    split: str

    @property
    def dynamic(self) -> bool:
        return self.day > 0


@dataclass(frozen=True)
class Doc:
    """A document of the world; `facts` are the ids of the facts its text states."""

    id: str
    text: str
    kind: str  # a DOC_KINDS key: "encyclopedia", "weather", "market" or "news"
    day: int  # 0 for the timeless encyclopedia pages
    entity: str
    facts: tuple[str, ...] = field(default=())

    def metadata(self) -> dict:
        attributes = sorted({f.split("|")[1] for f in self.facts})
        return {"source": self.id, "kind": self.kind, "day": self.day, "entity": self.entity,
                "attribute": ",".join(attributes), "facts": ";".join(self.facts)}


def _names(rng: np.random.Generator, heads: list[str], tails: list[str], n: int, taken: set[str]) -> list[str]:
    pairs = [h + t for h in heads for t in tails]
    order = rng.permutation(len(pairs))
    out = []
    for i in order:
        name = pairs[i].capitalize()
        if name.lower() not in taken:
            taken.add(name.lower())
            out.append(name)
        if len(out) == n:
            return out
    raise ValueError(f"the world can name at most {len(out)} of these entities; asked for {n}")


class World:
    """A seeded fictional world. `day` is today; `advance()` makes a new day happen.

    Dynamic facts of any day are a pure function of (seed, day), so the world is the same
    whatever order the days are looked at in. The kinds of fact are the registry's when the world is made.
    """

    def __init__(self, seed: int = 0, n_towns: int = 24, n_companies: int = 16, n_people: int = 24,
                 day: int = 1, news_per_day: int | None = None):
        seed = check_int("seed", seed, 0)
        n_towns, n_companies, n_people = (check_int(name, n, 1, cap) for name, n, cap in (
            ("n_towns", n_towns, 240), ("n_companies", n_companies, 128), ("n_people", n_people, 384)))
        day = _check_day("day", day)
        news_per_day = min(4, n_companies) if news_per_day is None else check_int("news_per_day", news_per_day)
        if not 0 <= news_per_day <= n_companies:
            raise ValueError(f"news_per_day must be between 0 and n_companies ({n_companies}), got {news_per_day}")
        self.seed, self.day, self.news_per_day = seed, day, news_per_day
        self.attributes: dict[str, Attribute] = dict(ATTRIBUTES)  # its kinds of fact: the registry's, now
        rng = np.random.default_rng([seed, 0])
        taken: set[str] = set()
        self.towns = _names(rng, _TOWN_HEADS, _TOWN_TAILS, n_towns, taken)
        self.companies = _names(rng, _CO_HEADS, _CO_TAILS, n_companies, taken)
        lasts = _names(rng, _LAST_HEADS, _LAST_TAILS, n_people, taken)
        firsts = [_FIRST[i % len(_FIRST)] for i in rng.permutation(n_people)]
        self.people = [f"{f} {l}" for f, l in zip(firsts, lasts)]
        self.rivers = _names(rng, _RIVER_HEADS, _RIVER_TAILS, min(n_towns, 40), taken)
        self.products = _names(rng, _PRODUCT_HEADS, _PRODUCT_TAILS, 40, taken)
        self._state: dict = {}  # what each attribute's `setup` drew, after the static facts (draw order is the world)
        self._static = [f for kind in ENTITY_KINDS for f in self._draw(kind, self._select(kind, dynamic=False), rng, 0)]
        self._state = {a.name: a.setup(self, rng, self.names(a.kind)) for a in self.attributes.values() if a.setup}

    # ---- entities and static facts -----------------------------------------------------------
    def names(self, kind: str) -> list[str]:
        """The names of the entities of a kind ('town', 'company' or 'person')."""
        return getattr(self, ENTITY_KINDS[check_choice("kind", kind, ENTITY_KINDS)])

    def _select(self, kind: str, dynamic: bool, news: bool = False) -> list[Attribute]:
        """This world's attributes of an entity kind: the static ones, the daily reports' or the news'."""
        return [a for a in self.attributes.values()
                if a.kind == kind and a.dynamic == dynamic and (a.doc == "news") == news]

    def _draw(self, kind: str, specs: list[Attribute], rng: np.random.Generator, day: int) -> list[Fact]:
        """Every entity of a kind's values of `specs` on a day, drawn in `draw_order`, listed in registry order."""
        order, facts = draw_order(specs), []
        for e in self.names(kind):
            today: dict[str, str] = {}
            for a in order:
                today[a.name] = a.sample(Draw(self, rng, e, day, today, self._state.get(a.name)))
            facts += [Fact(e, kind, a.name, today[a.name], day) for a in specs]
        return facts

    @property
    def entities(self) -> dict[str, str]:
        """Every entity name mapped to its kind."""
        return {name: kind for kind in ENTITY_KINDS for name in self.names(kind)}

    def entity(self, name: str) -> dict[str, str]:
        """The static attributes of an entity, with a helpful error for a misspelt name."""
        if not isinstance(name, str):
            raise TypeError(f"name must be an entity's name (a string), got {type(name).__name__} {name!r}")
        kind = self.entities.get(name)
        if kind is None:
            close = difflib.get_close_matches(name, list(self.entities), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"unknown entity {name!r}{hint}")
        return {"kind": kind, **{f.attribute: f.value for f in self._static if f.entity == name}}

    def static_facts(self) -> list[Fact]:
        return list(self._static)

    # ---- the day clock -----------------------------------------------------------------------
    def advance(self, days: int = 1) -> list[Fact]:
        """Let `days` days pass; return the dynamic facts of the new today."""
        if check_int("days", days) < 1:
            raise ValueError(f"the world only moves forward: days must be >= 1, got {days}")
        if self.day + days > MAX_DAY:
            raise ValueError(f"advancing {days} days from day {self.day} would pass the world's last day, "
                             f"MAX_DAY = {MAX_DAY}; advance at most {MAX_DAY - self.day} days")
        facts = self.facts_on(self.day + days)
        self.day += days
        return facts

    def facts_on(self, day: int) -> list[Fact]:
        """The dynamic facts of one day: every entity's daily reports (weather, high, close), then the news.
        Days of the sealed test split (`sealed.SEALED_RANGE`) are refused outside `sealed.unsealed()`."""
        day = _check_day("day", day)
        if day in sealed.SEALED_RANGE:
            sealed.check_open(f"day {day}")
        rng = np.random.default_rng([self.seed, 1, day])
        facts = []
        for kind in ENTITY_KINDS:
            facts += self._draw(kind, self._select(kind, dynamic=True), rng, day)
        for kind in ENTITY_KINDS:
            news = tuple(a.name for a in self._select(kind, dynamic=True, news=True))
            if not news:
                continue
            names = self.names(kind)
            for e in rng.choice(names, min(self.news_per_day, len(names)), replace=False):
                a = self.attributes[str(rng.choice(news))]
                value = a.sample(Draw(self, rng, str(e), day, {}, self._state.get(a.name)))
                facts.append(Fact(str(e), kind, a.name, value, day))
        return facts

    def dynamic_facts(self, days: Iterable[int]) -> list[Fact]:
        return [f for d in _check_days(days) for f in self.facts_on(d)]

    def facts(self, days: Iterable[int] | None = None) -> list[Fact]:
        """Static facts plus the dynamic facts of `days` (default: every day up to today)."""
        days = range(1, self.day + 1) if days is None else _check_days(days)
        return self.static_facts() + self.dynamic_facts(days)

    # ---- renderings --------------------------------------------------------------------------
    @staticmethod
    def statements(fact: Fact) -> list[str]:
        """Every paraphrase of a fact (the first is the canonical sentence documents use)."""
        return [fact.render(t) for t in STATEMENTS[fact.attribute]]

    @staticmethod
    def questions(fact: Fact, split: str = "all") -> list[QA]:
        """Question/answer pairs for a fact: split 'train', 'heldout' or 'all' wordings."""
        if split not in ("train", "heldout", "all"):
            raise ValueError(f"split must be 'train', 'heldout' or 'all', got {split!r}")
        out = []
        for i, t in enumerate(QUESTIONS[fact.attribute]):
            s = "train" if i < N_TRAIN_WORDINGS else "heldout"
            if split in ("all", s):
                out.append(QA(fact.render(t), fact.value, fact.id, fact.attribute, fact.day, i, s))
        return out

    def qa(self, facts: Iterable[Fact], split: str = "all") -> list[QA]:
        return [q for f in facts for q in self.questions(f, split)]

    def documents(self, days: Iterable[int] | None = None, static: bool = True) -> list[Doc]:
        """Encyclopedia pages (static) and the daily reports and news of `days` (default: up to today).

        Each sentence of a document states one fact and names its entity (and day), so a chunk
        cut at sentence boundaries still makes sense on its own. A report (weather, market) gathers
        an entity's facts of its kind on a day; a news document states one fact.
        """
        days = range(1, self.day + 1) if days is None else _check_days(days)
        pages = _by_entity(self._static) if static else {}
        docs = [_doc(f"wiki/{_slug(name)}", "encyclopedia", fs, 0) for name, fs in pages.items()]
        for d in days:
            facts = self.facts_on(d)
            for kind in DOC_KINDS:
                stated = [f for f in facts if self.attributes[f.attribute].doc == kind]
                if kind == "news":
                    docs += [_doc(f"news/day{d}/{_slug(f.entity)}-{f.attribute}", kind, [f], d) for f in stated]
                elif kind != "encyclopedia":
                    reports = _by_entity(stated)
                    docs += [_doc(f"{kind}/day{d}/{_slug(name)}", kind, fs, d) for name, fs in reports.items()]
        return docs

    def as_documents(self, days: Iterable[int] | None = None, static: bool = True) -> list:
        """The same documents as LangChain `Document`s, with metadata (source, kind, day, entity, attribute, facts)."""
        from langchain_core.documents import Document

        return [Document(page_content=d.text, metadata=d.metadata(), id=d.id) for d in self.documents(days, static)]

    def question_mix(self, n: int, dynamic_share: float, days: Iterable[int] | None = None,
                     split: str = "heldout", seed: int = 0) -> list[QA]:
        """n questions of which a `dynamic_share` ask about the dynamic facts of `days` (default: today)."""
        if not 0.0 <= check_number("dynamic_share", dynamic_share) <= 1.0:
            raise ValueError(f"dynamic_share is a proportion between 0 and 1, got {dynamic_share}")
        n, seed = check_int("n", n, 1, 1_000_000), check_int("seed", seed, 0)
        split = check_choice("split", split, ("train", "heldout", "all"))
        days = [self.day] if days is None else _check_days(days)
        rng = np.random.default_rng([self.seed, 3, seed])
        n_dyn = int(round(n * dynamic_share))
        static_qa = self.qa(self._static, split)
        dynamic_qa = self.qa(self.dynamic_facts(days), split)
        pick = [static_qa[i] for i in rng.choice(len(static_qa), n - n_dyn, replace=n - n_dyn > len(static_qa))]
        pick += [dynamic_qa[i] for i in rng.choice(len(dynamic_qa), n_dyn, replace=n_dyn > len(dynamic_qa))]
        return [pick[i] for i in rng.permutation(len(pick))]

    def summary(self) -> dict[str, int]:
        """How big the world is up to today."""
        facts = self.facts()
        return {"towns": len(self.towns), "companies": len(self.companies), "people": len(self.people),
                "days": self.day, "static_facts": len(self._static),
                "dynamic_facts": len(facts) - len(self._static), "documents": len(self.documents()),
                "qa_pairs": len(self.qa(facts))}

    def to_json(self, days: Iterable[int] | None = None) -> str:
        """Everything up to today (or over `days`) as plain, stable JSON."""
        days = list(range(1, self.day + 1)) if days is None else _check_days(days)
        facts = self.facts(days)
        data = {"seed": self.seed, "day": self.day, "towns": self.towns, "companies": self.companies,
                "people": self.people, "facts": [asdict(f) for f in facts],
                "documents": [asdict(d) for d in self.documents(days)],
                "qa": [asdict(q) for q in self.qa(facts)]}
        return json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False)


def _check_day(name: str, day: object) -> int:
    """A day of the world: an int from 1 to MAX_DAY."""
    day = check_int(name, day)
    if day < 1:
        raise ValueError(f"days are numbered from 1: {name} must be 1 or later, got {day}")
    if day > MAX_DAY:
        raise ValueError(f"{name} must be at most MAX_DAY = {MAX_DAY} (about 270 years of days), got {day}")
    return day


def _check_days(days: object) -> list[int]:
    """A list of days (e.g. `range(1, 11)` or `[61]`); a bare number is refused, not read as one day."""
    if isinstance(days, (str, bytes)) or not isinstance(days, Iterable):
        raise TypeError(f"days must be a list of days such as [61] or range(1, 11), got {type(days).__name__} "
                        f"{days!r}")
    return [_check_day(f"days[{i}]", d) for i, d in enumerate(days)]


def _by_entity(facts: list[Fact]) -> dict[str, list[Fact]]:
    out: dict[str, list[Fact]] = {}
    for f in facts:
        out.setdefault(f.entity, []).append(f)
    return out


def _doc(doc_id: str, kind: str, facts: list[Fact], day: int) -> Doc:
    """A document about one entity: its kind's title line, then the canonical sentence of each fact."""
    name = facts[0].entity
    title = DOC_KINDS[kind].format(e=name, d=day, kind=facts[0].kind)
    return Doc(doc_id, "\n".join([title] + [f.sentence for f in facts]), kind, day, name, tuple(f.id for f in facts))


def _slug(name: str) -> str:
    return name.lower().replace(" ", "-")
