"""Conversation tests on the real stack: every leaflet topic and multi-turn flows (REST channel)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml

from tests.conftest import THUISARTS_HIP, Stack, new_sender, texts, titles

SCRIPT = yaml.safe_load((Path(__file__).parent / "data" / "conversations.yml").read_text(encoding="utf-8"))


def check_turn(messages: List[Dict[str, Any]], turn: Dict[str, Any]) -> None:
    reply = texts(messages)
    for fragment in turn.get("expect", []):
        assert fragment in reply, f"{turn['user']!r}: expected {fragment!r} in:\n{reply}"
    for fragment in turn.get("absent", []):
        assert fragment not in reply, f"{turn['user']!r}: did not expect {fragment!r} in:\n{reply}"
    shown = titles(messages)
    for title in turn.get("buttons", []):
        assert title in shown, f"{turn['user']!r}: expected button {title!r}, got {shown}"
    for title in turn.get("absent_buttons", []):
        assert title not in shown, f"{turn['user']!r}: did not expect button {title!r}, got {shown}"


@pytest.mark.parametrize("intent", sorted(SCRIPT["topics"]))
def test_every_topic_is_answered_with_a_link_and_next_steps(stack: Stack, intent: str) -> None:
    question, fragment = SCRIPT["topics"][intent]
    messages = stack.say(new_sender(), question)
    check_turn(
        messages, {"user": question, "expect": [fragment, THUISARTS_HIP], "buttons": ["Meer lezen", "Alle onderwerpen"]}
    )


@pytest.mark.parametrize("flow", SCRIPT["flows"], ids=[flow["name"] for flow in SCRIPT["flows"]])
def test_flow(stack: Stack, flow: Dict[str, Any]) -> None:
    sender = new_sender()
    for turn in flow["turns"]:
        check_turn(stack.say(sender, turn["user"]), turn)


def test_conversation_is_stored_with_the_current_topic(stack: Stack) -> None:
    sender = new_sender()
    stack.say(sender, "hoeveel moet ik eigenlijk bewegen per week?")
    tracker = stack.tracker(sender)
    assert tracker["slots"]["topic"] == "ask_exercise"
    actions = [e["name"] for e in tracker["events"] if e["event"] == "action"]
    assert "action_answer_topic" in actions


def test_feedback_is_stored_as_a_tracker_event_with_the_topic(stack: Stack) -> None:
    sender = new_sender()
    stack.say(sender, "wanneer moet ik nou naar een fysio gaan?")
    stack.say(sender, "/feedback_positive")
    events = stack.tracker(sender)["events"]
    stored = [e["value"] for e in events if e["event"] == "slot" and e["name"] == "feedback"]
    assert stored == [{"topic": "ask_when_therapist", "rating": "positive"}]
