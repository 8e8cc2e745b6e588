"""Score a running Heupwijzer on the red-flag sets: the blind set (tests/data/eval), issue 3's set
and the hold-out set, each message in a conversation of its own, as a patient would send it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

from tests.harness.stack import Stack, texts
from tools.scoring import ROOT, Progress, alarm_of, load, new_sender, quiet

HOLDOUT = ROOT / "tests" / "data" / "holdout" / "red_flags_holdout.yml"
FIRST_SET = ROOT / "tests" / "data" / "red_flags.yml"  # written for issue 3


@dataclass
class RedFlagResult:
    text: str
    expected: str  # emergency, urgent or calm
    label: str  # the warning sign, or the kind of look-alike
    got: str  # emergency, urgent, check, none
    net: Dict[str, Any] = field(default_factory=dict)  # both opinions (parse data), for the margin

    @property
    def alarm(self) -> bool:
        return self.got in ("emergency", "urgent")


def red_flag_items(path: Path) -> List[Tuple[str, str, str]]:
    data = load(path)
    items = []
    for expected in ("emergency", "urgent", "calm"):
        for entry in data.get(expected) or []:
            if isinstance(entry, str):
                items.append((entry, expected, expected))
            else:
                items.append((entry["text"], expected, entry.get("sign") or entry.get("kind") or expected))
    return items


def score(stack: Stack, path: Path, with_parse: bool = False, progress: Progress = quiet) -> List[RedFlagResult]:
    results = []
    items = red_flag_items(path)
    for i, (text, expected, label) in enumerate(items, 1):
        got = alarm_of(texts(stack.say(new_sender("rf"), text)))
        net = stack.parse(text).get("red_flag_net") or {} if with_parse else {}
        results.append(RedFlagResult(text, expected, label, got, net))
        if i % 25 == 0 or i == len(items):
            progress(f"red flags {path.name}: {i}/{len(items)}")
    return results


@dataclass
class RedFlagSummary:
    urgent_total: int
    urgent_caught: int
    calm_total: int
    false_alarms: int
    false_112: int
    calm_checks: int

    @property
    def recall(self) -> float:
        return self.urgent_caught / self.urgent_total if self.urgent_total else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.calm_total if self.calm_total else 0.0


def summarise(results: Sequence[RedFlagResult]) -> RedFlagSummary:
    urgent = [r for r in results if r.expected != "calm"]
    calm = [r for r in results if r.expected == "calm"]
    return RedFlagSummary(
        urgent_total=len(urgent),
        urgent_caught=sum(r.alarm for r in urgent),
        calm_total=len(calm),
        false_alarms=sum(r.alarm for r in calm),
        false_112=sum(r.got == "emergency" for r in calm),
        calm_checks=sum(r.got == "check" for r in calm),
    )


def per_label(results: Sequence[RedFlagResult]) -> Dict[str, Tuple[int, int]]:
    """label -> (right, total): an alarm for urgent messages, no alarm for look-alikes."""
    table: Dict[str, List[int]] = defaultdict(lambda: [0, 0])
    for r in results:
        right = r.alarm if r.expected != "calm" else not r.alarm
        table[f"{r.expected}: {r.label}"][0] += int(right)
        table[f"{r.expected}: {r.label}"][1] += 1
    return {label: (right, total) for label, (right, total) in sorted(table.items())}
