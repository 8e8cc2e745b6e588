"""Deterministic red-flag detection: the safety net that does not depend on DIET.

The vocabulary, the rules and the context words live in heupwijzer/nlu/red_flags.yml. A message is
urgent when a rule's concepts are all present and current (see the file's header). Matching works
on words and their lemmas (spaCy's Dutch lookup table, whatever pipeline Rasa runs), tolerates one
typo in words that are not common Dutch words themselves (wordfreq), and finds parts of compounds.
Context is bounded: a negation reaches a few words, a worry or the past the rest of its clause.
Everything is linear in the length of the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterable, List, Sequence, Set

from heupwijzer.nlu.lexicon import PRIORITY, Concept, Context, lexicon
from heupwijzer.nlu.phrases import Span, clause_end, clause_start, find_phrases
from heupwijzer.nlu.text import CLAUSE_END, lemma, tokens

# --- context: negated, hypothetical, historical ---------------------------------------------------
HISTORICAL_TERMINATORS = frozenset({"en"})
# A negation reaches its own words: "ik eet niet en heb koorts" still has fever.
NEGATION_ENDS = frozenset({"ik", "en", "i", "and"})
LIST_WORDS = frozenset({"of", "noch"})
# A worry reaches past "toch" and "ook": "indien ik ondanks de oefeningen toch val".
HYPOTHETICAL_GOES_ON = frozenset({"toch", "ook", "wel"})
UNAFFECTED_BY_OVER = frozenset({"suicidal", "overdose"})  # "ik voel me nog prima" after a whole box
# "en dan ben ik gevallen": a past or present fact after "en dan" ends a worry
TOLD = frozenset({"ben", "is", "heb", "was", "had", "werd", "kwam", "ging", "viel", "zijn", "hebben", "lag", "lig"})
# Thoughts of suicide are negated only by a negation right before them ("geen zelfmoordgedachten"),
# not by one further back: "niet meer kan werken snij ik mezelf" is no negation of the cutting.
NEAR_NEGATION = frozenset({"suicidal"})


def scoped(words: Sequence[str], ctx: Context, phrase_spans: Iterable[Span]) -> Dict[str, Set[int]]:
    """Positions covered by each kind of context. A negation inside a concept's own phrase
    ("kan niet meer staan") is part of that concept, not a negation of what follows."""
    cover: Dict[str, Set[int]] = {"negated": set(), "negated_near": set(), "hypothetical": set(), "historical": set()}
    consumed = {i for s, e in find_phrases(ctx.negation_pseudo, words) for i in range(s, e)}
    consumed |= {i for s, e in phrase_spans for i in range(s, e)}
    for start, end in find_phrases(ctx.negation, words):
        if start not in consumed:
            ends = ctx.terminators | NEGATION_ENDS
            cover["negated"].update(range(end, clause_end(words, end, ends, ctx.negation_window)))
            cover["negated_near"].update(range(end, clause_end(words, end, ends, 2)))
    # "geen pijn op de borst of dikke kuit": a list after the negation is negated too
    for start in sorted(cover["negated"]):
        if words[start] in LIST_WORDS and start + 1 < len(words):
            cover["negated"].update(range(start + 1, clause_end(words, start + 1, ctx.terminators, 3)))
    # "Koorts of zwelling heb ik niet": the negation comes after what it negates
    for start, _end in find_phrases(ctx.negation_after, words):
        first = clause_start(words, start, ctx.terminators | NEGATION_ENDS)
        cover["negated"].update(range(first, start))
    worry_ends = ctx.terminators - HYPOTHETICAL_GOES_ON
    for start, end in find_phrases(ctx.hypothetical, words):
        cover["hypothetical"].update(range(start, clause_end(words, end, worry_ends, ctx.hypothetical_window)))
    # "bang dat hij valt en dan niet meer overeind komt": "en dan" goes on with the worry; "en dan ben
    # ik gevallen" tells what happened
    for i in range(2, len(words)):
        if words[i] != "dan" or words[i - 1] != "en" or i - 2 not in cover["hypothetical"]:
            continue
        if not any(word in TOLD for word in words[i + 1 : i + 4]):
            cover["hypothetical"].update(range(i - 1, clause_end(words, i + 1, worry_ends, ctx.hypothetical_window)))
    not_past = {i for s, e in find_phrases(ctx.historical_pseudo, words) for i in range(s, e)}
    # The past reaches its own part of a sentence: "vorige week geopereerd en nu is de wond rood".
    past_ends = ctx.terminators | HISTORICAL_TERMINATORS
    for start, end in find_phrases(ctx.historical, words):
        if start not in not_past:
            first = clause_start(words, start, past_ends)
            cover["historical"].update(range(first, clause_end(words, end, past_ends, len(words))))
    for start, end in find_phrases(ctx.historical_following, words):
        if start not in not_past:
            cover["historical"].update(range(max(clause_start(words, start, past_ends), start - 3), end))
    return cover


@dataclass(frozen=True)
class Assessment:
    """What the safety net concludes about one message."""

    level: str | None  # CRISIS, EMERGENCY, URGENT or None
    current: FrozenSet[str]  # concepts found and current
    discounted: FrozenSet[str]  # concepts found, but negated, hypothetical, past or over
    why: str = ""
    ruled_out: FrozenSet[str] = frozenset()  # named, but a pseudo phrase says it is not that ("maar dat doet hij niet")
    also: str | None = None  # beside thoughts of suicide, a bodily alarm ("al haar pillen ingenomen"): its level

    def unexplained(self) -> FrozenSet[str]:
        """Current concepts that no other current concept explains (out of breath: cycling)."""
        concepts = lexicon().concepts
        return frozenset(n for n in self.current if not self.current.intersection(concepts[n].explained_by))

    @property
    def warning(self) -> bool:
        """A warning sign without a complete rule: answer, but put the safety check first."""
        concepts = lexicon().concepts
        return self.level is None and any(concepts[name].warning for name in self.unexplained())

    def names_only(self, concepts: FrozenSet[str]) -> bool:
        """Every concept found, whatever its context (current, negated, over, ruled out), is one of these."""
        return (self.current | self.discounted | self.ruled_out) <= concepts

    @property
    def reassured(self) -> bool:
        """Symptoms were named, but every one is negated, a worry, over or explained ("geen koorts",
        "wat als ik val", "wat kortademig na het fietsen"): a red flag from DIET alone may go."""
        concepts = lexicon().concepts
        if any(concepts[n].sign and not concepts[n].ordinary for n in self.unexplained()):
            return False
        if any(concepts[n].sign for n in self.discounted | self.ruled_out | (self.current - self.unexplained())):
            return True
        # Nothing current but ordinary pain, and what was named is over, past or a worry ("de
        # operatie is goed gegaan", "mijn moeder had borstkanker").
        return bool(self.discounted) and all(concepts[n].ordinary for n in self.current)


SENTENCE_ENDS = frozenset({".", "!", "?"})


def sentence_end(words: Sequence[str], start: int) -> int:
    """The position after the sentence that `start` is in."""
    return next((i + 1 for i in range(start, len(words)) if words[i] in SENTENCE_ENDS), len(words))


# "De zwelling wordt minder, maar nu is mijn kuit dik": what is over ends where a contrast begins.
CONTRAST = frozenset({"maar", "but"})


def over_end(words: Sequence[str], start: int) -> int:
    """The position after what a "that is over" phrase ending at `start` covers: the rest of its
    sentence, up to a contrast."""
    end = sentence_end(words, start)
    return next((i for i in range(start, end) if words[i] in CONTRAST), end)


def assess(message: str) -> Assessment:
    """Look for warning signs once: the alarm level, and what is current and what is not."""
    lex = lexicon()
    words = tokens(message)
    if words and words[-1] not in CLAUSE_END:  # the end of a message ends its last clause too
        words.append(".")
    word_lemmas = [lemma(word) for word in words]
    found: Dict[str, List[Span]] = {}
    ruled_out: Set[str] = set()
    for name, concept in lex.concepts.items():
        spans, denied = concept.matches(words, word_lemmas)
        if spans:
            found[name] = spans
        elif denied:
            ruled_out.add(name)
    cover = scoped(words, lex.context, [span for spans in found.values() for span in spans if span[1] - span[0] > 1])
    not_still = {i for s, e in find_phrases(lex.context.still_pseudo, words) for i in range(s, e)}
    still = any(start not in not_still for start, _ in find_phrases(lex.context.still, words))
    not_over = {i for s, e in find_phrases(lex.context.resolved_pseudo, words) for i in range(s, e)}
    # "is over" says it is over; "is net over de drempel gestruikeld" does not. What is over is what
    # came before, up to the end of that sentence or a contrast: "De operatie is goed gegaan. Net kreeg ik geen lucht."
    over_ends = [over_end(words, e) for s, e in find_phrases(lex.context.resolved, words) if e - 1 not in not_over]
    resolved_until = 0 if still or not over_ends else max(over_ends)
    current: Set[str] = set()
    discounted: Set[str] = set()
    for name, spans in found.items():
        concept = lex.concepts[name]

        def is_current(span: Span, concept: Concept = concept) -> bool:
            # negated when the negation comes before the span ("geen koorts"), not inside it
            if span[0] in cover["negated_near" if concept.name in NEAR_NEGATION else "negated"]:
                return False
            if concept.lasting:  # a state: a question or the past does not make it go away
                return True
            positions = set(range(*span))
            return not positions & cover["hypothetical"] and (not positions & cover["historical"] or still)

        # "it is over" says nothing about thoughts of suicide in the same message
        def live(span: Span, name: str = name) -> bool:
            return is_current(span) and (span[0] >= resolved_until or name in UNAFFECTED_BY_OVER)

        (current if any(live(s) for s in spans) else discounted).add(name)
    for rule in lex.rules:
        if all(name in current for name in rule.all) and not any(name in current for name in rule.unless):
            matched = [
                r for r in lex.rules if all(n in current for n in r.all) and not any(n in current for n in r.unless)
            ]
            best = min(matched, key=lambda r: PRIORITY.index(r.level))
            bodily = [r for r in matched if r.level != best.level] if best.level == PRIORITY[0] else []
            also = min(bodily, key=lambda r: PRIORITY.index(r.level)).level if bodily else None
            return Assessment(
                best.level, frozenset(current), frozenset(discounted), best.why, frozenset(ruled_out), also
            )
    return Assessment(None, frozenset(current), frozenset(discounted), ruled_out=frozenset(ruled_out))


def detect(message: str) -> str | None:
    """Return CRISIS, EMERGENCY, URGENT or None for a patient's message."""
    return assess(message).level


def names_a_complaint(message: str) -> bool:
    """A complaint or an event (pain, a fall, an operation ...), whatever its context."""
    assessment = assess(message)
    return bool((assessment.current | assessment.discounted) & lexicon().complaint_concepts)
