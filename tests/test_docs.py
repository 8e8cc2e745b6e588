"""The README is short and starts with the two commands; the docs name files that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from heupwijzer.paths import ROOT

README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md")) + [README, ROOT / "CONTRIBUTING.md"]
TOP = ("heupwijzer/", "actions/", "tools/", "tests/", "content/", "deploy/", "data/", "web/", "docs/")


def test_the_readme_is_short_and_starts_with_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 150
    first_block = text.split("```")[1]
    commands = [line.split("#")[0].strip() for line in first_block.splitlines()[1:] if line.strip()]
    assert commands == ["make run", "make test"]


@pytest.mark.parametrize("page", DOCS, ids=[p.name for p in DOCS])
def test_every_path_a_page_names_exists(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#:]+)\)", text)
    named = [p for p in re.findall(r"`([\w./@-]+)`", text) if p.startswith(TOP) and "*" not in p and "<" not in p]
    base = page.parent
    missing = [link for link in links if not (base / link).exists()]
    missing += [path for path in named if not (ROOT / path).exists() and not (ROOT / path.rstrip(":")).exists()]
    assert not missing, f"{page.name} names what is not there: {missing}"


@pytest.mark.parametrize("page", DOCS, ids=[p.name for p in DOCS])
def test_headings_are_in_english(page: Path) -> None:
    headings = re.findall(r"^#+ (.+)$", page.read_text(encoding="utf-8"), re.M)
    dutch = [h for h in headings if re.search(r"\b(voor|de|het|een|productie|inzichten|praktijk)\b", h, re.I)]
    assert not dutch, dutch


def test_the_clinical_review_page_gives_every_topic_its_leaflet_section() -> None:
    import yaml

    page = (ROOT / "docs" / "clinical-review.md").read_text(encoding="utf-8")
    table = page.split("## Topics and their leaflet section", 1)[1].split("\n## ", 1)[0]
    rows = {m.group(1): m.group(2).strip() for m in re.finditer(r"^\| `(ask_\w+)` \|[^|]*\|([^|]+)\|$", table, re.M)}
    topics = yaml.safe_load((ROOT / "content" / "topics.yml").read_text(encoding="utf-8"))["topics"]
    assert sorted(topics) == sorted(rows), f"missing: {sorted(set(topics) - set(rows))}"
    assert all(section for section in rows.values())


def test_every_answer_the_clinical_review_page_names_exists() -> None:
    import yaml

    page = (ROOT / "docs" / "clinical-review.md").read_text(encoding="utf-8")
    responses = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
    named = set(re.findall(r"`(utter_\w+?)(?:_\*)?`", page))
    assert named and not [name for name in named if name not in responses and not name.endswith("follow_up")]
