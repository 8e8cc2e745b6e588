"""Serve the chat page (web/), the embed script, the rasa-webchat bundle and the widget settings.

/embed.js and /webchat.js are loaded by the practice's own website with a <script> tag (the
one-line snippet). The embed script then fetches /config.json: that answer carries
Access-Control-Allow-Origin only for the allowed origins (HEUPWIJZER_CORS_ORIGINS), the same list
the socket.io channel accepts.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from actions.practice import load_practice  # noqa: E402  (needs the project root on the path)
from channels.webchat import parse_origins  # noqa: E402

ALLOWED_ORIGINS = parse_origins(os.environ.get("HEUPWIJZER_CORS_ORIGINS", ""))

WEBCHAT_BUNDLE = ROOT / "node_modules" / "rasa-webchat" / "lib" / "index.js"


def widget_config(rasa_port: int) -> dict:
    practice = load_practice()
    return {
        "rasaPort": rasa_port,
        # Where the widget connects; empty: the embed script's host on rasaPort.
        "socketUrl": os.environ.get("HEUPWIJZER_PUBLIC_RASA_URL", ""),
        "title": "Heupwijzer",
        "subtitle": practice.name,
        "colour": practice.colour,
    }


class ChatPageHandler(SimpleHTTPRequestHandler):
    config: bytes = b"{}"  # /config.json, built once at startup

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        path = self.path.split("?", 1)[0]
        if path == "/webchat.js":
            self._send(WEBCHAT_BUNDLE.read_bytes(), "application/javascript")
        elif path == "/config.json":
            self._send(self.config, "application/json")
        else:
            super().do_GET()

    def end_headers(self) -> None:
        origin = self.headers.get("Origin", "")
        if self.path.split("?", 1)[0] == "/config.json" and origin in ALLOWED_ORIGINS:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # quiet access log
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--rasa-port", type=int, default=5005)
    args = parser.parse_args()
    if not WEBCHAT_BUNDLE.exists():
        raise SystemExit("ERROR: rasa-webchat is not installed; run `make run` (it runs npm ci).")
    # Read once; fails here, clearly, when the practice settings are incomplete.
    ChatPageHandler.config = json.dumps(widget_config(args.rasa_port)).encode()
    handler = partial(ChatPageHandler, directory=str(ROOT / "web"))
    ThreadingHTTPServer(("127.0.0.1", args.port), handler).serve_forever()


if __name__ == "__main__":
    main()
