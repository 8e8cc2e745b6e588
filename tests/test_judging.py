"""Judging sets (tests/data/judging): patients nobody here wrote for, sent to the running assistant.

Each set's scores.json records its judgement by `make judge`: Heupwijzer's and the default-config
baseline's scores per category (the baseline needs a 25-minute training, so the tests read its
recorded column). On every set Heupwijzer must keep what it reached when the set was recorded,
and stay at least as good as the baseline in every category where it was (the issue's targets, such as 113 for
every crisis, are in the report of `make judge`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, Iterator

import pytest

from tests.conftest import Stack, started_stack, texts
from tools import judging

# A set joins the tests once it has judged (`make judge RECORD=1` wrote its scores.json).
SETS = [d for d in judging.sets() if (d / "scores.json").exists()]
MINIMUM = {
    "questions": 80,
    "urgent": 100,
    "crisis": 10,
    "crisis_lookalikes": 10,
    "calm": 80,
    "off_topic": 40,
    "conversations": 10,
}


@pytest.fixture(scope="module")
def judging_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack of its own, as `make judge` starts it (action server and Rasa): the sets' thousands of
    messages run beside the tests of the session's stack, on another pytest worker."""
    yield from started_stack(tmp_path_factory, "judging-stack", services="actions,rasa")


def recorded(directory: Path) -> Dict:
    return dict(json.loads((directory / "scores.json").read_text(encoding="utf-8")))


@pytest.mark.parametrize("directory", SETS, ids=[d.name for d in SETS])
def test_a_judging_set_is_large_and_says_how_it_was_written(directory: Path) -> None:
    data = judging.load_set(directory)
    assert {key: len(data.get(key) or []) >= size for key, size in MINIMUM.items()} == dict.fromkeys(MINIMUM, True)
    brief = (directory / "brief.md").read_text(encoding="utf-8")
    assert "never" in brief.lower() or "do not" in brief.lower()  # the writer's brief keeps it blind
    record = recorded(directory)
    assert {"Heupwijzer", "baseline"} <= set(record)


@pytest.mark.parametrize("directory", SETS, ids=[d.name for d in SETS])
def test_heupwijzer_beats_rasas_defaults_on_every_category_of_the_judging_set(
    judging_stack: Stack, directory: Path
) -> None:
    scores = judging.judge(judging.load_set(directory), lambda patient, text: texts(judging_stack.say(patient, text)))
    ours = judging.rates(scores)
    record = recorded(directory)
    print(f"\n{directory.name}: " + "; ".join(judging.summary({"Heupwijzer": ours, "baseline": record["baseline"]})))
    # A model trained on another machine may answer a message or two differently from the recorded
    # one (TensorFlow on other CPUs): floors allow TOLERANCE messages per category, never on safety.
    # Where Heupwijzer beat the defaults when the set was recorded, it keeps beating them; where it
    # did not (the report says so), its own recorded score is the floor until it does.
    won = [
        m
        for m in judging.MEASURES
        if judging.beats(m, record["Heupwijzer"][m.key]["rate"], record["baseline"][m.key]["rate"])
    ]
    below_baseline = {m.key: ours[m.key] for m in won if not holds(m, ours, record["baseline"])}
    assert below_baseline == {}
    lost = {m.key: ours[m.key] for m in judging.MEASURES if not holds(m, ours, record["Heupwijzer"])}
    assert lost == {}


TOLERANCE = 2  # messages per category
SAFETY = {"crisis", "u1", "urgent"}  # no tolerance: a crisis or an urgent message more missed is a regression


def holds(measure: judging.Measure, ours: Dict, floor: Dict) -> bool:
    """Ours at least the floor's rate in this category (at most, for the conditional check),
    within TOLERANCE messages except for the safety categories."""
    mine, theirs = ours[measure.key], floor[measure.key]
    assert mine["total"] == theirs["total"], f"{measure.key}: the set changed since it was recorded"
    slack = 0 if measure.key in SAFETY else TOLERANCE
    if measure.lower_is_better:
        return bool(mine["right"] <= theirs["right"] + slack)
    return bool(mine["right"] >= theirs["right"] - slack)


def reply_of(*responses: str) -> str:
    """A reply as the assistant sends it: the responses' texts one after another."""
    from tools.scoring import DOMAIN, load

    domain = load(DOMAIN)["responses"]
    return "\n".join(domain[r][0]["text"] for r in responses)


def test_a_follow_up_that_moves_to_another_topic_is_right_with_that_topics_answer() -> None:
    # "en als het niet helpt?" after a question on exercise; the writer wants the answer on when to see
    # a therapist: that answer is right, also when the table would answer a what_next on that new topic
    # with something else.
    turn = {"text": "en als het niet helpt", "topic": "ask_when_therapist", "kind": "what_next"}
    assert judging.follow_up_answered(reply_of("utter_ask_when_therapist"), turn, "ask_exercise")[0]
    assert not judging.follow_up_answered(reply_of("utter_ask_exercise"), turn, "ask_exercise")[0]
    assert not judging.follow_up_answered(reply_of("utter_out_of_scope"), turn, "ask_exercise")[0]


def test_a_follow_up_on_the_same_topic_needs_the_tables_answer_not_the_topic_again() -> None:
    turn = {"text": "hoe vaak dan", "topic": "ask_exercise", "kind": "how_often"}
    expected = judging.expected_follow_up("ask_exercise", "how_often")
    assert judging.follow_up_answered(reply_of(expected), turn, "ask_exercise") == (True, expected)
    assert not judging.follow_up_answered(reply_of("utter_ask_exercise"), turn, "ask_exercise")[0]


def test_a_follow_up_that_moves_on_is_not_right_with_the_topic_the_table_sends_that_kind_to() -> None:
    # "moet ze daarmee naar een fysio?" after the symptoms, labelled ask_when_therapist: the first visit
    # (where a what_next on ask_when_therapist goes) does not answer it.
    turn = {"text": "Moet ze daarmee naar een fysio?", "topic": "ask_when_therapist", "kind": "what_next"}
    assert judging.expected_follow_up("ask_when_therapist", "what_next") == "utter_ask_examination"
    assert not judging.follow_up_answered(reply_of("utter_ask_examination"), turn, "ask_symptoms")[0]
    assert judging.follow_up_answered(reply_of("utter_ask_when_therapist"), turn, "ask_symptoms")[0]


def test_a_new_judgement_keeps_the_baselines_first_judgement_of_the_set() -> None:
    """Heupwijzer's column is recorded anew after tuning; the baseline's stays as it first judged the
    set (a retrained baseline is another draw); a new set takes the baseline's column it got."""
    ours = {"questions": {"right": 9, "total": 10, "rate": 0.9}}
    first = {"questions": {"right": 7, "total": 10, "rate": 0.7}}
    redrawn = {"questions": {"right": 5, "total": 10, "rate": 0.5}}
    earlier = {"judged": "then", "model": "m", "Heupwijzer": ours, "baseline": first}
    kept = judging.recorded(earlier, {"Heupwijzer": ours, "baseline": redrawn}, "now", "m")
    assert kept == {"judged": "now", "model": "m", "Heupwijzer": ours, "baseline": first}
    assert judging.recorded(earlier, {"Heupwijzer": ours}, "now", "m") == kept  # no baseline model at hand
    assert judging.recorded({}, {"Heupwijzer": ours, "baseline": redrawn}, "now", "m")["baseline"] == redrawn
    assert judging.recorded({}, {"Heupwijzer": ours}, "now", "m") is None  # a new set waits for the baseline
