"""Score a running Heupwijzer on the evaluation sets (tests/data/eval, tests/data/holdout).

Every message goes through the REST channel as a patient would send it, in a conversation of its
own; the reply is classified by the domain response it contains. Used by `make evaluate` (the full
report) and by the tests (the floors).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Callable, Dict, List, Sequence, Tuple

import yaml

from heupwijzer.paths import ROOT
from tests.harness.stack import Stack, texts

EVAL = ROOT / "tests" / "data" / "eval"
DOMAIN = ROOT / "domain.yml"


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@cache
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
    """The response that answers `kind` about `topic` (content/follow_ups.yml)."""
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
        # `expected`: a follow-up that moves to another topic ("en wat gebeurt er na de operatie?")
        expected = conversation.get("expected") or expected_follow_up(conversation["topic"], conversation["kind"])
        results.append(
            FollowUpResult(
                conversation["topic"],
                conversation["kind"],
                tuple(conversation["turns"]),
                contains(first_reply, f"utter_{conversation['topic']}"),
                contains(reply, expected),
                reply,
            )
        )
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
        results.append(
            ScopeResult(
                text,
                label,
                contains(reply, "utter_out_of_scope"),
                any(contains(reply, r) for r in ("utter_greet", "utter_bot_challenge")),
                contains(reply, "utter_clarify"),
                reply,
                ranking,
            )
        )
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
        right = all(
            contains(reply, r) for r in ("utter_symptom_fit_intro", "utter_ask_symptoms", "utter_symptom_fit_next")
        )
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


def follow_up_first_questions() -> List[Tuple[str, str]]:
    """The first question of each blind follow-up conversation, with the topic it is about."""
    return [(c["turns"][0], c["topic"]) for c in load(EVAL / "followups.yml")["conversations"]]


def score_nlu(stack: Stack) -> Tuple[float, List[Tuple[str, str, str]]]:
    """Intent accuracy as the bot decides (after the red-flag and scope nets), and the misses."""
    misses = []
    examples = nlu_test_set()
    for text, intent in examples:
        got = (stack.parse(text).get("intent") or {}).get("name") or ""
        if got != intent:
            misses.append((text, intent, got))
    return 1 - len(misses) / len(examples), misses


def share(count: int, total: int) -> float:
    return count / total if total else 0.0


def rate(pairs: Sequence[Tuple[str, bool]]) -> float:
    return sum(ok for _, ok in pairs) / len(pairs) if pairs else 1.0
