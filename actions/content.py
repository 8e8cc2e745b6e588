"""Typed access to Heupwijzer's content files: topics.yml (topics, menu groups) and links.yml."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

CONTENT_DIR = Path(__file__).resolve().parent
ALL_TOPICS = "all"


@dataclass(frozen=True)
class Link:
    title: str
    site: str
    url: str

    def markdown(self) -> str:
        return f"{self.site}: [{self.title}]({self.url})"


@dataclass(frozen=True)
class Topic:
    intent: str
    label: str
    related: Tuple[str, ...]
    links: Tuple[Link, ...]

    @property
    def response(self) -> str:
        return f"utter_{self.intent}"


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


class ContentError(ValueError):
    """The content files are inconsistent; raised at load time, never during a chat."""


def _read(name: str) -> dict:
    with open(CONTENT_DIR / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _links_for(intent: str, raw_links: List[dict]) -> Tuple[Link, ...]:
    return tuple(
        Link(title=raw["title"], site=raw["site"], url=raw["url"])
        for raw in raw_links
        if raw["topics"] == ALL_TOPICS or intent in raw["topics"]
    )


def build_content(raw_topics: dict, raw_links: List[dict]) -> Content:
    """Validate and combine the raw YAML structures."""
    topics: Dict[str, Topic] = {}
    for intent, raw in raw_topics["topics"].items():
        links = _links_for(intent, raw_links)
        if not links:
            raise ContentError(f"topic {intent} has no link in links.yml")
        topics[intent] = Topic(intent, raw["label"], tuple(raw.get("related", [])), links)

    for raw in raw_links:
        if not raw["url"].startswith("https://"):
            raise ContentError(f"link {raw['url']} is not https")
        if raw["topics"] != ALL_TOPICS:
            unknown = set(raw["topics"]) - topics.keys()
            if unknown:
                raise ContentError(f"link {raw['url']} names unknown topics {sorted(unknown)}")

    for topic in topics.values():
        unknown = set(topic.related) - topics.keys()
        if unknown:
            raise ContentError(f"topic {topic.intent} relates to unknown topics {sorted(unknown)}")

    groups = {
        key: Group(key, raw["label"], tuple(raw["topics"]))
        for key, raw in raw_topics["groups"].items()
    }
    grouped = [intent for group in groups.values() for intent in group.topics]
    if sorted(grouped) != sorted(topics):
        raise ContentError("every topic must be in exactly one menu group")

    general = tuple(
        Link(title=raw["title"], site=raw["site"], url=raw["url"])
        for raw in raw_links
        if raw["topics"] == ALL_TOPICS
    )
    return Content(topics=topics, groups=groups, general_links=general)


@lru_cache(maxsize=1)
def load_content() -> Content:
    return build_content(_read("topics.yml"), _read("links.yml")["links"])
