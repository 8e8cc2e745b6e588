"""Typed payloads can't inject: "/intent{...}" typed by a patient only selects what the bot offers.

Buttons send payloads such as `/ask_pain` or `/help{"menu_group": "zelf_doen"}`, and a patient can
type the same. Rasa's RegexMessageHandler would take any entity value from such text, and the
actions would show it in the bot's own voice. Here a payload passes only when its intent is one of
the domain's and every entity is one the buttons use, with a value from its list (a menu group from
content/topics.yml, a body part from the scope vocabulary); anything else is handed on as plain
text, without the leading slash, so the NLU reads it like any other message.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Dict, FrozenSet

import yaml
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

from heupwijzer.content import load_content
from heupwijzer.nlu.scope import BODY_PARTS
from heupwijzer.paths import DOMAIN


@lru_cache(maxsize=1)
def offered() -> tuple[FrozenSet[str], Dict[str, FrozenSet[str]]]:
    """The domain's intents, and the values each entity may take in a payload."""
    intents = frozenset(
        str(i if isinstance(i, str) else next(iter(i))) for i in yaml.safe_load(DOMAIN.read_text())["intents"]
    )
    values = {
        "menu_group": frozenset(load_content().groups),
        "body_part": frozenset(BODY_PARTS.values()),
    }
    return intents, values


def allowed(text: str) -> bool:
    if "\n" in text or "\r" in text:  # Rasa's pattern stops at a line end and drops the rest
        return False
    match = YAMLStoryReader._regex_message_pattern().match(text)
    if not match or match.end() != len(text) or match.group("rest").strip():
        return False
    intents, values = offered()
    if match.group("name").strip() not in intents:
        return False
    raw = match.group("entities")
    if not raw:
        return True
    try:
        entities = json.loads(raw)
    except ValueError:
        return False
    return isinstance(entities, dict) and all(
        isinstance(value, str) and value in values.get(name, frozenset()) for name, value in entities.items()
    )


def safe_text(text: str) -> str:
    """The text itself, unless it is a payload the bot doesn't offer: then plain text."""
    stripped = text.strip()
    if not stripped.startswith("/") or allowed(stripped):
        return text
    return stripped.lstrip("/ ") or text.replace("/", " ")
