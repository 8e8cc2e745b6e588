"""Heupwijzer's action server: rasa-sdk's app (`rasa run actions`) with its doors closed.

- Every call but the health check needs `Authorization: Bearer <HEUPWIJZER_ACTION_TOKEN>` (Rasa
  sends it, endpoints.yml); without the variable the server refuses to start.
- Request bodies are limited (HEUPWIJZER_ACTION_MAX_BYTES, default 4 MB; a compressed body also
  after decompression), no CORS (no browser has business here), errors without the request echoed.
- Listens on SANIC_HOST (the launcher: 127.0.0.1 unless --actions-host says otherwise).
"""

from __future__ import annotations

import argparse
import logging
import zlib

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from heupwijzer.channels.common import same_secret
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

    @app.middleware("request")
    async def guard(request: Request) -> HTTPResponse | None:
        if request.path == "/health":
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
    host = settings().actions_host
    logger.info("Action server on http://%s:%d", host, args.port)
    build_app(token).run(host, args.port, access_log=False, workers=1)


if __name__ == "__main__":
    main()
