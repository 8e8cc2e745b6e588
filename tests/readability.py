"""Plain-language checks for patient-facing text: Flesch-Douma (textstat, Dutch), length, glossary.

Flesch-Douma = 206.835 - 0.93 * (words per sentence) - 77 * (syllables per word), with Dutch
hyphenation (pyphen) for syllables. 60 and higher reads as "fairly easy" (about B1).
"""

from __future__ import annotations

import re
from typing import Dict, Tuple

import textstat

textstat.set_lang("nl")

MIN_FLESCH_DOUMA = 60.0
MAX_CHARS = 700  # one phone screen
MAX_WORDS_PER_SENTENCE = 20

# Medical terms and the explanation that must accompany them in every response that uses them
# (a patient may read any answer first).
GLOSSARY: Dict[str, Tuple[str, ...]] = {
    "kraakbeen": ("gladde laagje",),
    "coördinatie": ("samenwerking van je spieren",),
    "diëtist": ("advies over eten",),
    "ergotherapeut": ("helpt je met dagelijkse dingen",),
    "reumatoloog": ("arts voor ziektes van je gewrichten",),
    "bedrijfsarts": ("de arts van je werk",),
    "passief mobiliseren": ("de therapeut beweegt je heup",),
    "shockwave": ("schokgolven",),
    "tapen": ("tape op je huid",),
    "matig-intensief": ("stevig wandelen", "nog praten"),
    "leefstijlcoach": ("gezonder te leven",),
    "uithoudingsvermogen": ("hoe lang je iets volhoudt",),
    "oefentherapie": ("oefentherapeut helpt je", "fysio- of oefentherapie", "Cesar en Mensendieck"),
    "kunstheup": ("nieuw heupgewricht", "Krijg je een kunstheup", "Heb je een kunstheup", "na de operatie"),
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
