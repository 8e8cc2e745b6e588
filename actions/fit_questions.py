"""Does the patient ask whether a complaint fits heupartrose? (content/fit_questions.yml)"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import List, Sequence, Tuple

from heupwijzer.content import read_file

FILE = "fit_questions.yml"
SHORT = 3  # complaint words this short match whole words only


@dataclass(frozen=True)
class FitQuestions:
    asks: Tuple[Tuple[str, ...], ...]
    about: frozenset
    within: int
    not_after: frozenset
    complaints: Tuple[str, ...]


@lru_cache(maxsize=1)
def table() -> FitQuestions:
    raw = read_file(FILE)
    return FitQuestions(
        tuple(tuple(phrase.split()) for phrase in raw["asks"]),
        frozenset(raw["about"]),
        int(raw["within"]),
        frozenset(raw["not_after"]),
        tuple(raw["complaints"]),
    )


def words(text: str) -> List[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def starts(words_: Sequence[str], phrase: Tuple[str, ...]) -> List[int]:
    size = len(phrase)
    return [i for i in range(len(words_) - size + 1) if tuple(words_[i : i + size]) == phrase]


def asks_if_it_fits(text: str) -> bool:
    fit = table()
    found = words(text)
    about = [i for i, word in enumerate(found) if word in fit.about]
    asks = [
        i for phrase in fit.asks for i in starts(found, phrase) if not (i > 0 and found[i - 1] in fit.not_after)
    ]  # "wat is dat?" asks what it is
    return any(abs(a - i) <= fit.within for i in asks for a in about)


def describes_a_complaint(text: str) -> bool:
    """A complaint word: the beginning of a word is enough, except for a short one ("moe" is no
    beginning of "moet")."""
    stems = table().complaints
    return any(
        any(word == stem if len(stem) <= SHORT else word.startswith(stem) for stem in stems) for word in words(text)
    )
