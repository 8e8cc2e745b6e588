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
