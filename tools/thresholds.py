"""The numbers behind the thresholds in config.yml and actions: each sweep tries every value of one
threshold on the evaluation messages and picks one by a stated rule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Sequence

from actions.vocabulary import shares_words
from heupwijzer.nlu.red_flag_classifier import close_behind
from tools import scoring as ev
from tools.scoring import share

CHECK_BUDGET = 0.10  # at most this share of ordinary messages may get the safety check
Net = Dict[str, Any]  # RedFlagClassifier's two opinions on one message (its parse data)


@dataclass
class Sweep:
    values: List[float]
    series: Dict[str, List[float]]  # label -> share at each value
    best: float  # what the rule picks

    def at(self, label: str, value: float) -> float:
        return self.series[label][self.values.index(value)]


def safety_margin(urgent: Sequence[Net], ordinary: Sequence[Net]) -> Sweep:
    """Urgent messages DIET alone covers (red flag first, or second within the margin) against
    ordinary messages that get the safety check. Rule: the widest margin within CHECK_BUDGET."""
    margins = [round(0.05 * i, 2) for i in range(21)]

    def checked(net: Net, margin: float) -> bool:
        return bool(net.get("warning")) or (not net.get("reassured") and close_behind(net, margin))

    covered = [share(sum(close_behind(n, m) for n in urgent), len(urgent)) for m in margins]
    checks = [share(sum(checked(n, m) for n in ordinary), len(ordinary)) for m in margins]
    within = [m for m, c in zip(margins, checks, strict=True) if c <= CHECK_BUDGET]
    return Sweep(
        margins,
        {"urgent covered by DIET alone": covered, "ordinary messages with a safety check": checks},
        max(within) if within else 0.0,
    )


def clarify_floor(results: Sequence[ev.ScopeResult], fallback: float) -> Sweep:
    """Among messages below the fallback threshold: off-topic ones declined against vague hip
    questions clarified. Rule: the floor with the most of both (the lowest on a tie)."""
    floors = [round(0.05 * i, 2) for i in range(19)]

    def ranking(r: ev.ScopeResult) -> List[Dict[str, Any]]:
        return [e for e in r.ranking if e.get("name") != "nlu_fallback"]

    def offers(r: ev.ScopeResult, floor: float) -> bool:
        rank = ranking(r)
        if not rank or rank[0].get("name") == "out_of_scope":
            return False
        return any(
            e["name"].startswith("ask_") and (shares_words(r.text, e["name"]) or e.get("confidence", 0) >= floor)
            for e in rank[:6]
        )

    low = [r for r in results if ranking(r) and float(ranking(r)[0].get("confidence") or 0) < fallback]
    off = [r for r in low if r.label != "hip_ambiguous"]
    hip = [r for r in low if r.label == "hip_ambiguous"]
    declined = [share(sum(not offers(r, f) for r in off), len(off)) for f in floors]
    clarified = [share(sum(offers(r, f) for r in hip), len(hip)) for f in floors]
    best = max(floors, key=lambda f: (declined[floors.index(f)] + clarified[floors.index(f)], -f))
    return Sweep(floors, {"off-topic declined": declined, "vague hip questions clarified": clarified}, best)


def fallback_threshold(right: Sequence[float], wrong: Sequence[float]) -> Sweep:
    """Right answers that would fall back against wrong answers given. Rule: the fewest of both,
    a wrong answer counted double (a wrong topic misleads; a fallback only asks again)."""
    thresholds = [round(0.2 + 0.05 * i, 2) for i in range(11)]
    total = len(right) + len(wrong)
    lost = [share(sum(c < t for c in right), total) for t in thresholds]
    given = [share(sum(c >= t for c in wrong), total) for t in thresholds]
    cost = [sum(c < t for c in right) + 2 * sum(c >= t for c in wrong) for t in thresholds]
    best = min(thresholds, key=lambda t: (cost[thresholds.index(t)], -t))
    return Sweep(thresholds, {"right answers that fall back": lost, "wrong answers given": given}, best)
