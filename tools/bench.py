"""`make bench`: the baseline (the same data, domain and actions trained with Rasa's default
configuration, tools/baseline/baseline_config.yml, served by one `rasa run` on its defaults, with our
action server) against Heupwijzer twice, in one run, under the same load: one process as `make run`
starts it (the fair comparison: one Rasa process and its action server, SQLite) and as in production
on this machine (tests/harness/farm.py: two Rasa instances, two action servers, PostgreSQL, Redis,
nginx).

Load: Locust, headless, closed loop (tools/load/locustfile.py): each simulated patient asks 10 questions,
then a new patient starts; 1, 10 and 50 patients at once. Also measured: start -> first answer,
peak RSS of every process of each stack (Rasa, action server) and their sum, and cost growth
(p95 over turns 1-10 vs. turns 191-200 of one long conversation). Writes reports/bench/ (CSV + PNG)
and prints progress and the tables.
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
from tests.harness.farm import ACTION_TOKEN, Farm, rss_mb, server_pid
from tests.harness.stack import REST_TOKEN, Stack, free_port, stop_process
from tools.load.conversation import QUESTIONS
from tools.scale_out import percentile

REPORTS = ROOT / "reports" / "bench"
LOCUSTFILE = ROOT / "tools" / "load" / "locustfile.py"
USERS = (1, 10, 50)
SECONDS = int(environment().get("BENCH_SECONDS", "30"))
LONG_TURNS = 200
TARGETS = {  # ratio ours / baseline (or absolute), and which way is better (issue 21, per process)
    "throughput_10": (3.0, "min"),
    "p95_10_ms": (150.0, "max_abs"),
    "first_answer_s": (0.5, "max"),
    "rss_mb": (0.8, "max"),
    "stack_rss_mb": (1.0, "max"),
    "growth": (1.5, "max_abs"),
}
ONE = "Heupwijzer (1 proces)"
FARM = "Heupwijzer (productie)"


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
    for target, colour in ((ONE, "tab:blue"), (FARM, "tab:green"), ("baseline", "tab:grey")):
        mine = [r for r in rows if r["target"] == target]
        for key, style in (("p50_ms", ":"), ("p95_ms", "-"), ("p99_ms", "--")):
            axes.plot([r["users"] for r in mine], [r[key] for r in mine], style, color=colour, marker="o",
                      label=f"{target} {key.split('_')[0]}")  # fmt: skip
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xticks(list(USERS), [str(u) for u in USERS])
    axes.set_xlabel("patiënten tegelijk")
    axes.set_ylabel("antwoordtijd (ms)")
    axes.set_title("Heupwijzer (één proces en productie) tegen Rasa's standaardconfiguratie")
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def write_reports(rows: List[Dict[str, Any]], summary: Dict[str, Dict[str, Any]]) -> None:
    for target, values in summary.items():
        at_ten = next(r for r in rows if r["target"] == target and r["users"] == 10)
        values["throughput_10"] = float(at_ten["throughput"])
        values["p95_10_ms"] = float(at_ten["p95_ms"])
        values["growth"] = values["p95_late_ms"] / max(values["p95_early_ms"], 1e-9)
    with (REPORTS / "load.csv").open("w", newline="") as out:
        load = csv.DictWriter(out, fieldnames=list(rows[0]))
        load.writeheader()
        load.writerows(rows)
    lines: List[str] = []
    with (REPORTS / "summary.csv").open("w", newline="") as out:
        table_out = csv.writer(out)
        table_out.writerow(["comparison", "metric", "heupwijzer", "baseline", "ratio", "target", "met"])
        for target in (ONE, FARM):
            header = "| maat | Heupwijzer | baseline | verhouding | doel | gehaald |"
            lines += ["", f"{target} tegen de baseline", "", header, "|---|---|---|---|---|---|"]
            for metric, (goal, kind) in TARGETS.items():
                ours, base = summary[target][metric], summary["baseline"][metric]
                ratio = ours / base if base else float("nan")
                met = {"min": ratio >= goal, "max": ratio <= goal, "max_abs": ours <= goal}[kind]
                table_out.writerow([target, metric, f"{ours:.2f}", f"{base:.2f}", f"{ratio:.2f}", goal, met])
                lines.append(
                    f"| {metric} | {ours:.2f} | {base:.2f} | {ratio:.2f} | {goal} | {'ja' if met else 'nee'} |"
                )
    lines += ["", "Geheugen (piek-RSS, MB) per proces:"]
    lines += [f"- {target}: " + ", ".join(f"{name} {mb:.0f}" for name, mb in summary[target]["processes"].items())
              for target in ("baseline", ONE, FARM)]  # fmt: skip
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


def one_process(work: Path) -> Tuple[Stack, float]:
    """Heupwijzer as `make run` starts it (one Rasa process, its action server, SQLite): launcher to answer."""
    stack = Stack(workdir=work, tracker_db=work / "tracker.db", services="actions,rasa")
    started = time.monotonic()
    stack.start()
    return stack, first_answer(stack.base_url, {"Authorization": f"Bearer {REST_TOKEN}"}, started)


def measure(target: str, url: str, headers: Dict[str, str], work: Path, rows: List[Dict[str, Any]]) -> Dict[str, Any]:
    for users in USERS:
        progress(f"{target}: {users} patiënt(en), {SECONDS} s ...")
        rows.append({"target": target, "users": users, **locust(url, users, headers, work / f"{target}_{users}")})
    progress(f"{target}: één lang gesprek (kostengroei) ...")
    early, late = growth(url, headers)
    return {"p95_early_ms": early, "p95_late_ms": late}


def with_memory(values: Dict[str, Any], processes: Dict[str, int]) -> Dict[str, Any]:
    """Peak RSS of each process (MB); rss_mb is the biggest Rasa process's, stack_rss_mb the sum."""
    peaks = {name: rss_mb(pid, "VmHWM") for name, pid in processes.items()}
    rasa = [mb for name, mb in peaks.items() if name.startswith("rasa")]
    return {**values, "processes": peaks, "rss_mb": max(rasa), "stack_rss_mb": sum(peaks.values())}


def main() -> int:
    if not BASELINE_MODEL.exists():
        print(f"FOUT: {BASELINE_MODEL} ontbreekt: start via `make bench`, dat hem traint.", file=sys.stderr)
        return 2
    REPORTS.mkdir(parents=True, exist_ok=True)
    ours_headers = {"Authorization": f"Bearer {REST_TOKEN}"}
    rows: List[Dict[str, Any]] = []
    summary: Dict[str, Dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="heupwijzer-bench-") as folder:
        work = Path(folder)
        progress("baseline starten (Rasa-standaardconfiguratie, één proces) ...")
        baseline = Baseline(work / "baseline")
        try:
            first = baseline.start()
            assert baseline.process is not None
            values = measure("baseline", baseline.url, {}, work, rows)
            processes = {"rasa": baseline.process.pid, "acties": server_pid(baseline.actions, "action_server")}
            summary["baseline"] = with_memory({**values, "first_answer_s": first}, processes)
        finally:
            baseline.stop()
        progress("Heupwijzer starten als `make run` (één Rasa-proces, SQLite) ...")
        stack, first = one_process(work / "one")
        try:
            values = measure(ONE, stack.base_url, ours_headers, work, rows)
            processes = {"rasa": server_pid(stack, "rasa run"), "acties": server_pid(stack, "action_server")}
            summary[ONE] = with_memory({**values, "first_answer_s": first}, processes)
        finally:
            stack.stop()
        progress("Heupwijzer starten zoals in productie (2 instanties, PostgreSQL, Redis, nginx) ...")
        farm = Farm(work / "farm", instances=2).start()
        try:
            first = ours_first_answer(farm)
            values = measure(FARM, farm.url, ours_headers, work, rows)
            processes = {f"rasa {i + 1}": pid for i, pid in enumerate(farm.rasa_pids())}
            processes.update({f"acties {i + 1}": server_pid(a, "action_server") for i, a in enumerate(farm.actions)})
            summary[FARM] = with_memory({**values, "first_answer_s": first}, processes)
        finally:
            farm.stop()
    write_reports(rows, summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
