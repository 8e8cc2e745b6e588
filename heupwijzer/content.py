"""Typed access to the content files: content/topics.yml (topics, menu groups), content/links.yml
and content/texts.yml (fixed button titles and channel texts)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Tuple

import yaml

from heupwijzer.domain_names import MENU_GROUP_ENTITY
from heupwijzer.paths import CONTENT_DIR

ALL_TOPICS = "all"

# A quick-reply button: {"title": ..., "payload": ...}. The one definition, for actions and channels.
Button = Dict[str, str]


@dataclass(frozen=True)
class Link:
    title: str
    site: str
    url: str

    def markdown(self) -> str:
        if self.title == self.site:
            return f"[{self.site}]({self.url})"
        return f"{self.site}: [{self.title}]({self.url})"


@dataclass(frozen=True)
class Topic:
    intent: str
    label: str
    related: Tuple[str, ...]
    links: Tuple[Link, ...]
    extra_buttons: Tuple[Tuple[str, str], ...] = ()  # (title, payload)

    @property
    def response(self) -> str:
        return f"utter_{self.intent}"

    @property
    def button(self) -> Button:
        return {"title": self.label, "payload": f"/{self.intent}"}


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    topics: Tuple[str, ...]


@dataclass(frozen=True)
class Content:
    topics: Dict[str, Topic]
    groups: Dict[str, Group]
    general_links: Tuple[Link, ...]
    body_part_links: Dict[str, Link]

    def body_part_link(self, body_part: str) -> Link:
        return self.body_part_links.get(body_part) or self.body_part_links["default"]


class ContentError(ValueError):
    """The content files are inconsistent; raised at load time, never during a chat."""


def files() -> List[Path]:
    """Every file of content/ (the scrubber keeps their words)."""
    return sorted(CONTENT_DIR.glob("*.yml"))


def read_file(name: str) -> Any:
    """One file of content/, parsed: the one way into the editors' folder."""
    with open(CONTENT_DIR / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _link(raw: dict) -> Link:
    if not raw["url"].startswith("https://"):
        raise ContentError(f"link {raw['url']} is not https")
    return Link(title=raw["title"], site=raw["site"], url=raw["url"])


def _links_for(intent: str, raw_links: List[dict]) -> Tuple[Link, ...]:
    return tuple(_link(raw) for raw in raw_links if raw["topics"] == ALL_TOPICS or intent in raw["topics"])


def build_content(raw_topics: dict, raw_links: List[dict], raw_body_parts: Dict[str, dict]) -> Content:
    """Validate and combine the raw YAML structures."""
    topics: Dict[str, Topic] = {}
    for intent, raw in raw_topics["topics"].items():
        links = _links_for(intent, raw_links)
        if not links:
            raise ContentError(f"topic {intent} has no link in links.yml")
        extra = tuple((button["title"], button["payload"]) for button in raw.get("extra", []))
        topics[intent] = Topic(intent, raw["label"], tuple(raw.get("related", [])), links, extra)

    for raw in raw_links:
        _link(raw)  # validates every link, also those no topic uses
        if raw["topics"] != ALL_TOPICS:
            unknown = set(raw["topics"]) - topics.keys()
            if unknown:
                raise ContentError(f"link {raw['url']} names unknown topics {sorted(unknown)}")

    for topic in topics.values():
        unknown = set(topic.related) - topics.keys()
        if unknown:
            raise ContentError(f"topic {topic.intent} relates to unknown topics {sorted(unknown)}")

    groups = {key: Group(key, raw["label"], tuple(raw["topics"])) for key, raw in raw_topics["groups"].items()}
    grouped = [intent for group in groups.values() for intent in group.topics]
    if sorted(grouped) != sorted(topics):
        raise ContentError("every topic must be in exactly one menu group")

    general = tuple(_link(raw) for raw in raw_links if raw["topics"] == ALL_TOPICS)
    body_part_links = {part: _link(raw) for part, raw in raw_body_parts.items()}
    if "default" not in body_part_links:
        raise ContentError("links.yml: other_body_parts needs a 'default' link")
    return Content(topics=topics, groups=groups, general_links=general, body_part_links=body_part_links)


@lru_cache(maxsize=1)
def load_content() -> Content:
    links = read_file("links.yml")
    return build_content(read_file("topics.yml"), links["links"], links["other_body_parts"])


@lru_cache(maxsize=1)
def texts() -> Dict[str, Dict[str, Any]]:
    """content/texts.yml: {"buttons": {name: Button}, "channels": {name: text}}."""
    raw = read_file("texts.yml")
    for name, button in raw["buttons"].items():
        if set(button) != {"title", "payload"}:
            raise ContentError(f"texts.yml: button {name} needs a title and a payload")
    return raw


def button(name: str) -> Button:
    return dict(texts()["buttons"][name])


def menu_buttons(content: Content | None = None) -> List[Button]:
    """The topic menu: one button per menu group."""
    groups = (content or load_content()).groups.values()
    return [{"title": g.label, "payload": f'/help{{"{MENU_GROUP_ENTITY}": "{g.key}"}}'} for g in groups]
