"""spaCy's Dutch stop words without importing spaCy: its package imports thinc and with it
TensorFlow, 8 s of every process that only needs this list (the action server, the insights page,
each test worker)."""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path
from typing import FrozenSet


@lru_cache(maxsize=1)
def dutch_stop_words() -> FrozenSet[str]:
    """STOP_WORDS of spacy/lang/nl/stop_words.py, read from the installed spaCy."""
    spacy = importlib.util.find_spec("spacy")  # finds the package without running it
    if spacy is None or not spacy.submodule_search_locations:
        raise ModuleNotFoundError("spaCy is not installed")
    path = Path(next(iter(spacy.submodule_search_locations))) / "lang" / "nl" / "stop_words.py"
    spec = importlib.util.spec_from_file_location("heupwijzer_nl_stop_words", path)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"spaCy's Dutch stop words are missing: {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return frozenset(module.STOP_WORDS)
