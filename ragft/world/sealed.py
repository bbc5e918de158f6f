"""The sealed test split: days and question wordings that no development run reads, for final figures only.

The dev figures (`ragft.reading.eval_sets`: days 61-63, held-out wordings) were looked at while the course
model and the kit's defaults were tuned, so they overstate. These days and wordings were fixed after all that,
and only the accessors `ragft.reading.sealed_sets` and `ragft.reading.sealed_facts` read them: the world refuses
the days (`World.facts_on`) and this module the wordings to any code outside an `unsealed()` block, and a test
fails if any other module or a notebook names them (the sealed benchmark, `ragft.course.bench_sealed`, calls
the accessors).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

SEALED_DAYS = (2616, 2617, 2618)  # days 61-63 seven years on (the same season), after every day the kit uses
SEALED_HISTORY = 60  # days before them whose reports are distractors, as training days 1..60 are for days 61-63
SEALED_RANGE = range(SEALED_DAYS[0] - SEALED_HISTORY, SEALED_DAYS[-1] + 1)  # every day the world refuses

# A third set of question wordings per attribute, written after the training and held-out ones and unlike them.
_WORDINGS: dict[str, tuple[str, ...]] = {
    "region": ("What region is {e} located in?",
               "Which part of the country is {e} in?",
               "I'd like to know the region {e} is in."),
    "river": ("What's the name of the river in {e}?",
              "Which river goes through the town of {e}?",
              "What river is {e} on?"),
    "town_founded": ("What year did {e} get founded?",
                     "When did the town of {e} come into being?",
                     "Founding date of {e}?"),
    "headquarters": ("Where is {e} based?",
                     "Which town is the company {e} based in?",
                     "Where can I find the main office of {e}?"),
    "sector": ("What industry is {e} in?",
               "What kind of business is {e}?",
               "Which industry does the company {e} operate in?"),
    "founder": ("Who set up the company {e}?",
                "Who was behind the founding of {e}?",
                "Which person is credited with founding {e}?"),
    "company_founded": ("What year did {e} start out?",
                        "When did the company {e} first open for business?",
                        "What year was the business {e} started?"),
    "hometown": ("Where is {e} from?",
                 "What town is {e} originally from?",
                 "Which town did {e} grow up in?"),
    "profession": ("What does {e} do for a living?",
                   "What is {e}'s job?",
                   "What line of work is {e} in?"),
    "born": ("What year was {e} born in?",
             "What's the year of birth of {e}?",
             "Year of birth for {e}?"),
    "weather": ("What was it like outside in {e} on day {d}?",
                "What were conditions like in {e} on day {d}?",
                "Give me the weather for {e}, day {d}."),
    "high": ("How hot did it get in {e} on day {d}?",
             "What was the top temperature in {e} on day {d}?",
             "Max temperature in {e} on day {d}?"),
    "close": ("Where did {e} stock finish on day {d}?",
              "What was {e} trading at when the market closed on day {d}?",
              "What was the share price of {e} at the close of day {d}?"),
    "office": ("Which town did {e} expand to on day {d}?",
               "In what town did {e} set up shop on day {d}?",
               "{e} got a new office on day {d}, where is it?"),
    "ceo": ("Who took over as boss of {e} on day {d}?",
            "Who did {e} put in charge on day {d}?",
            "Which person was made CEO of {e} on day {d}?"),
    "product": ("What did {e} bring out on day {d}?",
                "What new product came out from {e} on day {d}?",
                "Which product was released by {e} on day {d}?"),
}

_opened = 0  # how many `unsealed()` blocks are running


@contextmanager
def unsealed() -> Iterator[None]:
    """Let the world hand out sealed days and this module sealed wordings inside the block (the accessor's use)."""
    global _opened
    _opened += 1
    try:
        yield
    finally:
        _opened -= 1


def check_open(what: str) -> None:
    """Refuse `what` (a sealed day or wording) outside an `unsealed()` block, saying what to use instead."""
    if not _opened:
        raise ValueError(
            f"{what} belongs to the sealed test split, which only ragft.reading.sealed_sets / sealed_facts read (for final "
            f"figures; nothing that trains, tunes or teaches may). Use a day before {SEALED_RANGE.start} or after "
            f"{SEALED_RANGE.stop - 1}, and the 'train' or 'heldout' question wordings.")


def count() -> int:
    """How many sealed wordings there are in all (not what they say: that needs `unsealed()`)."""
    return sum(len(w) for w in _WORDINGS.values())


def wordings(attribute: str) -> tuple[str, ...]:
    """The sealed question wordings of an attribute (inside `unsealed()` only)."""
    check_open(f"the sealed wordings of {attribute!r}")
    if attribute not in _WORDINGS:
        raise KeyError(f"attribute {attribute!r} has no sealed question wordings: write 3 for it in "
                       f"ragft/world/sealed.py, unlike its training and held-out ones")
    return _WORDINGS[attribute]
