"""The conversation around the answers: the honest fallback ("Bedoel je ...?"), yes and no,
feedback, and the declines (other subjects, other body parts, dosages, a personal diagnosis)."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.fit_questions import asks_if_it_fits, describes_a_complaint
from actions.follow_up import (
    ActionFollowUp,
    is_follow_up_in_context,
    opening_follow_up_in_context,
    short_follow_up_in_context,
)
from actions.replies import (
    answer_symptom_fit,
    practice_message,
    safety_check_first,
    second_miss,
    show_menu,
    urgent_instead_of_decline,
)
from actions.suggestions import offer_topics, plausible_suggestions
from actions.tracker import (
    BODY_PART_ENTITY,
    FEEDBACK_SLOT,
    TOPIC_SLOT,
    Events,
    last_bot_buttons,
    last_bot_response,
    latest_intent,
    latest_text,
)
from heupwijzer.content import load_content, texts
from heupwijzer.domain_names import ERASE_SLOT

FEEDBACK_PAYLOADS = {"/feedback_positive", "/feedback_negative"}


class ActionClarify(Action):
    """Honest fallback. A follow-up about the current topic is answered as one; a message about
    something else is declined plainly; otherwise "Bedoel je ...?" with the two most likely topics,
    and after a second miss in a row the topic menu and how to reach the practice."""

    def name(self) -> str:
        return "action_clarify"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        if urgent_instead_of_decline(dispatcher, tracker):
            return []
        if (
            is_follow_up_in_context(tracker)
            or short_follow_up_in_context(tracker)
            or opening_follow_up_in_context(tracker)
        ):
            return ActionFollowUp().run(dispatcher, tracker, domain)
        options = plausible_suggestions(tracker, load_content())
        if not options:  # not about heupartrose: say so plainly, no hip topics as buttons
            dispatcher.utter_message(response="utter_out_of_scope")
        elif last_bot_response(tracker) == "utter_clarify":
            second_miss(dispatcher)
        else:
            offer_topics(dispatcher, options)
        return []


def feedback_events(dispatcher: CollectingDispatcher, tracker: Tracker, positive: bool) -> Events:
    """Thank the patient and store the rating with the topic it is about."""
    if positive:
        dispatcher.utter_message(response="utter_feedback_positive")
    else:
        practice_message(dispatcher, "utter_feedback_negative")
    rating = {"topic": tracker.get_slot(TOPIC_SLOT), "rating": "positive" if positive else "negative"}
    return [SlotSet(FEEDBACK_SLOT, rating)]


class ActionFeedback(Action):
    """👍 / 👎, or typed "dit hielp (niet)"."""

    def name(self) -> str:
        return "action_feedback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        return feedback_events(dispatcher, tracker, latest_intent(tracker) == "feedback_positive")


class ActionYesNo(Action):
    """A bare "ja" / "nee" means what the last question asked."""

    def name(self) -> str:
        return "action_yes_no"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        yes = latest_intent(tracker) == "affirm"
        buttons = last_bot_buttons(tracker)
        if {b.get("payload") for b in buttons} & FEEDBACK_PAYLOADS:
            return feedback_events(dispatcher, tracker, positive=yes)
        if last_bot_response(tracker) == "utter_confirm_erase":
            if not yes:
                dispatcher.utter_message(response="utter_erase_kept")
                return []
            # The tracker store deletes the conversation instead of saving it (heupwijzer/store/tracker_store.py).
            dispatcher.utter_message(response="utter_erased")
            return [SlotSet(ERASE_SLOT, True)]
        if last_bot_response(tracker) == "utter_clarify":
            if yes:  # "ja" to two options: let the patient pick one
                dispatcher.utter_message(response="utter_clarify_pick", buttons=buttons)
            else:
                second_miss(dispatcher)
            return []
        dispatcher.utter_message(response="utter_yes_no")
        show_menu(dispatcher, load_content(), group_key=None)
        return []


class ActionDecline(Action):
    """Questions Heupwijzer does not answer (other subjects, dosages, a personal diagnosis): the
    intent's decline from domain.yml; the urgent advice instead when a warning sign was named."""

    responses = {
        "out_of_scope": "utter_out_of_scope",
        "dosage_question": "utter_decline_dosage",
        "diagnosis_request": "utter_decline_diagnosis",
    }
    # What a follow-up question after the decline is about ("hoe lang mag ik dat slikken?").
    topics = {"dosage_question": "ask_advice_medication"}

    def name(self) -> str:
        return "action_decline"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        intent, text = latest_intent(tracker), latest_text(tracker)
        if intent == "diagnosis_request" and asks_if_it_fits(text) and describes_a_complaint(text):
            safety_check_first(dispatcher, tracker)
            return answer_symptom_fit(dispatcher)  # a complaint named: the leaflet can say what fits
        if urgent_instead_of_decline(dispatcher, tracker):
            return []
        if intent == "out_of_scope" and short_follow_up_in_context(tracker):  # "why not?" after an answer
            return ActionFollowUp().run(dispatcher, tracker, domain)
        dispatcher.utter_message(response=self.responses.get(intent, "utter_out_of_scope"))
        topic = self.topics.get(intent)
        return [SlotSet(TOPIC_SLOT, topic)] if topic else []


class ActionDeclineBodyPart(Action):
    """Complaints about another body part: kindly declined, with a Thuisarts.nl link."""

    def name(self) -> str:
        return "action_decline_body_part"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        if urgent_instead_of_decline(dispatcher, tracker):
            return []
        part = next(tracker.get_latest_entity_values(BODY_PART_ENTITY), None)
        names = texts()["body_part"]
        dispatcher.utter_message(
            response="utter_decline_body_part",
            body_part=names["named"].format(body_part=part) if part else names["unknown"],
            body_part_link=load_content().body_part_link(part or "").markdown(),
        )
        return []
