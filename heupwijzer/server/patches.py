"""Not a chat channel: settings for the Rasa server as a whole, loaded like a channel
(credentials.yml) because that is where Rasa lets a project add to its web server.

- The root route answers "ok" instead of "Hello from Rasa: <version>" (no version to look up
  known weaknesses by), and no response names the server software.
- Every response carries X-Content-Type-Options: nosniff and Referrer-Policy: no-referrer.
- When the action server does not answer, the patient is told (heupwijzer/channels/action_failure.py).
- Events are read back without Rasa's per-event class search (heupwijzer/store/event_types.py).
- The operator's routes (heupwijzer/observe): GET /metrics (Prometheus; a token or this host only),
  GET /health/live (the process answers) and GET /health/ready (model, store, Redis and action server,
  each named; 503 when one is down).
- Once the model is loaded, everything loaded so far is moved out of Python's garbage collector
  (`gc.freeze`). deduce's name and place tables are millions of objects that live as long as the
  process; every full collection walked them all, and the patient whose message triggered it
  waited about 4 s (seen once per ~150 turns of one long conversation).
"""

from __future__ import annotations

import gc
from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import BaseHTTPResponse, HTTPResponse

from heupwijzer.channels import action_failure
from heupwijzer.observe import health, logs, metrics
from heupwijzer.store import event_types

BANNER = b"Hello from Rasa"
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


async def harden(request: Request, reply: BaseHTTPResponse) -> HTTPResponse | None:
    """Headers are added in place and None returned: a returned response would skip the response
    middleware after this one (Sanic-CORS's among them)."""
    if request.path == "/" and (reply.body or b"").startswith(BANNER):
        plain = response.text("ok")
        plain.headers.update(SECURITY_HEADERS)
        return plain
    reply.headers.update(SECURITY_HEADERS)
    return None


class ServerSettings(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "heupwijzer_server"

    def url_prefix(self) -> str:
        """Rasa mounts channels under /webhooks/<name>; these routes belong at the root."""
        return "/"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        logs.configure()  # JSON lines in production (heupwijzer/observe/logs.py); Rasa set up its handlers already
        action_failure.install()  # a failed custom action tells the patient (heupwijzer/channels/action_failure.py)
        event_types.install()
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("heupwijzer_server", __name__)

        @blueprint.listener("before_server_start")
        async def configure(app: Sanic, _: Any) -> None:
            app.register_middleware(harden, "response")

        @blueprint.get("/metrics")
        async def metrics_route(request: Request) -> HTTPResponse:
            if not metrics.readable(request.headers.get("Authorization"), request.ip, request.headers):
                return response.text("not found", status=404)
            await health.recent_readiness(getattr(request.app.ctx, "agent", None))  # heupwijzer_ready{part}
            body, content_type = metrics.exposition()
            return response.raw(body, content_type=content_type)

        @blueprint.get("/health/live")
        async def live(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.get("/health/ready")
        async def ready(request: Request) -> HTTPResponse:
            parts = await health.recent_readiness(getattr(request.app.ctx, "agent", None))
            state, code = health.status(parts)
            return response.json({"status": state, "parts": parts}, status=code)

        @blueprint.listener("after_server_start")
        async def settle(app: Sanic, _: Any) -> None:  # Rasa loads the model before the server starts
            logs.configure()  # again: with --enable-api, Sanic's own loggers were set up after the first call
            gc.freeze()  # no gc.collect() first: walking the whole heap once would cost seconds

        return blueprint
