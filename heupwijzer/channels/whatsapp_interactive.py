"""WhatsApp Cloud API interactive messages: the answer's options as reply buttons or a list.

Meta's limits (Cloud API reference, "Interactive messages"): at most 3 reply buttons with titles of
at most 20 characters; a list of at most 10 rows (titles 24, descriptions 72) behind a button of 20
characters, in sections titled with at most 24; a body of at most 1024 characters; ids of at most
256. Titles come from content/ and are shortened at a word boundary ("Wanneer naar…"), the full
title then goes into the row's description. More than 10 options: the first 9 and "Alle onderwerpen".
"""

from __future__ import annotations

from typing import Any, Dict, List, Sequence

from heupwijzer.content import Button, button

REPLY_BUTTONS = 3
BUTTON_TITLE = 20
LIST_ROWS = 10
ROW_TITLE = 24
ROW_DESCRIPTION = 72
LIST_BUTTON = 20
SECTION_TITLE = 24
BODY = 1024
ID = 256
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


def unique(titles: Sequence[str]) -> List[str]:
    """Meta refuses two reply buttons with the same title: number the repeats."""
    seen: Dict[str, int] = {}
    result = []
    for title in titles:
        seen[title] = seen.get(title, 0) + 1
        result.append(title if seen[title] == 1 else f"{title[: BUTTON_TITLE - 3]} {seen[title]}")
    return result


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
        titles = unique([shorten(b["title"], BUTTON_TITLE) for b in shown])
        return {
            "type": "button",
            "body": {"text": body},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": str(b["payload"])[:ID], "title": title}}
                    for b, title in zip(shown, titles, strict=True)
                ]
            },
        }
    rows = []
    for b in shown:
        row = {"id": str(b["payload"])[:ID], "title": shorten(b["title"], ROW_TITLE)}
        if row["title"] != b["title"]:
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
