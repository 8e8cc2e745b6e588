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
"""

from __future__ import annotations

import hashlib
import hmac
import logging
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
from heupwijzer.channels.memory import OptionMemory, option_memory, recent_ids
from heupwijzer.channels.text_only import TextOnlyOutput
from heupwijzer.channels.whatsapp_interactive import BODY, interactive

logger = logging.getLogger(__name__)

DEFAULT_GRAPH_API = "https://graph.facebook.com/v21.0"
TEXT_LIMIT = 4000  # WhatsApp allows 4096 characters in a text message
VARIABLES = {  # required setting -> its environment variable
    "access_token": "WHATSAPP_ACCESS_TOKEN",
    "app_secret": "WHATSAPP_APP_SECRET",
    "verify_token": "WHATSAPP_VERIFY_TOKEN",
    "phone_number_id": "WHATSAPP_PHONE_NUMBER_ID",
}


class WhatsAppCloudOutput(TextOnlyOutput, OutputChannel):
    """Sends messages through the Graph API, over one HTTP session for the server's life."""

    text_limit = TEXT_LIMIT

    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    def __init__(self, access_token: str, phone_number_id: str, api_base_url: str, options: OptionMemory) -> None:
        self.url = f"{api_base_url.rstrip('/')}/{phone_number_id}/messages"
        self.headers = {"Authorization": f"Bearer {access_token}"}
        self.options = options
        self.session: aiohttp.ClientSession | None = None

    async def send(self, recipient_id: str, body: str) -> None:
        await self.post(recipient_id, {"type": "text", "text": {"preview_url": True, "body": body}})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        """The answer, then its options as reply buttons or a list under the answer's last part."""
        if not buttons:
            await self.send_text_message(recipient_id, text)
            return
        self.options.add(recipient_id, buttons)  # typing an option's text still picks it
        parts = split_message(plain_links(text), BODY) or [channel_text("choose")]
        for part in parts[:-1]:
            await self.send(recipient_id, part)
        message = interactive(parts[-1], buttons, channel_text("list_button"), channel_text("list_section"))
        await self.post(recipient_id, {"type": "interactive", "interactive": message})

    async def post(self, recipient_id: str, message: Dict[str, Any]) -> None:
        payload = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": recipient_id, **message}
        if self.session is None:  # created in the server's event loop, on first use
            self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
        async with self.session.post(self.url, json=payload, headers=self.headers) as reply:
            if reply.status >= 400:
                logger.error("WhatsApp Cloud API refused a message: %s %s", reply.status, await reply.text())

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
        self.output = WhatsAppCloudOutput(self.access_token, self.phone_number_id, self.api_base_url, self.options)

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
        await hand_over(
            self.message_text(message),
            self.get_output_channel(),
            sender,
            on_new_message,
            self.name(),
            self.options,
        )
