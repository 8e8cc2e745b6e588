"""Unit tests of the channel building blocks: per-platform formatting, options, dedupe."""

from __future__ import annotations

import pytest

from heupwijzer.channels.formatting import (
    choose_option,
    numbered_options,
    plain_links,
    split_message,
    tel_links,
    telegram_html,
)
from heupwijzer.channels.memory import AnswerTopics, Bursts, OptionMemory, RecentIds, SessionOwners
from heupwijzer.channels.origins import parse_origins
from heupwijzer.channels.whatsapp_cloud import rating_of

LINK = (
    "Lees meer op Thuisarts.nl: [Ik heb artrose van de heup](https://www.thuisarts.nl/artrose/ik-heb-artrose-van-heup)"
)
BUTTONS = [{"title": "Omgaan met pijn", "payload": "/ask_pain"}, {"title": "Alle onderwerpen", "payload": "/help"}]


def test_whatsapp_links_become_plain_urls() -> None:
    assert plain_links(LINK) == (
        "Lees meer op Thuisarts.nl: Ik heb artrose van de heup: "
        "https://www.thuisarts.nl/artrose/ik-heb-artrose-van-heup"
    )
    assert plain_links("[https://x.example/a](https://x.example/a)") == "https://x.example/a"


def test_telegram_gets_real_links_and_escaped_html() -> None:
    html = telegram_html(LINK + " <b>&")
    assert '<a href="https://www.thuisarts.nl/artrose/ik-heb-artrose-van-heup">Ik heb artrose van de heup</a>' in html
    assert html.endswith("&lt;b&gt;&amp;")


def test_numbered_options_and_choosing_by_number_or_title() -> None:
    assert numbered_options(BUTTONS, 3, "Typ het nummer van je keuze.").splitlines()[:2] == [
        "3. Omgaan met pijn",
        "4. Alle onderwerpen",
    ]
    assert choose_option("2", BUTTONS) == "/help"
    assert choose_option(" 1. ", BUTTONS) == "/ask_pain"
    assert choose_option("omgaan met PIJN", BUTTONS) == "/ask_pain"
    assert choose_option("3", BUTTONS) is None and choose_option("0", BUTTONS) is None
    assert choose_option("wat is artrose", BUTTONS) is None


def test_options_of_one_turn_are_numbered_on_and_forgotten_after_the_reply() -> None:
    memory = OptionMemory("twilio")
    assert memory.add("p", BUTTONS) == 1
    assert memory.add("p", [{"title": "👍 Ja", "payload": "/feedback_positive"}]) == 3
    assert memory.resolve("p", "3") == "/feedback_positive"
    assert memory.resolve("p", "3") == "3"  # a new turn: the old options are gone


def test_options_shown_without_numbers_are_picked_by_title_only() -> None:
    """WhatsApp's native buttons carry no numbers: a typed "2" is the patient's own answer ("2 dagen")."""
    memory = OptionMemory("whatsapp", numbered=False)
    memory.add("p", BUTTONS)
    assert memory.resolve("p", "2") == "2"
    memory.add("p", BUTTONS)
    assert memory.resolve("p", "Alle onderwerpen") == "/help"


def test_recent_ids_answer_a_message_once() -> None:
    seen = RecentIds(size=2)
    assert [seen.seen(i) for i in ("a", "a", "b", "c", "a")] == [False, True, False, False, False]


@pytest.mark.parametrize("limit", [40, 80, 200])
def test_long_answers_are_split_at_sentence_boundaries_under_the_limit(limit: int) -> None:
    text = (
        "Blijf bewegen. Zo houd je je spieren sterk! Meer bewegen is beter.\n"
        "- stevig wandelen;\n- fietsen.\nVraag je therapeut om advies."
    )
    parts = split_message(text, limit)
    assert all(len(part) <= limit for part in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())
    assert all(part.endswith((".", "!", ";", "?")) for part in parts)


def test_a_short_answer_is_one_message() -> None:
    assert split_message("Dag!", 4000) == ["Dag!"]
    assert split_message("  ", 4000) == []


def test_allowed_origins_are_parsed_from_one_setting() -> None:
    assert parse_origins("https://praktijk.example, http://localhost:8080/") == [
        "https://praktijk.example",
        "http://localhost:8080",
    ]
    assert parse_origins("") == []


@pytest.mark.parametrize(
    "emoji,rating",
    [
        ("👍", "positive"),
        ("👍🏿", "positive"),
        ("❤️", "positive"),
        ("👏🏼", "positive"),
        ("💙", "positive"),
        ("👎", "negative"),
        ("😢", "negative"),
        ("☹️", "negative"),
        ("😂", None),
        ("🙂", None),
        ("", None),
        ("👍👍", None),
    ],
)
def test_a_reaction_rates_up_or_down_or_not_at_all(emoji: str, rating: str | None) -> None:
    assert rating_of(emoji) == rating


def test_answer_topics_and_bursts_in_one_process() -> None:
    answers = AnswerTopics("whatsapp", size=2)
    answers.remember("31612345678", "wamid.1", "ask_pain")
    assert answers.take("31687654321", "wamid.1") is None  # another patient cannot rate it
    assert answers.take("31612345678", "wamid.1") == "ask_pain"
    assert answers.take("31612345678", "wamid.1") is None  # the first rating only
    assert answers.first_rating("31612345678", "answer-1") and not answers.first_rating("31612345678", "answer-1")
    bursts = Bursts("whatsapp")
    assert [bursts.first("31612345678"), bursts.first("31612345678"), bursts.first("31687654321")] == [
        True,
        False,
        True,
    ]


@pytest.mark.parametrize(
    "text,linked",
    [
        ("Bel nu 112.", "Bel nu [112](tel:112)."),
        ("gratis 0800-0113, of 113.", "gratis [0800-0113](tel:08000113), of [113](tel:113)."),
        ("Bel de praktijk: 010 123 45 67.", "Bel de praktijk: [010 123 45 67](tel:0101234567)."),
        ("Chatten kan via [113.nl](https://www.113.nl).", "Chatten kan via [113.nl](https://www.113.nl)."),
        ("zie 113.nl", "zie 113.nl"),  # a web address
        ("1.113 mensen", "1.113 mensen"),  # a longer number
        ("112,5 mg", "112,5 mg"),  # a decimal
        ("code 1120 of 21120", "code 1120 of 21120"),
        ("[Bel 113](tel:113)", "[Bel 113](tel:113)"),  # a link of its own stays as it is
        ("zie https://x.example/?q=112", "zie https://x.example/?q=112"),  # a bare web address too
    ],
)
def test_the_widget_gets_phone_numbers_as_tel_links_and_nothing_else(text: str, linked: str) -> None:
    assert tel_links(text, "010 123 45 67") == linked


def test_widget_session_owners_stay_bounded_in_one_process() -> None:
    owners = SessionOwners(size=3)
    for n in range(10):  # ten tabs (never released) and ten token-less connections
        assert owners.claim(f"session-{n}", f"tab:{n}") and owners.claim(f"other-{n}", f"connection:{n}")
    assert len(owners._sessions) == 3 and len(owners._owner) == 3
    assert owners.claim("other-9", "connection:9") and not owners.claim("other-9", "tab:other")
