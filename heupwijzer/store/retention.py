"""How long a conversation is kept without activity: HEUPWIJZER_RETENTION_DAYS (default 30).

`make purge` deletes older conversations (heupwijzer/server/purge.py); the privacy answer names the number.
"""

from __future__ import annotations

from heupwijzer.settings import Settings, settings

RETENTION_VARIABLE = "HEUPWIJZER_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 30


def retention_days(config: Settings | None = None) -> int:
    value = (config or settings()).retention_days.strip()
    if not value:
        return DEFAULT_RETENTION_DAYS
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{RETENTION_VARIABLE}={value!r} is geen aantal dagen (1 of meer)")
    return int(value)
