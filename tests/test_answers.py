"""Answers: a leaflet topic with its link and next steps, the feedback question, "past dat bij
heupartrose?", more to read, the menu, the practice's details, and the content files behind them."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.events import SlotSet

from actions.answers import ActionAnswerTopic, ActionContact, ActionMoreInfo, ActionPrivacy, ActionShowMenu
from actions.conversation import ActionClarify, ActionDecline, ActionDeclineBodyPart
from actions.replies import PRACTICE
from heupwijzer.content import ContentError, build_content, load_content
from tests.conftest import THUISARTS_HIP, make_tracker, run_action, titles

CONTENT = load_content()


EARLIER_ANSWER = [{"event": "action", "name": "action_answer_topic"}]  # no feedback question now


@pytest.mark.parametrize("intent", sorted(CONTENT.topics))
def test_answer_topic_utters_its_answer_link_and_next_steps(intent: str) -> None:
    messages, events = run_action(ActionAnswerTopic(), make_tracker(intent, events=EARLIER_ANSWER))
    assert messages[0]["response"] == f"utter_{intent}"
    assert messages[1]["response"] == "utter_read_more" and THUISARTS_HIP in messages[1]["link"]
    topic = CONTENT.topics[intent]
    related_labels = [CONTENT.topics[i].label for i in topic.related]
    extra = [title for title, _ in topic.extra_buttons]
    assert titles(messages) == related_labels + extra + ["Meer lezen", "Alle onderwerpen"]
    assert events == [SlotSet("topic", intent)]


@pytest.mark.parametrize("intent", sorted(CONTENT.topics))
def test_feedback_question_comes_last_with_the_way_on(intent: str) -> None:
    messages, _ = run_action(ActionAnswerTopic(), make_tracker(intent))  # the first answer: feedback is asked
    assert THUISARTS_HIP in messages[1]["link"] and not messages[1].get("buttons")
    assert messages[-1]["response"] == "utter_feedback_ask"
    extra = [title for title, _ in CONTENT.topics[intent].extra_buttons]
    assert titles(messages) == extra + ["Meer lezen", "Alle onderwerpen"]


def test_the_exercise_answer_offers_the_beweegcheck() -> None:
    for events in ([], EARLIER_ANSWER):
        messages, _ = run_action(ActionAnswerTopic(), make_tracker("ask_exercise", events=events))
        assert {"title": "Beweeg ik genoeg?", "payload": "/beweegcheck"} in messages[-1]["buttons"]


def test_answer_topic_on_unknown_intent_falls_back_to_the_menu_without_setting_a_topic() -> None:
    messages, events = run_action(ActionAnswerTopic(), make_tracker("greet"))
    assert messages[0]["response"] == "utter_fallback"
    assert "Wat kan ik zelf doen?" in titles(messages)
    assert events == []


def test_more_info_uses_the_current_topic() -> None:
    messages, events = run_action(ActionMoreInfo(), make_tracker("more_info", slots={"topic": "ask_exercise"}))
    assert messages[0]["response"] == "utter_more_info_topic"
    assert messages[0]["topic_label"] == "Bewegen en Beweegnorm"
    assert f"[Ik heb artrose van de heup]({THUISARTS_HIP})" in messages[0]["links"]
    assert "https://reumanederland.nl/" in messages[0]["links"]
    assert "Alle onderwerpen" in titles(messages)
    assert events == []


def test_more_info_without_a_topic_offers_the_general_links() -> None:
    messages, _ = run_action(ActionMoreInfo(), make_tracker("more_info"))
    assert messages[0]["response"] == "utter_more_info_no_topic"
    assert THUISARTS_HIP in messages[1]["text"]


def test_menu_without_group_lists_the_groups_with_entity_payloads() -> None:
    messages, _ = run_action(ActionShowMenu(), make_tracker("help"))
    buttons = messages[0]["buttons"]
    assert [b["title"] for b in buttons] == [g.label for g in CONTENT.groups.values()]
    assert buttons[1]["payload"] == '/help{"menu_group": "zelf_doen"}'


def test_menu_with_group_lists_its_topics() -> None:
    entities = [{"entity": "menu_group", "value": "kunstheup"}]
    messages, _ = run_action(ActionShowMenu(), make_tracker("help", entities=entities))
    assert messages[0]["response"] == "utter_menu_group" and messages[0]["group_label"] == "Kunstheup en operatie"
    assert titles(messages)[:2] == ["Wanneer een kunstheup?", "Operatie uitstellen?"]
    assert messages[0]["buttons"][0]["payload"] == "/ask_hip_replacement"


def test_menu_with_unknown_group_shows_the_groups() -> None:
    entities = [{"entity": "menu_group", "value": "<script>"}]
    messages, _ = run_action(ActionShowMenu(), make_tracker("help", entities=entities))
    assert messages[0]["response"] == "utter_menu_intro"


BODY_PARTS = {"default": {"title": "Thuisarts.nl", "site": "Thuisarts.nl", "url": "https://www.thuisarts.nl/"}}

RAW_TOPICS = {
    "groups": {"g": {"label": "G", "topics": ["ask_a"]}},
    "topics": {"ask_a": {"label": "A", "related": []}},
}


def test_content_rejects_a_topic_without_link() -> None:
    with pytest.raises(ContentError, match="no link"):
        build_content(
            RAW_TOPICS, [{"title": "t", "site": "s", "url": "https://x.nl/", "topics": ["ask_b"]}], BODY_PARTS
        )


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


# --- practice details -------------------------------------------------------------------------
@pytest.mark.parametrize("act,response", [(ActionContact(), "utter_contact"), (ActionPrivacy(), "utter_privacy")])
def test_practice_answers_carry_the_configured_details(act: Any, response: str) -> None:
    messages, _ = run_action(act, make_tracker("contact"))
    assert messages[0]["response"] == response
    assert messages[0]["practice_phone"] == PRACTICE.phone
    assert messages[0]["practice_email"] == PRACTICE.email
    assert messages[0]["practice_booking_url"] == PRACTICE.booking_url


# --- "past dat bij heupartrose?" ---------------------------------------------------------------------
FIT_ANSWER = ["utter_symptom_fit_intro", "utter_ask_symptoms", "utter_symptom_fit_next"]


@pytest.mark.parametrize(
    "intent,text",
    [
        ("ask_pain", "mijn lies doet zeer na het wandelen, kan dat artrose zijn?"),
        ("ask_symptoms", "stijf in de ochtend, past dat bij heupartrose"),
        ("diagnosis_request", "ik heb pijn in mijn heup bij het opstaan, heb ik artrose?"),
    ],
)
def test_a_complaint_plus_does_it_fit_gets_the_symptoms_and_the_way_to_a_professional(intent: str, text: str) -> None:
    act = ActionDecline() if intent == "diagnosis_request" else ActionAnswerTopic()
    messages, events = run_action(act, make_tracker(intent, text=text))
    assert [m["response"] for m in messages] == FIT_ANSWER
    assert SlotSet("topic", "ask_symptoms") in events


def test_a_question_on_another_topic_that_names_a_complaint_gets_its_own_answer() -> None:
    """When to go to the fysio, with a complaint and "is het tijd": the topic's answer, not the fit answer."""
    text = "Traplopen gaat moeilijk met mijn heup. Is het tijd om naar de fysio te gaan?"
    messages, _ = run_action(ActionAnswerTopic(), make_tracker("ask_when_therapist", text=text))
    assert messages[0]["response"] == "utter_ask_when_therapist"


def test_a_bare_request_for_a_diagnosis_is_declined() -> None:
    messages, _ = run_action(ActionDecline(), make_tracker("diagnosis_request", text="heb ik artrose?"))
    assert [m["response"] for m in messages] == ["utter_decline_diagnosis"]


SAFETY_CHECK = [{"entity": "safety_check", "value": "warning"}]


@pytest.mark.parametrize(
    "action,intent",
    [
        (ActionDecline(), "out_of_scope"),
        (ActionDecline(), "dosage_question"),
        (ActionDeclineBodyPart(), "other_body_part"),
        (ActionClarify(), "nlu_fallback"),
    ],
)
def test_a_warning_sign_never_ends_in_a_decline_or_a_clarification(action: Any, intent: str) -> None:
    """The conditional check belongs in front of a calm answer only (issue 19): a message with a
    warning sign that would be declined or clarified gets the urgent advice instead."""
    ranking = [{"name": "ask_pain", "confidence": 0.3}, {"name": "ask_symptoms", "confidence": 0.2}]
    tracker = make_tracker(intent, entities=SAFETY_CHECK, ranking=ranking, text="ik ben gevallen op straat")
    messages, _ = run_action(action, tracker)
    assert [m.get("response") for m in messages] == ["utter_red_flag_urgent"]


def test_a_message_about_the_hip_or_its_care_is_clarified_not_declined() -> None:
    ranking = [
        {"name": "out_of_scope", "confidence": 0.3},
        {"name": "ask_treatment", "confidence": 0.05},
        {"name": "ask_examination", "confidence": 0.04},
    ]
    text = "Geachte, wat doet de kinesist zoal bij een eerste bezoek"
    about_the_hip = make_tracker(
        "nlu_fallback", ranking=ranking, entities=[{"entity": "hip_care", "value": "yes"}], text=text
    )
    messages, _ = run_action(ActionClarify(), about_the_hip)
    assert messages[0]["response"] == "utter_clarify"
    assert titles(messages)[:2] == [
        CONTENT.topics["ask_treatment"].button["title"],
        CONTENT.topics["ask_examination"].button["title"],
    ]
    messages, _ = run_action(ActionClarify(), make_tracker("nlu_fallback", ranking=ranking, text=text))
    assert messages[0]["response"] == "utter_out_of_scope"


def test_a_red_flag_only_close_behind_leaves_a_decline_plain() -> None:
    """No warning sign named, only DIET's red flag second ("op welke partij moet ik stemmen?"): the
    decline stays a decline, without the check in front of it."""
    tracker = make_tracker(
        "out_of_scope", entities=[{"entity": "safety_check", "value": "diet"}], text="op welke partij moet ik stemmen"
    )
    messages, _ = run_action(ActionDecline(), tracker)
    assert [m.get("response") for m in messages] == ["utter_out_of_scope"]


@pytest.mark.parametrize("action,intent", [(ActionDecline(), "out_of_scope"), (ActionClarify(), "nlu_fallback")])
def test_a_short_follow_up_after_an_answer_is_answered_not_declined(action: Any, intent: str) -> None:
    """ "why not?" or "how often?" right after the X-ray answer is about the X-ray, whatever the NLU guessed."""
    tracker = make_tracker(intent, text="why not?", slots={"topic": "ask_xray"})
    messages, _ = run_action(action, tracker)
    assert messages[0]["response"] == "utter_follow_up_why_xray"
    alone = make_tracker("out_of_scope", text="waarom niet?")
    messages, _ = run_action(ActionDecline(), alone)  # without a topic there is nothing to follow up
    assert messages[0]["response"] == "utter_out_of_scope"
    long_question = make_tracker(
        "out_of_scope", text="waarom is de lucht blauw en het gras groen", slots={"topic": "ask_xray"}
    )
    messages, _ = run_action(ActionDecline(), long_question)
    assert messages[0]["response"] == "utter_out_of_scope"
