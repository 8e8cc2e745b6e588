"""Beweegcheck logic: read a number of days from a patient's answer and compare with the Beweegnorm.

The Beweegnorm (leaflet): at least 30 minutes of moderate activity on 5 days a week, and
exercises for muscle strength and balance on 2 days a week.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import List, Optional

NORM_MODERATE_DAYS = 5
NORM_STRENGTH_DAYS = 2
DAYS_IN_WEEK = 7

NUMBER_WORDS = {
    "nul": 0, "geen": 0, "nooit": 0, "niks": 0, "niets": 0,
    "een": 1, "eén": 1, "één": 1, "eens": 1, "enkel": 1, "enkele": None,
    "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7,
    "acht": 8, "negen": 9, "tien": 10, "elf": 11, "twaalf": 12, "veertien": 14, "twintig": 20,
}
EVERY_DAY = re.compile(r"\b(elke|iedere|alle) (dag|dagen)\b|\bdagelijks\b|\bper dag\b|\bs? ?daags\b")
UNKNOWN = re.compile(r"\b(geen (flauw )?idee|weet (ik )?(het )?niet|geen flauw benul|onbekend)\b")
NOT_AT_ALL = re.compile(r"^(nee )?(ik )?(beweeg |sport |oefen |doe |wandel )?(dat |het )?(eigenlijk |nog )?(helemaal |bijna )?niet( aan)?$")
WORKDAYS = re.compile(r"\b(doordeweeks|door de week|werkdagen|alle werkdagen)\b")
WEEKEND = re.compile(r"^\s*(alleen |in het |het )*weekend\s*$")
# Durations are not days: "30 minuten", "een half uur", "een kwartier".
DURATION = re.compile(
    r"\b(een\s+)?(half\s+|halve\s+)?(-?\d+\s*|[a-z]+\s+)?(min|minuut|minuten|uur|uurtje|uren|kwartier|kwartiertje)\b"
)
NUMBER = re.compile(r"-?\d+")
STOP_WORDS = {
    "stop", "stoppen", "stoppe", "laat maar", "laat maar zitten", "hou op", "houd op", "ophouden",
    "annuleer", "annuleren", "cancel", "ik wil stoppen", "ik stop", "ik wil niet meer", "nee bedankt",
    "niet verder", "ik wil niet verder", "klaar", "ik ben klaar", "exit", "quit", "afbreken",
    "stop maar", "stop ermee", "ik stop ermee", "ik wil ophouden", "nee laat maar",
}


@dataclass(frozen=True)
class DaysAnswer:
    """days is the number read (may be out of range); problem explains why it can't be used."""

    days: Optional[int]
    problem: Optional[str] = None  # "unreadable", "ambiguous", "out_of_range"

    @property
    def ok(self) -> bool:
        return self.problem is None


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text.lower().strip())
    text = text.replace("\u2212", "-")
    text = re.sub(r"(\d)\s*x\b", r"\1 keer", text)  # "3x" -> "3 keer"
    text = re.sub(r"[^\w\s-]", " ", text)
    return " ".join(text.split())


def is_stop(text: str) -> bool:
    cleaned = _clean(text)
    return cleaned in STOP_WORDS or cleaned.rstrip(" a") in STOP_WORDS


def parse_days(text: str) -> DaysAnswer:
    """Read a number of days per week: digits, Dutch number words, 'elke dag', 'geen', ..."""
    cleaned = _clean(text)
    if UNKNOWN.search(cleaned):
        return DaysAnswer(None, "unreadable")
    if EVERY_DAY.search(cleaned):
        return DaysAnswer(DAYS_IN_WEEK)
    if NOT_AT_ALL.match(cleaned):
        return DaysAnswer(0)
    if WORKDAYS.search(cleaned):
        return DaysAnswer(5)
    if WEEKEND.match(cleaned):
        return DaysAnswer(2)
    without_durations = DURATION.sub(" ", cleaned)
    values: List[int] = [int(match) for match in NUMBER.findall(without_durations)]
    for word in without_durations.split():
        if word in NUMBER_WORDS:
            value = NUMBER_WORDS[word]
            if value is None:
                return DaysAnswer(None, "ambiguous")
            values.append(value)
    # "een keer" / "een dag" count as 1, but "een" as an article ("een paar dagen") is vague.
    if re.search(r"\b(paar|aantal|soms|weleens|wel eens|af en toe|wisselend|verschilt)\b", without_durations):
        return DaysAnswer(None, "ambiguous")
    distinct = sorted(set(values))
    if not distinct:
        return DaysAnswer(None, "unreadable")
    if len(distinct) > 1:
        return DaysAnswer(None, "ambiguous")
    days = distinct[0]
    if days < 0 or days > DAYS_IN_WEEK:
        return DaysAnswer(days, "out_of_range")
    return DaysAnswer(days)


def days_text(days: int) -> str:
    """'op 3 dagen', 'op 1 dag', 'op geen enkele dag'."""
    if days == 0:
        return "op geen enkele dag"
    return f"op {days} {'dag' if days == 1 else 'dagen'}"


def extra_days_text(missing: int) -> str:
    return f"{missing} {'dag' if missing == 1 else 'dagen'}"
