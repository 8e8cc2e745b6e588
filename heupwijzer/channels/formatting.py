"""Turning Heupwijzer's answers (light markdown: links, lists) into what each platform shows well.

- WhatsApp: plain text. Links become "title: https://..." (WhatsApp makes the URL clickable),
  buttons become a short numbered list, long answers are split at sentence boundaries.
- Telegram: HTML parse mode. Links become <a href>, everything else is escaped.
"""

from __future__ import annotations

import html
import re
from typing import List, Sequence, Tuple

from heupwijzer.content import Button

MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def plain_links(text: str) -> str:
    """[title](url) -> 'title: url' (or just the url when the title is the url)."""

    def replace(match: re.Match[str]) -> str:
        title, url = match.group(1), match.group(2)
        return url if title.strip() == url else f"{title}: {url}"

    return MARKDOWN_LINK.sub(replace, text)


# Numbers to call in an answer: 112, 113 (0800-0113), 1813 (Belgium) and the practice's. Not inside a
# longer number, a decimal, a web address or a markdown link ("113.nl", "1.113", "112,5 mg").
EMERGENCY_NUMBERS = ("0800-0113", "1813", "112", "113")
KEPT_AS_IS = re.compile(r"\[[^\]]+\]\([^)\s]+\)|\S+://\S+|`[^`]*`")  # any markdown link, a bare URL, code


def tel_links(text: str, practice_phone: str = "") -> str:
    """Phone numbers as markdown tel: links ("[112](tel:112)"), for the web widget: a tap calls."""
    numbers = ([re.escape(practice_phone.strip())] if practice_phone.strip() else []) + [
        re.escape(n) for n in EMERGENCY_NUMBERS
    ]
    pattern = re.compile(r"(?<![\w.,/:+@\-])(" + "|".join(numbers) + r")(?![\w/@\-]|[.,]\d|\.[A-Za-z])")

    def link(match: re.Match[str]) -> str:
        return f"[{match.group(1)}](tel:{re.sub(r'[^0-9+]', '', match.group(1))})"

    parts: List[str] = []
    last = 0
    for existing in KEPT_AS_IS.finditer(text):  # a link or a web address stays as it is
        parts.append(pattern.sub(link, text[last : existing.start()]))
        parts.append(existing.group(0))
        last = existing.end()
    parts.append(pattern.sub(link, text[last:]))
    return "".join(parts)


def telegram_html(text: str) -> str:
    """Escape everything; markdown links become <a href> (Telegram's HTML parse mode)."""
    parts: List[str] = []
    last = 0
    for match in MARKDOWN_LINK.finditer(text):
        parts.append(html.escape(text[last : match.start()], quote=False))
        parts.append(f'<a href="{html.escape(match.group(2))}">{html.escape(match.group(1), quote=False)}</a>')
        last = match.end()
    parts.append(html.escape(text[last:], quote=False))
    return "".join(parts)


def numbered_options(buttons: Sequence[Button], first: int, prompt: str) -> str:
    """'1. Omgaan met pijn' ... and the prompt to type a number (content/texts.yml)."""
    lines = [f"{number}. {button['title']}" for number, button in enumerate(buttons, start=first)]
    return "\n".join(lines + [prompt])


def choose_option(text: str, buttons: Sequence[Button], by_number: bool = True) -> str | None:
    """The payload the patient chose: '2', '2.' (where options were numbered) or the option's title;
    None when it is no choice."""
    answer = text.strip().rstrip(".").strip().lower()
    if by_number and answer.isdigit() and 1 <= int(answer) <= len(buttons):
        return str(buttons[int(answer) - 1]["payload"])
    for button in buttons:
        if answer == str(button["title"]).strip().lower():
            return str(button["payload"])
    return None


def _pieces(text: str, limit: int) -> List[Tuple[str, str]]:
    """(separator, piece): lines joined by a newline, sentences of one line by a space."""
    pieces: List[Tuple[str, str]] = []
    for line in text.split("\n"):
        separator = "\n"
        for sentence in SENTENCE_END.split(line) if len(line) > limit else [line]:
            while len(sentence) > limit:  # one sentence over the limit: cut at a space
                cut = sentence.rfind(" ", 0, limit)
                cut = cut if cut > 0 else limit
                pieces.append((separator, sentence[:cut]))
                sentence, separator = sentence[cut:].lstrip(), " "
            pieces.append((separator, sentence))
            separator = " "
    return pieces


def split_message(text: str, limit: int) -> List[str]:
    """Split at line, then sentence boundaries so that every part is at most `limit` long."""
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    parts: List[str] = []
    current = ""
    for separator, piece in _pieces(text, limit):
        candidate = f"{current}{separator}{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
        else:
            parts.append(current.strip())
            current = piece
    parts.append(current.strip())
    return [part for part in parts if part]
