"""Rasa's Redis lock store, made safe for several Rasa instances.

Rasa 3.6's `RedisLockStore` changes a conversation's ticket lock by reading it, changing it in
Python and writing it back, in separate Redis calls. Two instances that take a ticket for the same
conversation at the same moment both read "no lock", both write a lock with ticket 0, and both
handle their message at once; an instance that finishes can also delete a lock the other instance
has just taken a ticket on (RasaHQ/rasa #9213; the fix was reverted from open source, #11428).
A patient who sends two messages quickly, each to another instance, then gets interleaved replies.

Here every read-change-write of a lock is one optimistic Redis transaction (WATCH/MULTI/EXEC,
retried when another instance changed the lock in between), and "finish my ticket, delete the lock
if nobody waits" is one transaction too. The ticket logic itself stays Rasa's (`TicketLock`).
A lock key also expires, so a lock left by an instance that died does not outlive its tickets,
and a lock that can't be released (Redis gone for a moment) expires instead of failing a message
that was already answered.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any, Callable, Tuple, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.exceptions import RedisError

from heupwijzer.observe import metrics

logger = logging.getLogger(__name__)

T = TypeVar("T")
SECONDS = 3  # how long a Redis call may take before the message gets "er ging iets mis"
Change = Callable[[TicketLock | None], Tuple[TicketLock | None, T]]


class AtomicRedisLockStore(RedisLockStore):
    """Loaded from endpoints (`type: heupwijzer.store.lock_store.AtomicRedisLockStore`), with the keys of
    Rasa's `redis` lock store (url, port, db, password, key_prefix, ...)."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        settings = {"socket_timeout": SECONDS, **endpoint_config.kwargs}
        super().__init__(host=endpoint_config.url or "localhost", **settings)
        # redis-py would wait the full socket timeout (Rasa's 10 s) for a host that drops packets;
        # meanwhile the instance's event loop stands still. Fail within seconds instead.
        self.red.connection_pool.connection_kwargs["socket_connect_timeout"] = SECONDS

    def _change(self, conversation_id: str, change: Change[T]) -> T:
        """Apply `change` to the stored lock in one transaction; None deletes the lock."""
        key = self.key_prefix + conversation_id
        result: list[T] = []

        def transaction(pipe: Any) -> None:
            result.clear()
            raw = pipe.get(key)
            lock, value = change(TicketLock.from_dict(json.loads(raw)) if raw else None)
            pipe.multi()
            if lock is None:
                pipe.delete(key)
            else:
                # The key lives as long as its last ticket (plus a margin), not forever.
                expires = max((t.expires for t in lock.tickets), default=0.0) - time.time()
                pipe.set(key, lock.dumps(), px=max(int((expires + 60) * 1000), 1000))
            result.append(value)

        self.red.transaction(transaction, key)
        return result[0]

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def take(lock: TicketLock | None) -> Tuple[TicketLock | None, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, take)
        except Exception as error:  # as Rasa's own issue_ticket: the caller handles LockError
            metrics.error("redis")
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    async def _acquire_lock(self, conversation_id: str, ticket: int, wait_time_in_seconds: float) -> TicketLock:
        """Rasa's wait for the conversation's turn, timed for the operator's metrics."""
        started = time.perf_counter()
        try:
            return await super()._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
        finally:
            metrics.LOCK_WAIT.observe(time.perf_counter() - started)

    def update_lock(self, conversation_id: str) -> None:
        def expire(lock: TicketLock | None) -> Tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, expire)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def finish(lock: TicketLock | None) -> Tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, finish)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        def finish_and_delete_if_idle(lock: TicketLock | None) -> Tuple[TicketLock | None, None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        try:
            self._change(conversation_id, finish_and_delete_if_idle)
        except RedisError as problem:  # the message was handled; the ticket expires by itself
            logger.error("A conversation lock could not be released (%s)", type(problem).__name__)
