"""The two profiles: `embedded` (default: SQLite, locks in the process, one instance; `make run`)
and `production` (PostgreSQL tracker store, Redis lock store; any number of instances). Chosen with
HEUPWIJZER_PROFILE. Before anything starts, the production profile checks that PostgreSQL and Redis
answer, and names the setting to fix in one line when they don't."""

from __future__ import annotations

import socket
from typing import Dict, List, Mapping

from heupwijzer.channels.memory import redis_client
from heupwijzer.settings import Settings

PROFILES: Dict[str, str] = {"embedded": "endpoints.yml", "production": "deploy/endpoints.production.yml"}
DEFAULTS = {  # production settings that may stay empty
    "HEUPWIJZER_DB_HOST": "127.0.0.1",
    "HEUPWIJZER_DB_PORT": "5432",
    "HEUPWIJZER_DB_NAME": "heupwijzer",
    "HEUPWIJZER_DB_USER": "heupwijzer",
    "HEUPWIJZER_REDIS_HOST": "127.0.0.1",
    "HEUPWIJZER_REDIS_PORT": "6379",
    "HEUPWIJZER_REDIS_DB": "0",
}


def with_defaults(env: Mapping[str, str]) -> Dict[str, str]:
    return {**env, **{name: env.get(name) or value for name, value in DEFAULTS.items()}}


def reachable(host: str, port: str) -> bool:
    try:
        with socket.create_connection((host, int(port)), timeout=3):
            return True
    except (OSError, ValueError):
        return False


def database_problem(env: Mapping[str, str]) -> str | None:
    import psycopg2

    host, port = env["HEUPWIJZER_DB_HOST"], env["HEUPWIJZER_DB_PORT"]
    if not reachable(host, port):
        return f"PostgreSQL op {host}:{port} is niet bereikbaar (HEUPWIJZER_DB_HOST, HEUPWIJZER_DB_PORT)."
    try:
        psycopg2.connect(
            host=host,
            port=int(port),
            dbname=env["HEUPWIJZER_DB_NAME"],
            user=env["HEUPWIJZER_DB_USER"],
            password=env.get("HEUPWIJZER_DB_PASSWORD") or None,
            connect_timeout=5,
        ).close()
    except psycopg2.Error as problem:
        reason = str(problem).strip().splitlines()[0] if str(problem).strip() else type(problem).__name__
        return (
            f"PostgreSQL op {host}:{port} weigert database {env['HEUPWIJZER_DB_NAME']!r} voor gebruiker "
            f"{env['HEUPWIJZER_DB_USER']!r} (HEUPWIJZER_DB_NAME, HEUPWIJZER_DB_USER, HEUPWIJZER_DB_PASSWORD): {reason}"
        )
    return None


def redis_problem(env: Mapping[str, str]) -> str | None:
    import redis

    host, port = env["HEUPWIJZER_REDIS_HOST"], env["HEUPWIJZER_REDIS_PORT"]
    try:
        redis_client(Settings.of(env)).ping()
    except (redis.RedisError, ValueError) as problem:
        return f"Redis op {host}:{port} antwoordt niet (HEUPWIJZER_REDIS_HOST, HEUPWIJZER_REDIS_PORT): {problem}"
    return None


def problems(profile: str, env: Mapping[str, str]) -> List[str]:
    """What stops this profile from starting, one line each (empty: all is well)."""
    if profile == "embedded":
        return []
    shared = [
        f"{name} is niet gezet: alle instanties moeten hetzelfde gebruiken (zie .env.example)."
        for name in ("HEUPWIJZER_ID_SECRET", "HEUPWIJZER_ACTION_TOKEN")
        if not (env.get(name) or "").strip()
    ]
    found = shared + [database_problem(env), redis_problem(env)]
    return [line for line in found if line]
