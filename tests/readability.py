"""Plain-language checks for patient-facing text: Flesch-Douma (textstat, Dutch), length, glossary.

Flesch-Douma = 206.835 - 0.93 * (words per sentence) - 77 * (syllables per word), with Dutch
hyphenation (pyphen) for syllables. 60 and higher reads as "fairly easy" (about B1).
"""

from __future__ import annotations

import re
from typing import Dict, List, Tuple

import textstat

textstat.set_lang("nl")

MIN_FLESCH_DOUMA = 60.0
MAX_CHARS = 700  # one phone screen
MAX_WORDS_PER_SENTENCE = 20

# Medical and other hard terms, and the explanations of which one must stand where the term is first
# used in a response: in that sentence or the one before or after it (a patient may read any answer
# first). A term that no answer needs any more stays listed, so that it does not come back
# unexplained (issue 24: aandoening, afremmen, overwegen).
GLOSSARY: Dict[str, Tuple[str, ...]] = {
    "kraakbeen": ("gladde laagje",),
    "pezen": ("spieren vast aan je botten",),
    "coördinatie": ("samenwerking van je spieren",),
    "diëtist": ("advies over eten",),
    "ergotherapeut": ("helpt je met dagelijkse dingen",),
    "reumatoloog": ("arts voor ziektes van je gewrichten",),
    "bedrijfsarts": ("de arts van je werk",),
    "passief mobiliseren": ("de therapeut beweegt je heup",),
    "shockwave": ("schokgolven",),
    "tapen": ("tape op je huid",),
    "matig-intensief": ("nog praten",),
    "Gezondheidsraad": ("regering advies",),
    "leefstijlcoach": ("gezonder te leven",),
    "uithoudingsvermogen": ("hoe lang je iets volhoudt",),
    "Cesar": ("soorten oefentherapie",),
    "Mensendieck": ("soorten oefentherapie",),
    "oefentherapie": ("oefentherapeut helpt je", "fysio- of oefentherapie", "soorten oefentherapie"),
    "kunstheup": ("nieuw heupgewricht", "Krijg je een kunstheup", "Heb je een kunstheup", "na de operatie"),
    "diagnose": ("welke ziekte", "heupartrose hebt"),
    "aandoening": ("een ziekte",),
    "afremmen": ("minder snel erger",),
    "overwegen": ("erover nadenken",),
}
# Other forms of a term (regular expressions on lower case); otherwise the term as a whole word.
FORMS: Dict[str, str] = {
    "pezen": r"\bpe(?:es|zen)\b",
    "afremmen": r"\baf(?:\s+te)?\s*rem(?:men|t|de)\b|\bafgeremd\b|\bremt\b[^.!?]*\baf\b",
    "overwegen": r"\boverw(?:eeg|eegt|egen|oog|ogen)\b",
    "kunstheup": r"\bkunstheup(?:en)?\b",
}
MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")
URL = re.compile(r"https?://\S+")


def plain_sentences(text: str) -> str:
    """Text as prose: links become their titles, every line (list item) ends as a sentence."""
    text = MARKDOWN_LINK.sub(r"\1", text)
    text = URL.sub("de website", text)
    lines = []
    for line in text.splitlines():
        line = line.strip().lstrip("-").strip()
        if not line:
            continue
        line = re.sub(r"[;:]$", "", line)
        if not re.search(r"[.!?]$", line):
            line += "."
        lines.append(line)
    return " ".join(lines)


def flesch_douma(text: str) -> float:
    return float(textstat.flesch_reading_ease(plain_sentences(text)))


def longest_sentence(text: str) -> int:
    sentences = re.split(r"(?<=[.!?])\s+", plain_sentences(text))
    return max(len(sentence.split()) for sentence in sentences)


def sentences(text: str) -> List[str]:
    return re.split(r"(?<=[.!?])\s+", plain_sentences(text))


def term_pattern(term: str) -> str:
    return FORMS.get(term, r"\b" + re.escape(term.lower()) + r"\b")


def unexplained_terms(text: str) -> List[str]:
    """Glossary terms whose first use in `text` has no explanation in that sentence or next to it."""
    parts = [sentence.lower() for sentence in sentences(text)]
    missing = []
    for term, explanations in GLOSSARY.items():
        first = next((i for i, part in enumerate(parts) if re.search(term_pattern(term), part)), None)
        if first is None:
            continue
        near = " ".join(parts[max(0, first - 1) : first + 2])
        if not any(explanation.lower() in near for explanation in explanations):
            missing.append(term)
    return missing
