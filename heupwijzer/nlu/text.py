"""Text helpers shared by the NLU safety nets: normalising, tokens, lemmas, typo tolerance.

Everything here is linear in the length of the message: no regular expression that can
backtrack, no comparison of every token with every other token.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any, List

WORD_OR_PUNCT = re.compile(r"[a-z0-9]+|[.,;:!?]")
CLAUSE_END = frozenset(".,;:!?")


def fold(text: str) -> str:
    """Lower case without accents ("Röntgen" -> "rontgen")."""
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def normalise(text: str) -> str:
    """Lower case, no accents, apostrophes and punctuation as spaces, padded with spaces."""
    words = re.findall(r"[a-z0-9]+", fold(text))
    return f" {' '.join(words)} "


# Flemish and spoken forms read as the word they stand for ("ik kan ni meer staan").
SPOKEN = {"ni": "niet", "nie": "niet"}


def tokens(text: str) -> List[str]:
    """Words and clause punctuation of a message, folded: "Ik viel, nu pijn!" ->
    ['ik', 'viel', ',', 'nu', 'pijn', '!']; "ni" and "nie" are read as "niet"."""
    return [SPOKEN.get(word, word) for word in WORD_OR_PUNCT.findall(fold(text).replace("'", " "))]


def within_one_edit(a: str, b: str) -> bool:
    """True when a and b differ by at most one insertion, deletion, substitution or swap."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


@lru_cache(maxsize=1)
def lemma_table() -> Any:
    """spaCy's Dutch lemma lookup table (spacy-lookups-data): inflected form -> lemma."""
    from spacy.lookups import load_lookups

    return load_lookups("nl", ["lemma_lookup"]).get_table("lemma_lookup")


def lemma(token: str) -> str | None:
    found = lemma_table().get(token)
    return found if found and found != token else None
