"""Red flags: 100 % recall on the urgent set, no false alarm on look-alikes, answered first live."""
from __future__ import annotations

from pathlib import Path
from typing import List

import pytest
import yaml
from rasa.shared.nlu.training_data.loading import load_data

from components.red_flags import EMERGENCY, URGENT, detect, normalise, within_one_edit
from tests.conftest import Stack, new_sender, texts

ROOT = Path(__file__).resolve().parent.parent
SET = yaml.safe_load((Path(__file__).parent / "data" / "red_flags.yml").read_text(encoding="utf-8"))
EXPECTED = [(m, EMERGENCY) for m in SET["emergency"]] + [(m, URGENT) for m in SET["urgent"]]
CALM: List[str] = SET["calm"]


def test_the_set_is_broad_enough_and_kept_apart_from_training_data() -> None:
    assert len(EXPECTED) >= 40 and len(CALM) >= 20
    training = {normalise(e.get("text")) for e in load_data(str(ROOT / "data" / "nlu")).intent_examples}
    assert [m for m, _ in EXPECTED if normalise(m) in training] == []
    assert [m for m in CALM if normalise(m) in training] == []


def test_recall_is_complete_and_there_are_no_false_alarms(capsys: pytest.CaptureFixture) -> None:
    missed = [(m, level, detect(m)) for m, level in EXPECTED if detect(m) != level]
    alarms = [(m, detect(m)) for m in CALM if detect(m) is not None]
    with capsys.disabled():
        print(f"\nRed flags: recall {len(EXPECTED) - len(missed)}/{len(EXPECTED)}, "
              f"false alarms {len(alarms)}/{len(CALM)}")
    assert missed == []
    assert alarms == []


def test_no_ordinary_question_in_the_nlu_data_raises_an_alarm() -> None:
    examples = (load_data(str(ROOT / "data" / "nlu")).intent_examples
                + load_data(str(ROOT / "tests" / "data" / "nlu_test.yml")).intent_examples)
    wrong = []
    for example in examples:
        intent, level = example.get("intent"), detect(example.get("text"))
        expected = intent if intent.startswith("red_flag") else None
        if level != expected:
            wrong.append((example.get("text"), intent, level))
    assert wrong == []


@pytest.mark.parametrize("a,b,close", [("koorts", "koorst", True), ("benauwd", "benouwd", True),
                                        ("slikken", "stikken", True), ("koorts", "kort", False)])
def test_one_edit_distance(a: str, b: str, close: bool) -> None:
    assert within_one_edit(a, b) is close


def test_lemmas_are_used_as_well_as_the_text() -> None:
    assert detect("ik voel me ziek en de heup zwol op", lemmas=["ik", "voelen", "mij", "ziek", "gezwollen"]) == URGENT


@pytest.mark.parametrize("message,level", EXPECTED)
def test_red_flag_is_answered_first_by_the_assistant(stack: Stack, message: str, level: str) -> None:
    sender = new_sender()
    stack.say(sender, "wat kan ik zelf doen aan mijn heupartrose?")  # mid-conversation
    reply = texts(stack.say(sender, message))
    if level == EMERGENCY:
        assert reply.startswith("Dit klinkt als een noodgeval. Bel nu 112.")
    else:
        assert reply.startswith("Dit moet een arts snel bekijken. Bel nu je huisarts.")


@pytest.mark.parametrize("message", CALM)
def test_look_alikes_do_not_get_an_alarm(stack: Stack, message: str) -> None:
    reply = texts(stack.say(new_sender(), message))
    assert "Bel nu" not in reply


def classify(text: str, intent: str, confidence: float, second: str = "out_of_scope") -> dict:
    from rasa.shared.nlu.training_data.message import Message

    from components.red_flag_classifier import RedFlagClassifier

    ranking = [{"name": intent, "confidence": confidence}, {"name": second, "confidence": 0.9}]
    message = Message(data={"text": text, "intent": ranking[0], "intent_ranking": ranking})
    RedFlagClassifier().process([message])
    return message.as_dict_nlu()


def test_component_overrides_diet_with_a_single_certain_intent() -> None:
    result = classify("ik ben gevallen en kan niet meer staan", "ask_symptoms", 0.95)
    assert result["intent"] == {"name": URGENT, "confidence": 1.0}
    assert result["intent_ranking"] == [result["intent"]]


def test_component_drops_an_unbacked_diet_red_flag() -> None:
    result = classify("koorts gehad vorige maand, nu beter", URGENT, 0.97, second="ask_pain")
    assert result["intent"]["name"] == "ask_pain"


def test_component_keeps_a_confident_backed_diet_red_flag() -> None:
    result = classify("ik heb koorts en voel me beroerd", URGENT, 0.9)
    assert result["intent"]["name"] == URGENT


def test_component_leaves_button_payloads_alone() -> None:
    result = classify("/ask_pain", "ask_pain", 1.0)
    assert result["intent"]["name"] == "ask_pain"
