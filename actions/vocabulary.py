"""Which leaflet topics a message could be about: the words it shares with the topic's examples.

The honest fallback only offers "Bedoel je ...?" buttons that plausibly fit the message. A topic's
words are the content words of at least two of its training examples (data/nlu) that never occur in the examples
of everyday requests outside heupartrose (out_of_scope): "heup", "stijf", "oefentherapeut" count,
"morgen" or "weer" do not. Words match on their first five letters (stijf, stijfheid, stijve).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from typing import Dict, FrozenSet, Iterable, List

import yaml

from heupwijzer.paths import NLU_DATA
from heupwijzer.stop_words import dutch_stop_words

STOP_WORDS = dutch_stop_words()

ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}")
STEM = 5


def content_words(text: str) -> FrozenSet[str]:
    words = re.findall(r"[a-zà-ÿ0-9]+", ANNOTATION.sub(lambda m: m.group(1) or m.group(2) or "", text.lower()))
    return frozenset(word[:STEM] for word in words if len(word) >= 3 and word not in STOP_WORDS)


def training_examples() -> Dict[str, List[str]]:
    examples: Dict[str, List[str]] = {}
    files = sorted(NLU_DATA.glob("*.yml"))
    if not files:
        raise FileNotFoundError(f"no training examples in {NLU_DATA}: the topic words need them")
    for path in files:
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if "intent" in block:
                lines = (line.strip() for line in (block.get("examples") or "").splitlines())
                examples.setdefault(block["intent"], []).extend(line[2:] for line in lines if line.startswith("- "))
    return examples


# A topic's word occurs in at least this many of its examples: a word seen once ("doctors" in a
# joke, "remmen" of a car) is chance. Chosen on the tuning sets (judging sets a and b, now tuned on):
# of their off-topic messages 59 % shared a word with some topic at 1, 48 % at 2; of their hip
# questions and calm messages 1 of 451 lost every shared word at 2 (5 at 3).
MIN_EXAMPLES = 2


@lru_cache(maxsize=1)
def topic_words() -> Dict[str, FrozenSet[str]]:
    examples = training_examples()
    everyday = union(content_words(text) for text in examples.get("out_of_scope", []))
    return {
        intent: frozenset(
            w for w, n in Counter(w for t in texts for w in content_words(t)).items() if n >= MIN_EXAMPLES
        )
        - everyday
        for intent, texts in examples.items()
        if intent.startswith("ask_")
    }


def union(sets: Iterable[FrozenSet[str]]) -> FrozenSet[str]:
    result: FrozenSet[str] = frozenset()
    for words in sets:
        result |= words
    return result


def shares_words(message: str, intent: str) -> bool:
    return bool(content_words(message) & topic_words().get(intent, frozenset()))
