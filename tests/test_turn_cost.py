"""What keeps a turn cheap in a long conversation (make bench measures the effect; these tests
check that the means are in place)."""

from __future__ import annotations

import gc
import time
from typing import Any, List

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import event as sa_event

from heupwijzer.server.patches import ServerSettings
from heupwijzer.store import event_types
from tests.conftest import run_async


@pytest.fixture
def installed() -> Any:
    rasa_lookup = Event.__dict__["resolve_by_type"]
    event_types.install()
    yield
    Event.resolve_by_type = rasa_lookup  # type: ignore[method-assign]


def test_a_stored_conversation_reads_back_the_same_events(installed: Any) -> None:
    events: List[Event] = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        UserUttered("wat is artrose?", {"name": "ask_topic", "confidence": 0.9}),
        SlotSet("topic", "artrose"),
        BotUttered("Artrose is ...", {"buttons": []}),
    ]
    stored = [event.as_dict() for event in events]
    read_back = DialogueStateTracker.from_dict("p", stored, []).events
    assert list(read_back) == events
    assert [type(e) for e in read_back] == [type(e) for e in events]


def test_an_unknown_event_name_gets_rasas_own_answer(installed: Any) -> None:
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", default=UserUttered) is UserUttered
    with pytest.raises(ValueError):
        Event.resolve_by_type("no_such_event")


def test_an_event_class_is_searched_once_per_name(installed: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    event_types.resolve_by_type("user")  # known from now on
    searches = []
    monkeypatch.setattr(event_types, "all_subclasses", lambda cls: searches.append(cls) or [])
    for _ in range(100):
        assert Event.resolve_by_type("user") is UserUttered
    assert searches == []


def test_the_server_moves_its_long_lived_objects_out_of_the_collector_once_started() -> None:
    listeners = ServerSettings().blueprint(lambda message: None)._future_listeners  # type: ignore[arg-type,return-value]
    settle = next(item.listener for item in listeners if item.event == "after_server_start")
    gc.unfreeze()
    try:
        run_async(settle(None, None))
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


# --- the session cache: never a different conversation than the store holds ----------------------
@pytest.fixture
def two_instances(tmp_path: Any) -> Any:
    """Two stores on one database, as two Rasa instances."""
    from rasa.shared.core.domain import Domain

    from heupwijzer.store.tracker_store import ScrubbingTrackerStore

    domain = Domain.load("domain.yml")
    database = str(tmp_path / "tracker.db")
    return [ScrubbingTrackerStore(domain=domain, dialect="sqlite", db=database) for _ in range(2)]


def turn(store: Any, sender: str, text: str) -> None:
    tracker = run_async(store.get_or_create_tracker(sender))
    tracker.update(UserUttered(text, {"name": "ask_pain", "confidence": 0.9}))
    tracker.update(BotUttered("Over pijn ...", metadata={"utter_action": "utter_ask_pain"}))
    tracker.update(ActionExecuted("action_listen"))
    run_async(store.save(tracker))


def user_texts(store: Any, sender: str) -> List[str]:
    tracker = run_async(store.retrieve(sender))
    return [] if tracker is None else [e.text for e in tracker.events if isinstance(e, UserUttered)]


def test_an_instance_reads_what_the_other_instance_stored(two_instances: Any) -> None:
    one, other = two_instances
    turn(one, "p", "eerste")
    turn(one, "p", "tweede")
    assert user_texts(one, "p") == ["eerste", "tweede"]
    turn(other, "p", "derde")  # answered by the other instance
    statements: List[str] = []
    sa_event.listen(one.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    assert user_texts(one, "p") == ["eerste", "tweede", "derde"]
    assert len(statements) == 2 and "events.timestamp >" in statements[1], "only the other instance's events are read"
    turn(one, "p", "vierde")
    assert user_texts(other, "p") == ["eerste", "tweede", "derde", "vierde"]


def test_a_cached_conversation_is_the_stored_one_scrubbed(two_instances: Any) -> None:
    one, _ = two_instances
    turn(one, "q", "Ik ben Jan de Vries, mijn heup doet pijn")
    turn(one, "q", "en nu?")
    cached = run_async(one.retrieve("q"))
    one.sessions.forget("q")
    fresh = run_async(one.retrieve("q"))
    assert [e.as_dict() for e in cached.events] == [e.as_dict() for e in fresh.events]
    assert "Jan" not in str([e.as_dict() for e in cached.events])


def test_an_erased_or_purged_conversation_is_gone_on_every_instance(two_instances: Any) -> None:
    from heupwijzer.store.tracker_store import purge

    one, other = two_instances
    turn(one, "r", "hallo")
    assert user_texts(one, "r") == ["hallo"]
    other.delete("r")
    assert user_texts(one, "r") == []
    turn(one, "s", "hallo")
    assert user_texts(one, "s") == ["hallo"]
    purge(other, 0, now=time.time() + 10)
    assert user_texts(one, "s") == []


def test_a_message_read_from_the_cache_queries_the_store_once(two_instances: Any) -> None:
    one, _ = two_instances
    for text in ("een", "twee", "drie"):
        turn(one, "t", text)
    statements: List[str] = []
    sa_event.listen(one.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    run_async(one.retrieve("t"))
    assert len(statements) == 1 and "count" in statements[0].lower(), statements
    assert "data" not in statements[0].split("FROM")[0], "no event is read back"


def test_the_bench_report_compares_one_process_and_production_with_the_baseline(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make bench`'s tables (tools/bench.py): both comparisons, each target judged on its own ratio,
    the memory of every process of each stack and their sum (issue 21)."""
    from tools import bench

    monkeypatch.setattr(bench, "REPORTS", tmp_path)
    monkeypatch.setattr(bench, "plot", lambda rows, path: None)
    rows = [
        {"target": target, "users": users, "throughput": speed, "p50_ms": 40.0, "p95_ms": p95, "p99_ms": 300.0,
         "failures": 0.0, "requests": 100.0}
        for target, speed, p95 in (("baseline", 20.0, 600.0), (bench.ONE, 60.0, 140.0), (bench.FARM, 90.0, 100.0))
        for users in bench.USERS
    ]  # fmt: skip
    memory = {
        "baseline": {"rasa": 1250.0, "acties": 120.0},
        bench.ONE: {"rasa": 1000.0, "acties": 120.0},
        bench.FARM: {"rasa 1": 1100.0, "rasa 2": 1050.0, "acties 1": 120.0, "acties 2": 118.0},
    }
    summary = {
        target: {"first_answer_s": first, "p95_early_ms": 40.0, "p95_late_ms": late, "processes": peaks,
                 "rss_mb": max(v for k, v in peaks.items() if k.startswith("rasa")),
                 "stack_rss_mb": sum(peaks.values())}
        for (target, peaks), first, late in zip(memory.items(), (30.0, 14.0, 20.0), (120.0, 50.0, 160.0), strict=True)
    }  # fmt: skip
    bench.write_reports(rows, summary)
    report = (tmp_path / "index.md").read_text()
    assert f"{bench.ONE} tegen de baseline" in report and f"{bench.FARM} tegen de baseline" in report
    assert "| throughput_10 | 60.00 | 20.00 | 3.00 | 3.0 | ja |" in report
    assert "| rss_mb | 1000.00 | 1250.00 | 0.80 | 0.8 | ja |" in report
    assert "| rss_mb | 1100.00 | 1250.00 | 0.88 | 0.8 | nee |" in report, "the production column has its own row"
    assert "| stack_rss_mb | 1120.00 | 1370.00 | 0.82 | 1.0 | ja |" in report
    assert "| growth | 1.25 | 3.00 | 0.42 | 1.5 | ja |" in report and "| growth | 4.00 |" in report
    assert f"- {bench.FARM}: rasa 1 1100, rasa 2 1050, acties 1 120, acties 2 118" in report
