"""The red-flag net's vocabulary, rules and context words, read from heupwijzer/nlu/red_flags.yml.

A concept matches a word (or its lemma) in its `forms`, a word beginning in `stems`, a part of a
compound in `parts`, a typo of one letter in a form of 5 letters or more (when the word itself is
not a common Dutch word), or one of its `phrases` (heupwijzer/nlu/phrases.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, List, Sequence, Set, Tuple

import yaml

from heupwijzer.nlu.phrases import Element, Span, compile_phrase, find_phrases, phrases_of
from heupwijzer.nlu.text import CLAUSE_END, within_one_edit

EMERGENCY = "red_flag_emergency"  # call 112
URGENT = "red_flag_urgent"  # call the huisarts / huisartsenpost now
CRISIS = "crisis"  # thoughts of suicide or self-harm: 113, 112 in danger now, the huisarts
LEVELS = {"crisis": CRISIS, "emergency": EMERGENCY, "urgent": URGENT}
# When several rules match, the first level here wins.
PRIORITY = (CRISIS, EMERGENCY, URGENT)
LEXICON = Path(__file__).with_name("red_flags.yml")
TYPO_MIN_LENGTH = 5
LONGEST_TYPO = 40  # no word of the vocabulary is longer; a longer "word" is not a typo of one
# A word this common in Dutch (Zipf scale of wordfreq) is spelled as meant: "korte" is not a
# typo of "korter", "warmte" not one of "warme".
COMMON_WORD_ZIPF = 2.0


@lru_cache(maxsize=4096)
def is_misspelled(word: str) -> bool:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "nl") < COMMON_WORD_ZIPF


# --- concepts -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Concept:
    name: str
    forms: FrozenSet[str]
    stems: Tuple[str, ...]
    parts: Tuple[str, ...]
    phrases: Tuple[Tuple[Element, ...], ...]
    pseudo: Tuple[Tuple[Element, ...], ...]
    warning: bool
    sign: bool
    ordinary: bool
    lasting: bool
    explained_by: Tuple[str, ...]
    # one-letter deletions of long forms -> forms (typo tolerance without comparing every pair)
    deletions: Dict[str, FrozenSet[str]] = field(default_factory=dict)

    def word_matches(self, word: str) -> bool:
        if word in self.forms or any(word.startswith(stem) for stem in self.stems):
            return True
        if any(part in word for part in self.parts):
            return True
        # Typos only for words of a plausible length: the deletions below cost len(word)² otherwise.
        if TYPO_MIN_LENGTH - 1 <= len(word) <= LONGEST_TYPO and is_misspelled(word):
            candidates = set(self.deletions.get(word, ()))
            for i in range(len(word)):
                shorter = word[:i] + word[i + 1 :]
                candidates |= self.deletions.get(shorter, frozenset())
                if len(shorter) >= TYPO_MIN_LENGTH and shorter in self.forms:
                    candidates.add(shorter)
            return any(within_one_edit(word, form) for form in candidates)
        return False

    def matches(self, words: Sequence[str], lemmas: Sequence[str | None]) -> Tuple[List[Span], bool]:
        """The concept's spans, and whether a pseudo phrase ruled out one it would otherwise have
        ("alsof hij uit de kom schiet, maar dat doet hij niet")."""
        found = [
            (i, i + 1)
            for i, word in enumerate(words)
            if word not in CLAUSE_END and self.name in concepts_of_word(word) | concepts_of_word(lemmas[i] or word)
        ]
        found += find_phrases(self.phrases, words)
        if found and self.pseudo:
            covered = {i for start, end in find_phrases(self.pseudo, words) for i in range(start, end)}
            kept = [span for span in found if not covered.intersection(range(*span))]
            return kept, len(kept) < len(found)
        return found, False


@lru_cache(maxsize=65536)
def concepts_of_word(word: str) -> FrozenSet[str]:
    """The concepts whose forms, stems, parts or typos match one word, worked out once per word:
    the same words come back in every message, and every concept asks about each of them."""
    return frozenset(name for name, concept in lexicon().concepts.items() if concept.word_matches(word))


def build_concept(name: str, spec: dict) -> Concept:
    forms = frozenset(spec.get("forms", ()))
    deletions: Dict[str, Set[str]] = {}
    for form in forms:
        if len(form) >= TYPO_MIN_LENGTH:
            for i in range(len(form)):
                deletions.setdefault(form[:i] + form[i + 1 :], set()).add(form)
    return Concept(
        name=name,
        forms=forms,
        stems=tuple(spec.get("stems", ())),
        parts=tuple(spec.get("parts", ())),
        phrases=tuple(compile_phrase(p) for p in spec.get("phrases", ())),
        pseudo=tuple(compile_phrase(p) for p in spec.get("pseudo", ())),
        warning=bool(spec.get("warning", False)),
        sign=bool(spec.get("sign", False) or spec.get("warning", False)),
        ordinary=bool(spec.get("ordinary", False)),
        lasting=bool(spec.get("lasting", False)),
        explained_by=tuple(spec.get("explained_by", ())),
        deletions={key: frozenset(value) for key, value in deletions.items()},
    )


@dataclass(frozen=True)
class Rule:
    level: str
    all: Tuple[str, ...]
    unless: Tuple[str, ...]
    why: str


@dataclass(frozen=True)
class Context:
    negation: Tuple[Tuple[Element, ...], ...]
    negation_pseudo: Tuple[Tuple[Element, ...], ...]
    negation_window: int
    negation_after: Tuple[Tuple[Element, ...], ...]
    hypothetical: Tuple[Tuple[Element, ...], ...]
    hypothetical_window: int
    historical: Tuple[Tuple[Element, ...], ...]
    historical_following: Tuple[Tuple[Element, ...], ...]
    historical_pseudo: Tuple[Tuple[Element, ...], ...]
    terminators: FrozenSet[str]
    resolved: Tuple[Tuple[Element, ...], ...]
    resolved_pseudo: Tuple[Tuple[Element, ...], ...]
    still: Tuple[Tuple[Element, ...], ...]
    still_pseudo: Tuple[Tuple[Element, ...], ...]  # "sindsdien gaat het prima": over, not still


@dataclass(frozen=True)
class Lexicon:
    concepts: Dict[str, Concept]
    rules: Tuple[Rule, ...]
    context: Context
    small_talk_intents: FrozenSet[str]
    small_talk_max_words: int
    complaint_concepts: FrozenSet[str]


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    raw = yaml.safe_load(LEXICON.read_text(encoding="utf-8"))
    concepts = {name: build_concept(name, spec) for name, spec in raw["concepts"].items()}
    rules = tuple(Rule(LEVELS[r["level"]], tuple(r["all"]), tuple(r.get("unless", ())), r["why"]) for r in raw["rules"])
    for rule in rules:
        unknown = set(rule.all) - set(concepts)
        if unknown:
            raise ValueError(f"red_flags.yml: rule '{rule.why}' names unknown concepts {sorted(unknown)}")
    ctx = raw["context"]
    context = Context(
        negation=phrases_of(ctx["negation"]["triggers"]),
        negation_pseudo=phrases_of(ctx["negation"].get("pseudo", ())),
        negation_window=int(ctx["negation"]["window"]),
        negation_after=phrases_of(ctx.get("negation_after", {}).get("triggers", ())),
        hypothetical=phrases_of(ctx["hypothetical"]["triggers"]),
        hypothetical_window=int(ctx["hypothetical"]["window"]),
        historical=phrases_of(ctx["historical"]["triggers"]),
        historical_following=phrases_of(ctx["historical"].get("following", ())),
        historical_pseudo=phrases_of(ctx["historical"].get("pseudo", ())),
        terminators=frozenset(ctx["terminators"]),
        resolved=phrases_of(ctx["resolved"]),
        resolved_pseudo=phrases_of(ctx.get("resolved_pseudo", ())),
        still=phrases_of(ctx["still"]),
        still_pseudo=phrases_of(ctx.get("still_pseudo", ())),
    )
    small_talk = raw["small_talk"]
    return Lexicon(
        concepts,
        rules,
        context,
        frozenset(small_talk["intents"]),
        int(small_talk["max_words"]),
        frozenset(small_talk["complaint_concepts"]),
    )
