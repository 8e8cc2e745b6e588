"""`make evaluate`: the full picture of what Heupwijzer understands, written to reports/evaluation/.

1. NLU: Rasa's own `rasa test nlu` on the held-out test set and as 5-fold cross-validation
   (per-intent precision/recall/F1, confusion matrix, confidence histogram, misclassified examples).
2. A running Heupwijzer (scripts/launch.py, as `make run` starts it) answers the evaluation sets:
   red flags (tests/data/eval and the hold-out set), follow-up questions, off-topic messages and
   "does it fit?" questions, each as a patient would send it over REST.
3. Thresholds: the red-flag safety margin, the clarification floor and the fallback threshold in
   config.yml / actions, checked against these numbers.
index.md opens with a summary table; the plots are PNG files next to it.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import yaml  # noqa: E402

from scripts import evaluation as ev  # noqa: E402
from components.red_flag_classifier import close_behind  # noqa: E402
from scripts.stack import Stack  # noqa: E402

OUT = ROOT / "reports" / "evaluation"
RASA = ROOT / ".venv" / "bin" / "rasa"
MODEL = ROOT / "models" / "heupwijzer.tar.gz"
TARGETS = {"nlu": 0.97, "recall": 1.0, "false_alarms": 0.02, "follow_ups": 0.95, "off_topic": 0.95}
CHECK_BUDGET = 0.10  # at most this share of calm look-alikes may get the safety check


def log(message: str) -> None:
    print(f"[evaluate {time.strftime('%H:%M:%S')}] {message}", flush=True)


def config() -> Dict:
    return yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))


def component_setting(name: str, key: str) -> float:
    for component in config()["pipeline"]:
        if component["name"].endswith(name):
            return float(component[key])
    raise KeyError(name)


# --- 1. Rasa's own NLU evaluation ------------------------------------------------------------------
def rasa_test_nlu(folds: int) -> None:
    env = {**os.environ, "HEUPWIJZER_SPACY_MODEL": (ROOT / "build" / "spacy-model").read_text().strip(),
           "TF_CPP_MIN_LOG_LEVEL": "2", "RASA_TELEMETRY_ENABLED": "false"}
    log("NLU test set: rasa test nlu ...")
    subprocess.run([str(RASA), "test", "nlu", "--nlu", "tests/data/nlu_test.yml", "--model", str(MODEL),
                    "--out", str(OUT / "nlu" / "test_set")], cwd=ROOT, env=env, check=True)
    if folds:
        log(f"NLU cross-validation: rasa test nlu --cross-validation --folds {folds} (trains {folds} times) ...")
        subprocess.run([str(RASA), "test", "nlu", "--nlu", "data/nlu", "--config", "config.yml",
                        "--cross-validation", "--folds", str(folds), "--out", str(OUT / "nlu" / "cross_validation")],
                       cwd=ROOT, env=env, check=True)


def intent_report(folder: Path) -> Dict:
    path = folder / "intent_report.json"
    return json.loads(path.read_text()) if path.exists() else {}


# --- plots ------------------------------------------------------------------------------------------
def bar_chart(path: Path, labels: Sequence[str], values: Sequence[float], title: str, xlabel: str) -> None:
    fig, ax = plt.subplots(figsize=(8, max(2.5, 0.28 * len(labels) + 1)))
    ax.barh(list(labels), list(values), color="#0b5d7a")
    ax.set_xlim(0, 1.0)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.invert_yaxis()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


Net = Dict[str, object]


def margin_analysis(urgent: Sequence[Dict], ordinary: Sequence[Dict]) -> Tuple[List[float], List[float], List[float], float]:
    """For each margin: share of urgent messages DIET alone would cover (its red flag first, or
    second within the margin) and share of ordinary messages (calm look-alikes and the held-out
    questions) that would get the safety check. Picks the widest margin within the check budget."""
    margins = [round(0.05 * i, 2) for i in range(0, 21)]

    def checked(net: Dict, margin: float) -> bool:
        return bool(net.get("warning")) or (not net.get("reassured") and close_behind(net, margin))

    coverage = [sum(close_behind(n, m) for n in urgent) / max(1, len(urgent)) for m in margins]
    checks = [sum(checked(n, m) for n in ordinary) / max(1, len(ordinary)) for m in margins]
    within = [m for m, c in zip(margins, checks) if c <= CHECK_BUDGET]
    return margins, coverage, checks, (max(within) if within else 0.0)


def alarm_analysis(urgent: Sequence[Dict], ordinary: Sequence[Dict]) -> Tuple[List[float], List[float], List[float], float]:
    """For each confidence bar: urgent messages DIET alone would alarm, and ordinary messages it
    would alarm. Picks the lowest bar with at most 2 % false alarms and no false 112."""
    bars = [round(0.3 + 0.05 * i, 2) for i in range(0, 14)]

    def alarms(net: Dict, bar: float) -> bool:
        return net.get("diet_top") in ("red_flag_emergency", "red_flag_urgent") \
            and net.get("diet_top_confidence", 0.0) >= bar and not net.get("reassured")

    coverage = [sum(alarms(n, b) for n in urgent) / max(1, len(urgent)) for b in bars]
    false = [sum(alarms(n, b) for n in ordinary) / max(1, len(ordinary)) for b in bars]
    false_112 = [sum(alarms(n, b) and n.get("diet_top") == "red_flag_emergency" for n in ordinary) for b in bars]
    fine = [b for b, f, e in zip(bars, false, false_112) if f <= TARGETS["false_alarms"] and e == 0]
    return bars, coverage, false, (min(fine) if fine else bars[-1])


def clarify_analysis(results: Sequence[ev.ScopeResult], fallback: float) -> Tuple[List[float], List[float], List[float], float]:
    """For each floor: off-topic messages declined and vague hip questions clarified, among the
    messages that fall below the fallback threshold (only those reach the clarification)."""
    from actions.vocabulary import shares_words

    floors = [round(0.05 * i, 2) for i in range(0, 19)]

    def offers(r: ev.ScopeResult, floor: float) -> bool:
        ranking = [e for e in r.ranking if e.get("name") != "nlu_fallback"]
        if not ranking or ranking[0].get("name") == "out_of_scope":
            return False
        return any(e["name"].startswith("ask_") and (shares_words(r.text, e["name"]) or e.get("confidence", 0) >= floor)
                   for e in ranking[:6])

    def top(r: ev.ScopeResult) -> float:
        ranking = [e for e in r.ranking if e.get("name") != "nlu_fallback"]
        return float(ranking[0].get("confidence") or 0) if ranking else 0.0

    low = [r for r in results if r.ranking and top(r) < fallback]
    off = [r for r in low if r.label != "hip_ambiguous"]
    hip = [r for r in low if r.label == "hip_ambiguous"]
    declined = [sum(not offers(r, f) for r in off) / max(1, len(off)) for f in floors]
    clarified = [sum(offers(r, f) for r in hip) / max(1, len(hip)) for f in floors]
    best = max(floors, key=lambda f: (declined[floors.index(f)] + clarified[floors.index(f)], -f))
    return floors, declined, clarified, best


def fallback_analysis(right: Sequence[float], wrong: Sequence[float]) -> Tuple[List[float], List[float], List[float], float]:
    """For each FallbackClassifier threshold: right answers that would fall back, wrong answers that
    would be given. A wrong answer counts double (a wrong topic misleads; a fallback only asks)."""
    thresholds = [round(0.2 + 0.05 * i, 2) for i in range(0, 11)]
    lost = [sum(c < t for c in right) / max(1, len(right)) for t in thresholds]
    given = [sum(c >= t for c in wrong) / max(1, len(right) + len(wrong)) for t in thresholds]
    cost = [sum(c < t for c in right) + 2 * sum(c >= t for c in wrong) for t in thresholds]
    best = min(thresholds, key=lambda t: (cost[thresholds.index(t)], -t))
    return thresholds, lost, given, best


def line_chart(path: Path, x: Sequence[float], series: Dict[str, Sequence[float]], mark: float, title: str,
               xlabel: str) -> None:
    fig, ax = plt.subplots(figsize=(7, 4))
    for label, values in series.items():
        ax.plot(list(x), list(values), marker="o", label=label)
    ax.axvline(mark, color="grey", linestyle="--", label=f"config: {mark}")
    ax.set_ylim(0, 1.05)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def confidence_histogram(path: Path, right: Sequence[float], wrong: Sequence[float], fallback: float,
                         ambiguity: float) -> None:
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.hist([list(right), list(wrong)], bins=20, range=(0, 1), stacked=True, label=["right", "wrong"],
            color=["#0b5d7a", "#d9534f"])
    ax.axvline(fallback, color="black", linestyle="--", label=f"FallbackClassifier threshold {fallback}")
    ax.set_xlabel(f"DIET's confidence in its top intent (ambiguity threshold {ambiguity})")
    ax.set_ylabel("held-out test messages")
    ax.set_title("Confidence on the held-out test set")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# --- 2. the running assistant -------------------------------------------------------------------------
def percent(value: float) -> str:
    return f"{100 * value:.1f} %"


def run(folds: int) -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    rasa_test_nlu(folds)
    workdir = Path(tempfile.mkdtemp(prefix="heupwijzer-evaluate-"))
    log("starting Heupwijzer (scripts/launch.py) ...")
    stack = Stack(workdir=workdir, tracker_db=workdir / "tracker.db", services="actions,rasa").start()
    try:
        log("NLU test set through the running bot ...")
        nlu_accuracy, nlu_misses = ev.score_nlu(stack)
        confidences = [(stack.parse(t).get("red_flag_net") or {}, intent) for t, intent in ev.nlu_test_set()]
        red = ev.score_red_flags(stack, ev.EVAL / "red_flags.yml", with_parse=True, progress=log)
        first = ev.score_red_flags(stack, ev.FIRST_SET, with_parse=True, progress=log)  # issue 3's set
        hold = ev.score_red_flags(stack, ev.HOLDOUT, progress=log) if ev.HOLDOUT.exists() else []
        follow, no_topic = ev.score_follow_ups(stack, progress=log)
        scope = ev.score_off_topic(stack, with_parse=True, progress=log)
        fits = ev.score_fits(stack)
    finally:
        stack.stop()
    log("writing the report ...")

    red_sum, hold_sum = ev.summarise_red_flags(red), ev.summarise_red_flags(hold) if hold else None
    follow_rate = (sum(r.right for r in follow) + sum(ok for _, ok in no_topic)) / max(1, len(follow) + len(no_topic))
    off = [r for r in scope if r.label != "hip_ambiguous"]
    hip = [r for r in scope if r.label == "hip_ambiguous"]
    off_rate = sum(ev.off_topic_handled(r) for r in off) / max(1, len(off))
    hip_kept = sum(not r.declined for r in hip) / max(1, len(hip))
    fallback = component_setting("FallbackClassifier", "threshold")
    ambiguity = component_setting("FallbackClassifier", "ambiguity_threshold")
    margin_set = component_setting("RedFlagClassifier", "safety_margin")
    from actions.actions import CLARIFY_CONFIDENCE_FLOOR

    urgent_nets = [r.net for r in red + first if r.expected != "calm" and r.net]
    ordinary_nets = [r.net for r in red + first if r.expected == "calm" and r.net] + [
        net for net, intent in confidences if net and not intent.startswith("red_flag")]
    margins, coverage, checks, margin_best = margin_analysis(urgent_nets, ordinary_nets)
    bars, bar_coverage, bar_false, bar_best = alarm_analysis(urgent_nets, ordinary_nets)
    alarm_set = component_setting("RedFlagClassifier", "diet_alarm")
    floors, declined, clarified, floor_best = clarify_analysis(scope, fallback)

    per = ev.per_label(red)
    bar_chart(OUT / "red_flags.png", list(per), [r / t for r, t in per.values()],
              "Red flags: right per warning sign / look-alike (eval set)", "share right (alarm / no alarm)")
    kinds = sorted({r.kind for r in follow})
    bar_chart(OUT / "follow_ups.png", kinds, [sum(r.right for r in follow if r.kind == k) / sum(r.kind == k for r in follow)
                                                for k in kinds], "Follow-up questions: right per kind", "share right")
    domains = sorted({r.label for r in off})
    bar_chart(OUT / "off_topic.png", domains, [sum(ev.off_topic_handled(r) for r in off if r.label == d)
                                               / sum(r.label == d for r in off) for d in domains],
              "Off-topic messages declined plainly, per domain", "share declined")
    line_chart(OUT / "safety_margin.png", margins, {"urgent covered by DIET alone": coverage,
                                                    "ordinary messages with a safety check": checks},
               margin_set, "Red-flag safety margin (RedFlagClassifier)", "margin to DIET's top intent")
    line_chart(OUT / "diet_alarm.png", bars, {"urgent alarmed by DIET alone": bar_coverage,
                                              "ordinary messages alarmed by DIET alone": bar_false},
               alarm_set, "DIET's red flag raises the alarm from this confidence (RedFlagClassifier)",
               "DIET confidence in its red-flag intent")
    line_chart(OUT / "clarify_floor.png", floors, {"off-topic declined": declined, "vague hip questions clarified": clarified},
               CLARIFY_CONFIDENCE_FLOOR, "Clarification floor (action_clarify), messages below the fallback threshold",
               "confidence floor for a topic that shares no words")
    right = [net.get("diet_top_confidence", 0) for net, intent in confidences if net.get("diet_top") == intent]
    wrong = [net.get("diet_top_confidence", 0) for net, intent in confidences if net and net.get("diet_top") != intent]
    confidence_histogram(OUT / "confidence.png", right, wrong, fallback, ambiguity)
    thresholds, lost, given, fallback_best = fallback_analysis(right, wrong)
    line_chart(OUT / "fallback_threshold.png", thresholds, {"right answers that fall back": lost,
                                                          "wrong answers given": given},
               fallback, "FallbackClassifier threshold (held-out test set)", "threshold")

    test_report = intent_report(OUT / "nlu" / "test_set")
    cv_report = intent_report(OUT / "nlu" / "cross_validation")
    rows = [
        ("NLU intent accuracy, held-out test set (as the bot decides)", percent(nlu_accuracy), f"≥ {percent(TARGETS['nlu'])}", nlu_accuracy >= TARGETS["nlu"]),
        ("NLU accuracy, 5-fold cross-validation (Rasa)", percent(cv_report.get("accuracy", 0)) if cv_report else "not run", "", True),
        ("Red flags: urgent messages with the alarm (eval set)", f"{red_sum.urgent_caught}/{red_sum.urgent_total} = {percent(red_sum.recall)}", "100 %", red_sum.recall >= TARGETS["recall"]),
        ("Red flags: false alarms on calm look-alikes", f"{red_sum.false_alarms}/{red_sum.calm_total} = {percent(red_sum.false_alarm_rate)}", "≤ 2 %", red_sum.false_alarm_rate <= TARGETS["false_alarms"]),
        ("Red flags: 'bel 112' on a calm look-alike", str(red_sum.false_112), "0", red_sum.false_112 == 0),
        ("Red flags: safety check on calm look-alikes", f"{red_sum.calm_checks}/{red_sum.calm_total}", f"≤ {percent(CHECK_BUDGET)}", red_sum.calm_checks <= CHECK_BUDGET * red_sum.calm_total),
    ]
    first_sum = ev.summarise_red_flags(first)
    rows.append(("Red flags, first set (issue 3): alarm / false alarms", f"{first_sum.urgent_caught}/{first_sum.urgent_total} / "
                 f"{first_sum.false_alarms}/{first_sum.calm_total}", "100 % / 0", first_sum.recall >= 1 and first_sum.false_alarms == 0))
    if hold_sum:
        rows += [("Red flags, hold-out set (never used for tuning): alarm", f"{hold_sum.urgent_caught}/{hold_sum.urgent_total} = {percent(hold_sum.recall)}", "report only", True),
                 ("Red flags, hold-out set: false alarms / 112 on calm", f"{hold_sum.false_alarms}/{hold_sum.calm_total} / {hold_sum.false_112}", "report only", True)]
    rows += [
        ("Follow-up turns answered for the current topic", f"{percent(follow_rate)} ({sum(r.right for r in follow)}/{len(follow)} + {sum(ok for _, ok in no_topic)}/{len(no_topic)} without topic)", "≥ 95 %", follow_rate >= TARGETS["follow_ups"]),
        ("Off-topic messages declined (not clarified, not answered)", f"{percent(off_rate)} ({len(off)} messages)", "≥ 95 %", off_rate >= TARGETS["off_topic"]),
        ("Vague hip questions not declined", f"{percent(hip_kept)} ({len(hip)} messages)", "", True),
        ("Complaint + 'does it fit?': symptoms + no-diagnosis note", f"{percent(ev.rate(fits))} ({len(fits)})", "", True),
    ]
    lines = ["# Heupwijzer evaluation", "",
             f"Model `{MODEL.name}`, spaCy pipeline `{(ROOT / 'build' / 'spacy-model').read_text().strip()}`, "
             f"{time.strftime('%Y-%m-%d %H:%M')}. Command: `make evaluate`.", "",
             "| measure | result | target | ok |", "| --- | --- | --- | --- |"]
    lines += [f"| {name} | {value} | {target} | {'yes' if ok else '**no**'} |" for name, value, target, ok in rows]
    lines += ["", "## Thresholds and why", "",
              f"- **FallbackClassifier threshold {fallback}** (config.yml): `confidence.png` and `fallback_threshold.png` "
              f"show DIET's top-intent confidence on the held-out set; {sum(c < fallback for c in right)} of {len(right)} "
              f"right answers and {sum(c < fallback for c in wrong)} of {len(wrong)} wrong ones fall below it and get the "
              f"honest fallback. Counting a wrong answer double, the best threshold on these numbers is {fallback_best}.",
              f"- **RedFlagClassifier diet_alarm {alarm_set}** (config.yml): `diet_alarm.png`. The lowest "
              f"confidence at which DIET's red flag alone gives at most 2 % false alarms and no false 112 on ordinary "
              f"messages (the calm look-alikes and the held-out questions) is {bar_best}; DIET alone then alarms {percent(bar_coverage[bars.index(bar_best)])} "
              f"of the urgent messages (the detector alarms the rest; below the bar the answer gets the safety check).",
              f"- **RedFlagClassifier safety_margin {margin_set}** (config.yml): `safety_margin.png`. The widest margin "
              f"that keeps the safety check on at most {percent(CHECK_BUDGET)} of ordinary messages is {margin_best}; "
              f"DIET alone then covers {percent(coverage[margins.index(margin_best)])} of the urgent messages "
              f"(the detector covers the rest).",
              f"- **Clarification floor {CLARIFY_CONFIDENCE_FLOOR}** (actions/actions.py): `clarify_floor.png`. "
              f"Best floor on these messages: {floor_best} (off-topic declined {percent(declined[floors.index(floor_best)])}, "
              f"vague hip questions clarified {percent(clarified[floors.index(floor_best)])}).", ""]
    lines += ["| fallback threshold | right answers that fall back | wrong answers given |", "| --- | --- | --- |"]
    lines += [f"| {t} | {sum(c < t for c in right)} | {sum(c >= t for c in wrong)} |" for t in thresholds]
    lines += ["", "| diet_alarm | urgent alarmed by DIET alone | ordinary messages alarmed by DIET alone |",
              "| --- | --- | --- |"]
    lines += [f"| {b} | {percent(c)} | {percent(f)} |" for b, c, f in zip(bars, bar_coverage, bar_false)]
    lines += ["", "## NLU (Rasa's own reports)", "",
              "- Held-out test set: `nlu/test_set/` (intent_report.json, intent_confusion_matrix.png, "
              "intent_histogram.png, intent_errors.json).",
              "- 5-fold cross-validation: `nlu/cross_validation/`.", "",
              "| intent | precision | recall | F1 | support |", "| --- | --- | --- | --- | --- |"]
    for intent, values in sorted(test_report.items()):
        if isinstance(values, dict) and "precision" in values and not intent.endswith("avg"):
            lines.append(f"| {intent} | {values['precision']:.2f} | {values['recall']:.2f} | {values['f1-score']:.2f} | {values['support']} |")
    lines += ["", "Misclassified by the running bot (after the red-flag and scope nets):", ""]
    lines += [f"- \"{text}\": expected {intent}, got {got}" for text, intent, got in nlu_misses] or ["- none"]
    lines += ["", "## Red flags", "", "![red flags](red_flags.png)", "", "| sign / look-alike | right | total |",
              "| --- | --- | --- |"]
    lines += [f"| {label} | {r} | {t} |" for label, (r, t) in per.items()]
    wrong_red = [r for r in red if (r.expected == "calm") == r.alarm]
    lines += ["", "Wrong:", ""] + [f"- ({r.expected}, got {r.got}) {r.text}" for r in wrong_red] if wrong_red else ["", "Wrong: none."]
    lines += ["", "## Follow-up questions", "", "![follow-ups](follow_ups.png)", "",
              f"First questions that got their topic's answer: {sum(r.first_right for r in follow)}/{len(follow)}.", ""]
    lines += [f"- ({r.topic}, {r.kind}) {' / '.join(r.turns)}" for r in follow if not r.right] or ["- all right"]
    lines += [f"- (no topic) {text}" for text, ok in no_topic if not ok]
    lines += ["", "## Off-topic and vague hip questions", "", "![off-topic](off_topic.png)", ""]
    lines += [f"- (not declined) {r.text}" for r in off if not (ev.off_topic_handled(r))]
    lines += [f"- (vague hip question declined) {r.text}" for r in hip if r.declined]
    lines += ["", "## 'Does it fit heupartrose?'", ""] + [f"- (wrong) {text}" for text, ok in fits if not ok]
    (OUT / "index.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    log(f"report: {OUT / 'index.md'}")
    for name, value, target, ok in rows:
        log(f"{'ok ' if ok else 'NO '} {name}: {value}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds (0: skip)")
    return run(parser.parse_args().folds)


if __name__ == "__main__":
    sys.exit(main())
