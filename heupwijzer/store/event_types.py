"""Rasa finds an event's class by its type name for every event it reads back (a stored
conversation, an action server's answer): `Event.resolve_by_type` walks all of Event's subclasses
and asks `inspect.isabstract` of each, every time. In a conversation of 150 turns that was a third
of a turn's time (`make profile`'s method on one long session). `install()` remembers the class per
type name; a name it doesn't know still goes through Rasa's own lookup (default, error, "topic").
"""

from __future__ import annotations

from typing import Dict, Type

from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

_RASA_LOOKUP = Event.resolve_by_type
_KNOWN: Dict[str, Type[Event]] = {}


def resolve_by_type(type_name: str, default: Type[Event] | None = None) -> Type[Event] | None:
    known = _KNOWN.get(type_name)
    if known is None:
        known = next((cls for cls in all_subclasses(Event) if cls.type_name == type_name), None)
        if known is None:
            return _RASA_LOOKUP(type_name, default)
        _KNOWN[type_name] = known
    return known


def install() -> None:
    Event.resolve_by_type = staticmethod(resolve_by_type)
