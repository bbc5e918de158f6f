"""The course world: a seeded, fictional world of static and daily-changing facts.

No pre-trained model can know it, and every number in the course reproduces from its seed.
Static facts (towns, companies, people and their attributes) never change; a day clock brings
dynamic facts (weather per town, a stock close per company, corporate news). Every fact renders
as document sentences, as several paraphrased statements, and as question/answer pairs whose
wordings are split into a training set and a held-out set.
"""

from __future__ import annotations

import difflib
import json
import math
from dataclasses import asdict, dataclass, field
from typing import Iterable

import numpy as np

# --------------------------------------------------------------------------------------------
# Vocabulary of the world. Every value is a single word or number, so answers are easy to score.
# --------------------------------------------------------------------------------------------

REGIONS = ["Norvale", "Estmark", "Sudreach", "Westfen", "Highmoor", "Lowmere"]
SECTORS = ["shipping", "textiles", "software", "mining", "farming", "banking", "energy", "furniture"]
PROFESSIONS = ["baker", "engineer", "painter", "doctor", "teacher", "pilot", "farmer", "lawyer",
               "chemist", "sailor"]
CONDITIONS = ["sunny", "cloudy", "rainy", "snowy", "windy", "foggy", "stormy"]
NEWS_ATTRIBUTES = ("office", "ceo", "product")

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

# --------------------------------------------------------------------------------------------
# Wordings. The first statement template of each attribute is the canonical one used in
# documents; all of them are paraphrases. Question templates are split: the first four are
# training wordings, the rest are held out (never shown to a model during training).
# --------------------------------------------------------------------------------------------

STATEMENTS: dict[str, list[str]] = {
    "region": ["{e} lies in the region of {v}.",
               "The town of {e} is part of the region of {v}.",
               "{v} is the region where the town of {e} is found.",
               "If you travel to {e}, you are in the region of {v}.",
               "{e} belongs to the region of {v}."],
    "river": ["The river {v} flows through {e}.",
              "{e} is built on the banks of the river {v}.",
              "The river that runs through {e} is the {v}.",
              "{e} sits on the river {v}.",
              "Boats on the river {v} pass through {e}."],
    "town_founded": ["{e} was founded in {v}.",
                     "The town of {e} dates from the year {v}.",
                     "In {v} the town of {e} was founded.",
                     "{e} has existed since it was founded in {v}.",
                     "The founding year of {e} is {v}."],
    "headquarters": ["{e} has its headquarters in {v}.",
                     "The company {e} is headquartered in the town of {v}.",
                     "{v} is home to the headquarters of {e}.",
                     "The head office of {e} is in {v}.",
                     "{e} runs its business from its headquarters in {v}."],
    "sector": ["{e} is a company in the {v} sector.",
               "The company {e} works in {v}.",
               "{v} is the sector of the company {e}.",
               "{e} does business in the {v} sector.",
               "The business of {e} is {v}."],
    "founder": ["{e} was founded by {v}.",
                "The founder of {e} is {v}.",
                "{v} founded the company {e}.",
                "The company {e} was started by {v}.",
                "{v} is known as the founder of {e}."],
    "company_founded": ["{e} was established in {v}.",
                        "The company {e} was set up in the year {v}.",
                        "In {v} the company {e} was established.",
                        "{e} has been in business since it was established in {v}.",
                        "The year the company {e} was established is {v}."],
    "hometown": ["{e} was born in the town of {v}.",
                 "The hometown of {e} is {v}.",
                 "{v} is the town where {e} was born.",
                 "{e} grew up in the town of {v}.",
                 "{e} comes from the town of {v}."],
    "profession": ["{e} works as a {v}.",
                   "By profession, {e} is a {v}.",
                   "The job of {e} is {v}.",
                   "{e} earns a living as a {v}.",
                   "{e} is a {v} by trade."],
    "born": ["{e} was born in the year {v}.",
             "The birth year of {e} is {v}.",
             "In {v}, {e} was born.",
             "{e} came into the world in the year {v}.",
             "{e} has been alive since being born in {v}."],
    "weather": ["On day {d} the weather in {e} was {v}.",
                "The sky over {e} on day {d} was {v}.",
                "{e} had {v} weather on day {d}.",
                "Day {d} brought {v} weather to {e}.",
                "The forecast came true: on day {d}, {e} was {v}."],
    "high": ["On day {d} the high in {e} was {v} degrees.",
             "{e} reached a high of {v} degrees on day {d}.",
             "The highest temperature in {e} on day {d} was {v} degrees.",
             "Day {d} peaked at {v} degrees in {e}.",
             "Thermometers in {e} showed a high of {v} degrees on day {d}."],
    "close": ["On day {d} shares of {e} closed at {v}.",
              "{e} stock ended day {d} at a price of {v}.",
              "The closing price of {e} on day {d} was {v}.",
              "At the end of day {d}, {e} shares were worth {v}.",
              "Day {d} closed with {e} shares at {v}."],
    "office": ["On day {d} {e} opened a new office in {v}.",
               "{e} announced on day {d} that it opened an office in {v}.",
               "A new office of {e} opened in {v} on day {d}.",
               "Day {d} news: {e} now has an office in {v}.",
               "{v} got a new office of {e} on day {d}."],
    "ceo": ["On day {d} {e} appointed {v} as chief executive.",
            "{v} became the chief executive of {e} on day {d}.",
            "{e} named {v} its new chief executive on day {d}.",
            "Day {d} news: {v} is the new chief executive of {e}.",
            "The board of {e} chose {v} as chief executive on day {d}."],
    "product": ["On day {d} {e} launched a product called {v}.",
                "{e} released its new product {v} on day {d}.",
                "A product named {v} was launched by {e} on day {d}.",
                "Day {d} news: {e} unveiled the product {v}.",
                "{v} is the product that {e} launched on day {d}."],
}

QUESTIONS: dict[str, list[str]] = {
    "region": ["In which region is {e}?", "What region does {e} lie in?",
               "Which region is the town of {e} part of?", "{e} is in which region?",
               "Name the region of the town {e}.", "Tell me which region {e} belongs to."],
    "river": ["Which river flows through {e}?", "What river runs through {e}?",
              "On which river is {e} built?", "{e} sits on which river?",
              "Name the river of the town {e}.", "Tell me the river that passes through {e}."],
    "town_founded": ["When was {e} founded?", "In what year was the town of {e} founded?",
                     "What is the founding year of {e}?", "{e} was founded in which year?",
                     "Tell me the year the town {e} was founded.", "Since which year has {e} existed?"],
    "headquarters": ["Where does {e} have its headquarters?", "In which town is {e} headquartered?",
                     "Where is the head office of {e}?", "{e} has its headquarters in which town?",
                     "Name the town of the headquarters of {e}.",
                     "Tell me where the company {e} has its headquarters."],
    "sector": ["In which sector is {e}?", "What sector does the company {e} work in?",
               "What is the sector of {e}?", "{e} does business in which sector?",
               "Name the sector of the company {e}.", "Tell me the sector that {e} is in."],
    "founder": ["Who founded {e}?", "Who is the founder of {e}?",
                "Which person founded the company {e}?", "{e} was founded by whom?",
                "Name the founder of the company {e}.", "Tell me who started the company {e}."],
    "company_founded": ["When was {e} established?", "In what year was the company {e} established?",
                        "What year was {e} set up?", "{e} was established in which year?",
                        "Tell me the year the company {e} was established.",
                        "Since which year has {e} been in business?"],
    "hometown": ["Where was {e} born?", "What is the hometown of {e}?",
                 "In which town was {e} born?", "{e} comes from which town?",
                 "Name the hometown of {e}.", "Tell me the town where {e} grew up."],
    "profession": ["What does {e} work as?", "What is the profession of {e}?",
                   "What job does {e} have?", "{e} works as what?",
                   "Name the profession of {e}.", "Tell me how {e} earns a living."],
    "born": ["When was {e} born?", "In what year was {e} born?",
             "What is the birth year of {e}?", "{e} was born in which year?",
             "Tell me the year {e} was born.", "Name the birth year of {e}."],
    "weather": ["What was the weather in {e} on day {d}?", "How was the weather in {e} on day {d}?",
                "What weather did {e} have on day {d}?", "On day {d}, what was the weather in {e}?",
                "Tell me the weather in {e} on day {d}.", "Describe the sky over {e} on day {d}."],
    "high": ["What was the high in {e} on day {d}?", "How warm did {e} get on day {d}?",
             "What was the highest temperature in {e} on day {d}?", "On day {d}, what was the high in {e}?",
             "Tell me the high temperature in {e} on day {d}.",
             "How many degrees was the high in {e} on day {d}?"],
    "close": ["What did {e} shares close at on day {d}?", "What was the closing price of {e} on day {d}?",
              "At what price did {e} stock end day {d}?", "On day {d}, what did {e} shares close at?",
              "Tell me the closing price of {e} on day {d}.", "How much were {e} shares worth at the end of day {d}?"],
    "office": ["Where did {e} open a new office on day {d}?", "In which town did {e} open an office on day {d}?",
               "On day {d}, where did {e} open an office?", "Which town got a new office of {e} on day {d}?",
               "Tell me where {e} opened an office on day {d}.", "Name the town of the office {e} opened on day {d}."],
    "ceo": ["Who did {e} appoint as chief executive on day {d}?", "Who became chief executive of {e} on day {d}?",
            "On day {d}, who did {e} name as chief executive?", "Who is the chief executive {e} named on day {d}?",
            "Tell me who {e} chose as chief executive on day {d}.", "Name the new chief executive of {e} on day {d}."],
    "product": ["What product did {e} launch on day {d}?", "Which product did {e} release on day {d}?",
                "On day {d}, what product did {e} launch?", "What is the product {e} launched on day {d}?",
                "Tell me the product {e} launched on day {d}.", "Name the product that {e} released on day {d}."],
}
N_TRAIN_WORDINGS = 4  # question wordings 0-3 are for training, the rest are held out

STATIC_ATTRIBUTES = {"town": ("region", "river", "town_founded"),
                     "company": ("headquarters", "sector", "founder", "company_founded"),
                     "person": ("hometown", "profession", "born")}
DYNAMIC_ATTRIBUTES = ("weather", "high", "close") + NEWS_ATTRIBUTES


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
    kind: str  # "encyclopedia", "weather", "market" or "news"
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
    whatever order the days are looked at in.
    """

    def __init__(self, seed: int = 0, n_towns: int = 24, n_companies: int = 16, n_people: int = 24,
                 day: int = 1, news_per_day: int | None = None):
        for name, n, cap in (("n_towns", n_towns, 240), ("n_companies", n_companies, 128),
                             ("n_people", n_people, 384)):
            if not 1 <= n <= cap:
                raise ValueError(f"{name} must be between 1 and {cap}, got {n}")
        if day < 1:
            raise ValueError(f"day must be 1 or later, got {day}")
        news_per_day = min(4, n_companies) if news_per_day is None else news_per_day
        if not 0 <= news_per_day <= n_companies:
            raise ValueError(f"news_per_day must be between 0 and n_companies ({n_companies}), got {news_per_day}")
        self.seed, self.day, self.news_per_day = seed, day, news_per_day
        rng = np.random.default_rng([seed, 0])
        taken: set[str] = set()
        self.towns = _names(rng, _TOWN_HEADS, _TOWN_TAILS, n_towns, taken)
        self.companies = _names(rng, _CO_HEADS, _CO_TAILS, n_companies, taken)
        lasts = _names(rng, _LAST_HEADS, _LAST_TAILS, n_people, taken)
        firsts = [_FIRST[i % len(_FIRST)] for i in rng.permutation(n_people)]
        self.people = [f"{f} {l}" for f, l in zip(firsts, lasts)]
        self.rivers = _names(rng, _RIVER_HEADS, _RIVER_TAILS, min(n_towns, 40), taken)
        self.products = _names(rng, _PRODUCT_HEADS, _PRODUCT_TAILS, 40, taken)
        self._static = self._make_static(rng)
        self._town_climate = {t: (rng.uniform(4, 16), rng.uniform(6, 12)) for t in self.towns}
        self._start_price = {c: round(float(rng.uniform(20, 400)), 2) for c in self.companies}
        self._prices: dict[int, dict[str, float]] = {0: dict(self._start_price)}

    # ---- entities and static facts -----------------------------------------------------------
    def _make_static(self, rng: np.random.Generator) -> list[Fact]:
        facts = []
        for t in self.towns:
            facts += [Fact(t, "town", "region", str(rng.choice(REGIONS))),
                      Fact(t, "town", "river", str(rng.choice(self.rivers))),
                      Fact(t, "town", "town_founded", str(int(rng.integers(1100, 1900))))]
        for c in self.companies:
            facts += [Fact(c, "company", "headquarters", str(rng.choice(self.towns))),
                      Fact(c, "company", "sector", str(rng.choice(SECTORS))),
                      Fact(c, "company", "founder", str(rng.choice(self.people))),
                      Fact(c, "company", "company_founded", str(int(rng.integers(1850, 2020))))]
        for p in self.people:
            facts += [Fact(p, "person", "hometown", str(rng.choice(self.towns))),
                      Fact(p, "person", "profession", str(rng.choice(PROFESSIONS))),
                      Fact(p, "person", "born", str(int(rng.integers(1940, 2005))))]
        return facts

    @property
    def entities(self) -> dict[str, str]:
        """Every entity name mapped to its kind."""
        return {**{t: "town" for t in self.towns}, **{c: "company" for c in self.companies},
                **{p: "person" for p in self.people}}

    def entity(self, name: str) -> dict[str, str]:
        """The static attributes of an entity, with a helpful error for a misspelt name."""
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
        if days < 1:
            raise ValueError(f"the world only moves forward: days must be >= 1, got {days}")
        self.day += days
        return self.facts_on(self.day)

    def _price(self, company: str, day: int) -> float:
        for d in range(max(self._prices) + 1, day + 1):
            prev = self._prices[d - 1]
            rng = np.random.default_rng([self.seed, 2, d])
            steps = rng.normal(0.0, 0.03, len(self.companies))
            self._prices[d] = {c: max(1.0, round(prev[c] * math.exp(s), 2)) for c, s in zip(self.companies, steps)}
        return self._prices[day][company]

    def facts_on(self, day: int) -> list[Fact]:
        """The dynamic facts of one day: weather and high per town, close per company, news."""
        if day < 1:
            raise ValueError(f"days are numbered from 1, got {day}")
        rng = np.random.default_rng([self.seed, 1, day])
        facts = []
        season = math.sin(2 * math.pi * (day - 100) / 365)
        for t in self.towns:
            base, swing = self._town_climate[t]
            high = int(round(base + swing * season + rng.normal(0, 3)))
            if high <= 1:
                cond = rng.choice(["snowy", "cloudy", "foggy", "sunny"], p=[0.5, 0.2, 0.15, 0.15])
            else:
                cond = rng.choice(["sunny", "cloudy", "rainy", "windy", "foggy", "stormy"],
                                  p=[0.3, 0.25, 0.2, 0.1, 0.1, 0.05])
            facts += [Fact(t, "town", "weather", str(cond), day), Fact(t, "town", "high", str(high), day)]
        for c in self.companies:
            facts.append(Fact(c, "company", "close", f"{self._price(c, day):.2f}", day))
        for c in rng.choice(self.companies, self.news_per_day, replace=False):
            attribute = str(rng.choice(NEWS_ATTRIBUTES))
            pool = {"office": self.towns, "ceo": self.people, "product": self.products}[attribute]
            facts.append(Fact(str(c), "company", attribute, str(rng.choice(pool)), day))
        return facts

    def dynamic_facts(self, days: Iterable[int]) -> list[Fact]:
        return [f for d in days for f in self.facts_on(d)]

    def facts(self, days: Iterable[int] | None = None) -> list[Fact]:
        """Static facts plus the dynamic facts of `days` (default: every day up to today)."""
        days = range(1, self.day + 1) if days is None else days
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
        cut at sentence boundaries still makes sense on its own.
        """
        days = range(1, self.day + 1) if days is None else days
        docs = []
        if static:
            by_entity: dict[str, list[Fact]] = {}
            for f in self._static:
                by_entity.setdefault(f.entity, []).append(f)
            for name, fs in by_entity.items():
                title = f"{name} ({fs[0].kind})."
                docs.append(Doc(f"wiki/{_slug(name)}", "\n".join([title] + [f.sentence for f in fs]),
                                "encyclopedia", 0, name, tuple(f.id for f in fs)))
        for d in days:
            facts = self.facts_on(d)
            for t in self.towns:
                fs = [f for f in facts if f.entity == t and f.attribute in ("weather", "high")]
                docs.append(Doc(f"weather/day{d}/{_slug(t)}",
                                "\n".join([f"Weather report for {t}, day {d}."] + [f.sentence for f in fs]),
                                "weather", d, t, tuple(f.id for f in fs)))
            for c in self.companies:
                fs = [f for f in facts if f.entity == c and f.attribute == "close"]
                docs.append(Doc(f"market/day{d}/{_slug(c)}",
                                "\n".join([f"Market report for {c}, day {d}."] + [f.sentence for f in fs]),
                                "market", d, c, tuple(f.id for f in fs)))
            for f in facts:
                if f.attribute in NEWS_ATTRIBUTES:
                    docs.append(Doc(f"news/day{d}/{_slug(f.entity)}-{f.attribute}",
                                    f"News from {f.entity}, day {d}.\n{f.sentence}",
                                    "news", d, f.entity, (f.id,)))
        return docs

    def as_documents(self, days: Iterable[int] | None = None, static: bool = True) -> list:
        """The same documents as LangChain `Document`s, with metadata (source, kind, day, entity, attribute, facts)."""
        from langchain_core.documents import Document

        return [Document(page_content=d.text, metadata=d.metadata(), id=d.id) for d in self.documents(days, static)]

    def question_mix(self, n: int, dynamic_share: float, days: Iterable[int] | None = None,
                     split: str = "heldout", seed: int = 0) -> list[QA]:
        """n questions of which a `dynamic_share` ask about the dynamic facts of `days` (default: today)."""
        if not 0.0 <= dynamic_share <= 1.0:
            raise ValueError(f"dynamic_share is a proportion between 0 and 1, got {dynamic_share}")
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        days = [self.day] if days is None else list(days)
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
        days = list(range(1, self.day + 1) if days is None else days)
        facts = self.facts(days)
        data = {"seed": self.seed, "day": self.day, "towns": self.towns, "companies": self.companies,
                "people": self.people, "facts": [asdict(f) for f in facts],
                "documents": [asdict(d) for d in self.documents(days)],
                "qa": [asdict(q) for q in self.qa(facts)]}
        return json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False)


def _slug(name: str) -> str:
    return name.lower().replace(" ", "-")
