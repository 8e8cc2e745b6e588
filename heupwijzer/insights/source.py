"""Where the insights come from: the tracker store of the profile's endpoints file (SQLite or
PostgreSQL), opened read-only. The insights never write to the store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.utils.endpoints import read_endpoint_config


def read_only_engine(endpoints: Path) -> Any:
    config = read_endpoint_config(str(endpoints), "tracker_store")
    if config is None:
        raise ValueError(f"{endpoints} has no tracker_store")
    options = dict(config.kwargs)
    dialect = options.get("dialect", "sqlite")
    if dialect == "sqlite":
        database = Path(options.get("db") or "rasa.db").resolve()
        # mode=ro: SQLite itself refuses any write; a store that doesn't exist yet reads as empty.
        engine = sa.create_engine(f"sqlite:///file:{database}?mode=ro&uri=true")
        return engine if database.exists() else sa.create_engine("sqlite://")
    url = SQLTrackerStore.get_db_url(
        dialect,
        config.url,
        options.get("port"),
        options.get("db") or "rasa",
        options.get("username"),
        options.get("password"),
        options.get("login_db"),
        options.get("query"),
    )
    return sa.create_engine(url, pool_pre_ping=True).execution_options(postgresql_readonly=True)
