"""Does the patient ask whether a complaint fits heupartrose? (cues in actions/fit_questions.yml)"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Tuple

import yaml

from actions.vocabulary import shares_words

CUES = Path(__file__).with_name("fit_questions.yml")


@lru_cache(maxsize=1)
def cues() -> Tuple[str, ...]:
    return tuple(f" {cue} " for cue in yaml.safe_load(CUES.read_text(encoding="utf-8"))["cues"])


def asks_if_it_fits(text: str) -> bool:
    words = f" {' '.join(re.findall(r'[a-z0-9]+', text.lower()))} "
    return any(cue in words for cue in cues())


def describes_a_complaint(text: str) -> bool:
    return shares_words(text, "ask_symptoms") or shares_words(text, "ask_pain")
