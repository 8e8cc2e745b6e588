"""What a physiotherapist and a triage nurse read in the answers (issue 24): the numbers to call.
Texts from domain.yml, no model needed."""

from __future__ import annotations

import re
from typing import Dict

import pytest
import yaml

from heupwijzer.paths import ROOT

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
RESPONSES: Dict[str, str] = {name: variants[0]["text"] for name, variants in DOMAIN["responses"].items()}


def answer(name: str) -> str:
    return RESPONSES[name]


# --- the numbers to call -------------------------------------------------------------------------
CALL_THE_HUISARTS = re.compile(r"\bbel\w*\b[^.?!\n]*\bhuisarts\b", re.I)


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_wherever_it_says_call_the_huisarts_it_names_the_huisartsenpost(name: str) -> None:
    """Evenings, nights and weekends the huisarts is closed: the huisartsenpost then."""
    if CALL_THE_HUISARTS.search(answer(name)):
        assert "huisartsenpost" in answer(name), f"{name} says to call the huisarts but not the huisartsenpost"


def test_the_safety_check_names_stroke_and_a_cold_leg_for_112() -> None:
    check = answer("utter_safety_check")
    emergency = check[check.index("Bel 112") :]
    for sign in (
        "pijn op de borst",
        "erg benauwd",
        "scheve mond",
        "slappe arm",
        "moeilijk praat",
        "koud, wit of blauw",
    ):
        assert sign in emergency, sign
    assert "huisartsenpost" in check[: check.index("Bel 112")]


def test_the_after_surgery_warnings_name_the_signs_a_patient_recognises() -> None:
    rehabilitation = answer("utter_ask_rehabilitation")
    for sign in ("ineens korter", "naar buiten gedraaid", "niet kunnen staan na een val", "kortademig", "kuit"):
        assert sign in rehabilitation, sign
    # breathlessness after the operation is for the huisarts now; 112 when it is severe or with chest pain
    huisarts, emergency = rehabilitation.split("Bel dan 112")[0].rsplit("Heb je pijn op de borst", 1)
    assert "kortademig" in huisarts and "erg benauwd" in emergency
