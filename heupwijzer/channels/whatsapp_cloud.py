"""WhatsApp through Meta's WhatsApp Cloud API (a custom Rasa channel).

- GET  /webhooks/whatsapp/webhook: Meta's subscription check (hub.verify_token, hub.challenge).
- POST /webhooks/whatsapp/webhook: every request must carry X-Hub-Signature-256, the HMAC-SHA256
  of the raw body with the app secret; unsigned requests get 401, wrongly signed ones 403, and
  nothing is processed. Re-delivered message ids are answered once.
- Answers go out through the Graph API (base URL configurable, for tests): plain text, links as
  URLs with a preview, long answers split at sentence boundaries under WhatsApp's limit; options as
  native reply buttons (1-3) or a list message (4-10; more: the first 9 and "Alle onderwerpen"),
  heupwijzer/channels/whatsapp_interactive.py. A tap sends the option's payload back; typing the
  option's text picks it too.
- A reaction to an answer (👍, ❤️, 👏 up; 👎, 😢 down; others ignored) is feedback on that answer's
  topic, without a reply. A photo, voice note or other message without text gets "Ik kan alleen
  tekst lezen" with the topic menu, once per burst.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import uuid
from functools import lru_cache
from typing import Any, Awaitable, Callable, Dict, List

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from heupwijzer.channels.common import (
    FromCredentials,
    channel_text,
    check_enabled,
    disabled_response,
    error,
    first_problem,
    guarded,
    hand_over,
    json_object,
    same_secret,
    webhook_blueprint,
)
from heupwijzer.channels.formatting import plain_links, split_message
from heupwijzer.channels.memory import AnswerTopics, OptionMemory, answer_topics, bursts, option_memory, recent_ids
from heupwijzer.channels.text_only import TextOnlyOutput
from heupwijzer.channels.whatsapp_interactive import BODY, TooLongError, interactive
from heupwijzer.content import load_content, menu_buttons

logger = logging.getLogger(__name__)

DEFAULT_GRAPH_API = "https://graph.facebook.com/v21.0"
TEXT_LIMIT = 4000  # WhatsApp allows 4096 characters in a text message
VARIABLES = {  # required setting -> its environment variable
    "access_token": "WHATSAPP_ACCESS_TOKEN",
    "app_secret": "WHATSAPP_APP_SECRET",
    "verify_token": "WHATSAPP_VERIFY_TOKEN",
    "phone_number_id": "WHATSAPP_PHONE_NUMBER_ID",
}


# Reactions that rate an answer: thumbs, hearts and claps up; thumbs down and sad faces down.
UP = frozenset("👍❤♥🧡💛💚💙💜🤎🖤🤍💖💗💓💕💞💘❣👏")
DOWN = frozenset("👎😢😭😞😔☹🙁😟😥")
MODIFIERS = frozenset(["\ufe0f", *(chr(c) for c in range(0x1F3FB, 0x1F400))])  # emoji style, skin tones


def rating_of(emoji: str) -> str | None:
    """ "positive", "negative" or None (no rating: another emoji, or a reaction taken back)."""
    core = "".join(c for c in emoji if c not in MODIFIERS)
    if len(core) != 1:
        return None
    return "positive" if core in UP else "negative" if core in DOWN else None


@lru_cache(maxsize=1)
def topic_responses() -> Dict[str, str]:
    """A topic's answer (its response in domain.yml) -> the topic."""
    return {topic.response: intent for intent, topic in load_content().topics.items()}


# Sent right after a topic's answer, in the same turn: a reaction to them rates that topic too.
WITH_THE_ANSWER = frozenset({"utter_read_more", "utter_feedback_ask"})


class WhatsAppCloudOutput(TextOnlyOutput, OutputChannel):
    """Sends messages through the Graph API, over one HTTP session for the server's life."""

    text_limit = TEXT_LIMIT

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    def __init__(
        self,
        access_token: str,
        phone_number_id: str,
        api_base_url: str,
        options: OptionMemory,
        answers: AnswerTopics,
    ) -> None:
        self.url = f"{api_base_url.rstrip('/')}/{phone_number_id}/messages"
        self.headers = {"Authorization": f"Bearer {access_token}"}
        self.options = options
        self.answers = answers
        self.topic: Dict[str, str | None] = {}  # per patient: the topic the messages being sent are about
        self.session: aiohttp.ClientSession | None = None

    def note_topic(self, recipient_id: str, response: Any) -> None:
        """Follow which topic the messages of this turn are about (Rasa names each one's response)."""
        if response in WITH_THE_ANSWER:
            return
        topic = topic_responses().get(str(response))
        # "<answer id> <topic>": the answer's messages (its parts, its link, "Had je iets aan ...?") are
        # one answer, rated once whichever of them gets the reaction
        self.topic[recipient_id] = f"{uuid.uuid4().hex[:16]} {topic}" if topic else None
        if len(self.topic) > 10_000:
            self.topic.pop(next(iter(self.topic)))

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        self.note_topic(recipient_id, kwargs.get("utter_action"))
        await super().send_text_message(recipient_id, text, **kwargs)

    async def send(self, recipient_id: str, body: str) -> None:
        await self.post(recipient_id, {"type": "text", "text": {"preview_url": True, "body": body}})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        """The answer, then its options as reply buttons or a list under the answer's last part."""
        if not buttons:
            await self.send_text_message(recipient_id, text, **kwargs)
            return
        self.note_topic(recipient_id, kwargs.get("utter_action"))
        self.options.add(recipient_id, buttons)  # typing an option's text still picks it
        parts = split_message(plain_links(text), BODY) or [channel_text("choose")]
        for part in parts[:-1]:
            await self.send(recipient_id, part)
        try:
            message = interactive(parts[-1], buttons, channel_text("list_button"), channel_text("list_section"))
        except TooLongError:
            message = None
        if message is None or not await self.post(recipient_id, {"type": "interactive", "interactive": message}):
            # WhatsApp did not take the buttons: the answer's end and its options as text, never lost
            titles = "\n".join(f"- {b['title']}" for b in buttons)
            await self.send(recipient_id, f"{parts[-1]}\n\n{channel_text('choose_title')}\n{titles}")

    async def post(self, recipient_id: str, message: Dict[str, Any]) -> bool:
        """Send one message; False when the Graph API refused it."""
        payload = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": recipient_id, **message}
        if self.session is None:  # created in the server's event loop, on first use
            self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
        async with self.session.post(self.url, json=payload, headers=self.headers) as reply:
            if reply.status >= 400:
                logger.error("WhatsApp Cloud API refused a message: %s %s", reply.status, await reply.text())
                return False
            topic = self.topic.get(recipient_id)
            if topic:  # a reaction to this message will rate the topic
                for sent in (await reply.json(content_type=None) or {}).get("messages") or []:
                    if isinstance(sent, dict) and sent.get("id"):
                        self.answers.remember(recipient_id, str(sent["id"]), topic)
            return True

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.send(recipient_id, image)

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()


class WhatsAppCloudInput(FromCredentials, InputChannel):
    """Receives WhatsApp messages from Meta's webhook."""

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    def __init__(self, credentials: Dict[str, Any]) -> None:
        self.enabled = check_enabled("WhatsApp (Cloud API)", credentials, VARIABLES)
        self.access_token = str(credentials.get("access_token") or "")
        self.app_secret = str(credentials.get("app_secret") or "").encode("utf-8")
        self.verify_token = str(credentials.get("verify_token") or "")
        self.phone_number_id = str(credentials.get("phone_number_id") or "")
        self.api_base_url = str(credentials.get("api_base_url") or "") or DEFAULT_GRAPH_API
        self.seen = recent_ids(self.name())
        self.options = option_memory(self.name(), numbered=False)  # interactive options carry no numbers
        self.bursts = bursts(self.name())
        self.output = WhatsAppCloudOutput(
            self.access_token, self.phone_number_id, self.api_base_url, self.options, answer_topics(self.name())
        )

    def get_output_channel(self) -> OutputChannel:
        return self.output

    def signature_problem(self, request: Request) -> HTTPResponse | None:
        signature = request.headers.get("X-Hub-Signature-256", "")
        if not signature:
            return error(401, "missing signature")
        expected = "sha256=" + hmac.new(self.app_secret, request.body or b"", hashlib.sha256).hexdigest()
        if not same_secret(signature, expected):
            logger.warning("WhatsApp webhook: request with a wrong signature rejected")
            return error(403, "invalid signature")
        return None

    @staticmethod
    def message_text(message: Dict[str, Any]) -> str | None:
        """The text (or chosen button's payload) of an incoming message; None if it has none."""
        kind = message.get("type")
        if kind == "text":
            return (message.get("text") or {}).get("body")
        if kind == "interactive":
            interactive = message.get("interactive") or {}
            reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
            return reply.get("id") or reply.get("title")
        if kind == "button":
            button = message.get("button") or {}
            return button.get("payload") or button.get("text")
        return None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = guarded(on_new_message, self.name())
        webhook = webhook_blueprint("whatsapp_cloud_webhook", self.enabled)

        @webhook.listener("after_server_stop")
        async def close(app: Any, _: Any) -> None:
            await self.output.close()

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            if not self.enabled:
                return disabled_response("WhatsApp")
            mode = request.args.get("hub.mode")
            token = request.args.get("hub.verify_token") or ""
            if mode == "subscribe" and same_secret(token, self.verify_token):
                return response.text(request.args.get("hub.challenge") or "")
            return error(403, "verification failed")

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            problem = first_problem(request, "WhatsApp", self.enabled, self.signature_problem)
            if problem:
                return problem
            payload, problem = json_object(request)
            if problem:
                return problem
            if payload.get("object") != "whatsapp_business_account":
                return error(400, "unknown event type")
            entries = payload.get("entry")
            if not isinstance(entries, list):
                return error(400, "no entries")
            messages = [
                message
                for entry in entries
                if isinstance(entry, dict)
                for change in entry.get("changes") or []
                if isinstance(change, dict)
                if change.get("field") == "messages"
                for message in (change.get("value") or {}).get("messages") or []
                if isinstance(message, dict)
            ]
            for message in messages:  # statuses (delivered, read) carry no messages: nothing to do
                await self.handle(message, on_new_message, request)
            return response.text("EVENT_RECEIVED")

        return webhook

    async def handle(
        self,
        message: Dict[str, Any],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        request: Request,
    ) -> None:
        message_id, sender = str(message.get("id") or ""), str(message.get("from") or "")
        if not message_id or not sender or self.seen.seen(message_id):
            return
        if message.get("type") == "reaction":
            self.react(message.get("reaction"), sender, request)
            return
        text = self.message_text(message)
        if not text or not text.strip():  # a photo, voice note, sticker ...: told once per burst
            if self.bursts.first(sender):
                try:
                    await self.output.send_text_with_buttons(sender, channel_text("not_text"), menu_buttons())
                except Exception as problem:  # the other messages of this delivery still get their turn
                    logger.error("whatsapp: the text-only reply could not be sent (%s)", type(problem).__name__)
            return
        await hand_over(
            text,
            self.get_output_channel(),
            sender,
            on_new_message,
            self.name(),
            self.options,
        )

    def react(self, reaction: Any, sender: str, request: Request) -> None:
        """A 👍 or 👎 on one of Heupwijzer's answers: counted for its topic in the insights, the first
        rating of an answer only. No reply and no turn of the conversation (a Beweegcheck in progress
        goes on undisturbed). A reaction to anything else, another emoji or one taken back: nothing."""
        if not isinstance(reaction, dict):
            return
        rating = rating_of(str(reaction.get("emoji") or ""))
        message_id = str(reaction.get("message_id") or "")
        if rating is None or not message_id:
            return
        store = rating_store(request)
        if store is None:
            return
        answer = self.output.answers.take(sender, message_id)
        answer_id, _, topic = (answer or "").partition(" ")
        if topic and self.output.answers.first_rating(sender, answer_id):
            store.record_rating(self.name(), topic, rating == "positive")


def rating_store(request: Request) -> Any:
    """The tracker store that counts ratings (heupwijzer/store/tracker_store.py), under Rasa's
    wrappers (fail-safe, awaitable); None when the store is another."""
    agent = getattr(request.app.ctx, "agent", None)
    store = getattr(agent, "tracker_store", None)
    for _ in range(5):
        if store is None or hasattr(store, "record_rating"):
            return store
        store = getattr(store, "_tracker_store", None) or getattr(store, "tracker_store", None)
    return None
