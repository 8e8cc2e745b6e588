"""A local stand-in for the Telegram Bot API, Twilio's REST API and Meta's Graph API.

It listens on 127.0.0.1, records every request it gets, and answers like the real service does
for the calls Heupwijzer makes (sendMessage, setWebhook, answerCallbackQuery, Messages.json,
/<phone id>/messages). Tests read `calls` to see what a patient would have received.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List
from urllib.parse import parse_qs


@dataclass
class Call:
    path: str
    headers: Dict[str, str]
    body: Any  # parsed JSON or form (dict), else text
    reply: Any = None  # what the fake platform answered (a WhatsApp message id, say)

    @property
    def platform(self) -> str:
        return self.path.strip("/").split("/")[0]


@dataclass
class FakePlatforms:
    calls: List[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakePlatforms:
        platforms = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
                kind = self.headers.get("Content-Type", "")
                if "json" in kind:
                    body: Any = json.loads(raw or "null")
                elif "form" in kind:
                    body = {key: values[0] for key, values in parse_qs(raw).items()}
                else:
                    body = raw
                status, answer = reply_for(self.path, body)
                with platforms.lock:
                    platforms.calls.append(Call(self.path, dict(self.headers), body, answer))
                data = json.dumps(answer).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def clear(self) -> None:
        with self.lock:
            self.calls.clear()

    def sent(self, predicate: Callable[[Call], bool]) -> List[Call]:
        with self.lock:
            return [call for call in self.calls if predicate(call)]

    def wait_for(self, predicate: Callable[[Call], bool], count: int = 1, timeout: float = 5) -> List[Call]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.sent(predicate)
            if len(found) >= count:
                return found
            time.sleep(0.1)
        return self.sent(predicate)


def reply_for(path: str, body: Any) -> tuple[int, Dict[str, Any]]:
    if path.startswith("/telegram/"):
        method = path.rsplit("/", 1)[-1]
        if method == "sendMessage":
            chat = body.get("chat_id") if isinstance(body, dict) else 0
            return 200, {
                "ok": True,
                "result": {"message_id": 1, "date": 0, "chat": {"id": int(chat or 0), "type": "private"}},
            }
        return 200, {"ok": True, "result": True}
    if path.startswith("/twilio/"):
        return 201, {
            "sid": "SM" + "0" * 32,
            "status": "queued",
            "body": (body or {}).get("Body", ""),
            "to": (body or {}).get("To", ""),
            "from": (body or {}).get("From", ""),
            "account_sid": "AC" + "0" * 32,
            "num_segments": "1",
            "direction": "outbound-api",
        }
    if path.startswith("/graph/"):
        # as Meta's Cloud API answers a sent message: its own id, which a reaction to it names
        return 200, {"messaging_product": "whatsapp", "messages": [{"id": f"wamid.{uuid.uuid4().hex}"}]}
    return 404, {"error": "unknown fake endpoint"}
