"""What the text-only channels remember between two webhook calls: message ids already answered
(platforms deliver again), the numbered options of the last reply ("2" picks the second), which
topic each WhatsApp answer was about (a reaction to it is feedback on that topic) and when a patient
was last told that only text is read (once per burst of photos or voice notes).

The embedded profile keeps both in the process. The production profile (HEUPWIJZER_PROFILE=
production) keeps them in Redis with an expiry, so that any instance answers a re-delivered message
only once and "2" picks the option another instance offered. Options are stored under the
conversation's pseudonym (heupwijzer/channels/identity.py), never the phone number.
"""

from __future__ import annotations

import json
import logging
import time
from collections import OrderedDict
from typing import Any, List, Sequence, Set

from redis.exceptions import RedisError, WatchError

from heupwijzer.channels.formatting import choose_option
from heupwijzer.channels.identity import conversation_id
from heupwijzer.content import Button
from heupwijzer.observe import metrics
from heupwijzer.settings import Settings, settings

logger = logging.getLogger(__name__)

SEEN_SECONDS = 24 * 3600  # platforms re-deliver within minutes to hours
OPTIONS_SECONDS = 24 * 3600  # a numbered list older than a day is not what "2" refers to
ANSWER_SECONDS = 7 * 24 * 3600  # a reaction to last week's answer still counts
BURST_SECONDS = 120  # photos or voice notes sent within two minutes of each other are one burst
OWNER_SECONDS = 24 * 3600  # a widget session's claim by its socket
RECLAIM_SECONDS = 3600  # after its socket is gone, a session may be taken over this long (Rasa's session time)
RELEASED = "released"


def redis_client(config: Settings | None = None) -> Any:
    import redis

    config = config or settings()
    return redis.Redis(
        host=config.redis_host,
        port=config.redis_port,
        db=config.redis_db,
        password=config.redis_password or None,
        socket_timeout=3,
    )


def production(config: Settings | None = None) -> bool:
    return (config or settings()).production


class RecentIds:
    """Message ids seen lately (in this process), to answer a re-delivered message only once."""

    def __init__(self, size: int = 10_000) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._size = size

    def seen(self, message_id: str) -> bool:
        """True when the id was seen before; otherwise remembers it."""
        if message_id in self._ids:
            return True
        self._ids[message_id] = None
        if len(self._ids) > self._size:
            self._ids.popitem(last=False)
        return False


class SharedRecentIds(RecentIds):
    """The same, shared by every instance through Redis (SET NX: exactly one instance wins)."""

    def __init__(self, channel: str, client: Any) -> None:
        self._client, self._channel, self._prefix = client, channel, "heupwijzer:seen:"

    def seen(self, message_id: str) -> bool:
        # Keyed by a hash: a Meta message id (wamid...) encodes the sender's phone number.
        key = self._prefix + conversation_id(self._channel, "message\0" + message_id)
        try:
            return not self._client.set(key, 1, nx=True, ex=SEEN_SECONDS)
        except RedisError as problem:  # answer rather than fail: a re-delivery may then be answered twice
            logger.error("Redis unavailable for re-delivery ids: %s", type(problem).__name__)
            metrics.error("redis")
            return False


class OptionMemory:
    """The options shown to each patient in the bot's last turn on a text-only channel.

    All buttons of one turn are numbered on (an answer's 1-5, then the feedback question's 6-7),
    so "2" or an option's title always selects exactly one of them. Where the platform shows the
    options as buttons without numbers (`numbered` False: WhatsApp's interactive messages), only the
    title picks one: a typed "3" is the patient's own answer ("3 dagen").
    """

    def __init__(self, channel: str, size: int = 10_000, numbered: bool = True) -> None:
        self._options: OrderedDict[str, List[Button]] = OrderedDict()
        self._size = size
        self._channel = channel
        self.numbered = numbered

    def _key(self, recipient: str) -> str:  # remembered under the pseudonym, never the phone number
        return conversation_id(self._channel, recipient)

    def add(self, recipient: str, buttons: Sequence[Button]) -> int:
        """Remember more options of this turn; returns the number of the first one."""
        recipient = self._key(recipient)
        options = self._options.pop(recipient, [])
        first = len(options) + 1
        self._options[recipient] = options + list(buttons)
        if len(self._options) > self._size:
            self._options.popitem(last=False)
        return first

    def get(self, recipient: str) -> List[Button]:
        return self._options.get(self._key(recipient), [])

    def new_turn(self, recipient: str) -> None:
        self._options.pop(self._key(recipient), None)

    def resolve(self, recipient: str, text: str) -> str:
        """The payload of the chosen option, or the text itself; starts a new turn."""
        chosen = choose_option(text, self.get(recipient), self.numbered)
        self.new_turn(recipient)
        return chosen if chosen is not None else text


class SharedOptionMemory(OptionMemory):
    """The same, in a Redis list per conversation (RPUSH numbers atomically across instances)."""

    def __init__(self, channel: str, client: Any, numbered: bool = True) -> None:
        super().__init__(channel, numbered=numbered)
        self._client = client

    def _redis_key(self, recipient: str) -> str:
        return "heupwijzer:options:" + self._key(recipient)

    def add(self, recipient: str, buttons: Sequence[Button]) -> int:
        key = self._redis_key(recipient)
        if not buttons:
            return int(self._client.llen(key)) + 1
        with self._client.pipeline() as pipe:
            pipe.rpush(key, *[json.dumps(dict(b), ensure_ascii=False) for b in buttons])
            pipe.expire(key, OPTIONS_SECONDS)
            length = pipe.execute()[0]
        return int(length) - len(buttons) + 1

    def get(self, recipient: str) -> List[Button]:
        return [json.loads(item) for item in self._client.lrange(self._redis_key(recipient), 0, -1)]

    def new_turn(self, recipient: str) -> None:
        self._client.delete(self._redis_key(recipient))

    def resolve(self, recipient: str, text: str) -> str:
        """Read and clear the options in one transaction (MULTI/EXEC): two instances never both
        take the same list, and a list is never read half-cleared."""
        try:
            with self._client.pipeline(transaction=True) as pipe:
                pipe.lrange(self._redis_key(recipient), 0, -1)
                pipe.delete(self._redis_key(recipient))
                items = pipe.execute()[0]
        except RedisError as problem:  # the text is then read as text: "2" gets the honest fallback
            logger.error("Redis unavailable for numbered options: %s", type(problem).__name__)
            metrics.error("redis")
            return text
        chosen = choose_option(text, [json.loads(item) for item in items], self.numbered)
        return chosen if chosen is not None else text


class AnswerTopics:
    """Which topic each message sent to a patient was about, by patient and the platform's message
    id (hashed together: a Meta message id encodes the phone number). A reaction takes it once: the
    first rating of an answer counts, a changed or repeated reaction does not count again."""

    def __init__(self, channel: str, size: int = 10_000) -> None:
        self._topics: OrderedDict[str, str] = OrderedDict()
        self._rated = RecentIds(size)  # answers rated already
        self._size, self._channel = size, channel

    def _key(self, sender: str, message_id: str) -> str:
        return conversation_id(self._channel, f"answer\0{sender}\0{message_id}")

    def _rated_key(self, sender: str, answer_id: str) -> str:
        return conversation_id(self._channel, f"rated\0{sender}\0{answer_id}")

    def remember(self, sender: str, message_id: str, topic: str) -> None:
        self._topics[self._key(sender, message_id)] = topic
        if len(self._topics) > self._size:
            self._topics.popitem(last=False)

    def take(self, sender: str, message_id: str) -> str | None:
        return self._topics.pop(self._key(sender, message_id), None)

    def first_rating(self, sender: str, answer_id: str) -> bool:
        """True the first time an answer is rated (by any of its messages), False after that."""
        return not self._rated.seen(self._rated_key(sender, answer_id))


class SharedAnswerTopics(AnswerTopics):
    """The same in Redis, for a reaction that reaches another instance than the answer came from."""

    def __init__(self, channel: str, client: Any) -> None:
        super().__init__(channel)
        self._client = client

    def remember(self, sender: str, message_id: str, topic: str) -> None:
        try:
            self._client.set("heupwijzer:answer:" + self._key(sender, message_id), topic, ex=ANSWER_SECONDS)
        except RedisError as problem:  # a reaction to this answer is then ignored
            logger.error("Redis unavailable for answer topics: %s", type(problem).__name__)
            metrics.error("redis")

    def take(self, sender: str, message_id: str) -> str | None:
        try:
            value = self._client.getdel("heupwijzer:answer:" + self._key(sender, message_id))
        except RedisError as problem:
            logger.error("Redis unavailable for answer topics: %s", type(problem).__name__)
            metrics.error("redis")
            return None
        return value.decode("utf-8") if isinstance(value, bytes) else value

    def first_rating(self, sender: str, answer_id: str) -> bool:
        key = "heupwijzer:rated:" + self._rated_key(sender, answer_id)
        try:
            return bool(self._client.set(key, 1, nx=True, ex=ANSWER_SECONDS))
        except RedisError as problem:
            logger.error("Redis unavailable for ratings: %s", type(problem).__name__)
            metrics.error("redis")
            return False


class Bursts:
    """True for a patient's first message of a burst (nothing from them in the last BURST_SECONDS)."""

    def __init__(self, channel: str, size: int = 10_000) -> None:
        self._last: OrderedDict[str, float] = OrderedDict()
        self._size, self._channel = size, channel

    def _key(self, sender: str) -> str:
        return conversation_id(self._channel, "burst\0" + sender)

    def first(self, sender: str) -> bool:
        key, now = self._key(sender), time.monotonic()
        last = self._last.pop(key, None)
        self._last[key] = now
        if len(self._last) > self._size:
            self._last.popitem(last=False)
        return last is None or now - last > BURST_SECONDS


class SharedBursts(Bursts):
    def __init__(self, channel: str, client: Any) -> None:
        super().__init__(channel)
        self._client = client

    def first(self, sender: str) -> bool:
        key = "heupwijzer:burst:" + self._key(sender)
        try:
            with self._client.pipeline() as pipe:  # every message of the burst extends it
                pipe.set(key, 1, nx=True, ex=BURST_SECONDS)
                pipe.expire(key, BURST_SECONDS)
                return bool(pipe.execute()[0])
        except RedisError as problem:  # rather a reply too many than none
            logger.error("Redis unavailable for bursts: %s", type(problem).__name__)
            metrics.error("redis")
            return True


class SessionOwners:
    """Which browser tab a widget session belongs to: the owner that first asked for it. The owner is
    the tab's own random token (embed.js sends it when it connects; it survives a reload and a
    reconnect) or, for a client without one, the connection itself. Another owner presenting the same
    session id gets a new session. A connection-owned session is released when the connection closes,
    so the next connection may take it over. Owners are kept hashed, never as the token itself."""

    def __init__(self, size: int = 10_000) -> None:
        self._owner: OrderedDict[str, str | None] = OrderedDict()  # session -> its owner (None: released)
        self._sessions: OrderedDict[str, Set[str]] = OrderedDict()  # owner -> its sessions (the latest owners)
        self._size = size

    def _note(self, owner: str, who: str, session: str) -> None:
        if owner.startswith("tab:"):  # a tab is never released: nothing to remember for it
            return
        self._sessions.setdefault(who, set()).add(session)
        self._sessions.move_to_end(who)
        if len(self._sessions) > self._size:  # a tab's owner is never released: keep the latest only
            self._sessions.popitem(last=False)

    @staticmethod
    def _key(session: str) -> str:
        return conversation_id("socketio", "owner\0" + session)

    @staticmethod
    def _who(owner: str) -> str:
        return conversation_id("socketio", "owned-by\0" + owner)

    def claim(self, session: str, owner: str) -> bool:
        key, who = self._key(session), self._who(owner)
        holder = self._owner.get(key)
        if holder is not None and holder != who:
            return False
        self._owner[key] = who
        self._owner.move_to_end(key)
        if len(self._owner) > self._size:
            self._owner.popitem(last=False)
        self._note(owner, who, session)
        return True

    def owned_by(self, owner: str) -> Set[str]:
        return self._sessions.pop(self._who(owner), set())

    def release(self, owner: str) -> None:
        who = self._who(owner)
        for session in self.owned_by(owner):
            key = self._key(session)
            if self._owner.get(key) == who:
                self._owner[key] = None


class SharedSessionOwners(SessionOwners):
    """The same in Redis: a tab whose connection lands on another instance is the same owner."""

    def __init__(self, client: Any) -> None:
        super().__init__()
        self._client = client

    def claim(self, session: str, owner: str) -> bool:
        key, who = "heupwijzer:widget:" + self._key(session), self._who(owner)
        for _ in range(3):  # two connections of one tab at the same moment: try again, don't give up
            try:
                with self._client.pipeline() as pipe:
                    pipe.watch(key)
                    holder = pipe.get(key)
                    holder = holder.decode("utf-8") if isinstance(holder, bytes) else holder
                    if holder not in (None, who, RELEASED):
                        return False
                    pipe.multi()
                    pipe.set(key, who, ex=OWNER_SECONDS)
                    pipe.execute()
            except WatchError:
                continue
            except RedisError as problem:
                logger.warning("Web chat session not claimed (%s): a new session instead", type(problem).__name__)
                metrics.error("redis")
                return False
            self._note(owner, who, session)
            return True
        return False

    def release(self, owner: str) -> None:
        who = self._who(owner)
        for session in self.owned_by(owner):
            key = "heupwijzer:widget:" + self._key(session)
            try:
                holder = self._client.get(key)
                if (holder.decode("utf-8") if isinstance(holder, bytes) else holder) == who:
                    self._client.set(key, RELEASED, ex=RECLAIM_SECONDS)
            except RedisError as problem:  # the claim then expires by itself
                logger.error("Redis unavailable for widget sessions: %s", type(problem).__name__)
                metrics.error("redis")


def session_owners() -> SessionOwners:
    return SharedSessionOwners(redis_client()) if production() else SessionOwners()


def answer_topics(channel: str) -> AnswerTopics:
    return SharedAnswerTopics(channel, redis_client()) if production() else AnswerTopics(channel)


def bursts(channel: str) -> Bursts:
    return SharedBursts(channel, redis_client()) if production() else Bursts(channel)


def recent_ids(channel: str) -> RecentIds:
    return SharedRecentIds(channel, redis_client()) if production() else RecentIds()


def option_memory(channel: str, numbered: bool = True) -> OptionMemory:
    if production():
        return SharedOptionMemory(channel, redis_client(), numbered=numbered)
    return OptionMemory(channel, numbered=numbered)
