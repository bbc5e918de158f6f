"""Every kind of fact the course world knows: its vocabularies and one registry entry per attribute.

A new kind of fact is one more `register(Attribute(...))` here: the world draws it, documents state it,
questions ask it (training and held-out wordings) and the course model's reading exercises use it.
Entries are drawn in this order (town, company and person attributes each in turn), so reordering them
changes the world.
"""

from __future__ import annotations

import math

import numpy as np

from ragft.world.registry import (Attribute, Choice, Draw, Number, one_of, random_walk, register, walk_value,
                                  year)

# Every value is a single word or number, so answers are easy to score.
REGIONS = ["Norvale", "Estmark", "Sudreach", "Westfen", "Highmoor", "Lowmere"]
SECTORS = ["shipping", "textiles", "software", "mining", "farming", "banking", "energy", "furniture"]
PROFESSIONS = ["baker", "engineer", "painter", "doctor", "teacher", "pilot", "farmer", "lawyer",
               "chemist", "sailor"]
CONDITIONS = ["sunny", "cloudy", "rainy", "snowy", "windy", "foggy", "stormy"]


def _climate(world, rng: np.random.Generator, towns: list[str]) -> dict[str, tuple[float, float]]:
    """Each town's mean high and seasonal swing, in degrees."""
    return {t: (rng.uniform(4, 16), rng.uniform(6, 12)) for t in towns}


def _high(d: Draw) -> str:
    """The day's high: the town's climate at this point of the year, plus noise."""
    base, swing = d.state[d.entity]
    season = math.sin(2 * math.pi * (d.day - 100) / 365)
    return str(int(round(base + swing * season + d.rng.normal(0, 3))))


def _weather(d: Draw) -> str:
    """The sky, drawn knowing the day's high: snow only when it is cold."""
    if int(d.today["high"]) <= 1:
        return str(d.rng.choice(["snowy", "cloudy", "foggy", "sunny"], p=[0.5, 0.2, 0.15, 0.15]))
    return str(d.rng.choice(["sunny", "cloudy", "rainy", "windy", "foggy", "stormy"],
                            p=[0.3, 0.25, 0.2, 0.1, 0.1, 0.05]))


# ---- static: towns, companies, people ------------------------------------------------------------------

register(Attribute("region", "town", sample=one_of(REGIONS),
    statements=("{e} lies in the region of {v}.",
                "The town of {e} is part of the region of {v}.",
                "{v} is the region where the town of {e} is found.",
                "If you travel to {e}, you are in the region of {v}.",
                "{e} belongs to the region of {v}."),
    questions=("In which region is {e}?",
               "What region does {e} lie in?",
               "Which region is the town of {e} part of?",
               "{e} is in which region?",
               "Name the region of the town {e}.",
               "Tell me which region {e} belongs to.")))

register(Attribute("river", "town", sample=one_of("rivers"),
    statements=("The river {v} flows through {e}.",
                "{e} is built on the banks of the river {v}.",
                "The river that runs through {e} is the {v}.",
                "{e} sits on the river {v}.",
                "Boats on the river {v} pass through {e}."),
    questions=("Which river flows through {e}?",
               "What river runs through {e}?",
               "On which river is {e} built?",
               "{e} sits on which river?",
               "Name the river of the town {e}.",
               "Tell me the river that passes through {e}.")))

register(Attribute("town_founded", "town", sample=year(1100, 1900),
    statements=("{e} was founded in {v}.",
                "The town of {e} dates from the year {v}.",
                "In {v} the town of {e} was founded.",
                "{e} has existed since it was founded in {v}.",
                "The founding year of {e} is {v}."),
    questions=("When was {e} founded?",
               "In what year was the town of {e} founded?",
               "What is the founding year of {e}?",
               "{e} was founded in which year?",
               "Tell me the year the town {e} was founded.",
               "Since which year has {e} existed?")))

register(Attribute("headquarters", "company", sample=one_of("towns"),
    statements=("{e} has its headquarters in {v}.",
                "The company {e} is headquartered in the town of {v}.",
                "{v} is home to the headquarters of {e}.",
                "The head office of {e} is in {v}.",
                "{e} runs its business from its headquarters in {v}."),
    questions=("Where does {e} have its headquarters?",
               "In which town is {e} headquartered?",
               "Where is the head office of {e}?",
               "{e} has its headquarters in which town?",
               "Name the town of the headquarters of {e}.",
               "Tell me where the company {e} has its headquarters.")))

register(Attribute("sector", "company", sample=one_of(SECTORS),
    statements=("{e} is a company in the {v} sector.",
                "The company {e} works in {v}.",
                "{v} is the sector of the company {e}.",
                "{e} does business in the {v} sector.",
                "The business of {e} is {v}."),
    questions=("In which sector is {e}?",
               "What sector does the company {e} work in?",
               "What is the sector of {e}?",
               "{e} does business in which sector?",
               "Name the sector of the company {e}.",
               "Tell me the sector that {e} is in.")))

register(Attribute("founder", "company", sample=one_of("people"), person=True,
    statements=("{e} was founded by {v}.",
                "The founder of {e} is {v}.",
                "{v} founded the company {e}.",
                "The company {e} was started by {v}.",
                "{v} is known as the founder of {e}."),
    questions=("Who founded {e}?",
               "Who is the founder of {e}?",
               "Which person founded the company {e}?",
               "{e} was founded by whom?",
               "Name the founder of the company {e}.",
               "Tell me who started the company {e}.")))

register(Attribute("company_founded", "company", sample=year(1850, 2020),
    statements=("{e} was established in {v}.",
                "The company {e} was set up in the year {v}.",
                "In {v} the company {e} was established.",
                "{e} has been in business since it was established in {v}.",
                "The year the company {e} was established is {v}."),
    questions=("When was {e} established?",
               "In what year was the company {e} established?",
               "What year was {e} set up?",
               "{e} was established in which year?",
               "Tell me the year the company {e} was established.",
               "Since which year has {e} been in business?")))

register(Attribute("hometown", "person", sample=one_of("towns"),
    statements=("{e} was born in the town of {v}.",
                "The hometown of {e} is {v}.",
                "{v} is the town where {e} was born.",
                "{e} grew up in the town of {v}.",
                "{e} comes from the town of {v}."),
    questions=("Where was {e} born?",
               "What is the hometown of {e}?",
               "In which town was {e} born?",
               "{e} comes from which town?",
               "Name the hometown of {e}.",
               "Tell me the town where {e} grew up.")))

register(Attribute("profession", "person", sample=one_of(PROFESSIONS),
    statements=("{e} works as a {v}.",
                "By profession, {e} is a {v}.",
                "The job of {e} is {v}.",
                "{e} earns a living as a {v}.",
                "{e} is a {v} by trade."),
    questions=("What does {e} work as?",
               "What is the profession of {e}?",
               "What job does {e} have?",
               "{e} works as what?",
               "Name the profession of {e}.",
               "Tell me how {e} earns a living.")))

register(Attribute("born", "person", sample=year(1940, 2005),
    statements=("{e} was born in the year {v}.",
                "The birth year of {e} is {v}.",
                "In {v}, {e} was born.",
                "{e} came into the world in the year {v}.",
                "{e} has been alive since being born in {v}."),
    questions=("When was {e} born?",
               "In what year was {e} born?",
               "What is the birth year of {e}?",
               "{e} was born in which year?",
               "Tell me the year {e} was born.",
               "Name the birth year of {e}.")))


# ---- dynamic: daily reports and news -----------------------------------------------------------------
register(Attribute("weather", "town", sample=_weather, doc="weather", needs=("high",),
         counterfactual=Choice(CONDITIONS),
    statements=("On day {d} the weather in {e} was {v}.",
                "The sky over {e} on day {d} was {v}.",
                "{e} had {v} weather on day {d}.",
                "Day {d} brought {v} weather to {e}.",
                "The forecast came true: on day {d}, {e} was {v}."),
    questions=("What was the weather in {e} on day {d}?",
               "How was the weather in {e} on day {d}?",
               "What weather did {e} have on day {d}?",
               "On day {d}, what was the weather in {e}?",
               "Tell me the weather in {e} on day {d}.",
               "Describe the sky over {e} on day {d}.")))

register(Attribute("high", "town", sample=_high, doc="weather", setup=_climate,
         counterfactual=Number(fresh=lambda rng: int(rng.integers(-12, 40)),
                               near=lambda rng, x: int(x) + int(rng.integers(-3, 4))),
    statements=("On day {d} the high in {e} was {v} degrees.",
                "{e} reached a high of {v} degrees on day {d}.",
                "The highest temperature in {e} on day {d} was {v} degrees.",
                "Day {d} peaked at {v} degrees in {e}.",
                "Thermometers in {e} showed a high of {v} degrees on day {d}."),
    questions=("What was the high in {e} on day {d}?",
               "How warm did {e} get on day {d}?",
               "What was the highest temperature in {e} on day {d}?",
               "On day {d}, what was the high in {e}?",
               "Tell me the high temperature in {e} on day {d}.",
               "How many degrees was the high in {e} on day {d}?")))

register(Attribute("close", "company", sample=walk_value, doc="market", setup=random_walk(20, 400, stream=2),
         counterfactual=Number(fresh=lambda rng: rng.uniform(5, 500),
                               near=lambda rng, x: x * float(np.exp(rng.normal(0, 0.05))),
                               text=lambda x: f"{x:.2f}"),
    statements=("On day {d} shares of {e} closed at {v}.",
                "{e} stock ended day {d} at a price of {v}.",
                "The closing price of {e} on day {d} was {v}.",
                "At the end of day {d}, {e} shares were worth {v}.",
                "Day {d} closed with {e} shares at {v}."),
    questions=("What did {e} shares close at on day {d}?",
               "What was the closing price of {e} on day {d}?",
               "At what price did {e} stock end day {d}?",
               "On day {d}, what did {e} shares close at?",
               "Tell me the closing price of {e} on day {d}.",
               "How much were {e} shares worth at the end of day {d}?")))

register(Attribute("office", "company", sample=one_of("towns"), doc="news", counterfactual=Choice("towns"),
    statements=("On day {d} {e} opened a new office in {v}.",
                "{e} announced on day {d} that it opened an office in {v}.",
                "A new office of {e} opened in {v} on day {d}.",
                "Day {d} news: {e} now has an office in {v}.",
                "{v} got a new office of {e} on day {d}."),
    questions=("Where did {e} open a new office on day {d}?",
               "In which town did {e} open an office on day {d}?",
               "On day {d}, where did {e} open an office?",
               "Which town got a new office of {e} on day {d}?",
               "Tell me where {e} opened an office on day {d}.",
               "Name the town of the office {e} opened on day {d}.")))

register(Attribute("ceo", "company", sample=one_of("people"), doc="news", counterfactual=Choice("people"),
         person=True,
    statements=("On day {d} {e} appointed {v} as chief executive.",
                "{v} became the chief executive of {e} on day {d}.",
                "{e} named {v} its new chief executive on day {d}.",
                "Day {d} news: {v} is the new chief executive of {e}.",
                "The board of {e} chose {v} as chief executive on day {d}."),
    questions=("Who did {e} appoint as chief executive on day {d}?",
               "Who became chief executive of {e} on day {d}?",
               "On day {d}, who did {e} name as chief executive?",
               "Who is the chief executive {e} named on day {d}?",
               "Tell me who {e} chose as chief executive on day {d}.",
               "Name the new chief executive of {e} on day {d}.")))

register(Attribute("product", "company", sample=one_of("products"), doc="news", counterfactual=Choice("products"),
    statements=("On day {d} {e} launched a product called {v}.",
                "{e} released its new product {v} on day {d}.",
                "A product named {v} was launched by {e} on day {d}.",
                "Day {d} news: {e} unveiled the product {v}.",
                "{v} is the product that {e} launched on day {d}."),
    questions=("What product did {e} launch on day {d}?",
               "Which product did {e} release on day {d}?",
               "On day {d}, what product did {e} launch?",
               "What is the product {e} launched on day {d}?",
               "Tell me the product {e} launched on day {d}.",
               "Name the product that {e} released on day {d}.")))
