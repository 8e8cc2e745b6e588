"""WhatsApp Cloud API interactive messages: every set of options Heupwijzer can send stays within
Meta's limits (reply buttons, list messages), and titles are shortened at a word, never inside one."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import pytest
import yaml

from actions.replies import next_step_buttons
from heupwijzer.channels.whatsapp_interactive import TooLongError, interactive, shorten, unique
from heupwijzer.content import Button, button, load_content, menu_buttons
from heupwijzer.paths import ROOT

LIST_BUTTON, SECTION = "Kies een onderwerp", "Onderwerpen"


def every_set_of_options() -> List[Tuple[str, List[Button]]]:
    """The options of every answer: domain.yml's responses, each topic's next steps, the menus."""
    content = load_content()
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    sets = [
        (name, list(variant["buttons"]))
        for name, variants in domain["responses"].items()
        for variant in variants
        if variant.get("buttons")
    ]
    for topic in content.topics.values():
        sets.append((f"{topic.intent} (next steps)", next_step_buttons(topic, content)))
        sets.append((f"{topic.intent} (feedback)", next_step_buttons(topic, content, related=False)))
    sets.append(("menu", menu_buttons(content)))
    for group in content.groups.values():
        sets.append((f"menu {group.key}", [content.topics[i].button for i in group.topics] + [button("menu")]))
    return sets


SETS = every_set_of_options()


def within_meta_limits(message: Dict[str, Any], options: List[Button]) -> None:
    assert len(message["body"]["text"]) <= 1024
    if message["type"] == "button":
        choices = [b["reply"] for b in message["action"]["buttons"]]
        assert 1 <= len(choices) <= 3 and len(options) <= 3
        assert all(b["type"] == "reply" for b in message["action"]["buttons"])
        assert all(len(c["title"]) <= 20 and 0 < len(c["id"]) <= 256 for c in choices)
    else:
        assert message["type"] == "list" and len(options) > 3
        assert len(message["action"]["button"]) <= 20
        assert all(len(s["title"]) <= 24 for s in message["action"]["sections"])
        choices = [row for s in message["action"]["sections"] for row in s["rows"]]
        assert 1 <= len(choices) <= 10
        assert all(len(c["title"]) <= 24 and len(c.get("description", "")) <= 72 for c in choices)
        assert all(0 < len(c["id"]) <= 200 for c in choices)  # a list row's id: 200 (a button's: 256)
    assert len({c["title"] for c in choices}) == len(choices)  # Meta refuses repeated titles
    assert len({c["id"] for c in choices}) == len(choices)
    # every title of ours reads as itself or its short form from content/texts.yml, never cut off
    assert not any("…" in c["title"] for c in choices), [c["title"] for c in choices]


@pytest.mark.parametrize("name,options", SETS, ids=[name for name, _ in SETS])
def test_every_answers_options_fit_whatsapps_interactive_limits(name: str, options: List[Button]) -> None:
    message = interactive("Een antwoord. " * 200, options, LIST_BUTTON, SECTION)
    within_meta_limits(message, options)
    ids = [b["reply"]["id"] for b in message["action"].get("buttons", [])] + [
        row["id"] for s in message["action"].get("sections", []) for row in s["rows"]
    ]
    if len(options) <= 10:  # every option, in order, its payload as the id that a tap sends back
        assert ids == [str(o["payload"]) for o in options]


def test_three_options_are_reply_buttons_and_more_a_list_with_the_full_title_below() -> None:
    three = [{"title": "Omgaan met pijn", "payload": "/ask_pain"}, button("more_info"), button("menu")]
    message = interactive("Tekst", three, LIST_BUTTON, SECTION)
    assert message["type"] == "button"
    assert [b["reply"] for b in message["action"]["buttons"]] == [
        {"id": "/ask_pain", "title": "Omgaan met pijn"},
        {"id": "/more_info", "title": "Meer lezen"},
        {"id": "/help", "title": "Alle onderwerpen"},
    ]
    four = three + [{"title": "Wanneer naar de therapeut of de fysiotherapeut?", "payload": "/ask_when_therapist"}]
    rows = interactive("Tekst", four, LIST_BUTTON, SECTION)["action"]["sections"][0]["rows"]
    assert rows[-1] == {
        "id": "/ask_when_therapist",
        "title": "Wanneer naar…",
        "description": "Wanneer naar de therapeut of de fysiotherapeut?",
    }


def test_a_long_title_gets_its_short_form_and_repeats_are_told_apart() -> None:
    options = [{"title": "Wanneer naar de therapeut?", "payload": "/ask_when_therapist"}, button("menu")]
    assert interactive("Tekst", options, LIST_BUTTON, SECTION)["action"]["buttons"][0]["reply"]["title"] == (
        "Naar de therapeut?"
    )
    assert unique(["Ab", "Ab", "Ab 2"], 20) == ["Ab", "Ab 2", "Ab 2 2"]


def test_a_payload_too_long_for_an_option_id_is_refused_not_cut() -> None:
    with pytest.raises(TooLongError):
        interactive("Tekst", [{"title": "Lang", "payload": "/help" + "x" * 300}], LIST_BUTTON, SECTION)


def test_more_than_ten_options_show_nine_and_all_topics() -> None:
    options = [{"title": f"Onderwerp {n}", "payload": f"/ask_{n}"} for n in range(14)]
    rows = interactive("Tekst", options, LIST_BUTTON, SECTION)["action"]["sections"][0]["rows"]
    assert [r["id"] for r in rows] == [f"/ask_{n}" for n in range(9)] + ["/help"]
    assert rows[-1]["title"] == "Alle onderwerpen"


@pytest.mark.parametrize(
    "title,limit,short",
    [
        ("Omgaan met pijn", 20, "Omgaan met pijn"),
        ("Wanneer naar de therapeut?", 20, "Wanneer naar…"),
        ("Informatie over artrose en reuma", 24, "Informatie over artrose…"),
        ("Ik heb artrose van de heup", 20, "Ik heb artrose…"),
    ],
)
def test_titles_are_shortened_after_a_whole_word(title: str, limit: int, short: str) -> None:
    assert shorten(title, limit) == short
    assert len(short) <= limit
    kept = short.rstrip("…")
    assert title == short or (title.startswith(kept) and title[len(kept)] == " ")  # a whole word, never part
