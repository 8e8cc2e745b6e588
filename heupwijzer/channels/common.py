"""Building blocks shared by Heupwijzer's channel connectors."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import Any, Awaitable, Callable, Dict, Mapping, Tuple

from rasa.core.channels.channel import OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from heupwijzer.channels.identity import conversation_id, id_secret
from heupwijzer.channels.memory import OptionMemory
from heupwijzer.channels.payloads import safe_text
from heupwijzer.content import texts
from heupwijzer.observe import turns
from heupwijzer.store.availability import READ_FAILED, STORE_PROBLEM

logger = logging.getLogger(__name__)

# Platform webhooks carry one message; anything this big is not from the platform.
MAX_BODY_BYTES = 64 * 1024
# The longest message any channel hands to the assistant; longer ones get the "te lang" reply.
MAX_MESSAGE_CHARS = 2000


class ToPlatform(OutputChannel):
    """Rasa addresses the pseudonym; this delivers to the platform id of the message being handled."""

    def __init__(self, output: OutputChannel, platform_id: str) -> None:
        self.output = output
        self.platform_id = platform_id

    def name(self) -> str:
        return self.output.name()

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        await self.output.send_response(self.platform_id, message)

    def __getattr__(self, attribute: str) -> Any:  # e.g. CollectingOutputChannel.messages for REST
        return getattr(self.output, attribute)


def channel_text(name: str) -> str:
    """What a channel says itself (content/texts.yml, `channels`)."""
    return str(texts()["channels"][name])


class FromCredentials:
    """A connector built from its settings in credentials.yml (an empty dict when none are given)."""

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> Any:
        return cls(credentials or {})  # type: ignore[call-arg]  # the connectors take their settings dict


def check_enabled(channel: str, credentials: Mapping[str, Any], variables: Mapping[str, str]) -> bool:
    """True when every required setting (the keys of `variables`) is filled in; logs one clear line."""
    missing = [name for name in variables if not str(credentials.get(name) or "").strip()]
    if missing:
        names = ", ".join(variables[name] for name in missing)
        logger.warning(f"{channel} is not enabled: set {names} (see .env.example).")
        return False
    logger.info(f"{channel} is enabled.")
    return True


NewMessage = Callable[[UserMessage], Awaitable[Any]]


class UnlessStoreFailed(ToPlatform):
    """Delivers the replies, except those to a message whose conversation could not be read
    (heupwijzer/store/availability.py): they were made without the conversation's context. Says "er ging
    iets mis" when asked to."""

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        if STORE_PROBLEM.get() != READ_FAILED:
            await super().send_response(recipient_id, message)

    async def technical_problem(self) -> None:
        try:
            await self.output.send_response(self.platform_id, {"text": channel_text("technical_problem")})
        except Exception as problem:  # the platform itself unreachable: nothing more to do
            logger.error("The technical problem message could not be sent (%s)", type(problem).__name__)


def guarded(on_new_message: NewMessage, channel: str) -> NewMessage:
    """What every channel does before the assistant sees a message: a message over
    MAX_MESSAGE_CHARS gets the "te lang" reply and nothing else; a typed payload the bot doesn't
    offer becomes plain text; the conversation is stored under its pseudonym (heupwijzer/channels/identity.py),
    the reply goes to the platform id; metadata from the client is not stored."""
    secret = id_secret()  # fails at startup, not at the first message, when the secret is missing

    async def handle(message: UserMessage) -> Any:
        platform_id = str(message.sender_id)
        output = UnlessStoreFailed(message.output_channel, platform_id)
        text = message.text or ""
        pseudonym = conversation_id(channel, platform_id, secret)
        # Counted and logged when answered (heupwijzer/observe); set and reset per message, as the
        # store's state: Sanic handles the requests of one connection in one task.
        turn, token = turns.begin(channel, pseudonym)
        fresh = STORE_PROBLEM.set("")
        try:
            if len(text) > MAX_MESSAGE_CHARS:
                turns.stored("te_lang")
                await output.send_response(platform_id, {"text": channel_text("too_long")})
                return None
            return await handled_or_told(on_new_message, output, pseudonym, message, channel)
        finally:
            STORE_PROBLEM.reset(fresh)
            turns.end(turn, token)

    return handle


async def handled_or_told(
    on_new_message: NewMessage, output: UnlessStoreFailed, pseudonym: str, message: UserMessage, channel: str
) -> Any:
    """Rasa handles the message; when a part of Heupwijzer did not answer, the patient is told."""
    text = message.text or ""
    try:
        handled = await on_new_message(
            UserMessage(safe_text(text), output, pseudonym, input_channel=channel, message_id=message.message_id)
        )
    except (Exception, asyncio.CancelledError) as problem:
        # e.g. Redis (the conversation lock) or PostgreSQL not answering for a moment, or Sanic's
        # response timeout / a client that went away (CancelledError: Rasa's REST channel would log
        # the patient's text for it; here it is logged without, and the handler ends normally).
        logger.error("%s: a message could not be handled (%s)", channel, type(problem).__name__)
        turns.failed()
        await output.technical_problem()
        return None
    if STORE_PROBLEM.get():  # the turn is not stored: the patient sends it again
        turns.failed()
        await output.technical_problem()
    return handled


async def hand_over(
    text: str | None,
    output: OutputChannel,
    sender: str,
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    channel: str,
    options: OptionMemory | None = None,
) -> None:
    """Pass a patient's message to Rasa. No text: a friendly reply. A number: the option it picks.
    Errors are logged, never sent to the platform as a 500 (it would deliver the message again)."""
    if not text or not text.strip():
        await output.send_text_message(sender, channel_text("not_text"))
        return
    try:
        if options is not None:
            text = options.resolve(sender, text)
        await on_new_message(UserMessage(text, output, sender, input_channel=channel))
    except Exception:
        logger.exception("%s: a message could not be handled", channel)


def webhook_blueprint(name: str, enabled: bool) -> Blueprint:
    """A channel's blueprint with its health route (GET /webhooks/<channel>/)."""
    blueprint = Blueprint(name, __name__)

    @blueprint.route("/", methods=["GET"])
    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok" if enabled else "not enabled"})

    return blueprint


def disabled_response(channel: str) -> HTTPResponse:
    return response.json({"error": f"{channel} is not enabled on this server"}, status=404)


def too_large(request: Request) -> HTTPResponse | None:
    body = request.body or b""
    if len(body) > MAX_BODY_BYTES:
        return response.json({"error": "request body too large"}, status=413)
    return None


def first_problem(
    request: Request, channel: str, enabled: bool, signature_problem: Callable[[Request], HTTPResponse | None]
) -> HTTPResponse | None:
    """The checks every platform webhook runs first, in this order: enabled, size, signature."""
    if not enabled:
        return disabled_response(channel)
    return too_large(request) or signature_problem(request)


def same_secret(given: str, expected: str) -> bool:
    """Constant-time compare of a secret from a request; compared as bytes, so a header with
    non-ASCII characters is simply wrong (Python's compare_digest raises on such str)."""
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode("utf-8", "surrogateescape"))


def error(status: int, message: str) -> HTTPResponse:
    return response.json({"error": message}, status=status)


def json_object(request: Request) -> Tuple[Dict[str, Any], HTTPResponse | None]:
    """The request body as a JSON object, or a 400 saying why it is not one."""
    try:
        body = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError, RecursionError):  # deeply nested JSON is not a message either
        return {}, error(400, "the body must be JSON")
    if not isinstance(body, dict):
        return {}, error(400, "the body must be a JSON object")
    return body, None
