"""The sites (origins) whose pages may open a chat: one setting, HEUPWIJZER_CORS_ORIGINS.

Kept free of Rasa imports: the chat-page server reads the same list.
"""
from __future__ import annotations

from typing import Any, List


def parse_origins(value: Any) -> List[str]:
    """'https://a.nl, http://b.nl/' or a list -> ['https://a.nl', 'http://b.nl']."""
    origins = value if isinstance(value, list) else str(value or "").replace(",", " ").split()
    return [origin.rstrip("/") for origin in origins if origin]
