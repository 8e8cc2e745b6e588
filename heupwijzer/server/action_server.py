"""Heupwijzer's action server: rasa-sdk's app (`rasa run actions`) with its doors closed.

- Every call but the health check and /metrics (heupwijzer/observe/metrics.py: a token of its own)
  needs `Authorization: Bearer <HEUPWIJZER_ACTION_TOKEN>` (Rasa sends it, endpoints.yml); without
  the variable the server refuses to start.
- Request bodies are limited (HEUPWIJZER_ACTION_MAX_BYTES, default 4 MB; a compressed body also
  after decompression), no CORS (no browser has business here), errors without the request echoed.
- Listens on SANIC_HOST (the launcher: 127.0.0.1 unless --actions-host says otherwise).
"""

from __future__ import annotations

import argparse
import logging
import time
import zlib

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from heupwijzer.channels.common import same_secret
from heupwijzer.observe import logs, metrics
from heupwijzer.settings import settings

logger = logging.getLogger("heupwijzer.actions")
TOKEN_VARIABLE = "HEUPWIJZER_ACTION_TOKEN"
MAX_BYTES = settings().action_max_bytes


def inflated_size(body: bytes, limit: int) -> int:
    """Decompressed size of a deflate body, counting no further than limit + 1."""
    inflater = zlib.decompressobj()
    size = len(inflater.decompress(body, limit + 1))
    return size if inflater.unconsumed_tail == b"" else limit + 1


def build_app(token: str, max_bytes: int = MAX_BYTES) -> Sanic:
    app = create_app("actions", cors_origins=[])
    app.config.REQUEST_MAX_SIZE = max_bytes

    @app.get("/metrics")
    async def metrics_route(request: Request) -> HTTPResponse:
        if not metrics.readable(request.headers.get("Authorization"), request.ip, request.headers):
            return response.text("not found", status=404)
        body, content_type = metrics.exposition()
        return response.raw(body, content_type=content_type)

    @app.middleware("request")
    async def guard(request: Request) -> HTTPResponse | None:
        request.ctx.started = time.perf_counter()
        if request.path in ("/health", "/metrics"):
            return None
        if not same_secret(request.headers.get("Authorization", ""), f"Bearer {token}"):
            return response.json({"error": "unauthorised"}, status=401)
        if request.headers.get("Content-Encoding") == "deflate":
            try:
                if inflated_size(request.body or b"", max_bytes) > max_bytes:
                    return response.json({"error": "request body too large"}, status=413)
            except zlib.error:
                return response.json({"error": "the body is not deflate data"}, status=400)
        return None

    @app.middleware("response")
    async def timed(request: Request, reply: HTTPResponse) -> None:
        if request.path == "/webhook" and hasattr(request.ctx, "started"):
            outcome = "ok" if reply.status < 400 else "refused" if reply.status < 500 else "error"
            metrics.ACTION_CALLS.labels(outcome).inc()
            metrics.ACTION_SECONDS.observe(time.perf_counter() - request.ctx.started)

    @app.exception(Exception)
    async def failed(request: Request, exception: Exception) -> HTTPResponse:
        logger.error("An action call failed: %s", type(exception).__name__, exc_info=exception)
        status = getattr(exception, "status_code", 500)
        return response.json({"error": "the action could not be run"}, status=status if status < 500 else 500)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    token = settings().action_token.strip()
    if not token:
        raise SystemExit(f"ERROR: {TOKEN_VARIABLE} is not set; the action server does not start without it.")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s - %(message)s")
    logs.configure()
    host = settings().actions_host
    logger.info("Action server on http://%s:%d", host, args.port)
    build_app(token).run(host, args.port, access_log=False, workers=1)


if __name__ == "__main__":
    main()
