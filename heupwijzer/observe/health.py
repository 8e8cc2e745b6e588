"""Is this Rasa instance ready for patients? Each part checked at once, each within a few seconds.

- model:   Rasa loaded the model
- store:   the conversation store answers a query (SQLite or PostgreSQL)
- redis:   the lock store answers a ping (production only; the embedded profile has no Redis)
- actions: the action server answers its health check

The answer names every part ("ok", "niet bereikbaar", "niet geladen"), so the operator sees which
one is down; nginx, compose and the launcher only look at the status code (200 or 503).
"""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable, Dict
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import sqlalchemy as sa

SECONDS = 2.0
OK = "ok"
DOWN = "niet bereikbaar"
NOT_LOADED = "niet geladen"


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


async def _part(check: Callable[[Any], Awaitable[None]], agent: Any) -> str:
    try:
        await asyncio.wait_for(check(agent), SECONDS)
        return OK
    except Exception:  # any failure within the time, or none in time: that part is down
        return DOWN


async def readiness(agent: Any) -> Dict[str, str]:
    """The state of every part; ready when all are "ok"."""
    if agent is None or not agent.is_ready():
        return {"model": NOT_LOADED}
    store, redis, actions = await asyncio.gather(_part(_store, agent), _part(_redis, agent), _part(_actions, agent))
    parts = {"model": OK, "store": store, "actions": actions}
    if getattr(getattr(agent, "lock_store", None), "red", None) is not None:
        parts["redis"] = redis
    return parts


def ready(parts: Dict[str, str]) -> bool:
    return all(state == OK for state in parts.values())
