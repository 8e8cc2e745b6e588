"""Pseudonymous, namespaced conversation ids.

A channel never stores the platform's id (a phone number, a Telegram chat id, a widget session id):
the conversation is stored under `<prefix>:<HMAC-SHA256(HEUPWIJZER_ID_SECRET, platform id)>`, so the
store, its events and the logs hold no phone number, and one channel cannot address another channel's
conversations. The platform id lives only in the request that is being handled: the connector
hands Rasa an output channel that knows where to deliver (`ToPlatform`, heupwijzer/channels/common.py).
This module does not import Rasa: the launcher uses it (through the shared memory) at every start.
"""

from __future__ import annotations

import hashlib
import hmac

from heupwijzer.settings import settings

SECRET_VARIABLE = "HEUPWIJZER_ID_SECRET"
PREFIXES = {"twilio": "wa", "whatsapp": "wa", "telegram": "tg", "socketio": "web", "rest": "rest"}


class MissingSecretError(RuntimeError):
    pass


def id_secret() -> bytes:
    secret = settings().id_secret.strip()
    if len(secret) < 16:
        raise MissingSecretError(
            f"{SECRET_VARIABLE} is not set (or shorter than 16 characters): conversations can't be stored "
            "under pseudonyms. `make run` creates one in .state/; in production set it in .env."
        )
    return secret.encode("utf-8")


def conversation_id(channel: str, platform_id: str, secret: bytes | None = None) -> str:
    """The id a conversation is stored under: the channel's prefix and a keyed hash."""
    digest = hmac.new(secret or id_secret(), f"{channel}\0{platform_id}".encode(), hashlib.sha256).hexdigest()
    return f"{PREFIXES.get(channel, channel)}:{digest[:32]}"
