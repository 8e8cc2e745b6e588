"""The website widget's socket.io channel, open only to the configured sites (origins).

CORS headers are written in one place: Rasa's `--cors` (Sanic-CORS), which the launcher sets to
HEUPWIJZER_CORS_ORIGINS, answers every route of the Rasa server, socket.io included, with exactly
one Access-Control-Allow-Origin for an allowed origin and none for another. python-engineio's own
CORS handling stays off, as Rasa configures it (two writers gave the browser two values).

Headers alone don't stop a script or a WebSocket, so the handshake itself is checked here: a
connection whose Origin is missing or not on the list is refused (401) before a socket.io session
exists. A session id must look like the ones the widget uses (a random UUID) and belongs to the
browser tab that first asked for it: embed.js connects with the tab's own random token (`?owner=`,
kept in the same storage as the session), so a reload or a reconnect on a new connection is the same
owner, and another tab or client presenting the session id gets a new session, not the conversation
(heupwijzer/channels/memory.py, SessionOwners; a client without a token owns its sessions by its
connection, released when it closes). A connection may ask for a few sessions only. A message is
taken only for the session this connection holds;
its text is checked like every channel's (heupwijzer/channels/common.py: length, payloads,
pseudonym) and metadata from the page is not stored.
"""

from __future__ import annotations

import inspect
import logging
import re
import uuid
from typing import Any, Awaitable, Callable, Dict, List
from urllib.parse import parse_qs

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from heupwijzer.channels.common import ToPlatform, guarded
from heupwijzer.channels.formatting import tel_links
from heupwijzer.channels.memory import SessionOwners, session_owners
from heupwijzer.channels.origins import origin_allowed, parse_origins
from heupwijzer.practice import load_practice

logger = logging.getLogger(__name__)
# The widget's session ids: a random UUID, with or without dashes (rasa-webchat / Rasa's own).
SESSION_ID = re.compile(r"^[0-9a-f]{32}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def session_id_ok(value: Any) -> bool:
    return isinstance(value, str) and SESSION_ID.match(value) is not None


OWNER_TOKEN = re.compile(r"^[0-9a-f]{32}$")  # embed.js: 16 random bytes, hex
MAX_SESSION_REQUESTS = 3  # per connection: the widget asks once, again after a server restart


def owner_of(sid: str, environ: Dict[str, Any]) -> str:
    """The tab's token from the connection's query string, or else the connection itself."""
    token = (parse_qs(str(environ.get("QUERY_STRING") or "")).get("owner") or [""])[0]
    return f"tab:{token}" if OWNER_TOKEN.match(token) else f"connection:{sid}"


class TapToCall(ToPlatform):
    """The widget's answers with 112, 113 and the practice's number as tel: links (a tap calls)."""

    def __init__(self, output: OutputChannel, phone: str) -> None:
        super().__init__(output, "")
        self.phone = phone

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        if isinstance(message.get("text"), str):
            message = {**message, "text": tel_links(message["text"], self.phone)}
        await self.output.send_response(recipient_id, message)


def with_tap_to_call(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
) -> Callable[[UserMessage], Awaitable[Any]]:
    phone = load_practice().phone  # read once, when the channel starts

    async def handle(message: UserMessage) -> Any:
        message.output_channel = TapToCall(message.output_channel, phone)
        return await on_new_message(message)

    return handle


class WebchatInput(SocketIOInput):
    """socket.io for rasa-webchat, restricted to the configured origins."""

    allowed_origins: List[str] = []
    owners: SessionOwners | None = None

    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        credentials = dict(credentials or {})
        origins = parse_origins(credentials.pop("cors_origins", ""))
        channel = super().from_credentials(credentials)
        assert isinstance(channel, WebchatInput)
        channel.allowed_origins = origins
        return channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # outermost: the channel's own messages ("er ging iets mis ... bel 112") get tel: links too
        blueprint = super().blueprint(with_tap_to_call(guarded(on_new_message, self.name())))
        if "*" in self.allowed_origins:
            logger.warning("Web chat: every website may connect (HEUPWIJZER_CORS_ORIGINS contains '*').")
        else:
            logger.info("Web chat: allowed origins %s", self.allowed_origins or "none")
        engine = self.sio.eio  # self.sio is set by SocketIOInput.blueprint
        open_session = engine.handlers["connect"]  # python-socketio's own handshake handler

        async def connect(sid: str, environ: Dict[str, Any]) -> Any:
            origin = environ.get("HTTP_ORIGIN")
            if not origin or not origin_allowed(origin, self.allowed_origins):
                logger.warning("Web chat: refused a connection from %s (not in HEUPWIJZER_CORS_ORIGINS).", origin)
                return False
            result = open_session(sid, environ)
            return await result if inspect.isawaitable(result) else result

        engine.on("connect", connect)
        self._check_events()
        return blueprint

    def _check_events(self) -> None:
        """Wrap Rasa's session_request and user_uttered handlers with the session id checks."""
        namespace = self.namespace or "/"
        handlers = self.sio.handlers[namespace]
        request_session, handle_message = handlers["session_request"], handlers[self.user_message_evt]
        connected, gone = handlers["connect"], handlers["disconnect"]
        owners = self.owners = self.owners or session_owners()
        owner: Dict[str, str] = {}  # connection -> its owner (this instance's connections only)
        requests: Dict[str, int] = {}

        async def connect(sid: str, environ: Dict[str, Any], auth: Any = None) -> Any:
            result = await connected(sid, environ, auth)
            if result is not False:
                owner[sid] = owner_of(sid, environ)
            return result

        async def session_request(sid: str, data: Any) -> None:
            session = data.get("session_id") if isinstance(data, dict) else None
            if session is not None and not session_id_ok(session):
                logger.warning("Web chat: refused a session id that the widget does not make.")
                await self.sio.disconnect(sid, namespace=self.namespace)
                return
            requests[sid] = requests.get(sid, 0) + 1
            if requests[sid] > MAX_SESSION_REQUESTS:
                logger.warning("Web chat: a connection asked for too many sessions and was closed.")
                await self.sio.disconnect(sid, namespace=self.namespace)
                return
            who = owner.get(sid, f"connection:{sid}")
            if session is not None and not owners.claim(session, who):
                logger.warning("Web chat: a session id held by another tab; this one gets a new session.")
                session = None
            if session is None:
                session = uuid.uuid4().hex
                owners.claim(session, who)
            await request_session(sid, {"session_id": session})

        async def disconnect(sid: str) -> None:
            requests.pop(sid, None)
            if owner.pop(sid, "").startswith("connection:"):
                owners.release(f"connection:{sid}")
            await gone(sid)

        async def user_uttered(sid: str, data: Any) -> None:
            if not isinstance(data, dict):
                return
            session, text = data.get("session_id"), data.get("message")
            if not session_id_ok(session) or session not in self.sio.rooms(sid, namespace=self.namespace):
                logger.warning("Web chat: a message for a session this connection did not open was ignored.")
                return
            await handle_message(sid, {"session_id": session, "message": text if isinstance(text, str) else ""})

        self.sio.on("connect", connect, namespace=self.namespace)
        self.sio.on("session_request", session_request, namespace=self.namespace)
        self.sio.on("disconnect", disconnect, namespace=self.namespace)
        self.sio.on(self.user_message_evt, user_uttered, namespace=self.namespace)
