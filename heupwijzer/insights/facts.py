"""What a stored turn adds to the practice's insights (heupwijzer/insights/tables.py keeps the counts).

Only countable facts leave a conversation: the day (in the Netherlands), the channel, what kind of
thing happened and, where it matters, which topic. No sender id, no time of day. The one text that
is kept is a question Heupwijzer could not answer, in its scrubbed form (the store scrubs before
this runs), for the practice's content backlog.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, FrozenSet, Iterable, List, Sequence, Tuple
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


@dataclass(frozen=True)
class SessionSoFar:
    """What the facts of a new turn depend on in the stored part of its session: kept between turns
    (heupwijzer/store/tracker_store.py), so that a turn's facts cost the same at turn 5 and at turn 500."""

    counted: FrozenSet[Tuple[str, str]] = frozenset()  # once-per-session facts already counted
    patient_spoke: bool = False
    channel: str = UNKNOWN_CHANNEL


def so_far(events: Sequence[Event]) -> SessionSoFar:
    """The summary of a stored session, worked out from its events (when nothing was kept)."""
    return facts_of_turn(SessionSoFar(), events)[2]


def turn_facts(before: Sequence[Event], new: Sequence[Event]) -> Tuple[List[Fact], List[Unanswered]]:
    """The facts in `new` (events about to be stored, scrubbed) of a conversation session that
    already holds `before`."""
    facts, unanswered, _ = facts_of_turn(so_far(before), new)
    return facts, unanswered


def facts_of_turn(before: SessionSoFar, new: Sequence[Event]) -> Tuple[List[Fact], List[Unanswered], SessionSoFar]:
    """turn_facts for a session whose stored part is summarised by `before`; also the summary
    with `new` stored."""
    facts, unanswered = facts_after(before.patient_spoke, before.channel, new)
    counted = set(before.counted)
    kept: List[Fact] = []
    for fact in facts:
        if fact.metric in ONCE_PER_SESSION:
            if (fact.metric, fact.key) in counted:
                continue
            counted.add((fact.metric, fact.key))
        kept.append(fact)
    spoke = before.patient_spoke or any(isinstance(event, UserUttered) for event in new)
    channel = channel_of(new)
    channel = before.channel if channel == UNKNOWN_CHANNEL else channel
    return kept, unanswered, SessionSoFar(frozenset(counted), spoke, channel)


def all_facts(before: Sequence[Event], new: Sequence[Event]) -> Tuple[List[Fact], List[Unanswered]]:
    return facts_after(any(isinstance(event, UserUttered) for event in before), channel_of(before), new)


def facts_after(patient_spoke: bool, channel: str, new: Sequence[Event]) -> Tuple[List[Fact], List[Unanswered]]:
    facts: List[Fact] = []
    unanswered: List[Unanswered] = []
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
