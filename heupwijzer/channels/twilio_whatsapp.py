"""WhatsApp through Twilio, authenticated: a subclass of Rasa's Twilio connector.

- Every webhook call must carry a valid X-Twilio-Signature, checked with the official SDK's
  RequestValidator against the public webhook URL from configuration (TWILIO_WEBHOOK_URL);
  unsigned calls get 401, wrongly signed ones 403, and nothing is processed.
- Answers go out with the SDK's async client (no blocking call in the server's event loop); the API
  base URL is configurable for tests. Buttons become a numbered list ("2" or the text selects it),
  links plain URLs, long answers are split at sentence boundaries under Twilio's 1600 characters.
- Re-delivered MessageSids are answered once; media without text gets a friendly reply.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict
from urllib.parse import parse_qs

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.twilio import TwilioInput, TwilioOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from heupwijzer.channels.common import (
    FromCredentials,
    check_enabled,
    error,
    first_problem,
    guarded,
    hand_over,
    webhook_blueprint,
)
from heupwijzer.channels.memory import OptionMemory, option_memory, recent_ids
from heupwijzer.channels.text_only import TextOnlyOutput

logger = logging.getLogger(__name__)

TEXT_LIMIT = 1500  # Twilio refuses WhatsApp bodies over 1600 characters
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
VARIABLES = {  # required setting -> its environment variable
    "account_sid": "TWILIO_ACCOUNT_SID",
    "auth_token": "TWILIO_AUTH_TOKEN",
    "twilio_number": "TWILIO_WHATSAPP_NUMBER",
    "webhook_url": "TWILIO_WEBHOOK_URL",
}


class TwilioWhatsAppOutput(TextOnlyOutput, TwilioOutput):
    """Twilio output: async sends through one HTTP client for the server's life."""

    text_limit = TEXT_LIMIT

    def __init__(
        self, account_sid: str, auth_token: str, twilio_number: str, api_base_url: str, options: OptionMemory
    ) -> None:
        # TwilioOutput.__init__ cannot take an HTTP client: initialise its twilio Client directly.
        Client.__init__(self, account_sid, auth_token, http_client=AsyncTwilioHttpClient())
        self.twilio_number = twilio_number
        self.options = options
        if api_base_url:
            self.api.base_url = api_base_url.rstrip("/")

    async def send(self, recipient_id: str, body: str) -> None:
        try:
            await self.messages.create_async(to=recipient_id, from_=self.twilio_number, body=body)
        except TwilioRestException as problem:
            logger.error("Twilio refused a message: status %s, code %s", problem.status, problem.code)


class SignedTwilioInput(FromCredentials, TwilioInput):
    """Twilio (WhatsApp) input that only accepts calls signed by Twilio."""

    @classmethod
    def name(cls) -> str:
        return "twilio"

    def __init__(self, credentials: Dict[str, Any]) -> None:
        super().__init__(
            credentials.get("account_sid"),
            credentials.get("auth_token"),
            credentials.get("twilio_number"),
            debug_mode=False,
        )
        self.enabled = check_enabled("WhatsApp (Twilio)", credentials, VARIABLES)
        self.webhook_url = str(credentials.get("webhook_url") or "")
        self.api_base_url = str(credentials.get("api_base_url") or "")
        self.validator = RequestValidator(str(self.auth_token or ""))
        self.seen = recent_ids(self.name())
        self.options = option_memory(self.name())
        self.output: TwilioWhatsAppOutput | None = None

    def get_output_channel(self) -> OutputChannel:
        # Created on first use inside the server's event loop (its aiohttp session needs one), then reused.
        if self.output is None:
            self.output = TwilioWhatsAppOutput(
                str(self.account_sid), str(self.auth_token), str(self.twilio_number), self.api_base_url, self.options
            )
        return self.output

    @staticmethod
    def params(request: Request) -> Dict[str, str]:
        # Twilio signs every parameter, empty ones included (Sanic's request.form drops those).
        fields = parse_qs((request.body or b"").decode("utf-8", "replace"), keep_blank_values=True)
        return {key: values[0] for key, values in fields.items()}

    def signature_problem(self, request: Request) -> HTTPResponse | None:
        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature:
            return error(401, "missing signature")
        if not self.validator.validate(self.webhook_url, self.params(request), signature):
            logger.warning("Twilio webhook: request with a wrong signature rejected")
            return error(403, "invalid signature")
        return None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        on_new_message = guarded(on_new_message, self.name())
        webhook = webhook_blueprint("twilio_webhook", self.enabled)

        @webhook.listener("after_server_stop")
        async def close(app: Sanic, _: Any) -> None:
            if self.output is not None:
                await self.output.http_client.close()

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            problem = first_problem(request, "WhatsApp (Twilio)", self.enabled, self.signature_problem)
            if problem:
                return problem
            params = self.params(request)
            sender, message_id = params.get("From"), params.get("MessageSid")
            if not sender or not message_id or "Body" not in params:  # e.g. a status callback
                return error(400, "not an incoming Twilio message")
            if not self.seen.seen(message_id):
                await hand_over(
                    params.get("Body"),
                    self.get_output_channel(),
                    sender,
                    on_new_message,
                    self.name(),
                    self.options,
                )
            return response.text(EMPTY_TWIML, content_type="text/xml")

        return webhook
