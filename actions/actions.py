"""Custom actions: answer a topic with next steps, offer links for the current topic, show the menu."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.content import Content, Link, Topic, load_content

TOPIC_SLOT = "topic"
MENU_GROUP_ENTITY = "menu_group"
MORE_INFO_BUTTON = {"title": "Meer lezen", "payload": "/more_info"}
MENU_BUTTON = {"title": "Andere onderwerpen", "payload": "/help"}

Button = Dict[Text, Text]
Events = List[Dict[Text, Any]]


def topic_button(topic: Topic) -> Button:
    return {"title": topic.label, "payload": f"/{topic.intent}"}


def link_lines(links: tuple[Link, ...]) -> str:
    return "\n".join(f"- {link.markdown()}" for link in links)


def next_step_buttons(topic: Topic, content: Content) -> List[Button]:
    related = [topic_button(content.topics[intent]) for intent in topic.related]
    return related + [MORE_INFO_BUTTON, MENU_BUTTON]


def current_topic(tracker: Tracker, content: Content) -> Optional[Topic]:
    return content.topics.get(tracker.get_slot(TOPIC_SLOT) or "")


class ActionAnswerTopic(Action):
    """Answer the knowledge question the patient asked, point to the main link, offer next steps."""

    def name(self) -> Text:
        return "action_answer_topic"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> Events:
        content = load_content()
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        topic = content.topics.get(intent)
        if topic is None:
            dispatcher.utter_message(response="utter_fallback")
            return ActionShowMenu.show(dispatcher, content, group_key=None)
        dispatcher.utter_message(response=topic.response)
        main_link = topic.links[0]
        dispatcher.utter_message(
            text=f"Lees meer op {main_link.markdown()}",
            buttons=next_step_buttons(topic, content),
        )
        return [SlotSet(TOPIC_SLOT, topic.intent)]


class ActionMoreInfo(Action):
    """'Meer lezen' / 'waar lees ik meer': all links for the current topic, or the general ones."""

    def name(self) -> Text:
        return "action_more_info"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> Events:
        content = load_content()
        topic = current_topic(tracker, content)
        if topic is None:
            dispatcher.utter_message(response="utter_more_info_no_topic")
            dispatcher.utter_message(text=link_lines(content.general_links), buttons=[MENU_BUTTON])
            return []
        dispatcher.utter_message(
            text=f"Meer lezen over '{topic.label}':\n{link_lines(topic.links)}",
            buttons=[topic_button(content.topics[intent]) for intent in topic.related] + [MENU_BUTTON],
        )
        return []


class ActionShowMenu(Action):
    """The topic menu: first the groups, then the topics of the chosen group."""

    def name(self) -> Text:
        return "action_show_menu"

    @staticmethod
    def show(dispatcher: CollectingDispatcher, content: Content, group_key: Optional[str]) -> Events:
        group = content.groups.get(group_key or "")
        if group is None:
            buttons = [
                {"title": g.label, "payload": f'/help{{"{MENU_GROUP_ENTITY}": "{g.key}"}}'}
                for g in content.groups.values()
            ]
            dispatcher.utter_message(response="utter_menu_intro", buttons=buttons)
            return []
        buttons = [topic_button(content.topics[intent]) for intent in group.topics]
        dispatcher.utter_message(text=f"Onderwerpen bij '{group.label}':", buttons=buttons + [MENU_BUTTON])
        return []

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> Events:
        group_key = next(tracker.get_latest_entity_values(MENU_GROUP_ENTITY), None)
        return self.show(dispatcher, load_content(), group_key)
