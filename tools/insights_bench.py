"""`make insights-bench`: the insights page built from a year of conversations. Generates 100,000
conversations (default) spread over 365 days into a new SQLite tracker store, the way Heupwijzer
stores them (Rasa's events, and per turn the facts of heupwijzer/insights/facts.py in heupwijzer/insights/tables.py),
then times building the page (numbers, charts, HTML) for the last 7, 30 and 90 days, opened
read-only as the web server does. Writes reports/insights/bench.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered

from heupwijzer.insights import page, report, tables
from heupwijzer.insights.facts import Fact, Unanswered, turn_facts
from heupwijzer.paths import ROOT

REPORTS = ROOT / "reports" / "insights"
CHANNELS = ["socketio"] * 6 + ["twilio"] * 3 + ["telegram"]
QUESTIONS = [
    "kan ik zwemmen in zee?",
    "mag ik traplopen met mijn heup",
    "helpt glucosamine?",
    "wat kost een fysiotherapeut?",
    "hoe lang duurt de wachtlijst",
    "mag ik golfen na een nieuwe heup",
]


def conversation(rng: random.Random, start: float) -> List[Event]:
    """One realistic conversation: a greeting, 1-4 topics, sometimes a miss, feedback, a red flag or
    the Beweegcheck."""
    channel = rng.choice(CHANNELS)
    clock = [start]

    def at() -> float:
        clock[0] += rng.uniform(5, 60)
        return clock[0]

    def said(text: str, intent: str) -> UserUttered:
        return UserUttered(text, {"name": intent, "confidence": 0.9}, input_channel=channel, timestamp=at())

    def bot(response: str) -> BotUttered:
        return BotUttered("...", metadata={"utter_action": response}, timestamp=at())

    topics = list(report.topic_labels())
    events: List[Event] = [
        ActionExecuted("action_session_start", timestamp=start),
        SessionStarted(timestamp=start),
        ActionExecuted("action_listen", timestamp=start),
        said("hallo", "greet"),
        bot("utter_greet"),
    ]
    for _ in range(rng.choice([1, 1, 2, 2, 3, 4])):
        topic = rng.choice(topics[:8]) if rng.random() < 0.7 else rng.choice(topics)
        events += [
            ActionExecuted("action_listen", timestamp=at()),
            said("vraag over " + topic, topic),
            bot(f"utter_{topic}"),
            SlotSet("topic", topic, timestamp=at()),
        ]
        if rng.random() < 0.3:
            positive = rng.random() < 0.8
            rating = {"topic": topic, "rating": "positive" if positive else "negative"}
            events += [said("👍" if positive else "👎", "feedback"), SlotSet("feedback", rating, timestamp=at())]
    if rng.random() < 0.15:
        events += [said(rng.choice(QUESTIONS), "nlu_fallback"), bot("utter_clarify")]
        if rng.random() < 0.3:
            events += [said(rng.choice(QUESTIONS), "nlu_fallback"), bot("utter_second_miss")]
    if rng.random() < 0.02:
        events += [said("ik kan mijn been niet meer bewegen", "red_flag_urgent"), bot("utter_red_flag_urgent")]
    if rng.random() < 0.005:
        events += [said("ik ben gevallen en heb hevige pijn", "red_flag_emergency"), bot("utter_red_flag_emergency")]
    if rng.random() < 0.1:
        events += [
            said("beweegcheck", "beweegcheck"),
            bot("utter_beweegcheck_intro"),
            said("3", "inform"),
            said("2", "inform"),
        ]
        if rng.random() < 0.4:
            events.append(bot("utter_beweegcheck_norm_met"))
        events.append(bot("utter_beweegcheck_closing"))
    return events


def generate(engine: Any, conversations: int, days: int, seed: int = 2026, last: dt.date | None = None) -> Counter:
    """Store `conversations` conversations over the last `days` days; returns the facts they hold."""
    rng = random.Random(seed)
    store = SQLTrackerStore(host=str(engine.url))  # Rasa's events table, as Heupwijzer's store has it
    tables.create(store.engine)
    last = last or report.today()
    end = dt.datetime.combine(last, dt.time(20, 0), tzinfo=dt.timezone.utc).timestamp()
    facts: Counter[Fact] = Counter()
    texts: List[Unanswered] = []
    rows: List[Dict[str, Any]] = []
    with store.engine.begin() as connection:
        for number in range(conversations):
            events = conversation(rng, end - rng.uniform(0, days * 86400 - 8 * 3600))
            found, unanswered = turn_facts([], events)
            facts.update(found)
            texts += unanswered
            sender = f"generated-{number}"
            rows += [
                {
                    "sender_id": sender,
                    "type_name": e.type_name,
                    "timestamp": e.timestamp,
                    "intent_name": None,
                    "action_name": None,
                    "data": json.dumps(e.as_dict()),
                }
                for e in events
            ]
            if len(rows) > 50_000:
                connection.execute(store.SQLEvent.__table__.insert(), rows)
                rows = []
        if rows:
            connection.execute(store.SQLEvent.__table__.insert(), rows)
        aggregated = [(f.day, f.channel, f.metric, f.key, n) for f, n in facts.items()]
        connection.execute(
            tables.counts.insert(),
            [dict(zip(("day", "channel", "metric", "key", "count"), row, strict=True)) for row in aggregated],
        )
        if texts:
            connection.execute(tables.unanswered.insert(), [{"day": t.day, "text": t.text} for t in texts])
    return facts


def timed(engine: Any, days: int) -> Tuple[float, str]:
    started = time.perf_counter()
    html = page.html(report.build(engine, days))
    return time.perf_counter() - started, html


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=100_000)
    args = parser.parse_args()
    REPORTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="heupwijzer-insights-") as folder:
        database = Path(folder) / "tracker.db"
        started = time.perf_counter()
        generate(sa.create_engine(f"sqlite:///{database}"), args.conversations, 365)
        generation = time.perf_counter() - started
        engine = sa.create_engine(f"sqlite:///file:{database}?mode=ro&uri=true")
        with engine.connect() as connection:
            events = connection.execute(sa.text("select count(*) from events")).scalar()
            count_rows = connection.execute(sa.select(sa.func.count()).select_from(tables.counts)).scalar()
        lines = [
            f"# Insights page from {args.conversations:,} conversations over 365 days (SQLite)",
            "",
            f"- stored: {events:,} events, {count_rows:,} count rows ({generation:.0f} s to generate)",
            "",
            "| period | first build (s) | median of 5 (s) | page size (kB) |",
            "|---|---|---|---|",
        ]
        for days in report.PERIODS:
            first, html = timed(engine, days)
            again = statistics.median(timed(engine, days)[0] for _ in range(5))
            lines.append(f"| {days} days | {first:.2f} | {again:.2f} | {len(html) // 1024} |")
    text = "\n".join(lines) + "\n"
    (REPORTS / "bench.md").write_text(text)
    print(text, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
