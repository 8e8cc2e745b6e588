"""Serve the local chat page (web/) and the rasa-webchat bundle from node_modules."""
from __future__ import annotations

import argparse
import json
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEBCHAT_BUNDLE = ROOT / "node_modules" / "rasa-webchat" / "lib" / "index.js"


class ChatPageHandler(SimpleHTTPRequestHandler):
    rasa_port: int = 5005

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        path = self.path.split("?", 1)[0]
        if path == "/webchat.js":
            self._send(WEBCHAT_BUNDLE.read_bytes(), "application/javascript")
        elif path == "/config.json":
            body = json.dumps({"rasaPort": self.rasa_port}).encode()
            self._send(body, "application/json")
        else:
            super().do_GET()

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
    ChatPageHandler.rasa_port = args.rasa_port
    handler = partial(ChatPageHandler, directory=str(ROOT / "web"))
    ThreadingHTTPServer(("127.0.0.1", args.port), handler).serve_forever()


if __name__ == "__main__":
    main()
