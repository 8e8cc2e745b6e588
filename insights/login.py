"""The practice's login for the insights page: HTTP Basic authentication against
HEUPWIJZER_INSIGHTS_PASSWORD (any user name). Without a password the page does not exist (404).
Guessing is slowed per client: after 5 wrong passwords, a client must wait 1 s, then 2, 4, ...
up to 15 minutes before it may try again (429 with Retry-After), also with the right password."""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import threading
import time
from dataclasses import dataclass
from typing import Callable, Dict, Tuple

FREE_TRIES = 5
LONGEST_WAIT = 15 * 60.0
REALM = 'Basic realm="Heupwijzer praktijk", charset="UTF-8"'


@dataclass(frozen=True)
class Verdict:
    status: int  # 200, 401, 404 or 429
    retry_after: int = 0


class Login:
    def __init__(self, password: str | None, clock: Callable[[], float] = time.monotonic) -> None:
        self.password = (password or "").strip()
        self.clock = clock
        self.failures: Dict[str, Tuple[int, float]] = {}  # client -> (wrong tries, may try again at)
        self.lock = threading.Lock()

    def check(self, authorization: str | None, client: str) -> Verdict:
        if not self.password:
            return Verdict(404)
        with self.lock:
            wrong, allowed_at = self.failures.get(client, (0, 0.0))
            now = self.clock()
            if now < allowed_at:
                return Verdict(429, int(allowed_at - now) + 1)
            if authorization is None:
                return Verdict(401)  # asking for the login is not a wrong try
            if hmac.compare_digest(given_password(authorization).encode(), self.password.encode()):
                self.failures.pop(client, None)
                return Verdict(200)
            wrong += 1
            wait = 0.0 if wrong < FREE_TRIES else min(LONGEST_WAIT, 2.0 ** (wrong - FREE_TRIES))
            self.failures[client] = (wrong, now + wait)
            if len(self.failures) > 10_000:  # many clients: forget the oldest, keep memory bounded
                self.failures.pop(next(iter(self.failures)))
            return Verdict(401)


def given_password(authorization: str) -> str:
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "basic":
        return ""
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return ""
    return decoded.partition(":")[2]


def client_of(peer: str, real_ip: str | None) -> str:
    """The client's address; behind our own proxy (nginx on this host or a private network) the
    address nginx passes in X-Real-IP."""
    forwarded = (real_ip or "").strip()[:64]
    try:
        behind_proxy = ipaddress.ip_address(peer).is_private or ipaddress.ip_address(peer).is_loopback
    except ValueError:
        behind_proxy = False
    return forwarded if behind_proxy and forwarded else peer
