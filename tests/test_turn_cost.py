"""What keeps a turn cheap in a long conversation (make bench measures the effect; these tests
check that the means are in place)."""

from __future__ import annotations

import asyncio
import gc
from typing import Any, List

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels.server import ServerSettings
from store import event_types


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
        asyncio.run(settle(None, None))
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
