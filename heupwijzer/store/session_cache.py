"""The current session of recently active conversations, kept by each Rasa instance as the events
it stored (scrubbed, exactly what a read from the store returns). Rasa's SQL store reads every event
of the session back and decodes it on every message: at turn 150 of one conversation that was 45 %
of a turn (py-spy). With this cache a message costs one small query: how many events the session
holds in the store, the latest timestamp, and how many of them are not newer than what this instance
saw. When another instance answered in between, only its events are read. A full read follows when
the stored session no longer starts with what is cached: the conversation was erased or purged, a
new session started, or a save failed.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Sequence, Tuple

from rasa.shared.core.events import Event, SessionStarted

from heupwijzer.insights.facts import SessionSoFar

State = Tuple[int, float]  # events in the stored session, their latest timestamp


@dataclass(frozen=True)
class Session:
    state: State
    events: Tuple[Event, ...]
    # what the insights facts of the next turn depend on (heupwijzer/insights/facts.py), when this
    # instance stored the session's latest events itself
    summary: SessionSoFar | None = None


class SessionCache:
    def __init__(self, size: int = 1000, longest: int = 5000) -> None:
        self.size = size  # conversations
        self.longest = longest  # events: a longer session is read from the store each time
        self.sessions: OrderedDict[str, Session] = OrderedDict()

    def peek(self, sender_id: str) -> Session | None:
        return self.sessions.get(sender_id)

    def put(self, sender_id: str, stored: State, events: Sequence[Event], summary: SessionSoFar | None = None) -> None:
        if len(events) > self.longest:
            self.sessions.pop(sender_id, None)
            return
        self.sessions[sender_id] = Session(stored, tuple(events), summary)
        self.sessions.move_to_end(sender_id)
        while len(self.sessions) > self.size:
            self.sessions.popitem(last=False)

    def stored(
        self, sender_id: str, count_before: int, new: Sequence[Event], summary: SessionSoFar | None = None
    ) -> None:
        """`new` was committed after `count_before` events (`summary`: the session's insights summary
        with them): extend the session, or forget it when it wasn't the one cached or a new session began."""
        session = self.sessions.pop(sender_id, None)
        if any(isinstance(event, SessionStarted) for event in new):
            return
        if session is None and count_before == 0 and new:
            self.put(sender_id, (len(new), max(e.timestamp for e in new)), new, summary)
        elif session is not None and session.state[0] == count_before:
            latest = max([session.state[1], *(e.timestamp for e in new)])
            self.put(sender_id, (count_before + len(new), latest), session.events + tuple(new), summary)

    def forget(self, sender_id: str) -> None:
        self.sessions.pop(sender_id, None)
