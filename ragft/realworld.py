"""A probe of real-world knowledge: 30 well-known facts with one-word answers, asked closed-book; and a separate set
of general questions to replay while a real model fine-tunes, so that it forgets less of how to answer the real
world (make bench PART=real_seeds measures how much less).

A model pretrained on real text (SmolLM2) should know most of the probe; the course model, which has only ever
read the course world, can know none. The answers are single words, so that exact match on the extracted
answer scores them without a judge.
"""

from __future__ import annotations

from typing import Sequence

from ragft.reading import ReadingItem, closed_book

CAPITALS = {"France": "Paris", "Germany": "Berlin", "Italy": "Rome", "Spain": "Madrid", "Japan": "Tokyo",
            "Russia": "Moscow", "Egypt": "Cairo", "Greece": "Athens", "Canada": "Ottawa", "China": "Beijing",
            "England": "London", "Portugal": "Lisbon"}
SYMBOLS = {"gold": "Au", "silver": "Ag", "iron": "Fe", "sodium": "Na", "oxygen": "O", "hydrogen": "H",
           "carbon": "C", "helium": "He"}
CONTINENTS = {"Kenya": "Africa", "Brazil": "South America", "India": "Asia", "Norway": "Europe",
              "Mexico": "North America"}
LANGUAGES = {"Brazil": "Portuguese", "Mexico": "Spanish", "France": "French", "Germany": "German", "Italy": "Italian"}

# General questions replayed during fine-tuning (never scored): other kinds of knowledge than the probe's (no capital,
# chemical symbol, continent or language, and none of its countries, elements or answers), plus small instructions.
# Their targets are the model's own answers before training (`self_distilled`), so nothing here is made up.
REPLAY = (
    "Who wrote Romeo and Juliet?", "Who painted the Mona Lisa?", "What is the largest planet in the solar system?",
    "Which planet is known as the Red Planet?", "How many days are there in a week?", "How many legs does a spider "
    "have?", "What is the largest ocean on Earth?", "What is the tallest mountain in the world?",
    "At what temperature in degrees Celsius does water freeze?", "Who developed the theory of relativity?",
    "Which gas do plants take in from the air?", "What is the largest mammal?", "What is the hardest natural "
    "substance?", "Who was the first person to walk on the Moon?", "What is the currency of the United States?",
    "How many minutes are there in an hour?", "What do bees make?", "What is the fastest land animal?",
    "Which organ pumps blood through the body?", "What is the closest star to the Earth?", "Who discovered "
    "penicillin?", "What is the main ingredient of guacamole?", "In which year did the Second World War end?",
    "How many sides does a triangle have?", "What is the boiling point of water at sea level in degrees Celsius?",
    "What is 12 plus 15?", "What is the square root of 81?", "What is the opposite of hot?",
    "Give a synonym for happy.", "Name a primary color.", "What is the plural of mouse?",
    "What is the past tense of go?", "What day comes after Monday?", "What color do you get by mixing blue and "
    "yellow?", "Which is bigger, an elephant or a mouse?", "Write the number seven as a digit.",
)


def probe_items() -> list[ReadingItem]:
    """The 30 questions, closed-book, with their answers."""
    return ([closed_book(f"What is the capital of {c}?", a) for c, a in CAPITALS.items()]
            + [closed_book(f"What is the chemical symbol of {e}?", s) for e, s in SYMBOLS.items()]
            + [closed_book(f"On which continent is {c}?", a) for c, a in CONTINENTS.items()]
            + [closed_book(f"What language is mostly spoken in {c}?", a) for c, a in LANGUAGES.items()])


def self_distilled(reader, questions: Sequence[str] = REPLAY, max_new_tokens: int = 48) -> list[ReadingItem]:
    """The questions closed-book with the reader's own greedy answers, whole (not extracted), as targets: replaying
    them pulls the model back towards answering as it did before (self-distillation), without anyone writing one."""
    return [closed_book(q, a) for q, a in zip(questions, reader.generate([reader.prompt(q) for q in questions],
                                                                          max_new_tokens=max_new_tokens))]
