"""Consistency of training data, domain, rules, content files and the held-out NLU test set."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, List, Set

import pytest
import yaml
from rasa.shared.nlu.training_data.loading import load_data

from heupwijzer.content import load_content
from heupwijzer.paths import ROOT
from tests.readability import MAX_CHARS

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
CONTENT = load_content()
KNOWLEDGE_INTENTS = sorted(CONTENT.topics)
MIN_TRAINING_EXAMPLES = 30
MIN_TEST_EXAMPLES = 5


def normalise(text: str) -> str:
    return " ".join(text.lower().split())


def examples_by_intent(path: Path) -> Dict[str, List[str]]:
    grouped: Dict[str, List[str]] = defaultdict(list)
    for example in load_data(str(path)).intent_examples:
        grouped[example.get("intent")].append(example.get("text"))
    return grouped


TRAINING = examples_by_intent(ROOT / "data" / "nlu")
TEST = examples_by_intent(ROOT / "tests" / "data" / "nlu_test.yml")


def test_every_domain_intent_is_trained_and_tested() -> None:
    assert sorted(TRAINING) == sorted(DOMAIN["intents"])
    assert sorted(TEST) == sorted(DOMAIN["intents"])


def test_knowledge_topics_match_the_domain() -> None:
    domain_knowledge = sorted(i for i in DOMAIN["intents"] if i.startswith("ask_"))
    assert domain_knowledge == KNOWLEDGE_INTENTS
    for topic in CONTENT.topics.values():
        assert topic.response in DOMAIN["responses"], f"no answer for {topic.intent}"


def test_every_knowledge_topic_is_answered_by_a_rule() -> None:
    answered: Set[str] = set()
    for rule_file in (ROOT / "data" / "rules").glob("*.yml"):
        for rule in yaml.safe_load(rule_file.read_text(encoding="utf-8"))["rules"]:
            steps = rule["steps"]
            if steps[-1].get("action") == "action_answer_topic":
                answered.add(steps[0]["intent"])
    assert answered == set(KNOWLEDGE_INTENTS)


@pytest.mark.parametrize("intent", KNOWLEDGE_INTENTS)
def test_knowledge_intent_has_enough_training_examples(intent: str) -> None:
    assert len(TRAINING[intent]) >= MIN_TRAINING_EXAMPLES


@pytest.mark.parametrize("intent", sorted(DOMAIN["intents"]))
def test_intent_has_enough_held_out_test_examples(intent: str) -> None:
    assert len(TEST[intent]) >= MIN_TEST_EXAMPLES


def test_no_training_example_is_used_twice() -> None:
    counts = Counter(normalise(text) for texts in TRAINING.values() for text in texts)
    duplicates = [text for text, count in counts.items() if count > 1]
    assert duplicates == []


def test_test_set_is_kept_apart_from_training_data() -> None:
    training = {normalise(text) for texts in TRAINING.values() for text in texts}
    leaked = [text for texts in TEST.values() for text in texts if normalise(text) in training]
    assert leaked == []


def test_links_are_https_on_trusted_sites_and_every_topic_has_thuisarts() -> None:
    for topic in CONTENT.topics.values():
        urls = [link.url for link in topic.links]
        assert any(url.startswith("https://www.thuisarts.nl/") for url in urls), topic.intent
        for url in urls:
            assert url.startswith(("https://www.thuisarts.nl/", "https://reumanederland.nl/")), url


def test_menu_groups_cover_every_topic_once() -> None:
    grouped = [intent for group in CONTENT.groups.values() for intent in group.topics]
    assert sorted(grouped) == KNOWLEDGE_INTENTS
    assert all(len(group.topics) <= 10 for group in CONTENT.groups.values())


@pytest.mark.parametrize("name", sorted(DOMAIN["responses"]))
def test_response_fits_a_phone_screen(name: str) -> None:
    for variant in DOMAIN["responses"][name]:
        assert len(variant["text"]) <= MAX_CHARS, f"{name} is too long for a phone screen"
        assert " u " not in f" {variant['text'].lower()} ", f"{name} should use the je-form"


@pytest.mark.parametrize("name", sorted(DOMAIN["responses"]))
def test_paragraph_after_a_list_is_separated_for_markdown_channels(name: str) -> None:
    # Without a blank line the web widget glues the paragraph onto the last bullet.
    for variant in DOMAIN["responses"][name]:
        lines = variant["text"].split("\n")
        for previous, line in zip(lines, lines[1:], strict=False):
            assert not (previous.startswith("- ") and line and not line.startswith("- ")), line


def evaluation_texts() -> List[str]:
    """Every message of the blind evaluation sets (tests/data/eval, tests/data/holdout) and of the
    judging sets (tests/data/judging/<date>/set.yml)."""
    found: List[str] = []

    def walk(node: object) -> None:
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key not in (
                    "sign",
                    "kind",
                    "domain",
                    "topic",
                    "complaint",
                    "level",
                    "category",
                    "style",
                    "written",
                    "writer",
                ):
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    data = ROOT / "tests" / "data"
    for path in sorted(p for p in data.rglob("*.yml") if p.parent != data):
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        if path.parent.parent.name == "judging":  # short follow-ups ("hoe lang duurt dat?") are everyone's
            loaded = {key: value for key, value in loaded.items() if key != "conversations"}
        walk(loaded)
    return found


def test_the_blind_evaluation_sets_are_kept_apart_from_training_data() -> None:
    training = {normalise(text) for texts in TRAINING.values() for text in texts}
    messages = evaluation_texts()
    assert len(messages) > 700
    # A one-word greeting ("hoi" opens a conversation of judging set d) is in any chatbot's data.
    assert [text for text in messages if normalise(text) in training and len(text.split()) > 1] == []


def test_every_topic_has_all_its_pieces() -> None:
    """Adding a topic touches several files (CONTRIBUTING.md): name the piece that is missing."""
    rules = {
        rule["steps"][0].get("intent")
        for path in (ROOT / "data" / "rules").glob("*.yml")
        for rule in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]
        if rule["steps"][-1].get("action") == "action_answer_topic"
    }
    conversations = yaml.safe_load((ROOT / "tests" / "data" / "conversations.yml").read_text(encoding="utf-8"))
    pieces = {
        "domain.yml intents": {i for i in DOMAIN["intents"] if i.startswith("ask_")},
        "domain.yml responses utter_<topic>": {  # (utter_ask_<slot> are a form's questions)
            r[len("utter_") :]
            for r in DOMAIN["responses"]
            if r.startswith("utter_ask_") and r[len("utter_ask_") :] not in DOMAIN["slots"]
        },
        "data/nlu (30 training examples)": {
            i for i, texts in TRAINING.items() if i.startswith("ask_") and len(texts) >= MIN_TRAINING_EXAMPLES
        },
        "tests/data/nlu_test.yml (5 phrasings)": {
            i for i, texts in TEST.items() if i.startswith("ask_") and len(texts) >= MIN_TEST_EXAMPLES
        },
        "data/rules (-> action_answer_topic)": {i for i in rules if i and i.startswith("ask_")},
        "content/topics.yml": set(CONTENT.topics),
        "tests/data/conversations.yml topics": set(conversations["topics"]),
    }
    every = set().union(*pieces.values())
    missing = [
        f"{topic}: missing in {where}" for topic in sorted(every) for where, have in pieces.items() if topic not in have
    ]
    assert missing == []


def test_make_test_validates_domain_and_data_through_training() -> None:
    """`make test` has no separate `rasa data validate`: it retrains whenever data, domain or config
    changed, and `rasa train` runs that validation first unless told to skip it."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    model_rule = makefile.split("\n$(MODEL):", 1)[1].split("\n\n", 1)[0]
    assert "$(RASA) train" in model_rule and "skip-validation" not in model_rule
    for prerequisite in ("config.yml", "domain.yml", "$(DATA_FILES)"):
        assert prerequisite in model_rule.splitlines()[0]
    test_rule = next(line for line in makefile.splitlines() if line.startswith("test:"))
    assert "$(MODEL)" in test_rule
