"""`make bench`: Heupwijzer as in production on this machine (tests/harness/farm.py: two Rasa instances,
two action servers, PostgreSQL, Redis, nginx) against the baseline (the same data, domain and
actions trained with Rasa's default configuration, tools/baseline/baseline_config.yml, served by one
`rasa run` on its defaults), in one run, under the same load.

Load: Locust, headless, closed loop (tools/load/locustfile.py): each simulated patient asks 10 questions,
then a new patient starts; 1, 10 and 50 patients at once. Also measured: start -> first answer,
peak RSS per Rasa process, and cost growth (p95 over turns 1-10 vs. turns 191-200 of one long
conversation). Writes reports/bench/ (CSV + PNG) and prints progress and the table.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

import requests

from heupwijzer.paths import BASELINE_MODEL, ROOT, VENV_BIN
from heupwijzer.settings import environment
from tests.harness.farm import ACTION_TOKEN, Farm, rss_mb
from tests.harness.stack import REST_TOKEN, Stack, free_port, stop_process
from tools.load.conversation import QUESTIONS
from tools.scale_out import percentile

REPORTS = ROOT / "reports" / "bench"
LOCUSTFILE = ROOT / "tools" / "load" / "locustfile.py"
USERS = (1, 10, 50)
SECONDS = int(environment().get("BENCH_SECONDS", "30"))
LONG_TURNS = 200
TARGETS = {  # ratio ours / baseline (or absolute), and which way is better
    "throughput_10": (3.0, "min"),
    "p95_10_ms": (150.0, "max_abs"),
    "first_answer_s": (0.35, "max"),
    "rss_mb": (0.8, "max"),
    "growth": (1.5, "max_abs"),
}


def say(url: str, sender: str, text: str, headers: Dict[str, str]) -> Tuple[bool, float]:
    started = time.perf_counter()
    try:
        response = requests.post(
            f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, headers=headers, timeout=60
        )
        ok = response.status_code == 200 and bool(response.json())
    except (requests.RequestException, ValueError):
        ok = False
    return ok, time.perf_counter() - started


def first_answer(url: str, headers: Dict[str, str], started: float, timeout: float = 300) -> float:
    """Seconds from `started` until the server answers a patient."""
    while time.monotonic() - started < timeout:
        if say(url, f"start-{uuid.uuid4().hex[:8]}", "hallo", headers)[0]:
            return time.monotonic() - started
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def locust(url: str, users: int, headers: Dict[str, str], prefix: Path) -> Dict[str, float]:
    env = {
        **environment(),
        "BENCH_REST_TOKEN": headers.get("Authorization", "").removeprefix("Bearer "),
    }
    # `python -m locust` from the project root: the locustfile imports tools.load.conversation.
    argv = [str(VENV_BIN / "python"), "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--only-summary",
            "-u", str(users), "-r", str(users), "--host", url, "--loglevel", "ERROR"]  # fmt: skip
    # A short warm-up, then the measured run.
    subprocess.run([*argv, "-t", "5s"], cwd=ROOT, env=env, capture_output=True, check=False)
    subprocess.run(
        [*argv, "-t", f"{SECONDS}s", "--csv", str(prefix)], cwd=ROOT, env=env, capture_output=True, check=False
    )
    with open(f"{prefix}_stats.csv", newline="") as stats:
        row = next(r for r in csv.DictReader(stats) if r["Name"] == "Aggregated")
    return {
        "requests": float(row["Request Count"]),
        "failures": float(row["Failure Count"]),
        "throughput": float(row["Requests/s"]),
        "p50_ms": float(row["50%"]),
        "p95_ms": float(row["95%"]),
        "p99_ms": float(row["99%"]),
    }


def growth(url: str, headers: Dict[str, str], sessions: int = 3) -> Tuple[float, float]:
    """p95 (ms) over turns 1-10 and over turns 191-200 of long conversations, one patient at a time."""
    early: List[float] = []
    late: List[float] = []
    for _ in range(sessions):
        sender = f"long-{uuid.uuid4().hex[:8]}"
        for turn in range(1, LONG_TURNS + 1):
            _, seconds = say(url, sender, QUESTIONS[turn % len(QUESTIONS)], headers)
            if turn <= 10:
                early.append(seconds * 1000)
            elif turn > LONG_TURNS - 10:
                late.append(seconds * 1000)
    return percentile(early, 0.95), percentile(late, 0.95)


def progress(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", flush=True)


class Baseline:
    """One `rasa run` with Rasa's defaults and the baseline model; our action server beside it."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.actions = Stack(workdir=workdir / "actions", tracker_db=workdir / "unused.db", services="actions",
                             settings={"HEUPWIJZER_ACTION_TOKEN": ACTION_TOKEN})  # fmt: skip
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> float:
        self.actions.start()
        env = {**environment(), "HEUPWIJZER_ACTION_URL": f"http://127.0.0.1:{self.actions.actions_port}/webhook",
               "HEUPWIJZER_ACTION_TOKEN": ACTION_TOKEN}  # fmt: skip
        started = time.monotonic()
        with (self.workdir / "baseline.log").open("w") as log:
            self.process = subprocess.Popen(
                [str(VENV_BIN / "rasa"), "run", "-m", str(BASELINE_MODEL), "--port", str(self.port),
                 "--endpoints", "tools/baseline/endpoints.baseline.yml",
                 "--credentials", "tools/baseline/credentials.baseline.yml"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        return first_answer(self.url, {}, started)

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
        self.actions.stop()


def ours_first_answer(farm: Farm) -> float:
    """One more instance of the production setup, started as an instance is: launcher to answer."""
    extra = Stack(workdir=farm.workdir / "extra", tracker_db=farm.workdir / "unused.db", services="rasa",
                  settings=farm.rasas[0].settings)  # fmt: skip
    started = time.monotonic()
    extra.start()
    try:
        return first_answer(extra.base_url, {"Authorization": f"Bearer {REST_TOKEN}"}, started)
    finally:
        extra.stop()


def plot(rows: Sequence[Dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(8, 4.5))
    for target, colour in (("Heupwijzer", "tab:green"), ("baseline", "tab:grey")):
        mine = [r for r in rows if r["target"] == target]
        for key, style in (("p50_ms", ":"), ("p95_ms", "-"), ("p99_ms", "--")):
            axes.plot([r["users"] for r in mine], [r[key] for r in mine], style, color=colour, marker="o",
                      label=f"{target} {key.split('_')[0]}")  # fmt: skip
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xticks(list(USERS), [str(u) for u in USERS])
    axes.set_xlabel("patiënten tegelijk")
    axes.set_ylabel("antwoordtijd (ms)")
    axes.set_title("Heupwijzer (productie op deze machine) tegen Rasa's standaardconfiguratie")
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def write_reports(rows: List[Dict[str, Any]], summary: Dict[str, Dict[str, float]]) -> None:
    for target, values in summary.items():
        at_ten = next(r for r in rows if r["target"] == target and r["users"] == 10)
        values["throughput_10"] = float(at_ten["throughput"])
        values["p95_10_ms"] = float(at_ten["p95_ms"])
        values["growth"] = values["p95_late_ms"] / max(values["p95_early_ms"], 1e-9)
    with (REPORTS / "load.csv").open("w", newline="") as out:
        load = csv.DictWriter(out, fieldnames=list(rows[0]))
        load.writeheader()
        load.writerows(rows)
    lines = ["| maat | Heupwijzer | baseline | verhouding | doel | gehaald |", "|---|---|---|---|---|---|"]
    with (REPORTS / "summary.csv").open("w", newline="") as out:
        table_out = csv.writer(out)
        table_out.writerow(["metric", "heupwijzer", "baseline", "ratio", "target", "met"])
        for metric, (goal, kind) in TARGETS.items():
            ours, base = summary["Heupwijzer"][metric], summary["baseline"][metric]
            ratio = ours / base if base else float("nan")
            met = {"min": ratio >= goal, "max": ratio <= goal, "max_abs": ours <= goal}[kind]
            table_out.writerow([metric, f"{ours:.2f}", f"{base:.2f}", f"{ratio:.2f}", goal, met])
            lines.append(f"| {metric} | {ours:.2f} | {base:.2f} | {ratio:.2f} | {goal} | {'ja' if met else 'nee'} |")
    plot(rows, REPORTS / "latency.png")
    table = ["| doel | patiënten | berichten/s | p50 ms | p95 ms | p99 ms | fouten |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        table.append(
            f"| {r['target']} | {r['users']} | {r['throughput']:.1f} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | "
            f"{r['p99_ms']:.0f} | {r['failures']:.0f}/{r['requests']:.0f} |"
        )
    growth_lines = [
        f"{target}: p95 beurt 1-10 {v['p95_early_ms']:.0f} ms, beurt 191-200 {v['p95_late_ms']:.0f} ms"
        for target, v in summary.items()
    ]
    report = "\n".join(["", *table, "", *lines, "", *growth_lines, "", f"Rapport: {REPORTS}/"])
    (REPORTS / "index.md").write_text(report + "\n")
    print(report, flush=True)


def main() -> int:
    if not BASELINE_MODEL.exists():
        print(f"FOUT: {BASELINE_MODEL} ontbreekt: start via `make bench`, dat hem traint.", file=sys.stderr)
        return 2
    REPORTS.mkdir(parents=True, exist_ok=True)
    ours_headers = {"Authorization": f"Bearer {REST_TOKEN}"}
    rows: List[Dict[str, Any]] = []
    summary: Dict[str, Dict[str, float]] = {"Heupwijzer": {}, "baseline": {}}
    with tempfile.TemporaryDirectory(prefix="heupwijzer-bench-") as folder:
        work = Path(folder)
        progress("baseline starten (Rasa-standaardconfiguratie, één proces) ...")
        baseline = Baseline(work / "baseline")
        try:
            summary["baseline"]["first_answer_s"] = baseline.start()
            assert baseline.process is not None
            for users in USERS:
                progress(f"baseline: {users} patiënt(en), {SECONDS} s ...")
                rows.append({"target": "baseline", "users": users,
                             **locust(baseline.url, users, {}, work / f"baseline_{users}")})  # fmt: skip
            progress("baseline: één lang gesprek (kostengroei) ...")
            summary["baseline"]["p95_early_ms"], summary["baseline"]["p95_late_ms"] = growth(baseline.url, {})
            summary["baseline"]["rss_mb"] = rss_mb(baseline.process.pid, "VmHWM")
        finally:
            baseline.stop()
        progress("Heupwijzer starten zoals in productie (2 instanties, PostgreSQL, Redis, nginx) ...")
        farm = Farm(work / "farm", instances=2).start()
        try:
            summary["Heupwijzer"]["first_answer_s"] = ours_first_answer(farm)
            for users in USERS:
                progress(f"Heupwijzer: {users} patiënt(en), {SECONDS} s ...")
                rows.append({"target": "Heupwijzer", "users": users,
                             **locust(farm.url, users, ours_headers, work / f"ours_{users}")})  # fmt: skip
            progress("Heupwijzer: één lang gesprek (kostengroei) ...")
            summary["Heupwijzer"]["p95_early_ms"], summary["Heupwijzer"]["p95_late_ms"] = growth(farm.url, ours_headers)
            summary["Heupwijzer"]["rss_mb"] = max(rss_mb(pid, "VmHWM") for pid in farm.rasa_pids())
        finally:
            farm.stop()
    write_reports(rows, summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
