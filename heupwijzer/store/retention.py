"""How long a conversation is kept without activity: HEUPWIJZER_RETENTION_DAYS (default 30).

`make purge` deletes older conversations (heupwijzer/server/purge.py); the privacy answer names the number.
"""

from __future__ import annotations

import os
from typing import Mapping

RETENTION_VARIABLE = "HEUPWIJZER_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 30


def retention_days(environ: Mapping[str, str] = os.environ) -> int:
    value = (environ.get(RETENTION_VARIABLE) or "").strip()
    if not value:
        return DEFAULT_RETENTION_DAYS
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{RETENTION_VARIABLE}={value!r} is geen aantal dagen (1 of meer)")
    return int(value)
