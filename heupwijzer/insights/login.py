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
from typing import Callable, Dict, List, Tuple

from heupwijzer.settings import Settings, settings

FREE_TRIES = 5
LONGEST_WAIT = 15 * 60.0
REALM = 'Basic realm="Heupwijzer praktijk", charset="UTF-8"'
MOST_CLIENTS = 10_000


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
            if client not in self.failures and len(self.failures) >= MOST_CLIENTS:
                # Memory stays bounded without letting anyone wipe its own record: forget only
                # clients that may try again; with none of those, new clients wait too.
                for known in [c for c, (_, at) in self.failures.items() if at <= now][: MOST_CLIENTS // 10]:
                    del self.failures[known]
                if len(self.failures) >= MOST_CLIENTS:
                    return Verdict(429, 60)
            self.failures[client] = (wrong, now + wait)
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


def trusted_proxies(config: Settings | None = None) -> List[ipaddress._BaseNetwork]:
    """The proxy that may name the client: this host, and the networks in
    HEUPWIJZER_TRUSTED_PROXIES (e.g. the compose network nginx runs on)."""
    listed = (config or settings()).trusted_proxies
    networks: List[ipaddress._BaseNetwork] = [ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128")]
    for item in listed.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            continue
    return networks


def client_of(peer: str, real_ip: str | None, proxies: List[ipaddress._BaseNetwork] | None = None) -> str:
    """Who is trying: the address nginx passes in X-Real-IP when the request comes from a trusted
    proxy, else the peer. IPv6 clients count per /64 (one household or server gets a whole /64)."""
    address = peer
    try:
        if any(ipaddress.ip_address(peer) in net for net in (proxies or trusted_proxies())) and real_ip:
            address = real_ip.strip()[:64]
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)
