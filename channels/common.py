"""Building blocks shared by Heupwijzer's channel connectors."""
from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

from sanic import response

from channels.formatting import choose_option
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

# Platform webhooks carry one message; anything this big is not from the platform.
MAX_BODY_BYTES = 64 * 1024
NOT_TEXT_REPLY = "Ik kan alleen tekst lezen. Typ je vraag in een bericht, dan help ik je graag."
Button = Dict[str, Any]


def missing_settings(credentials: Mapping[str, Any], required: Iterable[str]) -> List[str]:
    return [name for name in required if not str(credentials.get(name) or "").strip()]


def log_disabled(channel: str, missing: Sequence[str], variables: Mapping[str, str]) -> None:
    names = ", ".join(variables.get(name, name) for name in missing)
    logger.warning(f"{channel} is not enabled: set {names} (see .env.example).")


def disabled_response(channel: str) -> HTTPResponse:
    return response.json({"error": f"{channel} is not enabled on this server"}, status=404)


def too_large(request: Request) -> Optional[HTTPResponse]:
    body = request.body or b""
    if len(body) > MAX_BODY_BYTES:
        return response.json({"error": "request body too large"}, status=413)
    return None


def error(status: int, message: str) -> HTTPResponse:
    return response.json({"error": message}, status=status)


class RecentIds:
    """Message ids seen lately, to answer a re-delivered message only once."""

    def __init__(self, size: int = 10_000) -> None:
        self._ids: "OrderedDict[str, None]" = OrderedDict()
        self._size = size

    def seen(self, message_id: str) -> bool:
        """True when the id was seen before; otherwise remembers it."""
        if message_id in self._ids:
            return True
        self._ids[message_id] = None
        if len(self._ids) > self._size:
            self._ids.popitem(last=False)
        return False


class OptionMemory:
    """The options shown to each patient in the bot's last turn on a text-only channel.

    All buttons of one turn are numbered on (an answer's 1-5, then the feedback question's 6-7),
    so "2" or an option's title always selects exactly one of them.
    """

    def __init__(self, size: int = 10_000) -> None:
        self._options: "OrderedDict[str, List[Button]]" = OrderedDict()
        self._size = size

    def add(self, recipient: str, buttons: Sequence[Button]) -> int:
        """Remember more options of this turn; returns the number of the first one."""
        options = self._options.pop(recipient, [])
        first = len(options) + 1
        self._options[recipient] = options + list(buttons)
        if len(self._options) > self._size:
            self._options.popitem(last=False)
        return first

    def get(self, recipient: str) -> List[Button]:
        return self._options.get(recipient, [])

    def new_turn(self, recipient: str) -> None:
        self._options.pop(recipient, None)

    def resolve(self, recipient: str, text: str) -> str:
        """The payload of the chosen option, or the text itself; starts a new turn."""
        chosen = choose_option(text, self.get(recipient))
        self.new_turn(recipient)
        return chosen if chosen is not None else text
