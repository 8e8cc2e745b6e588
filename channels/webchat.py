"""The website widget's socket.io channel, with the allowed origins (CORS) from configuration.

Rasa's SocketIOInput accepts socket.io connections from every origin. Here the origins allowed to
connect come from `cors_origins` in credentials.yml (HEUPWIJZER_CORS_ORIGINS, space separated);
a page on any other site cannot open a chat. The default allows only the local chat page.
"""
from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

logger = logging.getLogger(__name__)


def parse_origins(value: Any) -> List[str]:
    origins = value if isinstance(value, list) else str(value or "").replace(",", " ").split()
    return [origin.rstrip("/") for origin in origins if origin]


class WebchatInput(SocketIOInput):
    """socket.io for rasa-webchat, restricted to the configured origins."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = dict(credentials or {})
        origins = parse_origins(credentials.pop("cors_origins", ""))
        channel = super().from_credentials(credentials)
        assert isinstance(channel, WebchatInput)
        channel.allowed_origins = origins
        return channel

    allowed_origins: List[str] = []

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        if "*" in self.allowed_origins:
            logger.warning("Web chat: every website may connect (HEUPWIJZER_CORS_ORIGINS contains '*').")
            self.sio.eio.cors_allowed_origins = "*"  # type: ignore[union-attr]
        else:
            # An empty list would switch the check off in python-engineio: keep at least one entry.
            self.sio.eio.cors_allowed_origins = self.allowed_origins or ["null-origin-not-allowed"]  # type: ignore[union-attr]
            logger.info("Web chat: allowed origins %s", self.allowed_origins or "none")
        return blueprint
