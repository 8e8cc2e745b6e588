"""Many patients at once through nginx, each with a multi-turn conversation, and what it shows:
every reply checked, the stored events compared with what was said, latencies and throughput.

    make scale-out                 # 1 and 2 Rasa instances, 50 patients x 8 turns, on this machine
    .venv/bin/python -m tools.scale_out --instances 2 --patients 50

A small thread-per-patient driver rather than a load tool: each patient waits for the answer
before the next turn (closed loop) and the script checks each answer against the turn before it,
which is the point of this test. `make bench` (issue 13) is where load tools come in.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import requests

from heupwijzer.channels.identity import conversation_id
from tests.harness.stack import ID_SECRET, REST_HEADERS, texts

# (what the patient types, what the answer must contain). Multi-turn context on purpose: turn 2 is a
# follow-up that needs turn 1's topic; turns 3-5 are the Beweegcheck form, answered on whichever
# instance nginx picks.
SCRIPT: List[Tuple[str, str]] = [
    ("wat kan ik zelf doen aan mijn heupartrose?", "Rook niet"),
    ("hoe vaak per week?", ""),
    ("beweeg ik eigenlijk wel genoeg?", "Vraag 1 van 2"),
    ("drie", "Vraag 2 van 2"),
    ("twee keer", "op 3 dagen"),
    ("wat doet een fysiotherapeut?", "In de behandeling"),
    ("hoe gaat de revalidatie na mijn nieuwe heup?", "weer soepel en sterk"),
    ("dank je wel", ""),
]
NOT_UNDERSTOOD = "Bedoel je"
TECHNICAL_PROBLEM = "er ging bij mij iets mis"  # content/texts.yml, channels.technical_problem


@dataclass
class Turn:
    text: str
    expected: str
    status: int = 0
    reply: List[Dict[str, object]] = field(default_factory=list)
    seconds: float = 0.0
    finished: float = 0.0

    @property
    def failed(self) -> bool:
        """Not answered (an error status, no connection) or told "er ging iets mis"."""
        return self.status != 200 or TECHNICAL_PROBLEM in texts(self.reply)

    @property
    def right(self) -> bool:
        said = texts(self.reply)
        return not self.failed and bool(said.strip()) and self.expected in said and NOT_UNDERSTOOD not in said


@dataclass
class Patient:
    sender: str
    turns: List[Turn]

    @property
    def conversation(self) -> str:
        return conversation_id("rest", self.sender, ID_SECRET.encode())

    def last_attempts(self) -> List[Turn]:
        """Per turn of the script, the patient's last attempt (the script's texts differ)."""
        last: Dict[str, Turn] = {}
        for turn in self.turns:
            last[turn.text] = turn
        return list(last.values())

    def expected_turns(self) -> List[Tuple[str, str]]:
        """What the store must hold: each text the patient sent and the answer to it, in order
        (failed turns are not stored). Rasa's REST channel sends a text in parts, split at blank
        lines; the store holds it whole, so both sides are compared as one text per turn."""
        return [
            (turn.text, "\n\n".join(str(m.get("text") or "") for m in turn.reply))
            for turn in self.turns
            if not turn.failed
        ]


def stored_turns(events: Sequence[Tuple[str, str]]) -> List[Tuple[str, str]]:
    """Stored (type, text) events as turns: a user text and the bot texts after it, joined."""
    turns: List[Tuple[str, List[str]]] = []
    for kind, text in events:
        if kind == "user":
            turns.append((text, []))
        elif turns:
            turns[-1][1].append(text)
        else:
            turns.append(("", [text]))  # a bot message before any user message: never expected
    return [(user, "\n\n".join(bot)) for user, bot in turns]


def say(session: requests.Session, url: str, sender: str, turn: Turn, timeout: float = 120) -> None:
    started = time.perf_counter()
    try:
        response = session.post(
            f"{url}/webhooks/rest/webhook",
            json={"sender": sender, "message": turn.text},
            headers=REST_HEADERS,
            timeout=timeout,
        )
        turn.status = response.status_code
        turn.reply = list(response.json()) if response.status_code == 200 else []
    except (requests.RequestException, ValueError):
        turn.status = -1
    turn.finished = time.perf_counter()
    turn.seconds = turn.finished - started


def converse(url: str, script: Sequence[Tuple[str, str]] = SCRIPT, retries: int = 0) -> Patient:
    """One patient, turn after turn. A turn that failed (a server down, "er ging iets mis") is sent
    again after a second, up to `retries` times, as a patient would."""
    patient = Patient(f"load-{uuid.uuid4().hex[:12]}", [])
    with requests.Session() as session:
        for text, expected in script:
            for attempt in range(retries + 1):
                if attempt:
                    time.sleep(1)
                turn = Turn(text, expected)
                say(session, url, patient.sender, turn)
                patient.turns.append(turn)
                if not turn.failed:
                    break
    return patient


def run(url: str, patients: int, **options: object) -> Tuple[List[Patient], float]:
    """`patients` conversations at once; returns them and the wall time."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=patients) as pool:
        done = list(pool.map(lambda _: converse(url, **options), range(patients)))  # type: ignore[arg-type]
    return done, time.perf_counter() - started


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


@dataclass
class Summary:
    conversations: int
    turns: int
    errors: int
    wrong: int
    throughput: float  # answered messages per second
    p50_ms: float
    p95_ms: float

    def line(self) -> str:
        return (
            f"{self.conversations} gesprekken, {self.turns} beurten, {self.errors} fouten, {self.wrong} verkeerd; "
            f"{self.throughput:.1f} berichten/s, p50 {self.p50_ms:.0f} ms, p95 {self.p95_ms:.0f} ms"
        )


def summarise(patients: Sequence[Patient], seconds: float) -> Summary:
    turns = [t for p in patients for t in p.turns]
    answered = [t for t in turns if not t.failed]
    latencies = [t.seconds * 1000 for t in answered]
    return Summary(
        conversations=len(patients),
        turns=len(turns),
        errors=len(turns) - len(answered),
        wrong=sum(not t.right for t in answered),
        throughput=len(answered) / seconds if seconds else 0.0,
        p50_ms=statistics.median(latencies) if latencies else 0.0,
        p95_ms=percentile(latencies, 0.95),
    )


def measure(instances: int, patients: int) -> str:
    from tests.harness.farm import Farm, rss_mb, user_and_bot_events

    with tempfile.TemporaryDirectory(prefix="heupwijzer-scale-") as folder:
        print(f"[scale-out] {instances} Rasa-instantie(s), 2 actieservers, nginx; starten ...", flush=True)
        farm = Farm(Path(folder), instances=instances).start()
        try:
            run(farm.url, 4)  # warm-up: first calls load lazily initialised parts
            patients_done, seconds = run(farm.url, patients)
            summary = summarise(patients_done, seconds)
            mismatched = sum(stored_turns(list(user_and_bot_events(farm, p.conversation))) != p.expected_turns()
                             for p in patients_done)  # fmt: skip
            rss = [rss_mb(pid, "VmHWM") for pid in farm.rasa_pids()]
        finally:
            farm.stop()
    peak = ", ".join(f"{mb:.0f} MB" for mb in rss)
    return (
        f"{instances} instantie(s), {patients} patiënten x {len(SCRIPT)} beurten: {summary.line()}; "
        f"gesprekken met afwijkende opslag: {mismatched}; piek-RSS per Rasa-proces: {peak}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instances", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--patients", type=int, default=50)
    args = parser.parse_args(argv)
    lines = [measure(n, args.patients) for n in args.instances]
    print("\n".join(["", *lines]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
