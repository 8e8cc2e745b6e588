"""The report of `make evaluate` (reports/evaluation/index.md): the summary table, the thresholds
with the sweeps behind them, and the details per set."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Tuple

import yaml

from actions.suggestions import CLARIFY_CONFIDENCE_FLOOR
from heupwijzer.paths import REPORTS, ROOT
from tools import red_flag_evaluation as rf
from tools import scoring as ev
from tools import thresholds
from tools.evaluation_charts import bar_chart, confidence_histogram, line_chart

OUT = REPORTS / "evaluation"
# The floors of the report and of the tests (tests/test_understanding.py, tests/test_nlu_accuracy.py).
# follow_ups: issue 19's bar for follow-up turns (90 %). This tuning set gave 56-58 of 59 over five
# trainings on 2026-11-26 and 54-56 of 59 with the styles data of issue 19 (DIET varies by a turn or two).
TARGETS = {"nlu": 0.97, "recall": 1.0, "false_alarms": 0.02, "follow_ups": 0.90, "off_topic": 0.95, "fits": 0.90}
Row = Tuple[str, str, str, bool]  # measure, result, target, ok


def percent(value: float) -> str:
    return f"{100 * value:.1f} %"


def setting(component: str, key: str) -> float:
    for entry in yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]:
        if entry["name"].endswith(component):
            return float(entry[key])
    raise KeyError(component)


def intent_report(folder: Path) -> Dict[str, Any]:
    path = folder / "intent_report.json"
    return dict(json.loads(path.read_text())) if path.exists() else {}


@dataclass
class Results:
    nlu_accuracy: float
    nlu_misses: List[Tuple[str, str, str]]
    nlu_nets: List[Tuple[Dict[str, Any], str]]  # (red_flag_net, expected intent): held-out set and the
    # first questions of the blind follow-up conversations
    red: List[rf.RedFlagResult]
    first: List[rf.RedFlagResult]
    hold: List[rf.RedFlagResult]
    follow: List[ev.FollowUpResult]
    no_topic: List[Tuple[str, bool]]
    scope: List[ev.ScopeResult]
    fits: List[Tuple[str, bool]]


def summary(r: Results) -> List[Row]:
    red, first = rf.summarise(r.red), rf.summarise(r.first)
    follow_right = sum(x.right for x in r.follow) + sum(ok for _, ok in r.no_topic)
    follow_rate = ev.share(follow_right, len(r.follow) + len(r.no_topic))
    off = [x for x in r.scope if x.label != "hip_ambiguous"]
    hip = [x for x in r.scope if x.label == "hip_ambiguous"]
    off_rate = ev.share(sum(ev.off_topic_handled(x) for x in off), len(off))
    cv = intent_report(OUT / "nlu" / "cross_validation")
    rows: List[Row] = [
        (
            "NLU intent accuracy, held-out test set (as the bot decides)",
            percent(r.nlu_accuracy),
            f"≥ {percent(TARGETS['nlu'])}",
            r.nlu_accuracy >= TARGETS["nlu"],
        ),
        ("NLU accuracy, 5-fold cross-validation (Rasa)", percent(cv.get("accuracy", 0)) if cv else "not run", "", True),
        (
            "Red flags: urgent messages with the alarm (blind set)",
            f"{red.urgent_caught}/{red.urgent_total} = {percent(red.recall)}",
            "100 %",
            red.recall >= TARGETS["recall"],
        ),
        (
            "Red flags: false alarms on calm look-alikes",
            f"{red.false_alarms}/{red.calm_total}",
            "≤ 2 %",
            red.false_alarm_rate <= TARGETS["false_alarms"],
        ),
        ("Red flags: 'bel 112' on a calm look-alike", str(red.false_112), "0", red.false_112 == 0),
        ("Red flags: safety check on calm look-alikes", f"{red.calm_checks}/{red.calm_total}", "", True),
        (
            "Red flags, issue 3's set: alarm / false alarms",
            f"{first.urgent_caught}/{first.urgent_total} / {first.false_alarms}/{first.calm_total}",
            "100 % / 0",
            first.recall >= 1 and first.false_alarms == 0,
        ),
    ]
    if r.hold:
        hold = rf.summarise(r.hold)
        rows.append(
            (
                "Red flags, hold-out set (never used for tuning): alarm / false alarms / false 112",
                f"{hold.urgent_caught}/{hold.urgent_total} / {hold.false_alarms}/{hold.calm_total} / {hold.false_112}",
                "report only",
                True,
            )
        )
    rows += [
        (
            "Follow-up turns answered for the current topic",
            f"{percent(follow_rate)} ({follow_right}/{len(r.follow) + len(r.no_topic)})",
            f"≥ {TARGETS['follow_ups']:.0%}",
            follow_rate >= TARGETS["follow_ups"],
        ),
        (
            "Off-topic messages declined (not clarified, not answered)",
            f"{percent(off_rate)} ({len(off)})",
            f"≥ {TARGETS['off_topic']:.0%}",
            off_rate >= TARGETS["off_topic"],
        ),
        (
            "Vague hip questions not declined",
            f"{sum(not x.declined for x in hip)}/{len(hip)}",
            "all",
            not any(x.declined for x in hip),
        ),
        (
            "Complaint + 'does it fit?': symptoms + no-diagnosis note",
            f"{percent(ev.rate(r.fits))} ({len(r.fits)})",
            f"≥ {percent(TARGETS['fits'])}",
            ev.rate(r.fits) >= TARGETS["fits"],
        ),
    ]
    return rows


def threshold_section(r: Results) -> List[str]:
    """Sweep every threshold, draw it, and say which value its rule picks (and which is in use)."""
    urgent = [x.net for x in r.red + r.first if x.expected != "calm" and x.net]
    ordinary = [x.net for x in r.red + r.first if x.expected == "calm" and x.net]
    ordinary += [net for net, intent in r.nlu_nets if net and not intent.startswith("red_flag")]
    right = [net.get("diet_top_confidence", 0) for net, intent in r.nlu_nets if net.get("diet_top") == intent]
    wrong = [net.get("diet_top_confidence", 0) for net, intent in r.nlu_nets if net and net.get("diet_top") != intent]
    fallback = setting("FallbackClassifier", "threshold")
    confidence_histogram(
        OUT / "confidence.png", right, wrong, fallback, setting("FallbackClassifier", "ambiguity_threshold")
    )
    sweeps = [
        (
            "FallbackClassifier threshold (config.yml)",
            "fallback_threshold.png",
            fallback,
            thresholds.fallback_threshold(right, wrong),
            "fewest right answers lost plus wrong answers given, a wrong answer counted double "
            "(held-out test set and the first questions of the follow-up set)",
        ),
        (
            "RedFlagClassifier safety_margin (config.yml)",
            "safety_margin.png",
            setting("RedFlagClassifier", "safety_margin"),
            thresholds.safety_margin(urgent, ordinary),
            "the widest margin that puts the safety check on at most 10 % of ordinary messages",
        ),
        (
            "Clarification floor (actions/conversation.py)",
            "clarify_floor.png",
            CLARIFY_CONFIDENCE_FLOOR,
            thresholds.clarify_floor(r.scope, fallback),
            "the most off-topic messages declined plus vague hip "
            "questions clarified, among the messages below the fallback threshold",
        ),
    ]
    lines = ["## Thresholds and why", "", "| threshold | in use | the rule picks | rule |", "| --- | --- | --- | --- |"]
    for name, image, used, sweep, rule in sweeps:
        line_chart(OUT / image, sweep.values, sweep.series, used, name, "value")
        lines.append(f"| {name} (`{image}`) | {used} | {sweep.best} | {rule} |")
    for name, _image, _used, sweep, _rule in sweeps:
        labels = list(sweep.series)
        lines += ["", f"**{name}**", "", f"| value | {' | '.join(labels)} |", "|" + " --- |" * (len(labels) + 1)]
        lines += [
            f"| {value} | " + " | ".join(percent(sweep.series[label][i]) for label in labels) + " |"
            for i, value in enumerate(sweep.values)
        ]
    return lines + [""]


def detail_sections(r: Results) -> List[str]:
    report = intent_report(OUT / "nlu" / "test_set")
    lines = [
        "## NLU (Rasa's own reports)",
        "",
        "- Held-out test set: `nlu/test_set/` (intent_report.json, intent_confusion_matrix.png, "
        "intent_histogram.png, intent_errors.json); 5-fold cross-validation: `nlu/cross_validation/`.",
        "",
        "| intent | precision | recall | F1 | support |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {name} | {v['precision']:.2f} | {v['recall']:.2f} | {v['f1-score']:.2f} | {v['support']} |"
        for name, v in sorted(report.items())
        if isinstance(v, dict) and "precision" in v and not name.endswith("avg")
    ]
    lines += ["", "Misclassified by the running bot (after the red-flag and scope nets):", ""]
    lines += [f'- "{text}": expected {intent}, got {got}' for text, intent, got in r.nlu_misses] or ["- none"]
    per = rf.per_label(r.red)
    bar_chart(
        OUT / "red_flags.png",
        list(per),
        [right / total for right, total in per.values()],
        "Red flags: right per warning sign / look-alike (blind set)",
        "share right (alarm / no alarm)",
    )
    lines += [
        "",
        "## Red flags",
        "",
        "![red flags](red_flags.png)",
        "",
        "| sign / look-alike | right | total |",
        "| --- | --- | --- |",
    ] + [f"| {label} | {right} | {total} |" for label, (right, total) in per.items()]
    wrong = [x for x in r.red + r.first if (x.expected == "calm") == x.alarm]
    lines += ["", "Wrong:", ""] + ([f"- ({x.expected}, got {x.got}) {x.text}" for x in wrong] or ["- none"])
    kinds = sorted({x.kind for x in r.follow})
    bar_chart(
        OUT / "follow_ups.png",
        kinds,
        [ev.share(sum(x.right for x in r.follow if x.kind == k), sum(x.kind == k for x in r.follow)) for k in kinds],
        "Follow-up questions: right per kind",
        "share right",
    )
    lines += [
        "",
        "## Follow-up questions",
        "",
        "![follow-ups](follow_ups.png)",
        "",
        f"First questions that got their topic's answer: {sum(x.first_right for x in r.follow)}/{len(r.follow)}.",
        "",
    ] + (
        [f"- ({x.topic}, {x.kind}) {' / '.join(x.turns)}" for x in r.follow if not x.right]
        + [f"- (no topic) {text}" for text, ok in r.no_topic if not ok]
        or ["- all right"]
    )
    off = [x for x in r.scope if x.label != "hip_ambiguous"]
    domains = sorted({x.label for x in off})
    bar_chart(
        OUT / "off_topic.png",
        domains,
        [
            ev.share(sum(ev.off_topic_handled(x) for x in off if x.label == d), sum(x.label == d for x in off))
            for d in domains
        ],
        "Off-topic messages declined plainly, per domain",
        "share declined",
    )
    lines += ["", "## Off-topic and vague hip questions", "", "![off-topic](off_topic.png)", ""]
    lines += [f"- (not declined) {x.text}" for x in off if not ev.off_topic_handled(x)]
    lines += [f"- (vague hip question declined) {x.text}" for x in r.scope if x.label == "hip_ambiguous" and x.declined]
    return lines + ["", "## 'Does it fit heupartrose?'", ""] + [f"- (wrong) {t}" for t, ok in r.fits if not ok]
