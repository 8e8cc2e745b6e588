"""The Beweegcheck: read a number of days from a patient's answer, ask both questions (the form),
and compare the answers with the Beweegnorm.

The Beweegnorm (leaflet): at least 30 minutes of moderate activity on 5 days a week, and
exercises for muscle strength and balance on 2 days a week.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Dict, List, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.tracker import Events, latest_intent
from heupwijzer.content import button, texts

NORM_MODERATE_DAYS = 5
NORM_STRENGTH_DAYS = 2
DAYS_IN_WEEK = 7

NUMBER_WORDS = {
    "nul": 0,
    "geen": 0,
    "nooit": 0,
    "niks": 0,
    "niets": 0,
    "een": 1,
    "eén": 1,
    "één": 1,
    "eens": 1,
    "enkel": 1,
    "enkele": None,
    "twee": 2,
    "drie": 3,
    "vier": 4,
    "vijf": 5,
    "zes": 6,
    "zeven": 7,
    "acht": 8,
    "negen": 9,
    "tien": 10,
    "elf": 11,
    "twaalf": 12,
    "veertien": 14,
    "twintig": 20,
}
EVERY_DAY = re.compile(r"\b(elke|iedere|alle) (dag|dagen)\b|\bdagelijks\b|\bper dag\b|\bs? ?daags\b")
UNKNOWN = re.compile(r"\b(geen (flauw )?idee|weet (ik )?(het )?niet|geen flauw benul|onbekend)\b")
NOT_AT_ALL = re.compile(
    r"^(nee )?(ik )?(beweeg |sport |oefen |doe |wandel )?(dat |het )?(eigenlijk |nog )?(helemaal |bijna )?niet( aan)?$"
)
WORKDAYS = re.compile(r"\b(doordeweeks|door de week|werkdagen|alle werkdagen)\b")
WEEKEND = re.compile(r"^\s*(alleen |in het |het )*weekend\s*$")
# Durations are not days: "30 minuten", "een half uur", "een kwartier".
DURATION = re.compile(
    r"\b(een\s+)?(half\s+|halve\s+)?(-?\d+\s*|[a-z]+\s+)?(min|minuut|minuten|uur|uurtje|uren|kwartier|kwartiertje)\b"
)
NUMBER = re.compile(r"-?\d+")
STOP_WORDS = {
    "stop",
    "stoppen",
    "stoppe",
    "laat maar",
    "laat maar zitten",
    "hou op",
    "houd op",
    "ophouden",
    "annuleer",
    "annuleren",
    "cancel",
    "ik wil stoppen",
    "ik stop",
    "ik wil niet meer",
    "nee bedankt",
    "niet verder",
    "ik wil niet verder",
    "klaar",
    "ik ben klaar",
    "exit",
    "quit",
    "afbreken",
    "stop maar",
    "stop ermee",
    "ik stop ermee",
    "ik wil ophouden",
    "nee laat maar",
}


@dataclass(frozen=True)
class DaysAnswer:
    """days is the number read (may be out of range); problem explains why it can't be used."""

    days: int | None
    problem: str | None = None  # "unreadable", "ambiguous", "out_of_range"

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
    """'op 3 dagen', 'op 1 dag', 'op geen enkele dag' (content/texts.yml)."""
    forms = texts()["days"]
    return str(forms["zero"] if days == 0 else forms["one"] if days == 1 else forms["many"].format(days=days))


def extra_days_text(missing: int) -> str:
    forms = texts()["extra_days"]
    return str(forms["one"] if missing == 1 else forms["many"].format(days=missing))


def advice(moderate: int, strength: int) -> List[Tuple[str, Dict[str, str]]]:
    """Which responses (with their variables) compare the answers with the Beweegnorm."""
    values = {"moderate_days": days_text(moderate), "strength_days": days_text(strength)}
    if moderate >= NORM_MODERATE_DAYS and strength >= NORM_STRENGTH_DAYS:
        return [("utter_beweegcheck_norm_met", values)]
    result: List[Tuple[str, Dict[str, str]]] = []
    if moderate >= NORM_MODERATE_DAYS:
        result.append(("utter_beweegcheck_moderate_ok", values))
    else:
        result.append(
            (
                "utter_beweegcheck_moderate_more",
                {**values, "extra_days": extra_days_text(NORM_MODERATE_DAYS - moderate)},
            )
        )
    result.append(
        (
            "utter_beweegcheck_strength_ok" if strength >= NORM_STRENGTH_DAYS else "utter_beweegcheck_strength_more",
            values,
        )
    )
    return result


# --- the form --------------------------------------------------------------------------------------
MODERATE_SLOT = "beweeg_days_moderate"
STRENGTH_SLOT = "beweeg_days_strength"
REQUESTED_SLOT = "requested_slot"


class ActionBeweegcheckStart(Action):
    """Start with empty answers (a check stopped earlier must not leave old answers behind)."""

    def name(self) -> str:
        return "action_beweegcheck_start"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        dispatcher.utter_message(response="utter_beweegcheck_intro")
        return [SlotSet(MODERATE_SLOT, None), SlotSet(STRENGTH_SLOT, None)]


class ValidateBeweegcheckForm(FormValidationAction):
    """Reads a number of days (0-7) per answer; re-asks kindly; 'stop' ends the form."""

    def name(self) -> str:
        return "validate_beweegcheck_form"

    @staticmethod
    def _days(slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[str, Any]:
        if value is None:  # cleared by action_beweegcheck_start: nothing to check yet
            return {}
        text = str(value)
        if is_stop(text):
            return {slot: None, REQUESTED_SLOT: None}
        answer = parse_days(text)
        if answer.ok:  # a readable number wins, whatever intent DIET guessed for "2"
            return {slot: answer.days}
        if latest_intent(tracker) in ("stop", "goodbye"):
            return {slot: None, REQUESTED_SLOT: None}
        dispatcher.utter_message(response=f"utter_beweegcheck_{answer.problem}")
        return {slot: None}

    def validate_beweeg_days_moderate(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        return self._days(MODERATE_SLOT, slot_value, dispatcher, tracker)

    def validate_beweeg_days_strength(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        return self._days(STRENGTH_SLOT, slot_value, dispatcher, tracker)


class ActionBeweegcheckResult(Action):
    """Compare the answers with the Beweegnorm; or confirm that the patient stopped."""

    def name(self) -> str:
        return "action_beweegcheck_result"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        moderate, strength = tracker.get_slot(MODERATE_SLOT), tracker.get_slot(STRENGTH_SLOT)
        reset = [SlotSet(MODERATE_SLOT, None), SlotSet(STRENGTH_SLOT, None)]
        if moderate is None or strength is None:
            dispatcher.utter_message(response="utter_beweegcheck_stopped", buttons=[button("menu")])
            return reset
        for response, values in advice(int(moderate), int(strength)):
            dispatcher.utter_message(response=response, **values)
        dispatcher.utter_message(response="utter_beweegcheck_closing")
        return reset
