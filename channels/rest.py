"""Rasa's REST channel with input checks: a clear 400 instead of a 500 or a silent empty answer.

Rasa's own channel answers an empty body or a JSON list with a 500, and a message without a
sender ends up in one shared conversation called "default". Here every request must be a JSON
object with a non-empty `sender` and a non-empty text `message` of reasonable length.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.common import error, json_object, too_large

MAX_MESSAGE_CHARS = 2000


def rest_problem(request: Request) -> Optional[HTTPResponse]:
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
    if len(message) > MAX_MESSAGE_CHARS:
        return error(400, f"'message' is longer than {MAX_MESSAGE_CHARS} characters")
    return None


class CheckedRestInput(RestInput):
    """REST channel (POST /webhooks/rest/webhook) that refuses malformed requests with 400."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)

        @blueprint.middleware("request")
        async def check(request: Request) -> Optional[HTTPResponse]:
            if request.method == "POST" and request.path.rstrip("/").endswith("/webhook"):
                return rest_problem(request)
            return None

        return blueprint
