"""The Beweegcheck: reading a number of days, the form's questions and re-asks, the result."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.beweegcheck import (
    ActionBeweegcheckResult,
    ActionBeweegcheckStart,
    ValidateBeweegcheckForm,
    advice,
    days_text,
    is_stop,
    parse_days,
)
from tests.conftest import make_tracker, run_action


@pytest.mark.parametrize(
    "text,days",
    [
        ("3", 3),
        ("drie", 3),
        ("Drie!", 3),
        ("twee keer", 2),
        ("3x", 3),
        ("elke dag", 7),
        ("dagelijks", 7),
        ("geen", 0),
        ("nooit", 0),
        ("0", 0),
        ("nul", 0),
        ("één", 1),
        ("een keer per week", 1),
        ("ik wandel elke dag 30 minuten", 7),
        ("4 keer per week een half uur", 4),
        ("zeven", 7),
        ("doordeweeks", 5),
        ("ik beweeg niet", 0),
        ("5 dagen een uur", 5),
    ],
)
def test_days_are_read_from_digits_and_dutch_words(text: str, days: int) -> None:
    answer = parse_days(text)
    assert answer.ok and answer.days == days


@pytest.mark.parametrize(
    "text,problem",
    [
        ("8 dagen", "out_of_range"),
        ("-1", "out_of_range"),
        ("10", "out_of_range"),
        ("acht", "out_of_range"),
        ("2 of 3", "ambiguous"),
        ("een paar dagen", "ambiguous"),
        ("soms", "ambiguous"),
        ("geen idee", "unreadable"),
        ("weet ik niet", "unreadable"),
        ("banaan", "unreadable"),
        ("", "unreadable"),
    ],
)
def test_impossible_or_unclear_answers_are_not_accepted(text: str, problem: str) -> None:
    assert parse_days(text).problem == problem


@pytest.mark.parametrize("text", ["stop", "Stop!", "laat maar", "ik wil stoppen", "hou op", "nee bedankt"])
def test_stop_words(text: str) -> None:
    assert is_stop(text)


def validate(
    slot: str, text: str | None, intent: str = "nlu_fallback"
) -> tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    trk = make_tracker(intent, text=text, slots={slot: text, "requested_slot": slot})
    trk.events.append({"event": "slot", "name": slot, "value": text})  # what the form extracted
    dispatcher = CollectingDispatcher()
    events = asyncio.run(
        ValidateBeweegcheckForm().run(
            dispatcher,
            trk,
            {"forms": {"beweegcheck_form": {"required_slots": ["beweeg_days_moderate", "beweeg_days_strength"]}}},
        )
    )
    return dispatcher.messages, events


def test_form_accepts_a_number_word() -> None:
    messages, events = validate("beweeg_days_moderate", "drie")
    assert SlotSet("beweeg_days_moderate", 3) in events and messages == []


@pytest.mark.parametrize(
    "text,response",
    [
        ("8 dagen", "utter_beweegcheck_out_of_range"),
        ("-1", "utter_beweegcheck_out_of_range"),
        ("weet ik niet", "utter_beweegcheck_unreadable"),
    ],
)
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
    messages, events = run_action(ActionBeweegcheckStart(), make_tracker("beweegcheck"))
    assert messages[0]["response"] == "utter_beweegcheck_intro"
    assert SlotSet("beweeg_days_moderate", None) in events and SlotSet("beweeg_days_strength", None) in events


def test_result_after_stopping_says_so_and_gives_no_advice() -> None:
    messages, _ = run_action(ActionBeweegcheckResult(), make_tracker("stop", slots={"beweeg_days_moderate": 3}))
    assert [m["response"] for m in messages] == ["utter_beweegcheck_stopped"]


def test_result_compares_with_the_beweegnorm() -> None:
    messages, events = run_action(
        ActionBeweegcheckResult(), make_tracker("inform", slots={"beweeg_days_moderate": 3, "beweeg_days_strength": 2})
    )
    assert [m["response"] for m in messages] == [
        "utter_beweegcheck_moderate_more",
        "utter_beweegcheck_strength_ok",
        "utter_beweegcheck_closing",
    ]
    assert messages[0]["extra_days"] == "2 dagen" and messages[0]["moderate_days"] == "op 3 dagen"
    assert SlotSet("beweeg_days_moderate", None) in events


@pytest.mark.parametrize(
    "moderate,strength,expected",
    [
        (5, 2, ["utter_beweegcheck_norm_met"]),
        (7, 3, ["utter_beweegcheck_norm_met"]),
        (5, 0, ["utter_beweegcheck_moderate_ok", "utter_beweegcheck_strength_more"]),
        (0, 0, ["utter_beweegcheck_moderate_more", "utter_beweegcheck_strength_more"]),
        (4, 1, ["utter_beweegcheck_moderate_more", "utter_beweegcheck_strength_more"]),
    ],
)
def test_advice_per_answer(moderate: int, strength: int, expected: List[str]) -> None:
    assert [name for name, _ in advice(moderate, strength)] == expected


def test_day_texts() -> None:
    assert [days_text(n) for n in (0, 1, 4)] == ["op geen enkele dag", "op 1 dag", "op 4 dagen"]


def test_start_of_the_form_does_not_complain_about_the_cleared_slots() -> None:
    messages, events = validate("beweeg_days_moderate", None)
    assert messages == [] and SlotSet("requested_slot", None) not in events
