"""`make evaluate`: the full picture of what Heupwijzer understands, written to reports/evaluation/.

1. NLU: Rasa's own `rasa test nlu` on the held-out test set and as 5-fold cross-validation
   (per-intent precision/recall/F1, confusion matrix, confidence histogram, misclassified examples).
2. A running Heupwijzer (heupwijzer/server/launch.py, as `make run` starts it) answers the evaluation sets:
   red flags (tests/data/eval, issue 3's set and the hold-out set), follow-up questions, off-topic
   messages and "does it fit?" questions, each as a patient would send it over REST.
3. Thresholds: every threshold in config.yml and the clarification floor, swept over these
   messages (tools/thresholds.py), with the value its rule picks next to the value in use.
4. Judging sets (tests/data/judging, tools/judging.py): Heupwijzer and the baseline of
   `make bench` (Rasa's default configuration on the same data, domain and actions) side by side,
   per category, in judging.md and judging.json. `make judge` runs this part alone.
index.md opens with a summary table; the plots are PNG files next to it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

from heupwijzer.paths import BASELINE_MODEL, MODEL, ROOT
from heupwijzer.settings import environment
from tests.harness.stack import Stack, texts
from tools import judging
from tools import red_flag_evaluation as rf
from tools import scoring as ev
from tools.evaluation_report import OUT, Results, detail_sections, summary, threshold_section

RASA = ROOT / ".venv" / "bin" / "rasa"


def log(message: str) -> None:
    print(f"[evaluate {time.strftime('%H:%M:%S')}] {message}", flush=True)


def rasa_test_nlu(folds: int) -> None:
    env = {
        **environment(),
        "HEUPWIJZER_SPACY_MODEL": (ROOT / "build" / "spacy-model").read_text().strip(),
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "RASA_TELEMETRY_ENABLED": "false",
    }
    log("NLU test set: rasa test nlu ...")
    subprocess.run(
        [
            str(RASA),
            "test",
            "nlu",
            "--nlu",
            "tests/data/nlu_test.yml",
            "--model",
            str(MODEL),
            "--out",
            str(OUT / "nlu" / "test_set"),
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    if folds:
        log(f"NLU cross-validation: rasa test nlu --cross-validation --folds {folds} (trains {folds} times) ...")
        subprocess.run(
            [
                str(RASA),
                "test",
                "nlu",
                "--nlu",
                "data/nlu",
                "--config",
                "config.yml",
                "--cross-validation",
                "--folds",
                str(folds),
                "--out",
                str(OUT / "nlu" / "cross_validation"),
            ],
            cwd=ROOT,
            env=env,
            check=True,
        )


def collect() -> Results:
    workdir = Path(tempfile.mkdtemp(prefix="heupwijzer-evaluate-"))
    log("starting Heupwijzer (heupwijzer/server/launch.py) ...")
    stack = Stack(workdir=workdir, tracker_db=workdir / "tracker.db", services="actions,rasa").start()
    try:
        log("NLU test set through the running bot ...")
        accuracy, misses = ev.score_nlu(stack)
        labelled = ev.nlu_test_set() + ev.follow_up_first_questions()
        nets = [(stack.parse(text).get("red_flag_net") or {}, intent) for text, intent in labelled]
        red = rf.score(stack, ev.EVAL / "red_flags.yml", with_parse=True, progress=log)
        first = rf.score(stack, rf.FIRST_SET, with_parse=True, progress=log)
        hold = rf.score(stack, rf.HOLDOUT, progress=log) if rf.HOLDOUT.exists() else []
        follow, no_topic = ev.score_follow_ups(stack, progress=log)
        scope = ev.score_off_topic(stack, with_parse=True, progress=log)
        return Results(accuracy, misses, nets, red, first, hold, follow, no_topic, scope, ev.score_fits(stack))
    finally:
        stack.stop()


def judge_all(directory_names: List[str], record: bool = False) -> None:
    """Heupwijzer and the baseline on every judging set: judging.md (both columns, then the misses)
    and judging.json. A set judges once before anyone reads its messages (tests/data/judging)."""
    chosen = [d for d in judging.sets() if not directory_names or d.name in directory_names]
    columns: Dict[str, Dict[str, Dict]] = {d.name: {} for d in chosen}
    misses: List[str] = []
    workdir = Path(tempfile.mkdtemp(prefix="heupwijzer-judge-"))
    log("judging: starting Heupwijzer (heupwijzer/server/launch.py) ...")
    stack = Stack(workdir=workdir / "ours", tracker_db=workdir / "tracker.db", services="actions,rasa").start()
    try:
        for directory in chosen:
            log(f"judging {directory.name}: Heupwijzer ...")
            scores = judging.judge(judging.load_set(directory), lambda p, t: texts(stack.say(p, t)), log)
            columns[directory.name]["Heupwijzer"] = judging.rates(scores)
            if record or (directory / "scores.json").exists():  # a new set's messages stay unread
                misses += judging.misses_section(directory.name, "Heupwijzer", scores)
    finally:
        stack.stop()
    if BASELINE_MODEL.exists():
        from tools.bench import Baseline

        log("judging: starting the baseline (Rasa's default configuration, tools/baseline/baseline_config.yml) ...")
        baseline = Baseline(workdir / "baseline")
        baseline.start()
        try:
            for directory in chosen:
                log(f"judging {directory.name}: baseline ...")
                scores = judging.judge(judging.load_set(directory), lambda p, t: baseline_say(baseline.url, p, t), log)
                columns[directory.name]["baseline"] = judging.rates(scores)
                if record or (directory / "scores.json").exists():
                    misses += judging.misses_section(directory.name, "the baseline", scores)
        finally:
            baseline.stop()
    else:
        log(f"no {BASELINE_MODEL.name}: the baseline column is left out (make {BASELINE_MODEL.relative_to(ROOT)})")
    lines = [
        "# Judging sets: Heupwijzer and Rasa's defaults on patients nobody here wrote for",
        "",
        f"Model `{MODEL.name}` against `{BASELINE_MODEL.name}` (tools/baseline/baseline_config.yml), "
        f"{time.strftime('%Y-%m-%d %H:%M')}. Command: `make judge` (part of `make evaluate`).",
        "",
    ]
    for name, column in columns.items():
        lines += judging.table(name, column)
    (OUT / "judging.md").write_text("\n".join(lines + ["## Misses", ""] + misses) + "\n", encoding="utf-8")
    (OUT / "judging.json").write_text(json.dumps(columns, indent=2), encoding="utf-8")
    if record:  # the set's judgement, kept with it: the tests' floors (tests/test_judging.py)
        for directory in chosen:
            path = directory / "scores.json"
            earlier = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
            kept = judging.recorded(earlier, columns[directory.name], time.strftime("%Y-%m-%d %H:%M"), MODEL.name)
            if kept is not None:
                path.write_text(json.dumps(kept, indent=2) + "\n", encoding="utf-8")
                log(f"recorded {path}")
    for name, column in columns.items():
        for line in judging.summary(column):
            log(f"{name} {line}")
    log(f"report: {OUT / 'judging.md'}")


def baseline_say(url: str, patient: str, text: str) -> str:
    import requests

    response = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": patient, "message": text}, timeout=60)
    response.raise_for_status()
    return texts(list(response.json()))


def run(folds: int) -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    rasa_test_nlu(folds)
    results = collect()
    log("writing the report ...")
    rows = summary(results)
    lines = [
        "# Heupwijzer evaluation",
        "",
        f"Model `{MODEL.name}`, spaCy pipeline `{(ROOT / 'build' / 'spacy-model').read_text().strip()}`, "
        f"{time.strftime('%Y-%m-%d %H:%M')}. Command: `make evaluate`.",
        "",
        "| measure | result | target | ok |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| {name} | {value} | {target} | {'yes' if ok else '**no**'} |" for name, value, target, ok in rows]
    lines += [""] + threshold_section(results) + detail_sections(results)
    (OUT / "index.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    log(f"report: {OUT / 'index.md'}")
    for name, value, _target, ok in rows:
        log(f"{'ok ' if ok else 'NO '} {name}: {value}")
    judge_all([])
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds (0: skip)")
    parser.add_argument("--judge-only", action="store_true", help="only the judging sets (make judge)")
    parser.add_argument("--set", dest="sets", action="append", default=[], help="only this judging set")
    parser.add_argument("--record", action="store_true", help="keep both columns in each set's scores.json")
    args = parser.parse_args()
    if args.judge_only:
        OUT.mkdir(parents=True, exist_ok=True)
        judge_all(args.sets, args.record)
        return 0
    return run(args.folds)


if __name__ == "__main__":
    sys.exit(main())
