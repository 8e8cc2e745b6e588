"""Intent accuracy on the held-out test set (tests/data/nlu_test.yml) must be at least 97 %."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from tests.conftest import Stack
from tools.evaluation_report import TARGETS

TEST_SET = Path(__file__).parent / "data" / "nlu_test.yml"
REQUIRED_ACCURACY = TARGETS["nlu"]


def test_intent_accuracy_on_held_out_phrasings(stack: Stack, capsys: pytest.CaptureFixture) -> None:
    examples = load_data(str(TEST_SET)).intent_examples
    misses = []
    for example in examples:
        predicted = stack.parse(example.get("text"))["intent"]
        if predicted["name"] != example.get("intent"):
            misses.append(
                f"{example.get('text')!r}: {example.get('intent')} -> "
                f"{predicted['name']} ({predicted['confidence']:.2f})"
            )
    accuracy = 1 - len(misses) / len(examples)
    with capsys.disabled():  # the figure is reported in every run, not only on failure
        print(f"\nNLU intent accuracy on {len(examples)} held-out phrasings: {accuracy:.1%}")
        print("\n".join(f"  miss: {miss}" for miss in misses))
    assert accuracy >= REQUIRED_ACCURACY, "\n".join(misses)
