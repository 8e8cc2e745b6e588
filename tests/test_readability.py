"""Every patient-facing response reads at about B1 level and fits a phone screen.

Responses come from domain.yml, with their {variables} filled in as the actions do (the longest
values the content files give).
"""

from __future__ import annotations

from typing import Dict, List, Tuple

import pytest
import yaml

from actions.replies import link_lines
from heupwijzer.content import load_content
from heupwijzer.paths import ROOT
from heupwijzer.practice import load_practice
from tests.readability import (
    MAX_CHARS,
    MAX_WORDS_PER_SENTENCE,
    MIN_FLESCH_DOUMA,
    flesch_douma,
    longest_sentence,
    plain_sentences,
    unexplained_terms,
)

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
CONTENT = load_content()
LONGEST_TOPIC = max(CONTENT.topics.values(), key=lambda topic: len(link_lines(topic.links)) + len(topic.label))
# Longest realistic values, as the actions fill them in.
VARIABLES: Dict[str, str] = {
    **load_practice().template_variables(),
    "group_label": max((group.label for group in CONTENT.groups.values()), key=len),
    "topic_label": LONGEST_TOPIC.label,
    "links": link_lines(LONGEST_TOPIC.links),
    "link": max((link.markdown() for topic in CONTENT.topics.values() for link in topic.links), key=len),
    "body_part": "andere delen van je lichaam",
    "body_part_link": max((link.markdown() for link in CONTENT.body_part_links.values()), key=len),
    "moderate_days": "op geen enkele dag",
    "strength_days": "op geen enkele dag",
    "extra_days": "5 dagen",
    "retention_days": "30",
}


def filled_responses() -> List[Tuple[str, str]]:
    return [
        (name, variant["text"].format(**VARIABLES))
        for name, variants in sorted(DOMAIN["responses"].items())
        for variant in variants
    ]


# A heading with titles and links around it (the menu, "Lees meer op ..."): no prose to score, but
# still length-checked.
LABELS = {"utter_menu_group", "utter_read_more", "utter_more_info_topic"}
RESPONSES = filled_responses()
IDS = [name for name, _ in RESPONSES]
PROSE = [(name, text) for name, text in RESPONSES if name not in LABELS]
PROSE_IDS = [name for name, _ in PROSE]


@pytest.mark.parametrize("name,text", PROSE, ids=PROSE_IDS)
def test_response_reads_at_b1_level(name: str, text: str) -> None:
    score = flesch_douma(text)
    assert score >= MIN_FLESCH_DOUMA, f"{name}: Flesch-Douma {score:.1f} < {MIN_FLESCH_DOUMA}: {plain_sentences(text)}"


@pytest.mark.parametrize("name,text", RESPONSES, ids=IDS)
def test_response_has_short_sentences_and_fits_a_phone_screen(name: str, text: str) -> None:
    assert len(text) <= MAX_CHARS, f"{name} has {len(text)} characters"
    assert longest_sentence(text) <= MAX_WORDS_PER_SENTENCE, f"{name} has a sentence that is too long"


@pytest.mark.parametrize("name,text", PROSE, ids=PROSE_IDS)
def test_medical_terms_are_explained_where_they_are_first_used(name: str, text: str) -> None:
    missing = unexplained_terms(text)
    assert not missing, f"{name} uses {missing} without explaining it at first use: {plain_sentences(text)}"


@pytest.mark.parametrize(
    "text,term",
    [  # sentences from before issue 24, each with a term a patient may not know
        ("Heupartrose is een aandoening van je heupgewricht.", "aandoening"),
        ("Het kraakbeen, het bot, de spieren en de pezen van je heup doen mee.", "pezen"),
        ("De therapeut stelt de diagnose heupartrose na een gesprek over je klachten.", "diagnose"),
        ("De Beweegnorm van de Gezondheidsraad is: 5 keer per week bewegen.", "Gezondheidsraad"),
        ("Een gezonde leefstijl helpt om de artrose af te remmen.", "afremmen"),
        ("Je kunt dit overwegen als andere dingen niet genoeg helpen.", "overwegen"),
        ("Met heupartrose kun je bij Cesar en Mensendieck terecht.", "Cesar"),
        (  # explained, but three sentences after its first use
            "Beweeg 30 minuten matig-intensief. Zoals stevig wandelen. Of joggen. Dan adem je sneller, maar kun je nog"
            " praten.",
            "matig-intensief",
        ),
    ],
)
def test_the_glossary_check_finds_a_term_explained_too_late_or_not_at_all(text: str, term: str) -> None:
    assert term in unexplained_terms(text)


def test_the_glossary_check_accepts_a_term_explained_at_first_use() -> None:
    text = "Het gaat om de pezen van je heup. Pezen maken je spieren vast aan je botten."
    assert unexplained_terms(text) == []


def test_readability_range_is_reported(capsys: pytest.CaptureFixture) -> None:
    scores = sorted((flesch_douma(text), name) for name, text in PROSE)
    with capsys.disabled():
        print(
            f"\nFlesch-Douma over {len(scores)} responses: min {scores[0][0]:.1f} ({scores[0][1]}), "
            f"max {scores[-1][0]:.1f} ({scores[-1][1]}), "
            f"median {scores[len(scores) // 2][0]:.1f}"
        )
    assert scores[0][0] >= MIN_FLESCH_DOUMA


def test_the_checker_itself_rejects_hard_text() -> None:
    # A sentence from a medical guideline, not for patients: must fail the B1 threshold.
    hard = (
        "Bij patiënten met symptomatische coxartrose wordt geadviseerd om oefentherapie "
        "gericht op spierversterking en verbetering van het uithoudingsvermogen te combineren "
        "met leefstijladvisering, conform de richtlijn."
    )
    assert flesch_douma(hard) < MIN_FLESCH_DOUMA
    assert longest_sentence(hard) > MAX_WORDS_PER_SENTENCE
