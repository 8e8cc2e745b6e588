"""Reading the conversation: the latest message, the current session, what the bot said last."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker

from heupwijzer.content import Button
from heupwijzer.domain_names import MENU_GROUP_ENTITY  # noqa: F401 (the actions read it from here)

TOPIC_SLOT = "topic"
FEEDBACK_SLOT = "feedback"
BODY_PART_ENTITY = "body_part"
SAFETY_CHECK_ENTITY = "safety_check"
# Its value: "warning" (the detector saw a warning sign) or "diet" (a red-flag intent close behind).
WARNING_SIGN = "warning"
HIP_CARE_ENTITY = "hip_care"

EventDict = Dict[str, Any]
Events = List[EventDict]


def latest_intent(tracker: Tracker) -> str:
    return str((tracker.latest_message.get("intent") or {}).get("name") or "")


def latest_text(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "")


def has_entity(tracker: Tracker, name: str, value: str | None = None) -> bool:
    return any(
        entity.get("entity") == name and (value is None or entity.get("value") == value)
        for entity in tracker.latest_message.get("entities") or []
    )


def entity_value(tracker: Tracker, name: str) -> str | None:
    """The value of the latest message's first entity `name`, if any."""
    return next(
        (str(e.get("value")) for e in tracker.latest_message.get("entities") or [] if e.get("entity") == name), None
    )


def session_events(tracker: Tracker) -> Events:
    """The events of the current conversation session."""
    events = list(tracker.events)
    starts = [i for i, event in enumerate(events) if event.get("event") == "session_started"]
    return events[starts[-1] + 1 :] if starts else events


def last_bot_event(tracker: Tracker) -> EventDict | None:
    for event in reversed(list(tracker.events)):
        if event.get("event") == "bot":
            return dict(event)
    return None


def last_bot_buttons(tracker: Tracker) -> List[Button]:
    event = last_bot_event(tracker) or {}
    return list((event.get("data") or {}).get("buttons") or [])


def last_bot_response(tracker: Tracker) -> str | None:
    """The domain response the bot's last message came from (utter_clarify, ...)."""
    event = last_bot_event(tracker) or {}
    response = (event.get("metadata") or {}).get("utter_action")
    return str(response) if response else None


# Ask "Had je iets aan dit antwoord?" after the 1st, 4th, 7th ... answer of a session, never twice
# for the same topic: often enough to learn something, rare enough not to interrogate anyone.
FEEDBACK_EVERY = 3


def rated_topics(events: Events) -> set[str]:
    return {
        str((event.get("value") or {}).get("topic"))
        for event in events
        if event.get("event") == "slot" and event.get("name") == FEEDBACK_SLOT and event.get("value")
    }


def should_ask_feedback(tracker: Tracker, topic: str) -> bool:
    events = session_events(tracker)
    answers = sum(1 for e in events if e.get("event") == "action" and e.get("name") == "action_answer_topic")
    nth_answer = answers + 1  # this answer is not in the tracker yet
    return (nth_answer - 1) % FEEDBACK_EVERY == 0 and topic not in rated_topics(events)
