"""WhatsApp through Meta's WhatsApp Cloud API (a custom Rasa channel).

- GET  /webhooks/whatsapp/webhook: Meta's subscription check (hub.verify_token, hub.challenge).
- POST /webhooks/whatsapp/webhook: every request must carry X-Hub-Signature-256, the HMAC-SHA256
  of the raw body with the app secret; unsigned requests get 401, wrongly signed ones 403, and
  nothing is processed. Re-delivered message ids are answered once.
- Answers go out through the Graph API (base URL configurable, for tests): plain text, links as
  URLs, buttons as a numbered list ("2" or the option's text selects it), long answers split at
  sentence boundaries under WhatsApp's limit.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.common import (
    OptionMemory,
    RecentIds,
    check_enabled,
    disabled_response,
    error,
    hand_over,
    json_object,
    too_large,
    webhook_blueprint,
)
from channels.formatting import numbered_options, plain_links, split_message

logger = logging.getLogger(__name__)

DEFAULT_GRAPH_API = "https://graph.facebook.com/v21.0"
TEXT_LIMIT = 4000  # WhatsApp allows 4096 characters in a text message
VARIABLES = {  # required setting -> its environment variable
    "access_token": "WHATSAPP_ACCESS_TOKEN",
    "app_secret": "WHATSAPP_APP_SECRET",
    "verify_token": "WHATSAPP_VERIFY_TOKEN",
    "phone_number_id": "WHATSAPP_PHONE_NUMBER_ID",
}


class WhatsAppCloudOutput(OutputChannel):
    """Sends messages through the Graph API."""

    @classmethod
    def name(cls) -> Text:
        return "whatsapp"

    def __init__(self, access_token: str, phone_number_id: str, api_base_url: str, options: OptionMemory) -> None:
        self.url = f"{api_base_url.rstrip('/')}/{phone_number_id}/messages"
        self.headers = {"Authorization": f"Bearer {access_token}"}
        self.options = options

    async def _send(self, recipient_id: Text, body: str) -> None:
        payload = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": recipient_id,
            "type": "text",
            "text": {"preview_url": True, "body": body},
        }
        timeout = aiohttp.ClientTimeout(total=15)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.post(self.url, json=payload, headers=self.headers) as reply:
                if reply.status >= 400:
                    logger.error("WhatsApp Cloud API refused a message: %s %s", reply.status, await reply.text())

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for part in split_message(plain_links(text), TEXT_LIMIT):
            await self._send(recipient_id, part)

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        first = self.options.add(recipient_id, buttons)
        await self.send_text_message(recipient_id, f"{text}\n\n{numbered_options(buttons, first)}")

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self._send(recipient_id, image)


class WhatsAppCloudInput(InputChannel):
    """Receives WhatsApp messages from Meta's webhook."""

    @classmethod
    def name(cls) -> Text:
        return "whatsapp"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls(credentials or {})

    def __init__(self, credentials: Dict[Text, Any]) -> None:
        self.enabled = check_enabled("WhatsApp (Cloud API)", credentials, VARIABLES)
        self.access_token = str(credentials.get("access_token") or "")
        self.app_secret = str(credentials.get("app_secret") or "").encode("utf-8")
        self.verify_token = str(credentials.get("verify_token") or "")
        self.phone_number_id = str(credentials.get("phone_number_id") or "")
        self.api_base_url = str(credentials.get("api_base_url") or "") or DEFAULT_GRAPH_API
        self.seen = RecentIds()
        self.options = OptionMemory()

    def get_output_channel(self) -> OutputChannel:
        return WhatsAppCloudOutput(self.access_token, self.phone_number_id, self.api_base_url, self.options)

    def signature_problem(self, request: Request) -> Optional[HTTPResponse]:
        signature = request.headers.get("X-Hub-Signature-256", "")
        if not signature:
            return error(401, "missing signature")
        expected = "sha256=" + hmac.new(self.app_secret, request.body or b"", hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            logger.warning("WhatsApp webhook: request with a wrong signature rejected")
            return error(403, "invalid signature")
        return None

    @staticmethod
    def message_text(message: Dict[str, Any]) -> Optional[str]:
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
        webhook = webhook_blueprint("whatsapp_cloud_webhook", self.enabled)

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            if not self.enabled:
                return disabled_response("WhatsApp")
            mode = request.args.get("hub.mode")
            token = request.args.get("hub.verify_token") or ""
            if mode == "subscribe" and hmac.compare_digest(token, self.verify_token):
                return response.text(request.args.get("hub.challenge") or "")
            return error(403, "verification failed")

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.enabled:
                return disabled_response("WhatsApp")
            problem = too_large(request) or self.signature_problem(request)
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
                for entry in entries if isinstance(entry, dict)
                for change in entry.get("changes") or [] if isinstance(change, dict)
                if change.get("field") == "messages"
                for message in (change.get("value") or {}).get("messages") or [] if isinstance(message, dict)
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
        await hand_over(self.message_text(message), self.get_output_channel(), sender, on_new_message,
                        self.name(), self.get_metadata(request), self.options)
