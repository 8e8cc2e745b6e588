"""Building blocks shared by Heupwijzer's channel connectors."""
from __future__ import annotations

import json
import logging
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from rasa.core.channels.channel import OutputChannel, UserMessage
from sanic import Blueprint, response

from channels.formatting import choose_option
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

# Platform webhooks carry one message; anything this big is not from the platform.
MAX_BODY_BYTES = 64 * 1024
NOT_TEXT_REPLY = "Ik kan alleen tekst lezen. Typ je vraag in een bericht, dan help ik je graag."
Button = Dict[str, Any]


def check_enabled(channel: str, credentials: Mapping[str, Any], variables: Mapping[str, str]) -> bool:
    """True when every required setting (the keys of `variables`) is filled in; logs one clear line."""
    missing = [name for name in variables if not str(credentials.get(name) or "").strip()]
    if missing:
        names = ", ".join(variables[name] for name in missing)
        logger.warning(f"{channel} is not enabled: set {names} (see .env.example).")
        return False
    logger.info(f"{channel} is enabled.")
    return True


async def hand_over(
    text: Optional[str],
    output: OutputChannel,
    sender: str,
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    channel: str,
    metadata: Optional[Dict[str, Any]],
    options: Optional["OptionMemory"] = None,
) -> None:
    """Pass a patient's message to Rasa. No text: a friendly reply. A number: the option it picks.
    Errors are logged, never sent to the platform as a 500 (it would deliver the message again)."""
    if not text or not text.strip():
        await output.send_text_message(sender, NOT_TEXT_REPLY)
        return
    if options is not None:
        text = options.resolve(sender, text)
    try:
        await on_new_message(UserMessage(text, output, sender, input_channel=channel, metadata=metadata))
    except Exception:
        logger.exception("%s: a message from %s could not be handled", channel, sender)


def webhook_blueprint(name: str, enabled: bool) -> Blueprint:
    """A channel's blueprint with its health route (GET /webhooks/<channel>/)."""
    blueprint = Blueprint(name, __name__)

    @blueprint.route("/", methods=["GET"])
    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok" if enabled else "not enabled"})

    return blueprint


def disabled_response(channel: str) -> HTTPResponse:
    return response.json({"error": f"{channel} is not enabled on this server"}, status=404)


def too_large(request: Request) -> Optional[HTTPResponse]:
    body = request.body or b""
    if len(body) > MAX_BODY_BYTES:
        return response.json({"error": "request body too large"}, status=413)
    return None


def error(status: int, message: str) -> HTTPResponse:
    return response.json({"error": message}, status=status)


def json_object(request: Request) -> Tuple[Dict[str, Any], Optional[HTTPResponse]]:
    """The request body as a JSON object, or a 400 saying why it is not one."""
    try:
        body = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        return {}, error(400, "the body must be JSON")
    if not isinstance(body, dict):
        return {}, error(400, "the body must be a JSON object")
    return body, None


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
