"""`make profile`: where a Rasa process spends its time under load. Starts Heupwijzer (embedded
profile, one instance), puts 10 closed-loop patients on it with Locust (tools/load/locustfile.py), and
samples the Rasa process with py-spy. Writes reports/bench/profile.md: the share of samples inside
each part of a turn (inclusive, so parts nest), and the functions with the most own time.
"""

from __future__ import annotations

import collections
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Counter, Dict, List, Tuple

from heupwijzer.paths import ROOT, VENV_BIN
from heupwijzer.settings import environment
from tests.harness.farm import server_pid
from tests.harness.stack import REST_TOKEN, Stack
from tools.bench import LOCUSTFILE

REPORTS = ROOT / "reports" / "bench"
SECONDS = 30
# The parts of a turn, by the functions that run only inside that part (file:function in the stack;
# alternatives separated by |).
PARTS: List[Tuple[str, str]] = [
    ("whole turn (MessageProcessor.handle_message)", "processor.py:handle_message"),
    ("NLU parse", "processor.py:parse_message"),
    ("  DIET", "diet_classifier.py:process"),
    ("  spaCy", "spacy_utils.py:"),
    ("  our safety nets (heupwijzer/nlu/)", "red_flag_classifier.py:process"),
    ("tracker load (tracker store retrieve)", "tracker_store.py:retrieve"),
    ("tracker save", "tracker_store.py:save"),
    ("  scrubbing before save (deduce)", "scrub.py:scrub"),
    ("policy predictions (all policies)", "processor.py:predict_next_with_tracker"),
    ("  rule policy", "rule_policy.py:predict_action_probabilities"),
    ("  memoization policy", "memoization.py:predict_action_probabilities"),
    ("  TED policy", "ted_policy.py:predict_action_probabilities"),
    ("tracker featurization", "featurizers/tracker_featurizers.py:"),
    (
        "custom actions (RemoteAction.run)",
        "action.py:_action_call_format|endpoints.py:request|"
        "action.py:_validate_action_result|action.py:_utter_responses|events.py:deserialise_events",
    ),
    ("  the HTTP call to the action server", "endpoints.py:request"),
    ("  checking its answer against Rasa's JSON schema", "action.py:_validate_action_result"),
    ("sending the bot's messages (NLG, channel)", "processor.py:_send_bot_messages"),
    ("lock store", "lock_store.py:"),
]


def collapsed(path: Path) -> Counter[str]:
    """py-spy's raw output: one line per distinct stack, 'frame;frame;... count'."""
    stacks: Counter[str] = collections.Counter()
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks[stack] += int(count)
    return stacks


def frame_key(frame: str) -> str:
    """'handle_message (rasa/core/processor.py:123)' -> 'processor.py:handle_message'."""
    name, _, where = frame.partition(" (")
    file = where.rsplit(":", 1)[0].rsplit("/", 2)
    return f"{'/'.join(file[-2:]) if 'featurizers' in where else file[-1]}:{name.strip()}"


def summarise(stacks: Counter[str]) -> str:
    total = sum(stacks.values()) or 1
    inside: Dict[str, int] = collections.defaultdict(int)
    own: Counter[str] = collections.Counter()
    for stack, count in stacks.items():
        keys = [frame_key(f) for f in stack.split(";")]
        own[keys[-1]] += count
        for label, marker in PARTS:
            if any(alternative in key for key in keys for alternative in marker.split("|")):
                inside[label] += count
    turn = inside[PARTS[0][0]] or 1
    lines = [
        "| part of a turn | share of samples | share of a turn |",
        "|---|---|---|",
        *(f"| {label} | {inside[label] / total:.0%} | {inside[label] / turn:.0%} |" for label, _ in PARTS),
        "",
        "| function (own time) | share of samples |",
        "|---|---|",
        *(f"| `{key}` | {count / total:.1%} |" for key, count in own.most_common(15)),
    ]
    return "\n".join(lines)


def main() -> int:
    REPORTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="heupwijzer-profile-") as folder:
        work = Path(folder)
        stack = Stack(workdir=work / "stack", tracker_db=work / "tracker.db", services="actions,rasa").start()
        try:
            env = {**environment(), "BENCH_REST_TOKEN": REST_TOKEN}
            load = subprocess.Popen(
                [str(VENV_BIN / "python"), "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
                 "--only-summary", "-u", "10", "-r", "10", "-t", f"{SECONDS + 10}s", "--host", stack.base_url],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            time.sleep(5)  # past the first turns, which load lazily initialised parts
            raw = work / "profile.txt"
            subprocess.run(
                [str(VENV_BIN / "py-spy"), "record", "--pid", str(server_pid(stack, "rasa run")), "--duration",
                 str(SECONDS), "--rate", "200", "--format", "raw", "--output", str(raw), "--nonblocking"],
                check=True, capture_output=True,
            )  # fmt: skip
            load.wait()
            report = summarise(collapsed(raw))
            (REPORTS / "profile.txt").write_text(raw.read_text())  # the raw stacks, for a closer look
        finally:
            stack.stop()
    text = f"# Where a Rasa process spends its time (10 patients, {SECONDS} s, py-spy)\n\n{report}\n"
    (REPORTS / "profile.md").write_text(text)
    print(text, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
