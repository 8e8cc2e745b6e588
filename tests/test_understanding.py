"""Understanding patients nobody wrote tests for: the floors of `make evaluate`, on the live bot.

The sets in tests/data/eval were written blind (from the leaflet and the issue only) before the
code changed; every message goes through the REST channel in a conversation of its own.
`make evaluate` writes the full picture (reports/evaluation/index.md); these are the floors.
"""

from __future__ import annotations

import pytest

from tests.conftest import Stack
from tools import red_flag_evaluation as rf
from tools import scoring as ev
from tools.evaluation_report import TARGETS

RECALL = TARGETS["recall"]
FALSE_ALARMS = TARGETS["false_alarms"]
FOLLOW_UPS = TARGETS["follow_ups"]
OFF_TOPIC = TARGETS["off_topic"]
FITS = TARGETS["fits"]


def report(capsys: pytest.CaptureFixture, line: str, wrong: list) -> None:
    with capsys.disabled():
        print(f"\n{line}")
        for item in wrong[:15]:
            print(f"  wrong: {item}")


def test_red_flags_all_urgent_messages_alarmed_and_no_false_112(stack: Stack, capsys: pytest.CaptureFixture) -> None:
    results = rf.score(stack, ev.EVAL / "red_flags.yml")
    summary = rf.summarise(results)
    wrong = [(r.expected, r.got, r.text) for r in results if (r.expected == "calm") == r.alarm]
    report(
        capsys,
        f"Red flags (blind set): alarm {summary.urgent_caught}/{summary.urgent_total}, false alarms "
        f"{summary.false_alarms}/{summary.calm_total} (112: {summary.false_112}), safety checks on calm "
        f"{summary.calm_checks}/{summary.calm_total}",
        wrong,
    )
    assert summary.urgent_total >= 150 and summary.calm_total >= 100
    assert summary.recall >= RECALL
    assert summary.false_alarm_rate <= FALSE_ALARMS
    assert summary.false_112 == 0


def test_follow_up_questions_are_answered_for_the_current_topic(stack: Stack, capsys: pytest.CaptureFixture) -> None:
    results, no_topic = ev.score_follow_ups(stack)
    right = sum(r.right for r in results) + sum(ok for _, ok in no_topic)
    total = len(results) + len(no_topic)
    report(
        capsys,
        f"Follow-up turns: {right}/{total} right",
        [f"({r.topic}, {r.kind}) {' / '.join(r.turns)}" for r in results if not r.right]
        + [text for text, ok in no_topic if not ok],
    )
    assert total >= 40
    assert right / total >= FOLLOW_UPS


def test_off_topic_messages_are_declined_and_vague_hip_questions_are_not(
    stack: Stack, capsys: pytest.CaptureFixture
) -> None:
    results = ev.score_off_topic(stack)
    off = [r for r in results if r.label != "hip_ambiguous"]
    hip = [r for r in results if r.label == "hip_ambiguous"]
    declined = sum(ev.off_topic_handled(r) for r in off)
    report(
        capsys,
        f"Off-topic declined: {declined}/{len(off)}; vague hip questions declined: "
        f"{sum(r.declined for r in hip)}/{len(hip)}",
        [r.text for r in off if not (ev.off_topic_handled(r))] + [r.text for r in hip if r.declined],
    )
    assert declined / len(off) >= OFF_TOPIC
    assert not any(r.declined for r in hip)


def test_a_complaint_plus_does_it_fit_gets_the_symptoms_and_the_way_to_a_professional(
    stack: Stack, capsys: pytest.CaptureFixture
) -> None:
    results = ev.score_fits(stack)
    report(
        capsys,
        f"'Does it fit?' questions answered with symptoms + note: {sum(ok for _, ok in results)}/{len(results)}",
        [text for text, ok in results if not ok],
    )
    assert ev.rate(results) >= FITS
