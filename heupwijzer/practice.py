"""The practice's contact details: one file (content/practice.yml) with environment overrides.

A missing or malformed setting raises PracticeConfigError when the action server starts,
so a patient never sees an empty phone number. The example details the file ships with are found
by `placeholders`: the production profile refuses to start with them, `make run` warns.
`python -m heupwijzer.practice` checks the configuration and prints what is in use.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Dict, List, Mapping

import yaml

from heupwijzer.paths import CONTENT_DIR, ROOT
from heupwijzer.settings import Settings, settings

DEFAULT_FILE = CONTENT_DIR / "practice.yml"
ENV_PREFIX = "HEUPWIJZER_PRACTICE_"


class PracticeConfigError(ValueError):
    """The practice configuration is incomplete or invalid."""


@dataclass(frozen=True)
class Practice:
    name: str
    phone: str
    email: str
    booking_url: str
    opening_hours: str
    address: str
    colour: str

    def template_variables(self) -> Dict[str, str]:
        """Variables for responses in domain.yml, e.g. {practice_phone}."""
        return {f"practice_{field.name}": getattr(self, field.name) for field in fields(self)}


CHECKS = {
    "phone": (re.compile(r"^\+?[0-9][0-9 ()-]{7,}$"), "a phone number such as 010 123 45 67"),
    "email": (re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$"), "an e-mail address"),
    "booking_url": (re.compile(r"^https://\S+$"), "an https:// address"),
    "colour": (re.compile(r"^#[0-9a-fA-F]{6}$"), "a colour such as #0b5d7a"),
}
MIN_CONTRAST_WITH_WHITE = 4.5  # WCAG AA for normal text

# The example details content/practice.yml ships with, for trying Heupwijzer out: a patient would find
# them dead ends (tests/test_practice.py keeps this list and the shipped file in step).
SHIPPED_EXAMPLE = {
    "name": "Fysiotherapie Voorbeeld",
    "phone": "010 123 45 67",
    "email": "info@praktijk.example",
    "booking_url": "https://praktijk.example/afspraak",
    "address": "Voorbeeldstraat 1, 1234 AB Voorbeeldstad",
}


def contrast_with_white(colour: str) -> float:
    """WCAG contrast ratio of white text on this #rrggbb colour."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


def env_name(setting: str) -> str:
    return f"{ENV_PREFIX}{setting.upper()}"


def build_practice(raw: Mapping[str, object], config: Settings) -> Practice:
    """Merge file values and environment overrides; validate every setting."""
    values: Dict[str, str] = {}
    problems = []
    for field in fields(Practice):
        value: object = getattr(config, f"practice_{field.name}")
        if value is None:
            value = raw.get(field.name)
        text = "" if value is None else str(value).strip()
        if not text:
            problems.append(f"'{field.name}' is missing (set it in content/practice.yml or {env_name(field.name)})")
            continue
        check = CHECKS.get(field.name)
        if check and not check[0].match(text):
            problems.append(f"'{field.name}' = {text!r} is not {check[1]}")
        elif field.name == "colour" and contrast_with_white(text) < MIN_CONTRAST_WITH_WHITE:
            problems.append(
                f"'colour' = {text!r} is too light for white text "
                f"(contrast {contrast_with_white(text):.1f} : 1, needs {MIN_CONTRAST_WITH_WHITE})"
            )
        values[field.name] = text
    if problems:
        raise PracticeConfigError(
            "Heupwijzer cannot start: the practice configuration is incomplete.\n  - " + "\n  - ".join(problems)
        )
    return Practice(**values)


def practice_file(config: Settings) -> Path:
    return Path(config.practice_file or DEFAULT_FILE)


def placeholders(practice: Practice) -> List[str]:
    """The settings that still hold the shipped example details."""
    return [name for name, example in SHIPPED_EXAMPLE.items() if getattr(practice, name) == example]


def placeholder_problem(practice: Practice, config: Settings) -> str | None:
    """One Dutch line naming the file and the settings that still hold the example details."""
    found = placeholders(practice)
    if not found:
        return None
    path = practice_file(config).resolve()
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    variables = ", ".join(env_name(name) for name in found)
    return (
        f"{shown} bevat nog de voorbeeldgegevens bij {', '.join(found)}: vul de gegevens van je praktijk in "
        f"(of zet {variables})."
    )


def load_practice(config: Settings | None = None) -> Practice:
    config = config or settings()
    path = practice_file(config)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise PracticeConfigError(f"Heupwijzer cannot start: {path} does not exist.") from None
    except yaml.YAMLError as error:
        raise PracticeConfigError(f"Heupwijzer cannot start: {path} is not valid YAML: {error}") from None
    if not isinstance(raw, dict):
        raise PracticeConfigError(f"Heupwijzer cannot start: {path} must contain settings (name: value).")
    return build_practice(raw, config)


def main() -> int:
    try:
        practice = load_practice()
    except PracticeConfigError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 2
    print(f"[heupwijzer:practice] {practice.name}, {practice.phone}, {practice.email}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
