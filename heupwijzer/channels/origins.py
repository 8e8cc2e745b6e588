"""The sites (origins) whose pages may open a chat: one setting, HEUPWIJZER_CORS_ORIGINS.

Kept free of Rasa imports: the chat-page server reads the same list.
"""

from __future__ import annotations

from typing import Any, Sequence


def parse_origins(value: Any) -> list[str]:
    """'https://a.nl, http://b.nl/' or a list -> ['https://a.nl', 'http://b.nl']."""
    origins = value if isinstance(value, list) else str(value or "").replace(",", " ").split()
    return [origin.rstrip("/") for origin in origins if origin]


def origin_allowed(origin: str | None, allowed: Sequence[str]) -> bool:
    """An Origin header against the list ('*' allows every site). Browsers always send an Origin
    across sites; a request without one comes from the same site (or from no browser at all)."""
    if origin is None or "*" in allowed:
        return True
    return origin.rstrip("/").lower() in {entry.lower() for entry in allowed}
