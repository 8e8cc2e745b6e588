"""Personal data out of a patient's message before it is stored: names, phone numbers, e-mail
addresses, BSNs, street addresses, postcodes, dates, ages over 89, ids and URLs become tags such as
[PERSOON] or [TELEFOON].

The work is done by deduce (UMC Utrecht's de-identification of Dutch medical text) with its own
base configuration of version 3.0.4 (heupwijzer/store/deduce_config.json; the 3.0.4 wheel does not ship it).
Two additions for chat language:
- our own phone pattern first (06-numbers without spaces, +316..., 0031...), which deduce may
  take for an id;
- words from Heupwijzer's own content (topics, therapies such as Cesar and Mensendieck, Thuisarts,
  the Beweegcheck, body parts) are never taken for a name or place on their own;
and ages up to 89 are kept (they are not identifying and matter for the advice).
"""

from __future__ import annotations

import gc
import logging
import os
import re
import subprocess
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import FrozenSet, Iterable, List

from heupwijzer.content import files as content_files
from heupwijzer.nlu.lexicon import LEXICON
from heupwijzer.nlu.scope import BODY_PARTS
from heupwijzer.paths import DOMAIN
from heupwijzer.settings import settings
from heupwijzer.store.deduce_tables import discard, ensure_compact

DEDUCE_CONFIG = Path(__file__).resolve().parent / "deduce_config.json"
OWN_CONTENT = [DOMAIN, *content_files(), LEXICON]
logger = logging.getLogger(__name__)

TAGS = {  # deduce's tag -> the tag in the stored text
    "persoon": "PERSOON",
    "patient": "PERSOON",
    "telefoonnummer": "TELEFOON",
    "emailadres": "EMAIL",
    "bsn": "BSN",
    "locatie": "ADRES",
    "ziekenhuis": "ZORGINSTELLING",
    "zorginstelling": "ZORGINSTELLING",
    "datum": "DATUM",
    "leeftijd": "LEEFTIJD",
    "id": "NUMMER",
    "url": "URL",
}
PHONE = re.compile(r"(?<![\w+])(?:(?:\+|00)\s?31[\s-]?(?:\(0\))?[\s-]?|0)(?:[1-9](?:[\s-]?\d){8})(?!\d)")
OLDEST_KEPT_AGE = 89
WORD = re.compile(r"\w+")
# Chat forms deduce doesn't expect. A number after a label ("bsn 1234.56.782", "dossiernummer 88123",
# "verwijzing nummer REF-2024-00871"); a BSN written in groups; "ik ben 92", "mijn vader is 90".
NAME_PARTICLES = frozenset({"de", "van", "der", "den", "ter", "te", "het", "la", "el"})
FUNCTION_WORD_ZIPF = 5.3  # words this frequent in Dutch ("na", "niks", "blij") end a name
LABELLED_NUMBER = re.compile(
    r"(?i)\b(bsn|burgerservicenummer|\w*nummer|nr)\b\.?\s*(?:is\s+|:\s*)?([a-z]{0,5}-?\d[\d.\- ]*\d|\d+)(?!\w)"
)
GROUPED_NINE_DIGITS = re.compile(r"(?<![\d.])\d{3,4}[. ]\d{2,3}[. ]\d{3}(?![\d.])")
NOT_AN_AGE = r"(?!\s*(?:kg|kilo|cm|%|procent|min|minuten|graden|keer|x|meter|stappen)\b)"
# Ages over 89 in words ("al negentig", "eenennegentig jaar") and as an ordinal ("op mijn 96e").
AGE_IN_WORDS = re.compile(
    r"(?i)\b(negentig|(?:een|twee|drie|vier|vijf|zes|zeven|acht|negen)[eë]n\s?negentig|honderd)\b" + NOT_AN_AGE
)
AGE_ORDINAL = re.compile(r"(?i)\b(?:mijn|zijn|haar|m'n|z'n)\s+((?:9\d|1[01]\d)(?:e|ste))\b")
# A street and number after the words that announce an address ("mijn adres is lindelaan 7a").
ADDRESS_AFTER_CUE = re.compile(
    r"(?i)\b(?:adres is|adres:|woonadres|ik woon (?:op|aan))\s+((?:[a-z][\w.'-]*\s){1,3}\d{1,4}\s?[a-z]?)(?!\w)"
)
AGE_AFTER_VERB = re.compile(
    r"(?i)\b(?:ben|is|wordt|word|werd|was)\s+(9\d|1[01]\d)\b(?!\s*(?:kg|kilo|cm|%|procent|min|minuten|graden|keer|x))"
)
# A name typed in lower case after the words that introduce it ("ik ben jan de vries", "wim visser
# hier"): those words are capitalised in a copy that deduce reads (same length, spans line up).
NAME_CUE = re.compile(
    r"(?i)\b(?:ik ben|ik heet|mijn naam is|naam is|met (?:mevrouw|meneer|mevr|dhr)\.?|groet(?:en|jes)?|gr)\s+"
    r"((?:[a-z][a-z'-]+\s*){1,4})"
    r"|^\s*((?:[a-z][a-z'-]+\s+){1,3})(?=hier\b)"
    r"|(?:^|[!.,?]\s*)ben\s+((?:[a-z][a-z'-]+\s*){1,4})"  # "hoi! ben hatice ozturk"
    r"|\bmet\s+((?:[a-z][a-z'-]+\s*){1,3})"  # "hallo met fatma yilmaz": only with a rare first word
)
RARE_WORD_ZIPF = 3.0


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    tag: str


@lru_cache(maxsize=1)
def own_words() -> FrozenSet[str]:
    """Lower-cased words of Heupwijzer's own texts and vocabulary: never personal data on their own."""
    words = set(BODY_PARTS)
    for path in OWN_CONTENT:
        words.update(WORD.findall(path.read_text(encoding="utf-8").lower()))
    return frozenset(word for word in words if not word.isdigit())


def trusted_cache(folder: Path) -> dict:
    """deduce unpickles its tables in the process that reads every message: a pickle anyone else
    could have written is code anyone else could run there. The folder and its tables must belong
    to this user or to root and be writable by nobody else; otherwise deduce's own folder is used."""
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for path in (folder, folder / "cache", folder / "cache" / "lookup_structs.pickle"):
        if path.exists():
            info = path.stat()
            if info.st_uid not in (os.getuid(), 0) or info.st_mode & 0o022:
                logger.warning("deduce's tables in %s are writable by others: not used", folder)
                return {}
    return {"cache_path": folder}


class Scrubber:
    def __init__(self) -> None:
        from deduce import Deduce

        started = time.monotonic()
        # deduce builds its tables (a minute) when the cache holds none of its version; a child
        # process turns them into compact ones (deduce_tables.py), which are what this process loads.
        folder = Path(settings().deduce_cache)
        own = trusted_cache(folder)  # deduce's own tables: {} (its package folder) when not trusted
        cache = own
        if own:
            try:
                # an untrusted compact folder: deduce's own tables in the trusted folder instead
                cache = trusted_cache(ensure_compact(folder, DEDUCE_CONFIG)) or own
            except (OSError, subprocess.SubprocessError) as problem:  # slower and bigger, but scrubbing
                logger.error("deduce's compact tables could not be made (%s): its own are used", type(problem).__name__)
        # Unpickling deduce's own tables (millions of objects, used when the compact ones can't be)
        # set off Python's cycle collector again and again. Nothing here is garbage.
        collecting = gc.isenabled()
        gc.disable()
        try:
            try:
                self.deduce = Deduce(load_base_config=False, config=str(DEDUCE_CONFIG), **cache)
            except Exception as problem:
                if cache == own:
                    raise
                # compact tables that can't be read (a damaged file): made again next time
                logger.error("deduce's compact tables could not be read (%s): its own are used", type(problem).__name__)
                discard(folder)
                self.deduce = Deduce(load_base_config=False, config=str(DEDUCE_CONFIG), **own)
        finally:
            if collecting:
                gc.enable()
        self.keep = own_words()
        logger.info("PII scrubber (deduce) ready in %.1f s", time.monotonic() - started)

    def spans(self, text: str) -> List[Span]:
        found = [Span(m.start(), m.end(), "TELEFOON") for m in PHONE.finditer(text)] + chat_forms(text)
        for annotation in self.deduce.deidentify(with_names_capitalised(text)).annotations:
            tag = TAGS.get(annotation.tag.split("+")[0], annotation.tag.upper())
            if annotation.tag.startswith(("persoon", "prefix", "initiaal", "voornaam", "achternaam", "naam")):
                tag = "PERSOON"
            if self._harmless(annotation.text, tag):
                continue
            found.append(Span(annotation.start_char, annotation.end_char, tag))
        return merged(found)

    def _harmless(self, text: str, tag: str) -> bool:
        if tag == "LEEFTIJD":
            number = re.search(r"\d+", text)
            return number is not None and int(number.group()) <= OLDEST_KEPT_AGE
        if tag in ("PERSOON", "ADRES", "ZORGINSTELLING", "URL"):  # e.g. "Cesar", "reumanederland.nl"
            words = WORD.findall(text.lower())
            return bool(words) and all(word in self.keep for word in words)
        return False

    def scrub(self, text: str) -> str:
        if not text or not text.strip():
            return text
        out, last = [], 0
        for span in self.spans(text):
            out += [text[last : span.start], f"[{span.tag}]"]
            last = span.end
        return "".join(out) + text[last:]


def elf_proef(digits: str) -> bool:
    """The BSN check: the weighted digit sum (9..2, and -1 for the last) is divisible by 11."""
    if len(digits) != 9:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - int(digits[-1])
    return total % 11 == 0


def chat_forms(text: str) -> List[Span]:
    found = []
    for match in LABELLED_NUMBER.finditer(text):
        number = match.group(2)
        if sum(c.isdigit() for c in number) >= 4:
            tag = "BSN" if match.group(1).lower() in ("bsn", "burgerservicenummer") else "NUMMER"
            found.append(Span(match.start(2), match.end(2), tag))
    for match in GROUPED_NINE_DIGITS.finditer(text):
        if elf_proef(re.sub(r"\D", "", match.group())):
            found.append(Span(match.start(), match.end(), "BSN"))
    found += [Span(m.start(1), m.end(1), "ADRES") for m in ADDRESS_AFTER_CUE.finditer(text)]
    for pattern in (AGE_AFTER_VERB, AGE_IN_WORDS, AGE_ORDINAL):
        found += [Span(m.start(1), m.end(1), "LEEFTIJD") for m in pattern.finditer(text)]
    return found


def with_names_capitalised(text: str) -> str:
    """The text with the words after a name cue capitalised (deduce recognises names by case)."""
    from wordfreq import zipf_frequency

    chars = list(text)
    for match in NAME_CUE.finditer(text):
        group = next(i for i in range(1, 5) if match.group(i))
        first = WORD.search(match.group(group))
        if group == 4 and (first is None or zipf_frequency(first.group(), "nl") >= RARE_WORD_ZIPF):
            continue
        for word in WORD.finditer(match.group(group)):
            if word.group() in NAME_PARTICLES:
                continue
            if zipf_frequency(word.group(), "nl") >= FUNCTION_WORD_ZIPF:  # "ik ben niks ...": no name
                break
            chars[match.start(group) + word.start()] = word.group()[0].upper()
    return "".join(chars)


def merged(spans: Iterable[Span]) -> List[Span]:
    """Overlapping spans joined (the first one's tag wins: our phone pattern before deduce)."""
    result: List[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if result and span.start < result[-1].end:
            last = result[-1]
            result[-1] = Span(last.start, max(last.end, span.end), last.tag)
        else:
            result.append(span)
    return result


@lru_cache(maxsize=1)
def scrubber() -> Scrubber:
    """One scrubber per process (deduce's compact tables take a second and some 40 MB to load)."""
    return Scrubber()


if __name__ == "__main__":  # `python -m heupwijzer.store.scrub`: build deduce's lookup cache once (make setup)
    logging.basicConfig(level=logging.INFO)
    print(scrubber().scrub("Ik ben Jan de Vries, bel me op 0612345678."))
