"""Rasa's REST channel for integrations, behind a token and with input checks.

- Off unless HEUPWIJZER_REST_TOKEN is set (404, like any channel without settings); then every
  POST needs `Authorization: Bearer <token>` (401 otherwise, constant-time compare).
- Rasa's own channel answers an empty body or a JSON list with a 500, and a message without a
  sender ends up in one shared conversation called "default". Here every request must be a JSON
  object with a non-empty text `sender` and a non-empty text `message` (400 otherwise).
- The conversation is stored as `rest:<pseudonym>` (heupwijzer/channels/identity.py): a REST caller can't
  reach a WhatsApp, Telegram or widget conversation, whatever sender it names.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from heupwijzer.channels.common import (
    check_enabled,
    disabled_response,
    error,
    guarded,
    json_object,
    same_secret,
    too_large,
)

VARIABLES = {"token": "HEUPWIJZER_REST_TOKEN"}


def token_problem(request: Request, token: str) -> HTTPResponse | None:
    if not same_secret(request.headers.get("Authorization", ""), f"Bearer {token}"):
        return error(401, "a valid 'Authorization: Bearer <token>' header is required")
    return None


def rest_problem(request: Request) -> HTTPResponse | None:
    problem = too_large(request)
    if problem:
        return problem
    body, problem = json_object(request)
    if problem:
        return problem
    sender, message = body.get("sender"), body.get("message")
    if not isinstance(sender, str) or not sender.strip():
        return error(400, "'sender' (a conversation id) is required")
    if not isinstance(message, str) or not message.strip():
        return error(400, "'message' must be a non-empty text")
    return None


class CheckedRestInput(RestInput):
    """REST channel (POST /webhooks/rest/webhook): token first, then malformed requests get a 400."""

    def __init__(self, token: str = "") -> None:
        self.token = token
        self.enabled = bool(token)

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        enabled = check_enabled("REST", credentials, VARIABLES)
        return cls(str(credentials.get("token") or "").strip() if enabled else "")

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(guarded(on_new_message, self.name()))

        @blueprint.middleware("request")
        async def check(request: Request) -> HTTPResponse | None:
            if request.method == "POST" and request.path.rstrip("/").endswith("/webhook"):
                if not self.enabled:
                    return disabled_response("REST")
                return token_problem(request, self.token) or rest_problem(request)
            return None

        return blueprint
