"""Is this Rasa instance ready for patients? Each part checked at once, each within a few seconds.

- model:   Rasa loaded the model
- store:   the conversation store answers a query (SQLite or PostgreSQL)
- redis:   the lock store answers a ping (production only; the embedded profile has no Redis)
- actions: the action server answers its health check

The answer names every part ("ok", "niet bereikbaar", "niet geladen"), so the operator sees which
one is down; compose and the launcher only look at the status code. Without the model, the store or
Redis an instance cannot serve anyone: 503 ("niet klaar"). Without the action server it still
answers red flags, crisis and "er ging iets mis, probeer het zo nog eens", and every instance shares
the same action servers: 200 with status "beperkt", so that an instance restarting during an
action-server outage still comes up.

One check runs at a time and its answer is kept for a few seconds: calling the route often costs
nothing more. The metrics carry the same answer (heupwijzer_ready{part}), refreshed at each scrape.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Awaitable, Callable, Dict, Tuple
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import sqlalchemy as sa

from heupwijzer.observe import metrics

logger = logging.getLogger(__name__)

SECONDS = 2.0
KEPT_SECONDS = 3.0
OK = "ok"
DOWN = "niet bereikbaar"
NOT_LOADED = "niet geladen"
OPTIONAL = frozenset({"actions"})  # down: the instance still answers, "beperkt"


def primary_store(agent: Any) -> Any:
    """The store behind Rasa's fail-safe wrapper."""
    store = getattr(agent, "tracker_store", None)
    return getattr(store, "_tracker_store", store)


def action_health_url(agent: Any) -> str | None:
    endpoint = getattr(agent, "action_endpoint", None)
    if endpoint is None or not getattr(endpoint, "url", None):
        return None
    parts = urlsplit(endpoint.url)
    return urlunsplit((parts.scheme, parts.netloc, "/health", "", ""))


async def _in_thread(check: Callable[[], Any]) -> None:
    await asyncio.get_running_loop().run_in_executor(None, check)


async def _store(agent: Any) -> None:
    engine = getattr(primary_store(agent), "engine", None)
    if engine is None:
        return  # a store without a database (tests' in-memory store): nothing that can be down

    def query() -> None:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))

    await _in_thread(query)


async def _redis(agent: Any) -> None:
    client = getattr(getattr(agent, "lock_store", None), "red", None)
    if client is not None:
        await _in_thread(client.ping)


async def _actions(agent: Any) -> None:
    url = action_health_url(agent)
    if url is None:
        return
    timeout = aiohttp.ClientTimeout(total=SECONDS)
    async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url) as response:
        if response.status != 200:
            raise ConnectionError(f"status {response.status}")


async def _part(name: str, check: Callable[[Any], Awaitable[None]], agent: Any) -> str:
    try:
        await asyncio.wait_for(check(agent), SECONDS)
        return OK
    except Exception as problem:  # any failure within the time, or none in time: that part is down
        logger.warning("Readiness: %s is down (%s)", name, type(problem).__name__)
        return DOWN


async def readiness(agent: Any) -> Dict[str, str]:
    """The state of every part, checked now."""
    if agent is None or not agent.is_ready():
        parts = {"model": NOT_LOADED}
    else:
        store, redis, actions = await asyncio.gather(
            _part("store", _store, agent), _part("redis", _redis, agent), _part("actions", _actions, agent)
        )
        parts = {"model": OK, "store": store, "actions": actions}
        if getattr(getattr(agent, "lock_store", None), "red", None) is not None:
            parts["redis"] = redis
    metrics.readiness(parts)
    return parts


_kept: Tuple[float, Dict[str, str]] | None = None
_running: asyncio.Future | None = None


async def recent_readiness(agent: Any) -> Dict[str, str]:
    """`readiness`, at most one check at a time, its answer kept KEPT_SECONDS."""
    global _kept, _running
    if _kept is not None and time.monotonic() - _kept[0] < KEPT_SECONDS:
        return _kept[1]
    if _running is None or _running.done():
        _running = asyncio.ensure_future(readiness(agent))
    parts = await asyncio.shield(_running)
    _kept = (time.monotonic(), parts)
    return parts


def status(parts: Dict[str, str]) -> Tuple[str, int]:
    """ "ok" (200), "beperkt" (200: only the action server is down) or "niet klaar" (503)."""
    down = {name for name, state in parts.items() if state != OK}
    if not down:
        return "ok", 200
    if down <= OPTIONAL:
        return "beperkt", 200
    return "niet klaar", 503
