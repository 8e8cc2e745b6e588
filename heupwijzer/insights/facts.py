"""What a stored turn adds to the practice's insights (heupwijzer/insights/tables.py keeps the counts).

Only countable facts leave a conversation: the day (in the Netherlands), the channel, what kind of
thing happened and, where it matters, which topic. No sender id, no time of day. The one text that
is kept is a question Heupwijzer could not answer, in its scrubbed form (the store scrubs before
this runs), for the practice's content backlog.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable, List, Sequence, Tuple
from zoneinfo import ZoneInfo

from rasa.shared.core.events import BotUttered, Event, SlotSet, UserUttered

PRACTICE_TIME = ZoneInfo("Europe/Amsterdam")
UNKNOWN_CHANNEL = "onbekend"

# Which bot response means what (the response's name is in the bot event's metadata).
FALLBACKS = {"utter_clarify": "bedoel_je", "utter_second_miss": "tweede_keer_niet", "utter_fallback": "geen_antwoord"}
RED_FLAGS = {
    "utter_red_flag_emergency": "spoed_112",
    "utter_red_flag_urgent": "vandaag_huisarts",
    "utter_crisis": "crisis_113",
}
BEWEEGCHECK = {"utter_beweegcheck_closing": "gedaan", "utter_beweegcheck_norm_met": "beweegnorm_gehaald"}


@dataclass(frozen=True)
class Fact:
    day: dt.date
    channel: str
    metric: str  # gesprek, bericht, onderwerp, fallback, feedback, rode_vlag, beweegcheck
    key: str = ""


@dataclass(frozen=True)
class Unanswered:
    day: dt.date
    text: str


def day_of(timestamp: float) -> dt.date:
    return dt.datetime.fromtimestamp(timestamp, PRACTICE_TIME).date()


def channel_of(events: Iterable[Event]) -> str:
    """The channel of the conversation's latest patient message."""
    for event in reversed(list(events)):
        if isinstance(event, UserUttered) and event.input_channel:
            return str(event.input_channel)
    return UNKNOWN_CHANNEL


# Counted once per conversation session (a patient who asks the same topic six times is one
# conversation about it, not six); messages and misses count per message.
ONCE_PER_SESSION = {"onderwerp", "feedback", "rode_vlag", "beweegcheck"}


def turn_facts(before: Sequence[Event], new: Sequence[Event]) -> Tuple[List[Fact], List[Unanswered]]:
    """The facts in `new` (events about to be stored, scrubbed) of a conversation session that
    already holds `before`."""
    counted = {(f.metric, f.key) for f in all_facts([], before)[0] if f.metric in ONCE_PER_SESSION} if before else set()
    facts, unanswered = all_facts(before, new)
    kept: List[Fact] = []
    for fact in facts:
        if fact.metric in ONCE_PER_SESSION:
            if (fact.metric, fact.key) in counted:
                continue
            counted.add((fact.metric, fact.key))
        kept.append(fact)
    return kept, unanswered


def all_facts(before: Sequence[Event], new: Sequence[Event]) -> Tuple[List[Fact], List[Unanswered]]:
    facts: List[Fact] = []
    unanswered: List[Unanswered] = []
    patient_spoke = any(isinstance(event, UserUttered) for event in before)
    channel = channel_of(before)
    last_text = ""
    for event in new:  # one pass: a turn's cost doesn't grow with the square of the session
        day = day_of(event.timestamp)
        if isinstance(event, UserUttered) and event.input_channel:
            channel = str(event.input_channel)
        if isinstance(event, UserUttered):
            if not patient_spoke:
                facts.append(Fact(day, channel, "gesprek"))
                patient_spoke = True
            facts.append(Fact(day, channel, "bericht"))
            last_text = event.text or ""
        elif isinstance(event, SlotSet):
            facts += slot_facts(day, channel, event.key, event.value)
        elif isinstance(event, BotUttered):
            response = str((event.metadata or {}).get("utter_action") or "")
            if response in FALLBACKS:
                facts.append(Fact(day, channel, "fallback", FALLBACKS[response]))
                if last_text.strip() and not last_text.startswith("/"):
                    unanswered.append(Unanswered(day, last_text.strip()[:500]))
                    last_text = ""  # one text per patient message
            elif response in RED_FLAGS:
                facts.append(Fact(day, channel, "rode_vlag", RED_FLAGS[response]))
            elif response in BEWEEGCHECK:
                facts.append(Fact(day, channel, "beweegcheck", BEWEEGCHECK[response]))
    return facts, unanswered


def feedback_fact(day: dt.date, channel: str, topic: str | None, positive: bool) -> Fact:
    return Fact(day, channel, "feedback", f"{topic or 'geen'}|{'duim_omhoog' if positive else 'duim_omlaag'}")


def slot_facts(day: dt.date, channel: str, slot: str, value: Any) -> List[Fact]:
    if slot == "topic" and isinstance(value, str) and value:
        return [Fact(day, channel, "onderwerp", value)]
    if slot == "feedback" and isinstance(value, dict) and value.get("rating") in ("positive", "negative"):
        return [feedback_fact(day, channel, value.get("topic"), value["rating"] == "positive")]
    return []
