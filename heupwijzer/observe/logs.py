"""Logs as one JSON object per line (production, or HEUPWIJZER_LOG_FORMAT=json): time, level, component,
the message and, for a patient's turn, its conversation's short id, channel, latency and outcome.

Heupwijzer's own log messages never hold what a patient typed (its modules log a problem's type, not
its text); a failure is logged with its exception type and where it happened, not its message, which
may quote the data it failed on. Rasa's own loggers write texts only at DEBUG.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import traceback

from heupwijzer.settings import settings

TURN_FIELDS = ("conversation", "channel", "latency_ms", "outcome")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "component": record.name,
            "message": record.getMessage(),
        }
        entry.update({name: getattr(record, name) for name in TURN_FIELDS if hasattr(record, name)})
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
            frames = traceback.extract_tb(record.exc_info[2])
            if frames:
                entry["where"] = f"{frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno}"
        return json.dumps(entry, ensure_ascii=False)


def json_wanted() -> bool:
    chosen = settings().log_format.strip().lower()
    return chosen == "json" or (not chosen and settings().profile.strip() == "production")


def configure() -> None:
    """Every handler configured so far (the root logger's, Sanic's own) writes JSON lines, when wanted."""
    if not json_wanted():
        return
    loggers = [logging.getLogger()] + [
        logger for logger in logging.root.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    for logger in loggers:
        for handler in logger.handlers:
            handler.setFormatter(JsonFormatter())
