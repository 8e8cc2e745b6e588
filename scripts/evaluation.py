"""Score a running Heupwijzer on the evaluation sets (tests/data/eval, tests/data/holdout).

Every message goes through the REST channel as a patient would send it, in a conversation of its
own; the reply is classified by the domain response it contains. Used by `make evaluate` (the full
report) and by the tests (the floors).
"""
from __future__ import annotations

import re
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import yaml

from scripts.stack import Stack, texts

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "tests" / "data" / "eval"
HOLDOUT = ROOT / "tests" / "data" / "holdout" / "red_flags_holdout.yml"
FIRST_SET = ROOT / "tests" / "data" / "red_flags.yml"  # written for issue 3
DOMAIN = ROOT / "domain.yml"


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def marker(response: str) -> str:
    """The first sentence of a domain response, without template variables: found in every reply
    that contains the response."""
    text = load(DOMAIN)["responses"][response][0]["text"]
    first = re.split(r"(?<=[.?!:])\s", text.strip(), maxsplit=1)[0]
    return first.split("{", 1)[0].strip()


def contains(reply: str, response: str) -> bool:
    return marker(response) in reply


def alarm_of(reply: str) -> str:
    """What a patient would notice first: 112, the huisarts now, a safety check, or nothing."""
    if contains(reply, "utter_red_flag_emergency"):
        return "emergency"
    if contains(reply, "utter_red_flag_urgent"):
        return "urgent"
    if contains(reply, "utter_safety_check"):
        return "check"
    return "none"


def new_sender(prefix: str) -> str:
    return f"eval-{prefix}-{uuid.uuid4().hex[:10]}"


Progress = Callable[[str], None]


def quiet(_: str) -> None:
    pass


# --- red flags -----------------------------------------------------------------------------------
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


def score_red_flags(stack: Stack, path: Path, with_parse: bool = False, progress: Progress = quiet) -> List[RedFlagResult]:
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
    emergency_total: int
    emergency_as_112: int
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


def summarise_red_flags(results: Sequence[RedFlagResult]) -> RedFlagSummary:
    urgent = [r for r in results if r.expected != "calm"]
    calm = [r for r in results if r.expected == "calm"]
    return RedFlagSummary(
        urgent_total=len(urgent), urgent_caught=sum(r.alarm for r in urgent),
        emergency_total=sum(r.expected == "emergency" for r in urgent),
        emergency_as_112=sum(r.expected == "emergency" and r.got == "emergency" for r in urgent),
        calm_total=len(calm), false_alarms=sum(r.alarm for r in calm),
        false_112=sum(r.got == "emergency" for r in calm), calm_checks=sum(r.got == "check" for r in calm),
    )


def per_label(results: Sequence[RedFlagResult]) -> Dict[str, Tuple[int, int]]:
    """label -> (right, total): an alarm for urgent messages, no alarm for look-alikes."""
    table: Dict[str, List[int]] = defaultdict(lambda: [0, 0])
    for r in results:
        right = r.alarm if r.expected != "calm" else not r.alarm
        table[f"{r.expected}: {r.label}"][0] += int(right)
        table[f"{r.expected}: {r.label}"][1] += 1
    return {label: (right, total) for label, (right, total) in sorted(table.items())}


# --- follow-up questions ---------------------------------------------------------------------------
@dataclass
class FollowUpResult:
    topic: str
    kind: str
    turns: Tuple[str, ...]
    first_right: bool  # the first question got its topic's answer
    right: bool  # the follow-up got the table's answer for (topic, kind)
    reply: str


def expected_follow_up(topic: str, kind: str) -> str:
    """The response that answers `kind` about `topic` (actions/follow_ups.yml)."""
    from actions.follow_up import follow_ups

    answer = follow_ups().answer(topic, kind)
    return answer.response or f"utter_{answer.topic}"


def score_follow_ups(stack: Stack, progress: Progress = quiet) -> Tuple[List[FollowUpResult], List[Tuple[str, bool]]]:
    data = load(EVAL / "followups.yml")
    results = []
    for i, conversation in enumerate(data["conversations"], 1):
        sender = new_sender("fu")
        first, follow = conversation["turns"][0], conversation["turns"][-1]
        first_reply = texts(stack.say(sender, first))
        reply = texts(stack.say(sender, follow))
        expected = expected_follow_up(conversation["topic"], conversation["kind"])
        results.append(FollowUpResult(conversation["topic"], conversation["kind"], tuple(conversation["turns"]),
                                      contains(first_reply, f"utter_{conversation['topic']}"),
                                      contains(reply, expected), reply))
        if i % 10 == 0:
            progress(f"follow-ups: {i}/{len(data['conversations'])}")
    no_topic = []
    for entry in data.get("no_topic") or []:
        text = entry["text"] if isinstance(entry, dict) else entry
        no_topic.append((text, contains(texts(stack.say(new_sender("fu0"), text)), "utter_follow_up_no_topic")))
    return results, no_topic


# --- off-topic and "does it fit?" ------------------------------------------------------------------
@dataclass
class ScopeResult:
    text: str
    label: str  # domain of an off-topic message, or "hip_ambiguous"
    declined: bool  # "daar kan ik je niet mee helpen, ik weet alleen iets over heupartrose"
    conversational: bool  # the answer to a hello or "ben jij een mens?"
    clarified: bool
    reply: str
    ranking: List[Dict[str, Any]] = field(default_factory=list)


def score_off_topic(stack: Stack, with_parse: bool = False, progress: Progress = quiet) -> List[ScopeResult]:
    data = load(EVAL / "off_topic.yml")
    items = [(e["text"], e["domain"]) for e in data["off_topic"]]
    items += [(e if isinstance(e, str) else e["text"], "hip_ambiguous") for e in data["hip_ambiguous"]]
    results = []
    for i, (text, label) in enumerate(items, 1):
        reply = texts(stack.say(new_sender("ot"), text))
        ranking = stack.parse(text).get("intent_ranking") or [] if with_parse else []
        results.append(ScopeResult(text, label, contains(reply, "utter_out_of_scope"),
                                   any(contains(reply, r) for r in ("utter_greet", "utter_bot_challenge")),
                                   contains(reply, "utter_clarify"), reply, ranking))
        if i % 25 == 0 or i == len(items):
            progress(f"off-topic: {i}/{len(items)}")
    return results


def off_topic_handled(result: ScopeResult) -> bool:
    """Declined plainly (or, for a hello or "ben jij een mens?", the fitting answer), never
    clarified with hip topics."""
    return (result.declined or result.conversational) and not result.clarified


def score_fits(stack: Stack) -> List[Tuple[str, bool]]:
    results = []
    for entry in load(EVAL / "fits_hip.yml")["fits"]:
        reply = texts(stack.say(new_sender("fit"), entry["text"]))
        right = all(contains(reply, r) for r in ("utter_symptom_fit_intro", "utter_ask_symptoms", "utter_symptom_fit_next"))
        results.append((entry["text"], right and alarm_of(reply) not in ("emergency", "urgent")))
    return results


# --- NLU on the held-out test set -------------------------------------------------------------------
def nlu_test_set() -> List[Tuple[str, str]]:
    examples = []
    for block in load(ROOT / "tests" / "data" / "nlu_test.yml")["nlu"]:
        for line in block["examples"].splitlines():
            if line.strip().startswith("- "):
                examples.append((line.strip()[2:], block["intent"]))
    return examples


def score_nlu(stack: Stack) -> Tuple[float, List[Tuple[str, str, str]]]:
    """Intent accuracy as the bot decides (after the red-flag and scope nets), and the misses."""
    misses = []
    examples = nlu_test_set()
    for text, intent in examples:
        got = (stack.parse(text).get("intent") or {}).get("name") or ""
        if got != intent:
            misses.append((text, intent, got))
    return 1 - len(misses) / len(examples), misses


def rate(pairs: Sequence[Tuple[str, bool]]) -> float:
    return sum(ok for _, ok in pairs) / len(pairs) if pairs else 1.0


def counts(values: Sequence[str]) -> Counter:
    return Counter(values)


def first_missing(items: Sequence[Tuple[str, bool]]) -> Optional[str]:
    return next((text for text, ok in items if not ok), None)
