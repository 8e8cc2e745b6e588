"""Deterministic red-flag detection: the safety net that does not depend on DIET.

The vocabulary, the rules and the context words live in components/red_flags.yml. A message is
urgent when a rule's concepts are all present and current (see the file's header). Matching works
on words and their lemmas (spaCy's Dutch lookup table, whatever pipeline Rasa runs), tolerates one
typo in words that are not common Dutch words themselves (wordfreq), and finds parts of compounds.
Context is bounded: a negation reaches a few words, a worry or the past the rest of its clause.
Everything is linear in the length of the message.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple

import yaml

from components.text import CLAUSE_END, lemma, tokens, within_one_edit

EMERGENCY = "red_flag_emergency"  # call 112
URGENT = "red_flag_urgent"  # call the huisarts / huisartsenpost now
LEVELS = {"emergency": EMERGENCY, "urgent": URGENT}
LEXICON = Path(__file__).with_name("red_flags.yml")
TYPO_MIN_LENGTH = 5
# A word this common in Dutch (Zipf scale of wordfreq) is spelled as meant: "korte" is not a
# typo of "korter", "warmte" not one of "warme".
COMMON_WORD_ZIPF = 2.0
GAPS = {"*": 2, "**": 5}
# A gap in a phrase never skips a negation: "kuit * dik" must not match "kuit is niet dik".
GAP_BARRIERS = CLAUSE_END | {"niet", "nie", "geen", "nooit", "zonder", "nauwelijks", "amper"}

Span = Tuple[int, int]  # token positions [start, end)


@lru_cache(maxsize=4096)
def is_misspelled(word: str) -> bool:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "nl") < COMMON_WORD_ZIPF


# --- phrases: "a|b word? stam~ * c" over tokens -------------------------------------------------
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
        elements.append(Element(
            words=frozenset(a for a in alternatives if not a.endswith("~")),
            stems=tuple(a[:-1] for a in alternatives if a.endswith("~")),
            optional=optional,
        ))
    return tuple(elements)


def match_at(elements: Sequence[Element], words: Sequence[str], start: int) -> Optional[int]:
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


def find_phrases(phrases: Sequence[Tuple[Element, ...]], words: Sequence[str]) -> List[Span]:
    found = []
    for phrase in phrases:
        for start in range(len(words)):
            if words[start] in CLAUSE_END:
                continue
            end = match_at(phrase, words, start)
            if end is not None and end > start:
                found.append((start, end))
    return found


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
        if len(word) >= TYPO_MIN_LENGTH - 1 and is_misspelled(word):
            candidates = set(self.deletions.get(word, ()))
            for i in range(len(word)):
                shorter = word[:i] + word[i + 1:]
                candidates |= self.deletions.get(shorter, frozenset())
                if len(shorter) >= TYPO_MIN_LENGTH and shorter in self.forms:
                    candidates.add(shorter)
            return any(within_one_edit(word, form) for form in candidates)
        return False

    def spans(self, words: Sequence[str], lemmas: Sequence[Optional[str]]) -> List[Span]:
        found = [(i, i + 1) for i, word in enumerate(words)
                 if word not in CLAUSE_END and (self.word_matches(word) or (lemmas[i] and self.word_matches(lemmas[i])))]
        found += find_phrases(self.phrases, words)
        if found and self.pseudo:
            covered = {i for start, end in find_phrases(self.pseudo, words) for i in range(start, end)}
            found = [span for span in found if not covered.intersection(range(*span))]
        return found


def build_concept(name: str, spec: dict) -> Concept:
    forms = frozenset(spec.get("forms", ()))
    deletions: Dict[str, Set[str]] = {}
    for form in forms:
        if len(form) >= TYPO_MIN_LENGTH:
            for i in range(len(form)):
                deletions.setdefault(form[:i] + form[i + 1:], set()).add(form)
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
    hypothetical: Tuple[Tuple[Element, ...], ...]
    hypothetical_window: int
    historical: Tuple[Tuple[Element, ...], ...]
    historical_following: Tuple[Tuple[Element, ...], ...]
    historical_pseudo: Tuple[Tuple[Element, ...], ...]
    terminators: FrozenSet[str]
    resolved: Tuple[Tuple[Element, ...], ...]
    still: Tuple[Tuple[Element, ...], ...]


@dataclass(frozen=True)
class Lexicon:
    concepts: Dict[str, Concept]
    rules: Tuple[Rule, ...]
    context: Context
    small_talk_intents: FrozenSet[str]
    small_talk_max_words: int
    complaint_concepts: FrozenSet[str]


def phrases_of(items: Iterable[str]) -> Tuple[Tuple[Element, ...], ...]:
    return tuple(compile_phrase(item) for item in items)


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
        hypothetical=phrases_of(ctx["hypothetical"]["triggers"]),
        hypothetical_window=int(ctx["hypothetical"]["window"]),
        historical=phrases_of(ctx["historical"]["triggers"]),
        historical_following=phrases_of(ctx["historical"].get("following", ())),
        historical_pseudo=phrases_of(ctx["historical"].get("pseudo", ())),
        terminators=frozenset(ctx["terminators"]),
        resolved=phrases_of(ctx["resolved"]),
        still=phrases_of(ctx["still"]),
    )
    small_talk = raw["small_talk"]
    return Lexicon(concepts, rules, context, frozenset(small_talk["intents"]), int(small_talk["max_words"]),
                   frozenset(small_talk["complaint_concepts"]))


# --- context: negated, hypothetical, historical ---------------------------------------------------
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


def scoped(words: Sequence[str], ctx: Context, phrase_spans: Iterable[Span]) -> Dict[str, Set[int]]:
    """Positions covered by each kind of context. A negation inside a concept's own phrase
    ("kan niet meer staan") is part of that concept, not a negation of what follows."""
    cover: Dict[str, Set[int]] = {"negated": set(), "hypothetical": set(), "historical": set()}
    consumed = {i for s, e in find_phrases(ctx.negation_pseudo, words) for i in range(s, e)}
    consumed |= {i for s, e in phrase_spans for i in range(s, e)}
    for start, end in find_phrases(ctx.negation, words):
        if start not in consumed:
            cover["negated"].update(range(end, clause_end(words, end, ctx.terminators | {"ik"}, ctx.negation_window)))
    for start, end in find_phrases(ctx.hypothetical, words):
        cover["hypothetical"].update(range(start, clause_end(words, end, ctx.terminators, ctx.hypothetical_window)))
    not_past = {i for s, e in find_phrases(ctx.historical_pseudo, words) for i in range(s, e)}
    for start, end in find_phrases(ctx.historical, words):
        if start not in not_past:
            first = clause_start(words, start, ctx.terminators)
            cover["historical"].update(range(first, clause_end(words, end, ctx.terminators, len(words))))
    for start, end in find_phrases(ctx.historical_following, words):
        if start not in not_past:
            cover["historical"].update(range(max(clause_start(words, start, ctx.terminators), start - 3), end))
    return cover


@dataclass(frozen=True)
class Assessment:
    """What the safety net concludes about one message."""

    level: Optional[str]  # EMERGENCY, URGENT or None
    current: FrozenSet[str]  # concepts found and current
    discounted: FrozenSet[str]  # concepts found, but negated, hypothetical, past or over
    why: str = ""

    def unexplained(self) -> FrozenSet[str]:
        """Current concepts that no other current concept explains (out of breath: cycling)."""
        concepts = lexicon().concepts
        return frozenset(n for n in self.current if not self.current.intersection(concepts[n].explained_by))

    @property
    def warning(self) -> bool:
        """A warning sign without a complete rule: answer, but put the safety check first."""
        concepts = lexicon().concepts
        return self.level is None and any(concepts[name].warning for name in self.unexplained())

    @property
    def reassured(self) -> bool:
        """Symptoms were named, but every one is negated, a worry, over or explained ("geen koorts",
        "wat als ik val", "wat kortademig na het fietsen"): a red flag from DIET alone may go."""
        concepts = lexicon().concepts
        if any(concepts[n].sign and not concepts[n].ordinary for n in self.unexplained()):
            return False
        return any(concepts[n].sign for n in self.discounted | (self.current - self.unexplained()))


def assess(message: str) -> Assessment:
    """Look for warning signs once: the alarm level, and what is current and what is not."""
    lex = lexicon()
    words = tokens(message)
    word_lemmas = [lemma(word) for word in words]
    found = {name: spans for name, c in lex.concepts.items() if (spans := c.spans(words, word_lemmas))}
    cover = scoped(words, lex.context, [span for spans in found.values() for span in spans if span[1] - span[0] > 1])
    still = bool(find_phrases(lex.context.still, words))
    resolved = bool(find_phrases(lex.context.resolved, words)) and not still
    current, discounted = set(), set()
    for name, spans in found.items():
        concept = lex.concepts[name]

        def is_current(span: Span) -> bool:
            # negated when the negation comes before the span ("geen koorts"), not inside it
            if span[0] in cover["negated"]:
                return False
            if concept.lasting:  # a state: a question or the past does not make it go away
                return True
            positions = set(range(*span))
            return not positions & cover["hypothetical"] and (not positions & cover["historical"] or still)

        (current if not resolved and any(is_current(s) for s in spans) else discounted).add(name)
    for rule in lex.rules:
        if all(name in current for name in rule.all) and not any(name in current for name in rule.unless):
            matched = [r for r in lex.rules
                       if all(n in current for n in r.all) and not any(n in current for n in r.unless)]
            best = next((r for r in matched if r.level == EMERGENCY), matched[0])
            return Assessment(best.level, frozenset(current), frozenset(discounted), best.why)
    return Assessment(None, frozenset(current), frozenset(discounted))


def detect(message: str) -> Optional[str]:
    """Return EMERGENCY, URGENT or None for a patient's message."""
    return assess(message).level


def names_a_complaint(message: str) -> bool:
    """A complaint or an event (pain, a fall, an operation ...), whatever its context."""
    assessment = assess(message)
    return bool((assessment.current | assessment.discounted) & lexicon().complaint_concepts)
