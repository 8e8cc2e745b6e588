"""Unit tests of the safety and conversation-quality actions (issue 3): honest fallback,
yes/no in context, feedback, declines, Beweegcheck. No servers needed."""
from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.actions import (
    PRACTICE,
    ActionAnswerTopic,
    ActionBeweegcheckResult,
    ActionBeweegcheckStart,
    ActionClarify,
    ActionContact,
    ActionDecline,
    ActionDeclineBodyPart,
    ActionFeedback,
    ActionPrivacy,
    ActionYesNo,
    ValidateBeweegcheckForm,
    beweegcheck_advice,
)
from actions.beweegcheck import days_text, is_stop, parse_days

FEEDBACK_BUTTONS = [{"title": "👍 Ja", "payload": "/feedback_positive"},
                    {"title": "👎 Nee", "payload": "/feedback_negative"}]


def action(name: str) -> Dict[str, Any]:
    return {"event": "action", "name": name}


def user(intent: str, text: str = "") -> Dict[str, Any]:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


def bot(text: str, buttons: Optional[List[Dict[str, str]]] = None, response: Optional[str] = None) -> Dict[str, Any]:
    """A bot message; `response` is the domain response it came from (Rasa stores it as utter_action)."""
    return {"event": "bot", "text": text, "data": {"buttons": buttons or []},
            "metadata": {"utter_action": response} if response else {}}


def tracker(
    intent: str,
    events: Optional[List[Dict[str, Any]]] = None,
    slots: Optional[Dict[str, Any]] = None,
    ranking: Optional[List[Dict[str, Any]]] = None,
    entities: Optional[List[Dict[str, Any]]] = None,
    text: str = "",
) -> Tracker:
    latest = {"intent": {"name": intent, "confidence": 0.4}, "entities": entities or [], "text": text,
              "intent_ranking": ranking or []}
    return Tracker("unit", slots or {}, latest, (events or []) + [user(intent, text)], False, None, {},
                   "action_listen")


def run(act: Any, trk: Tracker) -> tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    return dispatcher.messages, act.run(dispatcher, trk, {})


def titles(messages: List[Dict[str, Any]]) -> List[str]:
    return [b["title"] for m in messages for b in m.get("buttons") or []]


# --- practice details -------------------------------------------------------------------------
@pytest.mark.parametrize("act,response", [(ActionContact(), "utter_contact"), (ActionPrivacy(), "utter_privacy")])
def test_practice_answers_carry_the_configured_details(act: Any, response: str) -> None:
    messages, _ = run(act, tracker("contact"))
    assert messages[0]["response"] == response
    assert messages[0]["practice_phone"] == PRACTICE.phone
    assert messages[0]["practice_email"] == PRACTICE.email
    assert messages[0]["practice_booking_url"] == PRACTICE.booking_url


# --- honest fallback --------------------------------------------------------------------------
RANKING = [{"name": "nlu_fallback", "confidence": 0.45}, {"name": "greet", "confidence": 0.3},
           {"name": "ask_pain", "confidence": 0.25}, {"name": "red_flag_urgent", "confidence": 0.1},
           {"name": "ask_exercise", "confidence": 0.05}, {"name": "ask_xray", "confidence": 0.01}]


HIP_QUESTION = "mijn heup doet zeer als ik ga wandelen"


def test_first_miss_offers_the_two_most_likely_topics() -> None:
    messages, _ = run(ActionClarify(), tracker("nlu_fallback", ranking=RANKING, text=HIP_QUESTION))
    assert messages[0]["response"] == "utter_clarify"
    assert titles(messages) == ["Omgaan met pijn", "Bewegen en Beweegnorm", "Iets anders"]
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/ask_pain", "/ask_exercise", "/deny"]


UNSURE = [{"name": "nlu_fallback", "confidence": 0.3}, {"name": "greet", "confidence": 0.2},
          {"name": "ask_pain", "confidence": 0.08}, {"name": "ask_exercise", "confidence": 0.05}]


@pytest.mark.parametrize("ranking", [UNSURE, [{"name": "out_of_scope", "confidence": 0.4}] + RANKING[1:]],
                         ids=["no-shared-words", "out-of-scope-first"])
def test_a_miss_about_something_else_is_declined_without_hip_buttons(ranking: List[Dict[str, Any]]) -> None:
    messages, _ = run(ActionClarify(), tracker("nlu_fallback", ranking=ranking, text="wat voor weer wordt het morgen"))
    assert [m["response"] for m in messages] == ["utter_out_of_scope"]
    assert not any(m.get("buttons") for m in messages)


def test_start_of_the_form_does_not_complain_about_the_cleared_slots() -> None:
    messages, events = validate("beweeg_days_moderate", None)
    assert messages == [] and SlotSet("requested_slot", None) not in events


def test_second_miss_in_a_row_shows_the_menu_and_the_practice() -> None:
    earlier = [action("action_listen"), user("nlu_fallback"), action("action_clarify"),
               bot("Bedoel je", response="utter_clarify"), action("action_listen")]
    messages, _ = run(ActionClarify(), tracker("nlu_fallback", events=earlier, ranking=RANKING, text=HIP_QUESTION))
    assert messages[0]["response"] == "utter_second_miss"
    assert messages[0]["practice_phone"] == PRACTICE.phone
    assert "Wat kan ik zelf doen?" in titles(messages)


def test_a_miss_after_an_answer_is_a_first_miss_again() -> None:
    earlier = [user("nlu_fallback"), action("action_clarify"), bot("Bedoel je", response="utter_clarify"),
               user("ask_pain"), action("action_answer_topic"), bot("Je therapeut ...", response="utter_ask_pain")]
    messages, _ = run(ActionClarify(), tracker("nlu_fallback", events=earlier, ranking=RANKING, text=HIP_QUESTION))
    assert messages[0]["response"] == "utter_clarify"


def test_yes_after_bedoel_je_lets_the_patient_pick_and_no_is_a_second_miss() -> None:
    options = [{"title": "Omgaan met pijn", "payload": "/ask_pain"}, {"title": "Iets anders", "payload": "/deny"}]
    earlier = [user("nlu_fallback"), action("action_clarify"), bot("Bedoel je", options, "utter_clarify"),
               action("action_listen")]
    messages, _ = run(ActionYesNo(), tracker("affirm", events=earlier))
    assert messages[0]["response"] == "utter_clarify_pick" and messages[0]["buttons"] == options
    messages, _ = run(ActionYesNo(), tracker("deny", events=earlier))
    assert messages[0]["response"] == "utter_second_miss"


def test_yes_or_no_without_a_question_shows_the_menu() -> None:
    messages, events = run(ActionYesNo(), tracker("affirm", events=[bot("Dag!")]))
    assert messages[0]["response"] == "utter_yes_no"
    assert events == []


# --- feedback ---------------------------------------------------------------------------------
def answers(count: int, intent: str = "ask_pain") -> List[Dict[str, Any]]:
    return [e for _ in range(count) for e in (user(intent), action("action_answer_topic"))]


def asks_feedback(events: List[Dict[str, Any]], intent: str = "ask_exercise") -> bool:
    messages, _ = run(ActionAnswerTopic(), tracker(intent, events=events))
    return any(m.get("response") == "utter_feedback_ask" for m in messages)


def test_feedback_is_asked_after_the_first_answer_and_then_every_third() -> None:
    asked = [asks_feedback(answers(n)) for n in range(7)]
    assert asked == [True, False, False, True, False, False, True]


def test_feedback_is_not_asked_again_for_a_rated_topic_and_counts_restart_per_session() -> None:
    rated = answers(3) + [{"event": "slot", "name": "feedback", "value": {"topic": "ask_exercise", "rating": "positive"}}]
    assert not asks_feedback(rated)
    assert asks_feedback(rated, intent="ask_xray")
    assert asks_feedback(answers(2) + [{"event": "session_started"}])


@pytest.mark.parametrize("intent,rating", [("feedback_positive", "positive"), ("feedback_negative", "negative")])
def test_feedback_is_stored_with_the_topic(intent: str, rating: str) -> None:
    messages, events = run(ActionFeedback(), tracker(intent, slots={"topic": "ask_pain"}))
    assert events == [SlotSet("feedback", {"topic": "ask_pain", "rating": rating})]
    assert messages[0]["response"] == f"utter_{intent}"


def test_thumbs_down_offers_the_practice_contact() -> None:
    messages, _ = run(ActionFeedback(), tracker("feedback_negative", slots={"topic": "ask_pain"}))
    assert messages[0]["practice_phone"] == PRACTICE.phone and messages[0]["practice_email"] == PRACTICE.email


@pytest.mark.parametrize("intent,rating", [("affirm", "positive"), ("deny", "negative")])
def test_a_bare_yes_or_no_after_the_feedback_question_is_feedback(intent: str, rating: str) -> None:
    earlier = [action("action_answer_topic"), bot("Had je iets aan dit antwoord?", FEEDBACK_BUTTONS)]
    _, events = run(ActionYesNo(), tracker(intent, events=earlier, slots={"topic": "ask_xray"}))
    assert events == [SlotSet("feedback", {"topic": "ask_xray", "rating": rating})]


# --- declines ---------------------------------------------------------------------------------
def test_knee_complaints_get_the_thuisarts_knee_page() -> None:
    entities = [{"entity": "body_part", "value": "knie"}]
    messages, _ = run(ActionDeclineBodyPart(), tracker("other_body_part", entities=entities))
    assert messages[0]["body_part"] == "je knie"
    assert "https://www.thuisarts.nl/artrose/ik-heb-artrose-van-knie" in messages[0]["body_part_link"]


def test_other_body_parts_get_the_thuisarts_home_page() -> None:
    entities = [{"entity": "body_part", "value": "elleboog"}]
    messages, _ = run(ActionDeclineBodyPart(), tracker("other_body_part", entities=entities))
    assert messages[0]["body_part"] == "je elleboog"
    assert messages[0]["body_part_link"] == "[Thuisarts.nl](https://www.thuisarts.nl/)"


# --- Beweegcheck ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text,days",
    [("3", 3), ("drie", 3), ("Drie!", 3), ("twee keer", 2), ("3x", 3), ("elke dag", 7), ("dagelijks", 7),
     ("geen", 0), ("nooit", 0), ("0", 0), ("nul", 0), ("één", 1), ("een keer per week", 1),
     ("ik wandel elke dag 30 minuten", 7), ("4 keer per week een half uur", 4), ("zeven", 7),
     ("doordeweeks", 5), ("ik beweeg niet", 0), ("5 dagen een uur", 5)],
)
def test_days_are_read_from_digits_and_dutch_words(text: str, days: int) -> None:
    answer = parse_days(text)
    assert answer.ok and answer.days == days


@pytest.mark.parametrize(
    "text,problem",
    [("8 dagen", "out_of_range"), ("-1", "out_of_range"), ("10", "out_of_range"), ("acht", "out_of_range"),
     ("2 of 3", "ambiguous"), ("een paar dagen", "ambiguous"), ("soms", "ambiguous"),
     ("geen idee", "unreadable"), ("weet ik niet", "unreadable"), ("banaan", "unreadable"), ("", "unreadable")],
)
def test_impossible_or_unclear_answers_are_not_accepted(text: str, problem: str) -> None:
    assert parse_days(text).problem == problem


@pytest.mark.parametrize("text", ["stop", "Stop!", "laat maar", "ik wil stoppen", "hou op", "nee bedankt"])
def test_stop_words(text: str) -> None:
    assert is_stop(text)


def validate(slot: str, text: Optional[str], intent: str = "nlu_fallback") -> tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    trk = tracker(intent, text=text, slots={slot: text, "requested_slot": slot})
    trk.events.append({"event": "slot", "name": slot, "value": text})  # what the form extracted
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateBeweegcheckForm().run(dispatcher, trk, {"forms": {"beweegcheck_form": {
        "required_slots": ["beweeg_days_moderate", "beweeg_days_strength"]}}}))
    return dispatcher.messages, events


def test_form_accepts_a_number_word() -> None:
    messages, events = validate("beweeg_days_moderate", "drie")
    assert SlotSet("beweeg_days_moderate", 3) in events and messages == []


@pytest.mark.parametrize("text,response", [("8 dagen", "utter_beweegcheck_out_of_range"),
                                           ("-1", "utter_beweegcheck_out_of_range"),
                                           ("weet ik niet", "utter_beweegcheck_unreadable")])
def test_form_re_asks_kindly_after_an_impossible_answer(text: str, response: str) -> None:
    messages, events = validate("beweeg_days_strength", text)
    assert SlotSet("beweeg_days_strength", None) in events
    assert messages[0]["response"] == response
    assert SlotSet("requested_slot", None) not in events


@pytest.mark.parametrize("text,intent", [("laat maar", "nlu_fallback"), ("ik kap ermee", "stop")])
def test_form_stops_when_the_patient_wants_to(text: str, intent: str) -> None:
    _, events = validate("beweeg_days_moderate", text, intent=intent)
    assert SlotSet("requested_slot", None) in events


def test_a_number_is_an_answer_even_if_the_nlu_took_it_for_goodbye() -> None:
    _, events = validate("beweeg_days_moderate", "2", intent="goodbye")
    assert SlotSet("beweeg_days_moderate", 2) in events and SlotSet("requested_slot", None) not in events


def test_start_clears_old_answers() -> None:
    messages, events = run(ActionBeweegcheckStart(), tracker("beweegcheck"))
    assert messages[0]["response"] == "utter_beweegcheck_intro"
    assert SlotSet("beweeg_days_moderate", None) in events and SlotSet("beweeg_days_strength", None) in events


def test_result_after_stopping_says_so_and_gives_no_advice() -> None:
    messages, _ = run(ActionBeweegcheckResult(), tracker("stop", slots={"beweeg_days_moderate": 3}))
    assert [m["response"] for m in messages] == ["utter_beweegcheck_stopped"]


def test_result_compares_with_the_beweegnorm() -> None:
    messages, events = run(ActionBeweegcheckResult(), tracker("inform", slots={
        "beweeg_days_moderate": 3, "beweeg_days_strength": 2}))
    assert [m["response"] for m in messages] == [
        "utter_beweegcheck_moderate_more", "utter_beweegcheck_strength_ok", "utter_beweegcheck_closing"]
    assert messages[0]["extra_days"] == "2 dagen" and messages[0]["moderate_days"] == "op 3 dagen"
    assert SlotSet("beweeg_days_moderate", None) in events


@pytest.mark.parametrize(
    "moderate,strength,expected",
    [(5, 2, ["utter_beweegcheck_norm_met"]), (7, 3, ["utter_beweegcheck_norm_met"]),
     (5, 0, ["utter_beweegcheck_moderate_ok", "utter_beweegcheck_strength_more"]),
     (0, 0, ["utter_beweegcheck_moderate_more", "utter_beweegcheck_strength_more"]),
     (4, 1, ["utter_beweegcheck_moderate_more", "utter_beweegcheck_strength_more"])],
)
def test_advice_per_answer(moderate: int, strength: int, expected: List[str]) -> None:
    assert [name for name, _ in beweegcheck_advice(moderate, strength)] == expected


def test_day_texts() -> None:
    assert [days_text(n) for n in (0, 1, 4)] == ["op geen enkele dag", "op 1 dag", "op 4 dagen"]


# --- "past dat bij heupartrose?" ---------------------------------------------------------------------
FIT_ANSWER = ["utter_symptom_fit_intro", "utter_ask_symptoms", "utter_symptom_fit_next"]


@pytest.mark.parametrize("intent,text", [
    ("ask_pain", "mijn lies doet zeer na het wandelen, kan dat artrose zijn?"),
    ("ask_symptoms", "stijf in de ochtend, past dat bij heupartrose"),
    ("diagnosis_request", "ik heb pijn in mijn heup bij het opstaan, heb ik artrose?"),
])
def test_a_complaint_plus_does_it_fit_gets_the_symptoms_and_the_way_to_a_professional(intent: str, text: str) -> None:
    act = ActionDecline() if intent == "diagnosis_request" else ActionAnswerTopic()
    messages, events = run(act, tracker(intent, text=text))
    assert [m["response"] for m in messages] == FIT_ANSWER
    assert SlotSet("topic", "ask_symptoms") in events


def test_a_bare_request_for_a_diagnosis_is_declined() -> None:
    messages, _ = run(ActionDecline(), tracker("diagnosis_request", text="heb ik artrose?"))
    assert [m["response"] for m in messages] == ["utter_decline_diagnosis"]


def test_an_unsure_follow_up_is_answered_from_the_conversation_topic() -> None:
    ranking = [{"name": "nlu_fallback", "confidence": 0.3}, {"name": "follow_up", "confidence": 0.43},
               {"name": "ask_therapy_duration", "confidence": 0.4}]
    messages, _ = run(ActionClarify(), tracker("nlu_fallback", ranking=ranking, text="hoe vaak in de week?",
                                               slots={"topic": "ask_exercise"}))
    assert [m["response"] for m in messages] == ["utter_follow_up_exercise_amount"]
