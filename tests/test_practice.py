"""The practice configuration: one file, environment overrides, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from heupwijzer.paths import ROOT
from heupwijzer.practice import PracticeConfigError, build_practice, load_practice
from heupwijzer.settings import Settings

COMPLETE = {
    "name": "Fysio Oost",
    "phone": "020 765 43 21",
    "email": "balie@fysio-oost.example",
    "booking_url": "https://fysio-oost.example/afspraak",
    "opening_hours": "op werkdagen van 8 tot 18 uur",
    "address": "Oostweg 5, Amsterdam",
    "colour": "#1a4d2e",
}


def test_the_shipped_file_is_complete() -> None:
    practice = load_practice(Settings.of({}))
    assert practice.name and practice.phone and practice.email.count("@") == 1
    assert practice.booking_url.startswith("https://")


def test_environment_overrides_the_file() -> None:
    practice = build_practice(COMPLETE, Settings.of({"HEUPWIJZER_PRACTICE_PHONE": "06 12345678"}))
    assert practice.phone == "06 12345678"
    assert practice.template_variables()["practice_phone"] == "06 12345678"
    assert practice.template_variables()["practice_name"] == "Fysio Oost"


@pytest.mark.parametrize("setting", sorted(COMPLETE))
def test_a_missing_setting_is_a_clear_error_naming_it_and_its_variable(setting: str) -> None:
    raw = {key: value for key, value in COMPLETE.items() if key != setting}
    with pytest.raises(PracticeConfigError) as error:
        build_practice(raw, Settings.of({}))
    assert f"'{setting}' is missing" in str(error.value)
    assert f"HEUPWIJZER_PRACTICE_{setting.upper()}" in str(error.value)


def test_an_empty_override_is_an_error_not_an_empty_string() -> None:
    with pytest.raises(PracticeConfigError, match="'email' is missing"):
        build_practice(COMPLETE, Settings.of({"HEUPWIJZER_PRACTICE_EMAIL": "  "}))


@pytest.mark.parametrize(
    "setting,value",
    [
        ("phone", "bel ons"),
        ("email", "info-at-praktijk"),
        ("booking_url", "http://praktijk.example/afspraak"),
        ("colour", "blauw"),
        ("colour", "#ffeb3b"),
    ],  # a name; a yellow too light for white text
)
def test_malformed_settings_are_rejected(setting: str, value: str) -> None:
    with pytest.raises(PracticeConfigError, match=setting):
        build_practice({**COMPLETE, setting: value}, Settings.of({}))


def test_a_missing_or_broken_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PracticeConfigError, match="does not exist"):
        load_practice(Settings.of({"HEUPWIJZER_PRACTICE_FILE": str(tmp_path / "nope.yml")}))
    broken = tmp_path / "practice.yml"
    broken.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(PracticeConfigError, match="not valid YAML"):
        load_practice(Settings.of({"HEUPWIJZER_PRACTICE_FILE": str(broken)}))


def test_colour_contrast_is_computed_as_wcag_does() -> None:
    from heupwijzer.practice import contrast_with_white

    assert round(contrast_with_white("#000000"), 1) == 21.0
    assert round(contrast_with_white("#ffffff"), 1) == 1.0
    assert contrast_with_white("#0b5d7a") >= 4.5


def test_the_shipped_example_details_are_found_and_named_with_their_file() -> None:
    from heupwijzer.practice import SHIPPED_EXAMPLE, placeholder_problem, placeholders

    shipped = load_practice(Settings.of({}))
    assert placeholders(shipped) == list(SHIPPED_EXAMPLE), "SHIPPED_EXAMPLE and content/practice.yml differ"
    line = placeholder_problem(shipped, Settings.of({}))
    assert line is not None and line.startswith("content/practice.yml bevat nog de voorbeeldgegevens")
    assert "\n" not in line and "HEUPWIJZER_PRACTICE_PHONE" in line
    assert placeholders(build_practice(COMPLETE, Settings.of({}))) == []
    test_practice = Settings.of({"HEUPWIJZER_PRACTICE_FILE": str(ROOT / "tests" / "data" / "practice.yml")})
    assert placeholder_problem(load_practice(test_practice), test_practice) is None
