"""Serve the chat page (web/), the embed script, the rasa-webchat bundle, its font and settings.

/embed.js and /webchat.js are loaded by the practice's own website with a <script> tag (the
one-line snippet). The embed script then fetches /config.json: that answer carries
Access-Control-Allow-Origin only for the allowed origins (HEUPWIJZER_CORS_ORIGINS), the same list
the socket.io channel accepts.

Nothing on the page comes from another server: rasa-webchat's bundle imports its font (Inter)
from Google Fonts, so the bundle is served without that @import and Inter comes from the npm
package @fontsource/inter, served here (/widget.css, /fonts/*.woff2).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, Tuple

from heupwijzer.channels.origins import origin_allowed, parse_origins
from heupwijzer.insights.login import client_of
from heupwijzer.insights.web import POLICY as INSIGHTS_POLICY
from heupwijzer.insights.web import InsightsSite, is_insights
from heupwijzer.paths import ROOT, WEB
from heupwijzer.practice import load_practice
from heupwijzer.settings import settings

ALLOWED_ORIGINS = parse_origins(settings().cors_origins)

NODE_MODULES = ROOT / "node_modules"
WEBCHAT_BUNDLE = NODE_MODULES / "rasa-webchat" / "lib" / "index.js"
FONT_FILES = NODE_MODULES / "@fontsource" / "inter" / "files"
# The widget's stylesheet starts with this import from Google Fonts (once per style module).
THIRD_PARTY_IMPORT = re.compile(r"@import url\(https?://[^)]*\);")
HOSTNAME = re.compile(r"[A-Za-z0-9.-]{1,253}")
FONT_NAME = re.compile(r"^/fonts/(inter-latin-[0-9]{3}-normal\.woff2)$")


def widget_config(rasa_port: int) -> dict:
    practice = load_practice()
    return {
        "rasaPort": rasa_port,
        # Where the widget connects; empty: the embed script's host on rasaPort.
        "socketUrl": settings().public_rasa_url,
        "title": "Heupwijzer",
        "subtitle": practice.name,
        "colour": practice.colour,
        # Where the widget keeps the conversation: "session" (default) or "local".
        "storage": "local" if settings().widget_storage.strip() == "local" else "session",
    }


def content_security_policy(page_host: str, rasa_port: int) -> str:
    """Only this server's scripts, styles, fonts and images; connections only to Rasa; framed only
    by this server and the practice's sites."""
    public = settings().public_rasa_url.strip().rstrip("/")
    rasa = [public] if public else [f"http://{page_host}:{rasa_port}", f"https://{page_host}:{rasa_port}"]
    sockets = [url.replace("http", "ws", 1) for url in rasa]
    ancestors = " ".join(["'self'"] + [o for o in ALLOWED_ORIGINS if o != "*"])
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",  # the widget sets styles on its elements
            "img-src 'self' data:",
            "font-src 'self' data:",  # the widget's carousel icons are inline fonts
            "connect-src 'self' " + " ".join(rasa + sockets),
            f"frame-ancestors {ancestors}",
            "base-uri 'none'",
            "form-action 'none'",
            "object-src 'none'",
        ]
    )


def local_bundle() -> bytes:
    """rasa-webchat's bundle without @imports from other servers."""
    bundle = WEBCHAT_BUNDLE.read_text(encoding="utf-8")
    return THIRD_PARTY_IMPORT.sub("", bundle).encode("utf-8")


class ChatPageHandler(SimpleHTTPRequestHandler):
    # Built once at startup: path -> (body, content type).
    generated: Dict[str, Tuple[bytes, str]] = {}
    rasa_port = 5005
    insights: InsightsSite | None = None

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        font = FONT_NAME.match(path)
        if is_insights(path) and self.insights is not None:
            self._insights(path, query)
        elif path in self.generated:
            self._send(*self.generated[path])
        elif font and (FONT_FILES / font.group(1)).is_file():
            self._send((FONT_FILES / font.group(1)).read_bytes(), "font/woff2")
        else:
            super().do_GET()

    def _insights(self, path: str, query: str) -> None:
        assert self.insights is not None
        client = client_of(self.client_address[0], self.headers.get("X-Real-IP"))
        status, headers, body = self.insights.respond(path, query, self.headers.get("Authorization"), client)
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(body)), "Cache-Control": "no-store"}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self) -> None:
        path = self.path.split("?", 1)[0]
        if is_insights(path):  # the practice's page: never framed, nothing from elsewhere
            self.send_header("Content-Security-Policy", INSIGHTS_POLICY)
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Referrer-Policy", "no-referrer")
            super().end_headers()
            return
        origin = self.headers.get("Origin")
        if path == "/config.json" and origin and origin_allowed(origin, ALLOWED_ORIGINS):
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")
        elif path.startswith("/fonts/"):  # fonts are fetched with CORS from the practice's site
            self.send_header("Access-Control-Allow-Origin", "*")
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        host = host if HOSTNAME.fullmatch(host) else "localhost"  # nothing of the caller's in the policy
        self.send_header("Content-Security-Policy", content_security_policy(host, self.rasa_port))
        self.send_header("Referrer-Policy", "no-referrer")
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

    def version_string(self) -> str:  # no server name or Python version in the Server header
        return "Heupwijzer"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)  # ports: heupwijzer/server/options.py
    parser.add_argument("--rasa-port", type=int, required=True)
    parser.add_argument("--endpoints", default="endpoints.yml")  # the profile's: where the insights come from
    args = parser.parse_args()
    if not WEBCHAT_BUNDLE.exists() or not FONT_FILES.is_dir():
        raise SystemExit("ERROR: the chat widget is not installed; run `make run` (it runs npm ci).")
    # Read once; fails here, clearly, when the practice settings are incomplete.
    ChatPageHandler.generated = {
        "/config.json": (json.dumps(widget_config(args.rasa_port)).encode(), "application/json"),
        "/webchat.js": (local_bundle(), "application/javascript"),
    }
    ChatPageHandler.rasa_port = args.rasa_port
    ChatPageHandler.insights = InsightsSite(ROOT / args.endpoints, settings().insights_password)
    handler = partial(ChatPageHandler, directory=str(WEB))
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C in the terminal: stop quietly, the launcher says so
        ThreadingHTTPServer((args.host, args.port), handler).serve_forever()


if __name__ == "__main__":
    main()
