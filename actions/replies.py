"""Building blocks of the assistant's replies: answers with next steps, the menu, the practice's
details and the safety check. The texts are responses in domain.yml and content/texts.yml."""

from __future__ import annotations

from typing import Any, List

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.tracker import (
    SAFETY_CHECK_ENTITY,
    TOPIC_SLOT,
    WARNING_SIGN,
    Events,
    has_entity,
    should_ask_feedback,
)
from heupwijzer.content import Button, Content, Link, Topic, button, load_content, menu_buttons
from heupwijzer.practice import Practice, load_practice

# Read once at startup: an incomplete practice configuration stops the action server here,
# with a clear message, instead of sending a patient an empty phone number later.
PRACTICE: Practice = load_practice()


def link_lines(links: tuple[Link, ...]) -> str:
    return "\n".join(f"- {link.markdown()}" for link in links)


def next_step_buttons(topic: Topic, content: Content, related: bool = True) -> List[Button]:
    extra = [{"title": title, "payload": payload} for title, payload in topic.extra_buttons]
    related_buttons = [content.topics[intent].button for intent in topic.related] if related else []
    return related_buttons + extra + [button("more_info"), button("menu")]


def practice_message(dispatcher: CollectingDispatcher, response: str, **kwargs: Any) -> None:
    dispatcher.utter_message(response=response, **PRACTICE.template_variables(), **kwargs)


def safety_check_first(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """A warning sign without a complete red-flag rule (heupwijzer/nlu/red_flag_classifier.py): the
    answer starts with the short "heb je nu ...? bel dan ..." check."""
    if has_entity(tracker, SAFETY_CHECK_ENTITY):
        dispatcher.utter_message(response="utter_safety_check")


def urgent_instead_of_decline(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """A message with a warning sign never ends in a decline or a "Bedoel je ...?": the safety check
    belongs in front of a calm answer only, so here the patient gets the urgent advice (call the
    huisarts or huisartsenpost now; 112 when it is life-threatening). True when it was sent. A
    red-flag intent merely close behind DIET's top intent (no warning sign named) gets neither."""
    if not has_entity(tracker, SAFETY_CHECK_ENTITY, WARNING_SIGN):
        return False
    dispatcher.utter_message(response="utter_red_flag_urgent")
    return True


def show_menu(dispatcher: CollectingDispatcher, content: Content, group_key: str | None) -> None:
    group = content.groups.get(group_key or "")
    if group is None:
        dispatcher.utter_message(response="utter_menu_intro", buttons=menu_buttons(content))
        return
    buttons = [content.topics[intent].button for intent in group.topics]
    dispatcher.utter_message(response="utter_menu_group", group_label=group.label, buttons=buttons + [button("menu")])


def answer_topic(dispatcher: CollectingDispatcher, tracker: Tracker, topic: Topic, content: Content) -> Events:
    """A topic's answer, its main link and the next steps (or the feedback question)."""
    dispatcher.utter_message(response=topic.response)
    link = topic.links[0].markdown()
    if should_ask_feedback(tracker, topic.intent):
        # The buttons of the last message are the ones a chat widget keeps showing: there the
        # feedback question comes with 👍 / 👎 and the way on (without the related topics).
        dispatcher.utter_message(response="utter_read_more", link=link)
        dispatcher.utter_message(
            response="utter_feedback_ask", buttons=next_step_buttons(topic, content, related=False)
        )
    else:
        dispatcher.utter_message(response="utter_read_more", link=link, buttons=next_step_buttons(topic, content))
    return [SlotSet(TOPIC_SLOT, topic.intent)]


def answer_symptom_fit(dispatcher: CollectingDispatcher) -> Events:
    """Which complaints fit heupartrose (from the leaflet), that only a professional can tell, and
    the way to the therapist or huisarts."""
    for response in ("utter_symptom_fit_intro", "utter_ask_symptoms", "utter_symptom_fit_next"):
        dispatcher.utter_message(response=response)
    return [SlotSet(TOPIC_SLOT, "ask_symptoms")]


def second_miss(dispatcher: CollectingDispatcher) -> None:
    practice_message(dispatcher, "utter_second_miss")
    show_menu(dispatcher, load_content(), group_key=None)
