"""The deterministic scope check: complaints about other body parts than the hip."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message

from components.scope import other_body_part
from tests.test_data import ROOT


@pytest.mark.parametrize(
    "text,part",
    [
        ("mijn elleboog doet pijn", "elleboog"),
        ("ik heb buikpijn", "buik"),
        ("kniepijn na het fietsen", "knie"),
        ("ik heb artrose in mijn knieën", "knie"),
        ("mijn schoudr doet zeer", "schouder"),  # typo
        ("eleboog is dik", "elleboog"),  # typo
        ("ik heb last van mijn onderrug", "rug"),
        ("mijn handen zijn stijf in de ochtend", "hand"),
        ("rugklachten", "rug"),
        ("mijn nek zit vast", "nek"),
        ("hoofdpijn", "hoofd"),
    ],
)
def test_complaints_about_other_body_parts_are_recognised(text: str, part: str) -> None:
    assert other_body_part(text) == part


@pytest.mark.parametrize(
    "text",
    [
        "ik heb pijn in mijn heup en ook in mijn knie",  # the hip is named: still a hip question
        "pijn in mijn lies",
        "mijn kunstheup doet pijn bij het lopen",
        "mag ik op mijn rug slapen?",  # a body part, but no complaint
        "wat is er aan de hand met het kraakbeen bij artrose",  # idiom
        "mijn operatie is achter de rug, wat nu",  # idiom
        "moeten ze een foto maken om artrose te zien?",  # "moeten" is not "voeten"
        "wat doe ik tegen pijn",
        "heb ik artrose?",
    ],
)
def test_hip_questions_and_idioms_are_left_alone(text: str) -> None:
    assert other_body_part(text) is None


def test_no_hip_training_or_test_example_is_mistaken_for_another_body_part() -> None:
    red_flags = {"red_flag_emergency", "red_flag_urgent"}  # those are answered first anyway
    for path in (ROOT / "data" / "nlu", ROOT / "tests" / "data" / "nlu_test.yml"):
        for example in load_data(str(path)).intent_examples:
            intent = example.get("intent")
            part: str | None = other_body_part(example.get("text"))
            if intent not in red_flags | {"other_body_part"}:
                assert part is None, f"{example.get('text')!r} ({intent}) taken for '{part}'"


def diet_message(text: str, ranking: list) -> Message:
    message = Message(data={"text": text})
    message.set("intent", ranking[0])
    message.set("intent_ranking", ranking)
    return message


def test_component_overrides_diet_and_names_the_body_part() -> None:
    from components.scope_classifier import ScopeClassifier

    message = diet_message("mijn elleboog doet pijn", [{"name": "ask_pain", "confidence": 0.9}])
    ScopeClassifier().process([message])
    assert message.get("intent") == {"name": "other_body_part", "confidence": 1.0}
    assert message.get("intent_ranking") == [{"name": "other_body_part", "confidence": 1.0}]
    assert [(e["entity"], e["value"]) for e in message.get("entities")] == [("body_part", "elleboog")]


def test_component_demotes_diet_when_the_hip_is_named_and_leaves_red_flags_alone() -> None:
    from components.scope_classifier import ScopeClassifier

    hip = diet_message(
        "pijn in mijn heup en in mijn knie",
        [{"name": "other_body_part", "confidence": 0.9}, {"name": "ask_pain", "confidence": 0.1}],
    )
    flag = diet_message("mijn knie is rood en dik en ik heb koorts", [{"name": "red_flag_urgent", "confidence": 1.0}])
    ScopeClassifier().process([hip, flag])
    assert hip.get("intent")["name"] == "ask_pain"
    assert flag.get("intent")["name"] == "red_flag_urgent" and not flag.get("entities")
