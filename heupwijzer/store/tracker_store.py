"""Rasa's SQL tracker store (SQLite now, PostgreSQL in production) that keeps no personal data:

- every patient text is scrubbed (heupwijzer/store/scrub.py) before it is written, in the event's text and in
  its parse data; the NLU and the actions of the turn still saw the original;
- an erasure the patient confirmed (slot `erase_conversation`, set by action_erase_conversation)
  deletes every stored event of the conversation instead of saving it;
- `purge(store, days)` deletes conversations without activity for that many days (`make purge`);
- each instance keeps the current session of recent conversations (heupwijzer/store/session_cache.py), so a
  message reads only how much the store holds, not every event again;
- every stored turn also adds its countable facts to the practice's insights, in the same
  transaction (heupwijzer/insights/tables.py).
"""

from __future__ import annotations

import copy
import itertools
import json
import logging
import time
from typing import Any, Dict, Iterator, List, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import BotUttered, Event, SlotSet, UserUttered, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import exc as sa_exc

from heupwijzer.domain_names import ERASE_SLOT
from heupwijzer.insights import tables as insight_tables
from heupwijzer.insights.facts import SessionSoFar, all_facts, day_of, facts_of_turn, feedback_fact, so_far
from heupwijzer.observe import metrics, turns
from heupwijzer.store.availability import READ_FAILED, SAVE_FAILED, STORE_PROBLEM
from heupwijzer.store.scrub import scrubber
from heupwijzer.store.session_cache import SessionCache

logger = logging.getLogger(__name__)

UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)


def scrubbed(event: Event) -> Event:
    """A copy of the event without personal data in what the patient typed (the text, its parse data,
    and slot values filled from the text, such as the Beweegcheck's answers)."""
    scrub = scrubber().scrub
    if isinstance(event, SlotSet) and isinstance(event.value, str):
        return SlotSet(event.key, scrub(event.value), event.timestamp, event.metadata)
    if not isinstance(event, UserUttered) or not event.text:
        return event
    data: Dict[str, Any] = copy.deepcopy(event.as_dict())
    data["text"] = scrub(event.text)
    parse = data.get("parse_data") or {}
    if parse.get("text"):
        parse["text"] = data["text"]
    for entity in parse.get("entities") or []:  # entity values come from the text
        if isinstance(entity.get("value"), str):
            entity["value"] = scrub(entity["value"])
    data.pop("metadata", None)
    parse.pop("metadata", None)
    copy_of = Event.from_parameters(data)
    if copy_of is None:
        raise ValueError(f"a scrubbed {event.type_name} event could not be rebuilt")
    return copy_of


class ScrubbingTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sessions = SessionCache()
        # sender -> (events before, new events, the insights summary after them)
        self._saving: Dict[str, Tuple[int, List[Event], SessionSoFar | None]] = {}
        insight_tables.create(self.engine)
        scrubber()  # loaded at startup: the first patient doesn't wait for it

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """A read that failed because the database did not answer is marked (heupwijzer/store/availability.py)
        before Rasa's wrapper hides it."""
        started = time.perf_counter()
        try:
            return await super().retrieve(sender_id)
        except UNAVAILABLE as problem:  # the database away for a moment, not a broken conversation
            STORE_PROBLEM.set(READ_FAILED)
            metrics.error("store_read")
            logger.error("A conversation could not be read: %s", type(problem).__name__)
            raise
        finally:
            metrics.STORE_SECONDS.labels("load").observe(time.perf_counter() - started)

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> DialogueStateTracker | None:
        if fetch_events_from_all_sessions:
            return await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        with self.session_scope() as session:
            events = self._session_events(sender_id, self._event_query(session, sender_id, False))
        if not events or not self.domain:
            return None
        return DialogueStateTracker.from_events(sender_id, list(events), self.domain.slots)

    def _session_events(self, sender_id: str, query: Any) -> Tuple[Event, ...]:
        """The stored session: from the cache when the store holds just that; the cache plus what
        was stored after it when another instance answered in between; otherwise read whole."""
        timestamp = self.SQLEvent.timestamp
        cached = self.sessions.peek(sender_id)
        seen = cached.state[1] if cached else 0.0
        count, latest, before = (
            query.order_by(None)
            .with_entities(
                sa.func.count(), sa.func.max(timestamp), sa.func.sum(sa.case((timestamp <= seen, 1), else_=0))
            )
            .one()
        )
        if cached is not None and (int(count), float(latest or 0.0)) == cached.state:
            self.sessions.put(sender_id, cached.state, cached.events, cached.summary)  # the most recent again
            return cached.events
        # The state is taken from the rows read, not from the query above: another writer may have
        # committed in between.
        if cached is not None and int(before or 0) == cached.state[0]:
            added = query.filter(timestamp > seen).all()
            events = cached.events + tuple(deserialise_events([json.loads(row.data) for row in added]))
            stored = (cached.state[0] + len(added), max([seen, *(row.timestamp for row in added)]))
        else:
            rows = query.all()
            events = tuple(deserialise_events([json.loads(row.data) for row in rows]))
            stored = (len(rows), max([0.0, *(row.timestamp for row in rows)]))
        if events:
            self.sessions.put(sender_id, stored, events)
        else:
            self.sessions.forget(sender_id)  # erased or purged elsewhere: nothing of it stays here
        return events

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Never raises: Rasa's fail-safe wrapper would otherwise keep the unscrubbed tracker in
        memory. A turn that can't be stored scrubbed is not stored (and logged without its text).
        Nor is a turn whose conversation could not be read: it would be stored as a new one."""
        if STORE_PROBLEM.get() == READ_FAILED:
            logger.error("A turn was not stored: its conversation could not be read.")
            return
        started = time.perf_counter()
        try:
            if tracker.get_slot(ERASE_SLOT):
                self.delete(tracker.sender_id, tracker)
                turns.stored("gewist")
                return
            await super().save(tracker)
            before, new, after = self._saving.pop(tracker.sender_id, (-1, [], None))
            self.sessions.stored(tracker.sender_id, before, new, after)
            count_turn(new)
        except Exception as problem:
            self.sessions.forget(tracker.sender_id)
            self._saving.pop(tracker.sender_id, None)
            STORE_PROBLEM.set(SAVE_FAILED)
            metrics.error("store_save")
            logger.error("A turn was not stored: %s", type(problem).__name__)
            count_turn(this_turn(tracker))  # the patient was answered (an alarm too), stored or not
        finally:
            metrics.STORE_SECONDS.labels("save").observe(time.perf_counter() - started)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        """Rasa's own: the tracker's events after the number the store holds for the session."""
        before = self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False).count()
        new = [scrubbed(event) for event in itertools.islice(tracker.events, before, len(tracker.events))]
        # The summary kept with the cached session when this instance stored its latest events and the
        # store still holds just those (checked when the turn read it): else worked out from the events.
        cached = self.sessions.peek(tracker.sender_id)
        kept = cached.summary if cached is not None and cached.state[0] == before else None
        summary = kept or so_far(list(itertools.islice(tracker.events, before)))
        facts, texts, after = facts_of_turn(summary, new)
        self._saving[tracker.sender_id] = (before, new, after)
        insight_tables.record(session, facts, texts)  # committed with the events
        return iter(new)

    def record_rating(self, channel: str, topic: str, positive: bool) -> None:
        """A rating that is no turn of a conversation (a WhatsApp reaction to an answer): counted in
        the insights only. Never raises: a lost rating is logged, the patient notices nothing."""
        try:
            fact = feedback_fact(day_of(time.time()), channel, topic, positive)
            with self.session_scope() as session:
                insight_tables.record(session, [fact], [])
                session.commit()
            metrics.count_turn([(fact.metric, fact.key)], [])
        except Exception as problem:
            logger.error("A rating was not counted: %s", type(problem).__name__)

    def delete(self, sender_id: str, tracker: DialogueStateTracker | None = None) -> int:
        """Erase a conversation; with its tracker, also the unanswered questions it added to the insights."""
        self.sessions.forget(sender_id)
        with self.session_scope() as session:
            if tracker is not None:  # every session's questions, as stored (scrubbed)
                stored = self._event_query(session, sender_id, fetch_events_from_all_sessions=True).all()
                events = deserialise_events([json.loads(row.data) for row in stored])
                insight_tables.forget(session, all_facts([], events)[1])
            deleted = session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id).delete()
            session.commit()
        logger.info("A conversation was erased at the patient's request (%d events).", deleted)
        return int(deleted)


def this_turn(tracker: DialogueStateTracker) -> List[Event]:
    """The events since the patient's latest message, that message included."""
    events = list(tracker.events)
    start = next((i for i in range(len(events) - 1, -1, -1) if isinstance(events[i], UserUttered)), 0)
    return events[start:]


def count_turn(new: List[Event]) -> None:
    """The stored turn in the operator's metrics and turn log (heupwijzer/observe)."""
    facts = [(fact.metric, fact.key) for fact in all_facts([], new)[0]]
    responses = [str((e.metadata or {}).get("utter_action") or "") for e in new if isinstance(e, BotUttered)]
    turns.stored(metrics.count_turn(facts, responses))


def purge(store: SQLTrackerStore, days: float, now: float | None = None) -> int:
    """Delete every conversation whose last event is older than `days`; returns how many."""
    cutoff = (now or time.time()) - days * 86400
    insight_tables.create(store.engine)
    event = store.SQLEvent
    with store.session_scope() as session:
        stale = session.query(event.sender_id).group_by(event.sender_id).having(sa.func.max(event.timestamp) < cutoff)
        senders = [row[0] for row in stale]
        for start in range(0, len(senders), 500):
            chunk = senders[start : start + 500]
            session.query(event).filter(event.sender_id.in_(chunk)).delete(synchronize_session=False)
        insight_tables.forget_before(session, day_of(cutoff))  # the counts, without texts, stay
        session.commit()
    return len(senders)
