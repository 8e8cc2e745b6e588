"""One log line per patient message, for the operator: which channel, how long, what kind of answer.

The channels' common entry (heupwijzer/channels/common.py) opens a `Turn` for each message; the
store fills in its outcome when it saves the turn (heupwijzer/store/tracker_store.py), in the same
asyncio task; the entry then counts the message and writes the line. The line names the conversation
by a short hash of its pseudonym (never the sender id, the phone number or any text).
"""

from __future__ import annotations

import hashlib
import logging
import time
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import Tuple

from heupwijzer.observe import metrics

logger = logging.getLogger("heupwijzer.turns")


@dataclass
class Turn:
    channel: str
    conversation: str
    started: float = field(default_factory=time.perf_counter)
    outcome: str = "geen_opslag"  # until the store saved the turn


CURRENT: ContextVar[Turn | None] = ContextVar("heupwijzer_turn", default=None)


def short_id(pseudonym: str) -> str:
    """12 hex digits of a hash of the pseudonym (itself a keyed hash of the platform id,
    heupwijzer/channels/identity.py): enough to follow one conversation in the log, not the id the
    store keeps it under."""
    return hashlib.sha256(("heupwijzer-log:" + pseudonym).encode()).hexdigest()[:12]


def begin(channel: str, pseudonym: str) -> Tuple[Turn, Token]:
    turn = Turn(metrics.channel(channel), short_id(pseudonym))
    return turn, CURRENT.set(turn)


def stored(outcome: str) -> None:
    turn = CURRENT.get()
    if turn is not None:
        turn.outcome = outcome


def failed() -> None:
    """The message got "er ging iets mis": nothing of it was stored."""
    turn = CURRENT.get()
    if turn is not None and turn.outcome != "fout":
        metrics.FAILED.inc()
        turn.outcome = "fout"


def end(turn: Turn, token: Token) -> None:
    CURRENT.reset(token)
    seconds = time.perf_counter() - turn.started
    metrics.message_answered(turn.channel, seconds)
    logger.info(
        "turn %s %s %.0f ms %s",
        turn.conversation,
        turn.channel,
        seconds * 1000,
        turn.outcome,
        extra={
            "conversation": turn.conversation,
            "channel": turn.channel,
            "latency_ms": round(seconds * 1000, 1),
            "outcome": turn.outcome,
        },
    )
