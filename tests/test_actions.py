"""Unit tests of the custom actions (no servers needed)."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import ActionAnswerTopic, ActionMoreInfo, ActionShowMenu
from actions.content import ContentError, build_content, load_content
from tests.conftest import THUISARTS_HIP

CONTENT = load_content()


def make_tracker(
    intent: str = "greet",
    slots: Optional[Dict[str, Any]] = None,
    entities: Optional[List[Dict[str, Any]]] = None,
    events: Optional[List[Dict[str, Any]]] = None,
) -> Tracker:
    return Tracker(
        sender_id="unit",
        slots=slots or {},
        latest_message={"intent": {"name": intent, "confidence": 0.99}, "entities": entities or [], "text": ""},
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run(action: Any, tracker: Tracker) -> tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, {})
    return dispatcher.messages, events


def titles(messages: List[Dict[str, Any]]) -> List[str]:
    return [button["title"] for message in messages for button in message.get("buttons", [])]


EARLIER_ANSWER = [{"event": "action", "name": "action_answer_topic"}]  # no feedback question now


@pytest.mark.parametrize("intent", sorted(CONTENT.topics))
def test_answer_topic_utters_its_answer_link_and_next_steps(intent: str) -> None:
    messages, events = run(ActionAnswerTopic(), make_tracker(intent, events=EARLIER_ANSWER))
    assert messages[0]["response"] == f"utter_{intent}"
    assert THUISARTS_HIP in messages[1]["text"]
    topic = CONTENT.topics[intent]
    related_labels = [CONTENT.topics[i].label for i in topic.related]
    extra = [title for title, _ in topic.extra_buttons]
    assert titles(messages) == related_labels + extra + ["Meer lezen", "Andere onderwerpen"]
    assert events == [SlotSet("topic", intent)]


@pytest.mark.parametrize("intent", sorted(CONTENT.topics))
def test_feedback_question_comes_last_with_the_way_on(intent: str) -> None:
    messages, _ = run(ActionAnswerTopic(), make_tracker(intent))  # the first answer: feedback is asked
    assert THUISARTS_HIP in messages[1]["text"] and not messages[1].get("buttons")
    assert messages[-1]["response"] == "utter_feedback_ask"
    extra = [title for title, _ in CONTENT.topics[intent].extra_buttons]
    assert titles(messages) == extra + ["Meer lezen", "Andere onderwerpen"]


def test_the_exercise_answer_offers_the_beweegcheck() -> None:
    for events in ([], EARLIER_ANSWER):
        messages, _ = run(ActionAnswerTopic(), make_tracker("ask_exercise", events=events))
        assert {"title": "Beweeg ik genoeg?", "payload": "/beweegcheck"} in messages[-1]["buttons"]


def test_answer_topic_on_unknown_intent_falls_back_to_the_menu_without_setting_a_topic() -> None:
    messages, events = run(ActionAnswerTopic(), make_tracker("greet"))
    assert messages[0]["response"] == "utter_fallback"
    assert "Wat kan ik zelf doen?" in titles(messages)
    assert events == []


def test_more_info_uses_the_current_topic() -> None:
    messages, events = run(ActionMoreInfo(), make_tracker("more_info", slots={"topic": "ask_exercise"}))
    text = messages[0]["text"]
    assert "Bewegen en Beweegnorm" in text
    assert f"[Ik heb artrose van de heup]({THUISARTS_HIP})" in text
    assert "https://reumanederland.nl/" in text
    assert "Andere onderwerpen" in titles(messages)
    assert events == []


def test_more_info_without_a_topic_offers_the_general_links() -> None:
    messages, _ = run(ActionMoreInfo(), make_tracker("more_info"))
    assert messages[0]["response"] == "utter_more_info_no_topic"
    assert THUISARTS_HIP in messages[1]["text"]


def test_menu_without_group_lists_the_groups_with_entity_payloads() -> None:
    messages, _ = run(ActionShowMenu(), make_tracker("help"))
    buttons = messages[0]["buttons"]
    assert [b["title"] for b in buttons] == [g.label for g in CONTENT.groups.values()]
    assert buttons[1]["payload"] == '/help{"menu_group": "zelf_doen"}'


def test_menu_with_group_lists_its_topics() -> None:
    entities = [{"entity": "menu_group", "value": "kunstheup"}]
    messages, _ = run(ActionShowMenu(), make_tracker("help", entities=entities))
    assert "Kunstheup en operatie" in messages[0]["text"]
    assert titles(messages)[:2] == ["Wanneer een kunstheup?", "Operatie uitstellen?"]
    assert messages[0]["buttons"][0]["payload"] == "/ask_hip_replacement"


def test_menu_with_unknown_group_shows_the_groups() -> None:
    entities = [{"entity": "menu_group", "value": "<script>"}]
    messages, _ = run(ActionShowMenu(), make_tracker("help", entities=entities))
    assert messages[0]["response"] == "utter_menu_intro"


BODY_PARTS = {"default": {"title": "Thuisarts.nl", "site": "Thuisarts.nl", "url": "https://www.thuisarts.nl/"}}

RAW_TOPICS = {
    "groups": {"g": {"label": "G", "topics": ["ask_a"]}},
    "topics": {"ask_a": {"label": "A", "related": []}},
}


def test_content_rejects_a_topic_without_link() -> None:
    with pytest.raises(ContentError, match="no link"):
        build_content(RAW_TOPICS, [{"title": "t", "site": "s", "url": "https://x.nl/", "topics": ["ask_b"]}], BODY_PARTS)


def test_content_rejects_plain_http_links() -> None:
    with pytest.raises(ContentError, match="https"):
        build_content(RAW_TOPICS, [{"title": "t", "site": "s", "url": "http://x.nl/", "topics": "all"}], BODY_PARTS)


def test_content_rejects_unknown_related_topic() -> None:
    raw = {"groups": RAW_TOPICS["groups"], "topics": {"ask_a": {"label": "A", "related": ["ask_zz"]}}}
    with pytest.raises(ContentError, match="unknown topics"):
        build_content(raw, [{"title": "t", "site": "s", "url": "https://x.nl/", "topics": "all"}], BODY_PARTS)


def test_content_requires_a_default_link_for_other_body_parts() -> None:
    with pytest.raises(ContentError, match="default"):
        build_content(RAW_TOPICS, [{"title": "t", "site": "s", "url": "https://x.nl/", "topics": "all"}], {})
