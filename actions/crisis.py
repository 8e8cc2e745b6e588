"""Thoughts of suicide or self-harm: 113, and first "call now" when something has already happened."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.tracker import Events, entity_value

DANGER_NOW_ENTITY = "danger_now"  # set by heupwijzer.nlu.red_flag_classifier beside a crisis
CALL_NOW = {"red_flag_emergency": "utter_red_flag_emergency", "red_flag_urgent": "utter_red_flag_urgent"}


class ActionCrisis(Action):
    """The warm 113 reply; when the message also names a bodily alarm (all pills already taken),
    the call-now advice of that alarm comes first."""

    def name(self) -> str:
        return "action_crisis"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        call_now = CALL_NOW.get(entity_value(tracker, DANGER_NOW_ENTITY) or "")
        if call_now is not None:
            dispatcher.utter_message(response=call_now)
        dispatcher.utter_message(response="utter_crisis")
        return []
