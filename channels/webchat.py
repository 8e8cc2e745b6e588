"""The website widget's socket.io channel, open only to the configured sites (origins).

CORS headers are written in one place: Rasa's `--cors` (Sanic-CORS), which the launcher sets to
HEUPWIJZER_CORS_ORIGINS, answers every route of the Rasa server, socket.io included, with exactly
one Access-Control-Allow-Origin for an allowed origin and none for another. python-engineio's own
CORS handling stays off, as Rasa configures it (two writers gave the browser two values).

Headers alone don't stop a script or a WebSocket, so the handshake itself is checked here: a
connection whose Origin is not on the list is refused (401) before a socket.io session exists.
"""
from __future__ import annotations

import inspect
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from channels.origins import origin_allowed, parse_origins

logger = logging.getLogger(__name__)


class WebchatInput(SocketIOInput):
    """socket.io for rasa-webchat, restricted to the configured origins."""

    allowed_origins: List[str] = []

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

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        if "*" in self.allowed_origins:
            logger.warning("Web chat: every website may connect (HEUPWIJZER_CORS_ORIGINS contains '*').")
        else:
            logger.info("Web chat: allowed origins %s", self.allowed_origins or "none")
        engine = self.sio.eio  # type: ignore[union-attr]  # set by SocketIOInput.blueprint
        open_session = engine.handlers["connect"]  # python-socketio's own handshake handler

        async def connect(sid: str, environ: Dict[str, Any]) -> Any:
            origin = environ.get("HTTP_ORIGIN")
            if not origin_allowed(origin, self.allowed_origins):
                logger.warning("Web chat: refused a connection from %s (not in HEUPWIJZER_CORS_ORIGINS).", origin)
                return False
            result = open_session(sid, environ)
            return await result if inspect.isawaitable(result) else result

        engine.on("connect", connect)
        return blueprint
