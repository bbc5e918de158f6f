"""The input contract shared by every entry point: wrong type, empty, too long or out of range is refused
at the kit's boundary with an error that names the argument, what it got and what to do."""

from __future__ import annotations

import math
import numbers
from typing import Any, Iterable

MAX_QUESTION_CHARS = 2000  # longer questions are refused: no question of the course is near it


def _got(value: Any) -> str:
    text = repr(value)
    return f"{text[:60]}... ({len(text)} characters)" if len(text) > 80 else text


def check_int(name: str, value: Any, low: int | None = None, high: int | None = None) -> int:
    """`value` as an int in [low, high]; bools and floats (even 2.0) are refused, numpy integers accepted."""
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise TypeError(f"{name} must be a whole number (int), got {type(value).__name__} {_got(value)}")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        span = (f"between {low} and {high}" if low is not None and high is not None
                else f"at least {low}" if low is not None else f"at most {high}")
        raise ValueError(f"{name} must be {span}, got {value}")
    return value


def check_number(name: str, value: Any, low: float | None = None, high: float | None = None,
                 low_open: bool = False) -> float:
    """`value` as a finite float in [low, high] (or (low, high] with `low_open`); nan, inf and bools refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {_got(value)}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    too_low = low is not None and (value <= low if low_open else value < low)
    if too_low or (high is not None and value > high):
        lower = f"above {low:g}" if low_open else f"at least {low:g}"
        span = (f"between {low:g} and {high:g}" if low is not None and high is not None and not low_open
                else f"{lower} and at most {high:g}" if low is not None and high is not None
                else lower if low is not None else f"at most {high:g}")
        raise ValueError(f"{name} must be {span}, got {value}")
    return value


def check_share(name: str, value: Any) -> float:
    """`value` as a fraction in [0, 1] (a share, a rate, an accuracy)."""
    return check_number(name, value, 0.0, 1.0)


def check_text(name: str, value: Any, max_chars: int | None = MAX_QUESTION_CHARS) -> str:
    """`value` as a non-blank string of at most `max_chars` characters (None: no limit)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {type(value).__name__} {_got(value)}")
    if not value.strip():
        raise ValueError(f"{name} is empty ({value!r}); pass the text to use")
    if max_chars is not None and len(value) > max_chars:
        raise ValueError(f"{name} has {len(value)} characters, more than the {max_chars} allowed; "
                         f"shorten it (the kit refuses longer text rather than cut it silently)")
    return value


def check_texts(name: str, values: Any, max_chars: int | None = MAX_QUESTION_CHARS,
                allow_empty_list: bool = True) -> list[str]:
    """`values` as a list of strings, each checked by `check_text`; a bare string is refused (not split)."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"{name} must be a list of strings, got {type(values).__name__} {_got(values)}; "
                        f"wrap a single one in a list: [{_got(values)}]")
    values = list(values)
    if not values and not allow_empty_list:
        raise ValueError(f"{name} is an empty list; pass at least one")
    return [check_text(f"{name}[{i}]", v, max_chars) for i, v in enumerate(values)]


def check_passages(name: str, values: Any) -> tuple[str, ...]:
    """`values` as a tuple of passage strings (None: no passages); a bare string is refused, not split."""
    if values is None:
        return ()
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"{name} must be a list of passage strings, got {type(values).__name__} {_got(values)}; "
                        f"wrap a single passage in a list")
    values = tuple(values)
    for i, v in enumerate(values):
        if not isinstance(v, str):
            raise TypeError(f"{name}[{i}] must be a string (a passage's text), got {type(v).__name__} {_got(v)}")
    return values


def check_choice(name: str, value: Any, choices: Iterable[str]) -> str:
    """`value` as one of `choices` (strings)."""
    choices = list(choices)
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {_got(value)}")
    return value
