"""A probe of real-world knowledge: 30 well-known facts with one-word answers, asked closed-book.

A model pretrained on real text (SmolLM2) should know most of them; the course model, which has only ever
read the course world, can know none. The answers are single words, so that exact match on the extracted
answer scores them without a judge.
"""

from __future__ import annotations

from ragft.reading import ReadingItem, closed_book

CAPITALS = {"France": "Paris", "Germany": "Berlin", "Italy": "Rome", "Spain": "Madrid", "Japan": "Tokyo",
            "Russia": "Moscow", "Egypt": "Cairo", "Greece": "Athens", "Canada": "Ottawa", "China": "Beijing",
            "England": "London", "Portugal": "Lisbon"}
SYMBOLS = {"gold": "Au", "silver": "Ag", "iron": "Fe", "sodium": "Na", "oxygen": "O", "hydrogen": "H",
           "carbon": "C", "helium": "He"}
CONTINENTS = {"Kenya": "Africa", "Brazil": "South America", "India": "Asia", "Norway": "Europe",
              "Mexico": "North America"}
LANGUAGES = {"Brazil": "Portuguese", "Mexico": "Spanish", "France": "French", "Germany": "German", "Italy": "Italian"}


def probe_items() -> list[ReadingItem]:
    """The 30 questions, closed-book, with their answers."""
    return ([closed_book(f"What is the capital of {c}?", a) for c, a in CAPITALS.items()]
            + [closed_book(f"What is the chemical symbol of {e}?", s) for e, s in SYMBOLS.items()]
            + [closed_book(f"On which continent is {c}?", a) for c, a in CONTINENTS.items()]
            + [closed_book(f"What language is mostly spoken in {c}?", a) for c, a in LANGUAGES.items()])
