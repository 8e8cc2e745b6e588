"""Deterministic red-flag detection: the safety net that does not depend on DIET.

A message is urgent when it combines concrete warning signs (e.g. a fall AND not being able to
stand). Each sign is a set of Dutch words and phrases, matched on the normalised text and on
spaCy's lemmas, tolerant of one typo in longer words. Single mentions ("ik ben vorig jaar
gevallen") never trigger on their own, and a message that says the problem is over ("nu beter")
does not trigger unless it also says the problem is still there.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence, Tuple

EMERGENCY = "red_flag_emergency"  # call 112
URGENT = "red_flag_urgent"  # call the huisarts / huisartsenpost now


def normalise(text: str) -> str:
    """Lower case, no accents, apostrophes and punctuation as spaces."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return f" {' '.join(text.split())} "


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
    for i in range(len(long_)):
        if long_[:i] + long_[i + 1:] == short:
            return True
    return False


@dataclass(frozen=True)
class Sign:
    """A warning sign: single words (fuzzy for length >= 6, prefix when ending in '*') or phrases."""

    name: str
    words: FrozenSet[str]
    phrases: Tuple[str, ...] = ()

    def word_matches(self, token: str) -> bool:
        for word in self.words:
            if word.endswith("*"):
                stem = word[:-1]
                if token.startswith(stem) or (len(stem) >= 6 and within_one_edit(token[: len(stem)], stem)):
                    return True
            elif token == word or (len(word) >= 6 and within_one_edit(token, word)):
                return True
        return False

    def found_in(self, text: str, tokens: Sequence[str]) -> bool:
        if any(re.search(phrase, text) for phrase in self.phrases):
            return True
        return any(self.word_matches(token) for token in tokens)


def sign(name: str, words: str = "", phrases: Iterable[str] = ()) -> Sign:
    return Sign(name, frozenset(words.split()), tuple(phrases))


NOT = r"(?:niet|nie|niks|nauwelijks|geen)"
MORE = r"(?: meer| goed| meer goed)?"

SIGNS: Dict[str, Sign] = {
    s.name: s
    for s in [
        sign("chest", "borst borstkas borstbeen borsten", [r" hart "]),
        sign("heart_attack", "hartaanval* hartinfarct* hartstilstand"),
        sign("pain", "pijn* pijnlijk* steek* steken druk drukkend* knellend* knelt beklemd* beklemmend* zeer"),
        sign("breathless", "benauwd* kortademig* ademnood hyperventil*",
             [rf" adem\w* {NOT}", rf"{NOT} (?:goed |meer )?(?:adem|ademen|lucht)", r" lucht tekort ",
              r" naar adem ", r" adem tekort ", r" moeite met ademen", r" stik (?:bijna|haast)?", r" ik stik"]),
        sign("leg", "been benen bovenbeen onderbeen beentje linkerbeen rechterbeen"),
        sign("sudden", "plotseling plots ineens opeens acuut zomaar",
             [r" in een keer ", r" ineen keer ", r" van het ene op het andere moment"]),
        sign("cant_move", "verlamd* lam",
             [rf" {NOT}{MORE} (?:bewegen|optillen|verzetten|gebruiken|beweeg|tillen)",
              rf" (?:bewegen|optillen|verzetten|gebruiken|beweeg|tillen) (?:\w+ )?{NOT}"]),
        sign("numb", "gevoelloos* doof dove",
             [r" geen gevoel", r" voel (?:\w+ )?(?:niks|niets)", r" niks meer voel", r" niets meer voel"]),
        sign("fall", "gevallen val vallen viel gestruikeld* uitgegleden valpartij gestrompeld",
             [r" onderuit ", r" ten val", r" op de grond"]),
        sign("cant_stand", "",
             [rf" {NOT}{MORE} (?:staan|opstaan|overeind|lopen|steunen|belasten|op staan|omhoog)",
              rf" (?:staan|opstaan|overeind|lopen|steunen|belasten) (?:\w+ )?{NOT}",
              r" kan er niet op", r" niet op (?:mijn|m n|me|dat|het) (?:\w+ )?(?:been|voet) ",
              r" blijf liggen", r" lig nog op"]),
        sign("cant_walk", "",
             [rf" {NOT}{MORE} (?:lopen|stappen|wandelen)", rf" (?:lopen|stappen) (?:\w+ )?{NOT}"]),
        sign("deformed", "korter verkort scheef krom",
             [r" naar buiten (?:ge)?dra\w*", r" gedraaid", r" draait (?:\w+ )?(?:naar buiten|raar|vreemd)",
              r" raar (?:staat|ligt|gedraaid)", r" staat raar", r" ligt raar", r" verkeerd om"]),
        sign("fever", "koorts* koors* verhoging rillerig* koude grieperig* griep", [r" (?:erg |heel )?ziek "]),
        sign("inflamed", "rood rode warm warme heet hete gezwollen* opgezet* ontstoken* ontsteking dik dikke"),
        sign("severe", "ondraaglijk* hevig* hevige vreselijk* verschrikkelijk* enorm* extreem* heftig* gruwelijk*",
             [r" heel (?:erge|veel|erg) ", r" erge pijn", r" zo n pijn", r" niet te harden", r" zoveel pijn",
              r" veel pijn", r" gillen"]),
        sign("postop", "prothese* heupprothese* kunstheup* geopereerd* operatie* heupoperatie* wond* litteken* hechting*",
             [r" nieuwe heup"]),
        sign("wound_bad", "",
             [r" \w*wond\w* (?:\w+ ){0,5}(?:rood|lekt|lekken|lek|vocht|pus|etter|open|nat|bloedt|stinkt|warm)",
              r" (?:lekkende|rode|natte|open|ontstoken) wond", r" (?:pus|etter|vocht) uit (?:de |mijn )?wond",
              r" litteken (?:\w+ ){0,3}(?:rood|lekt|open|pus|vocht)"]),
        sign("calf_bad", "",
             [r" kuit\w* (?:\w+ ){0,3}(?:dik|gezwollen|opgezet|pijn|rood|warm|hard|zeer)",
              r" (?:dikke|gezwollen|pijnlijke|rode|harde|opgezette) kuit"]),
        sign("dislocated", "ontwricht* geluxeerd* luxatie",
             [r" uit de kom", r" uit de kon", r" (?:schoot|sprong|schiet|springt|ging) (?:\w+ )?(?:eruit|er uit)",
              r" eruit geschoten", r" eruit gesprongen",
              r" (?:eruit|er uit) (?:schoot|sprong|schiet|springt|ging|gesprongen|geschoten)"]),
    ]
}

# A message names a problem that is over, or a worry instead of a symptom.
RESOLVED = (
    r" (?:nu|inmiddels|alweer|weer) (?:\w+ )?(?:beter|goed|over|weg|genezen)",
    r" is (?:\w+ )?over ",
    r" (?:is|zijn|was) (?:\w+ )?(?:genezen|hersteld)",
    r" goed gegaan",
    r" (?:vorig|vorige|afgelopen) (?:jaar|maand|zomer|winter) ",
    r" jaren geleden",
    r" lang geleden",
    r" bang (?:om|dat|voor)",
    r" (?:hoe|wat) (?:kan ik|moet ik doen om) (?:\w+ )?(?:voorkomen|vermijden)",
    r" om (?:\w+ )?niet te vallen",
)
STILL = r" (?:nog steeds|nog altijd|sindsdien|vandaag|zojuist|vanochtend|vannacht|vanmorgen|vanmiddag|gisteravond)"

# (level, signs that must all be present)
RULES: List[Tuple[str, Tuple[str, ...]]] = [
    (EMERGENCY, ("chest", "pain")),
    (EMERGENCY, ("heart_attack",)),
    (EMERGENCY, ("breathless",)),
    (EMERGENCY, ("leg", "sudden", "cant_move")),
    (EMERGENCY, ("leg", "sudden", "numb")),
    (EMERGENCY, ("leg", "cant_move")),
    (URGENT, ("fall", "cant_stand")),
    (URGENT, ("fall", "cant_walk")),
    (URGENT, ("leg", "deformed")),
    (URGENT, ("fever", "inflamed")),
    (URGENT, ("sudden", "severe")),
    (URGENT, ("sudden", "cant_walk")),
    (URGENT, ("wound_bad",)),
    (URGENT, ("postop", "fever")),
    (URGENT, ("calf_bad",)),
    (URGENT, ("dislocated",)),
]


def tokens_of(text: str, lemmas: Optional[Sequence[str]]) -> List[str]:
    tokens = text.split()
    if lemmas:
        tokens += [normalise(lemma).strip() for lemma in lemmas]
    return [t for t in tokens if t]


def present_signs(message: str, lemmas: Optional[Sequence[str]] = None) -> FrozenSet[str]:
    text = normalise(message)
    tokens = tokens_of(text, lemmas)
    return frozenset(name for name, s in SIGNS.items() if s.found_in(text, tokens))


def is_resolved(message: str) -> bool:
    """The message says the problem is over (or is a worry), and not that it is still there."""
    text = normalise(message)
    return any(re.search(p, text) for p in RESOLVED) and not re.search(STILL, text)


@dataclass(frozen=True)
class Assessment:
    """What the safety net concludes about one message."""

    level: Optional[str]  # EMERGENCY, URGENT or None
    backed: bool  # at least one warning sign that is not over: a DIET red flag may stand


def assess(message: str, lemmas: Optional[Sequence[str]] = None) -> Assessment:
    """Look for warning signs once and derive both the alarm level and whether DIET is backed."""
    found = present_signs(message, lemmas)
    if not found or is_resolved(message):
        return Assessment(level=None, backed=False)
    matched = [level for level, needed in RULES if all(n in found for n in needed)]
    level = (EMERGENCY if EMERGENCY in matched else URGENT) if matched else None
    return Assessment(level=level, backed=True)


def detect(message: str, lemmas: Optional[Sequence[str]] = None) -> Optional[str]:
    """Return EMERGENCY, URGENT or None for a patient's message."""
    return assess(message, lemmas).level
