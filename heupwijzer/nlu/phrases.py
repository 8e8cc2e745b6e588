"""Word patterns for the red-flag net: a small phrase language over the words of a message, and
clauses (where a negation or a worry stops). Linear in the length of the message: every gap is
bounded and never crosses clause punctuation or a negation.

A phrase is words separated by spaces: "a|b" alternatives, "word?" optional, "stam~" a word
beginning, "*" up to 2 other words, "**" up to 5.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterable, List, Sequence, Tuple

from heupwijzer.nlu.text import CLAUSE_END

Span = Tuple[int, int]  # word positions [start, end)
GAPS = {"*": 2, "**": 5}
# A gap in a phrase never skips a negation: "kuit * dik" must not match "kuit is niet dik".
GAP_BARRIERS = CLAUSE_END | {"niet", "nie", "ni", "geen", "nooit", "zonder", "nauwelijks", "amper"}


@dataclass(frozen=True)
class Element:
    words: FrozenSet[str] = frozenset()
    stems: Tuple[str, ...] = ()
    optional: bool = False
    gap: int = 0  # a gap of up to this many words (no words/stems)

    def matches(self, token: str) -> bool:
        return token in self.words or any(token.startswith(stem) for stem in self.stems)


def compile_phrase(phrase: str) -> Tuple[Element, ...]:
    elements = []
    for part in phrase.split():
        if part in GAPS:
            elements.append(Element(gap=GAPS[part]))
            continue
        optional = part.endswith("?")
        alternatives = part.rstrip("?").split("|")
        elements.append(
            Element(
                words=frozenset(a for a in alternatives if not a.endswith("~")),
                stems=tuple(a[:-1] for a in alternatives if a.endswith("~")),
                optional=optional,
            )
        )
    return tuple(elements)


def match_at(elements: Sequence[Element], words: Sequence[str], start: int) -> int | None:
    """End position when the phrase matches from `start` (shortest match), else None. Gaps
    never cross clause punctuation. Bounded: each gap tries at most GAPS['**'] + 1 lengths."""
    if not elements:
        return start
    head, rest = elements[0], elements[1:]
    if head.gap:
        for skip in range(head.gap + 1):
            if skip and (start + skip > len(words) or words[start + skip - 1] in GAP_BARRIERS):
                break
            end = match_at(rest, words, start + skip)
            if end is not None:
                return end
        return None
    if start < len(words) and head.matches(words[start]):
        end = match_at(rest, words, start + 1)
        if end is not None:
            return end
    return match_at(rest, words, start) if head.optional else None


Phrase = Tuple[Element, ...]


@dataclass(frozen=True)
class PhraseIndex:
    """A phrase set by the words it must begin with: a message only tries the phrases whose first
    word it holds (most of the net's phrases never apply to a given message)."""

    by_word: Dict[str, Tuple[int, ...]]  # first word -> phrase numbers
    by_stem: Tuple[Tuple[int, Element], ...]  # phrases whose first element has word beginnings
    anywhere: Tuple[int, ...]  # phrases that begin with a gap or an optional word


_INDEXES: Dict[int, Tuple[Sequence[Phrase], PhraseIndex]] = {}


def index_of(phrases: Sequence[Phrase]) -> PhraseIndex:
    """Built once per phrase set (the lexicon's sets live as long as the process)."""
    kept = _INDEXES.get(id(phrases))
    if kept is not None and kept[0] is phrases:
        return kept[1]
    by_word: Dict[str, List[int]] = {}
    by_stem: List[Tuple[int, Element]] = []
    anywhere: List[int] = []
    for number, phrase in enumerate(phrases):
        head = phrase[0] if phrase else None
        if head is None or head.gap or head.optional:
            anywhere.append(number)
            continue
        for word in head.words:
            by_word.setdefault(word, []).append(number)
        if head.stems:
            by_stem.append((number, head))
    index = PhraseIndex({w: tuple(n) for w, n in by_word.items()}, tuple(by_stem), tuple(anywhere))
    _INDEXES[id(phrases)] = (phrases, index)
    return index


_last: Tuple[List[str], Dict[str, List[int]]] = ([], {})  # one object: read and replaced atomically


def positions(words: Sequence[str]) -> Dict[str, List[int]]:
    """word -> its positions outside clause punctuation; the last message's kept (the net asks
    about the same words for every concept)."""
    global _last
    last_words, last_at = _last
    if list(words) == last_words:
        return last_at
    at: Dict[str, List[int]] = {}
    for position, word in enumerate(words):
        if word not in CLAUSE_END:
            at.setdefault(word, []).append(position)
    _last = (list(words), at)
    return at


def find_phrases(phrases: Sequence[Phrase], words: Sequence[str]) -> List[Span]:
    """Every match, in the order of the phrases and then of their start positions."""
    at = positions(words)
    index = index_of(phrases)
    starts: Dict[int, List[int]] = {}
    for word, where in at.items():
        for number in index.by_word.get(word, ()):
            starts.setdefault(number, []).extend(where)
    for number, head in index.by_stem:
        for word, where in at.items():
            if word not in head.words and head.matches(word):
                starts.setdefault(number, []).extend(where)
    if index.anywhere:
        everywhere = sorted(p for where in at.values() for p in where)
        for number in index.anywhere:
            starts[number] = everywhere
    found = []
    for number in sorted(starts):
        phrase = phrases[number]
        for start in sorted(set(starts[number])):
            end = match_at(phrase, words, start)
            if end is not None and end > start:
                found.append((start, end))
    return found


def phrases_of(items: Iterable[str]) -> Tuple[Tuple[Element, ...], ...]:
    return tuple(compile_phrase(item) for item in items)


def clause_end(words: Sequence[str], start: int, terminators: FrozenSet[str], limit: int) -> int:
    """First position after `start` where the clause ends (punctuation or a terminator word)."""
    end = start
    while end < len(words) and end < start + limit and words[end] not in CLAUSE_END and words[end] not in terminators:
        end += 1
    return end


def clause_start(words: Sequence[str], end: int, terminators: FrozenSet[str]) -> int:
    start = end
    while start > 0 and words[start - 1] not in CLAUSE_END and words[start - 1] not in terminators:
        start -= 1
    return start
