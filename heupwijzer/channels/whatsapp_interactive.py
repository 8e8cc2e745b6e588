"""WhatsApp Cloud API interactive messages: the answer's options as reply buttons or a list.

Meta's limits (Cloud API reference, "Interactive messages"): at most 3 reply buttons with titles of
at most 20 characters; a list of at most 10 rows (titles 24, descriptions 72) behind a button of 20
characters, in sections titled with at most 24; a body of at most 1024 characters; ids of at most
256 for a button, 200 for a list row. A title too long for its place is replaced by its short form
from content/texts.yml (`short_titles`), else shortened after a whole word; the full title then goes
into the row's description. More than 10 options: the first 9 and "Alle onderwerpen".
"""

from __future__ import annotations

from typing import Any, Dict, List, Sequence

from heupwijzer.content import Button, button, texts


class TooLongError(ValueError):
    """A payload longer than WhatsApp takes as an option's id: send the options as text instead."""


REPLY_BUTTONS = 3
BUTTON_TITLE = 20
BUTTON_ID = 256
LIST_ROWS = 10
ROW_TITLE = 24
ROW_ID = 200
ROW_DESCRIPTION = 72
LIST_BUTTON = 20
SECTION_TITLE = 24
BODY = 1024
ELLIPSIS = "…"
LOOSE_ENDS = frozenset({"de", "het", "een", "en", "of", "van"})  # words a shortened title does not end on


def shorten(title: str, limit: int) -> str:
    """`title` in at most `limit` characters, cut after a whole word (with "…"), never mid-word;
    a first word longer than the limit is the only thing ever cut."""
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    room = limit - len(ELLIPSIS)
    head = title[:room]
    if title[room] != " " and " " in head:  # the cut fell inside a word: drop that word
        head = head[: head.rfind(" ")]
    words = head.split(" ")
    while len(words) > 1 and words[-1].lower() in LOOSE_ENDS:  # "Wanneer naar…", not "Wanneer naar de…"
        words.pop()
    return " ".join(words).rstrip(" ,.;:-?!") + ELLIPSIS


def title_for(title: str, limit: int) -> str:
    """The title as it fits: itself, its short form from content/, or shortened after a word."""
    if len(title) <= limit:
        return title
    short = str((texts().get("short_titles") or {}).get(title) or "")
    return short if short and len(short) <= limit else shorten(title, limit)


def unique(titles: Sequence[str], limit: int) -> List[str]:
    """Meta refuses two options with the same title: number the repeats, never repeating one."""
    taken: set[str] = set()
    result = []
    for title in titles:
        candidate, number = title, 1
        while candidate in taken:
            number += 1
            candidate = f"{title[: limit - len(str(number)) - 1]} {number}"
        taken.add(candidate)
        result.append(candidate)
    return result


def option_id(option: Button, limit: int) -> str:
    payload = str(option["payload"])
    if not payload or len(payload) > limit:
        raise TooLongError(payload[:40])
    return payload


def options_to_show(buttons: Sequence[Button]) -> List[Button]:
    """At most 10: beyond that the first 9 and "Alle onderwerpen" (the menu, unless it is among them)."""
    if len(buttons) <= LIST_ROWS:
        return list(buttons)
    menu = button("menu")
    first = [b for b in buttons if b["payload"] != menu["payload"]][: LIST_ROWS - 1]
    return first + [menu]


def interactive(body: str, buttons: Sequence[Button], list_button: str, section: str) -> Dict[str, Any]:
    """The `interactive` object of a Graph API message for these options under `body`."""
    shown = options_to_show(buttons)
    body = body[:BODY]
    if len(shown) <= REPLY_BUTTONS:
        titles = unique([title_for(b["title"], BUTTON_TITLE) for b in shown], BUTTON_TITLE)
        return {
            "type": "button",
            "body": {"text": body},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": option_id(b, BUTTON_ID), "title": title}}
                    for b, title in zip(shown, titles, strict=True)
                ]
            },
        }
    rows = []
    titles = unique([title_for(b["title"], ROW_TITLE) for b in shown], ROW_TITLE)
    for b, title in zip(shown, titles, strict=True):
        row = {"id": option_id(b, ROW_ID), "title": title}
        if title != b["title"]:
            row["description"] = shorten(b["title"], ROW_DESCRIPTION)
        rows.append(row)
    return {
        "type": "list",
        "body": {"text": body},
        "action": {
            "button": shorten(list_button, LIST_BUTTON),
            "sections": [{"title": shorten(section, SECTION_TITLE), "rows": rows}],
        },
    }
