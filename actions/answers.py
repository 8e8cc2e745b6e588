"""Answers: a leaflet topic (or "past dat bij heupartrose?"), more to read, the topic menu, the
practice's contact details and the privacy answer."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Dict

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.fit_questions import asks_if_it_fits, describes_a_complaint
from actions.follow_up import (
    ActionFollowUp,
    answer_follow_up,
    context_topic,
    follow_up_taken_for_a_topic,
    follow_ups,
    is_whole_question,
    same_topic_follow_up,
)
from actions.replies import (
    answer_symptom_fit,
    answer_topic,
    link_lines,
    practice_message,
    safety_check_first,
    show_menu,
)
from actions.tracker import MENU_GROUP_ENTITY, TOPIC_SLOT, Events, latest_intent, latest_text
from heupwijzer.content import button, load_content
from heupwijzer.store.retention import retention_days

# "Past dat bij heupartrose?" about a complaint: only when the NLU took it for a question about
# complaints. "Is het tijd voor de fysio? Boodschappen doen gaat moeilijk met mijn heup" asks when
# to go, not whether it fits.
COMPLAINT_TOPICS = ("ask_symptoms", "ask_pain")


class ActionAnswerTopic(Action):
    """Answer the knowledge question the patient asked, point to the main link, offer next steps."""

    def name(self) -> str:
        return "action_answer_topic"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        content = load_content()
        safety_check_first(dispatcher, tracker)
        topic = content.topics.get(latest_intent(tracker))
        if topic is None:
            dispatcher.utter_message(response="utter_fallback")
            show_menu(dispatcher, content, group_key=None)
            return []
        text = latest_text(tracker)
        topic = content.topics[follow_ups().corrected(topic.intent, text)]
        if topic.intent in COMPLAINT_TOPICS and asks_if_it_fits(text) and describes_a_complaint(text):
            return answer_symptom_fit(dispatcher)
        earlier, pointing = follow_up_taken_for_a_topic(tracker, topic.intent) or ("", "")
        if earlier in content.topics:  # "en met een kunstheup?" about the topic the patient just read
            return answer_follow_up(dispatcher, tracker, content.topics[earlier], pointing, content)
        kind = same_topic_follow_up(tracker, topic.intent)
        # The topic the patient just read about, again, but with another topic's own words ("en wie
        # helpt daarbij, een diëtist?" after losing weight): that topic, not the same answer again.
        again = topic.intent == tracker.get_slot(TOPIC_SLOT)
        moved = follow_ups().shift_of(text, topic.intent, kind) if again else None
        if moved is not None:
            topic = content.topics[moved]
        if kind is not None:
            return answer_follow_up(dispatcher, tracker, topic, kind, content)
        return answer_topic(dispatcher, tracker, topic, content)


class ActionMoreInfo(Action):
    """'Meer lezen' / 'waar lees ik meer': all links for the current topic, or the general ones."""

    def name(self) -> str:
        return "action_more_info"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        content = load_content()
        topic = content.topics.get(tracker.get_slot(TOPIC_SLOT) or "")
        if topic is None:
            dispatcher.utter_message(response="utter_more_info_no_topic")
            dispatcher.utter_message(text=link_lines(content.general_links), buttons=[button("menu")])
            return []
        dispatcher.utter_message(
            response="utter_more_info_topic",
            topic_label=topic.label,
            links=link_lines(topic.links),
            buttons=[content.topics[intent].button for intent in topic.related] + [button("menu")],
        )
        return []


class ActionShowMenu(Action):
    """The topic menu: first the groups, then the topics of the chosen group."""

    def name(self) -> str:
        return "action_show_menu"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        # "And if that doesn't help?" is no call for help: a follow-up on the topic just read
        text = latest_text(tracker)
        if context_topic(tracker) and not is_whole_question(text) and follow_ups().kind_of(text) == "not_helping":
            return ActionFollowUp().run(dispatcher, tracker, domain)
        show_menu(dispatcher, load_content(), next(tracker.get_latest_entity_values(MENU_GROUP_ENTITY), None))
        return []


class PracticeResponse(Action, ABC):
    """Utter one response from domain.yml with the practice's details filled in (abstract: only
    its subclasses are registered as actions)."""

    response: str

    @abstractmethod
    def name(self) -> str: ...

    def variables(self) -> Dict[str, Any]:
        """More values for the response's {placeholders}."""
        return {}

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        practice_message(dispatcher, self.response, buttons=[button("menu")], **self.variables())
        return []


class ActionContact(PracticeResponse):
    """How to reach the practice: phone, e-mail, booking, opening hours, address."""

    response = "utter_contact"

    def name(self) -> str:
        return "action_contact"


class ActionPrivacy(PracticeResponse):
    """What happens with the conversation, and whom to ask to delete it."""

    response = "utter_privacy"

    def name(self) -> str:
        return "action_privacy"

    def variables(self) -> Dict[str, Any]:
        return {"retention_days": retention_days()}
