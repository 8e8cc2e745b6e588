"""One typed settings object (heupwijzer/settings.py): the only reader of the environment, and
.env.example explains every setting it reads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from heupwijzer.paths import ENV_EXAMPLE, ROOT
from heupwijzer.settings import DEFAULT_ACTION_MAX_BYTES, Settings, read_env_file


def listed_in_env_example() -> set:
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE.read_text(encoding="utf-8"), re.M))


def test_env_example_lists_every_setting_and_nothing_else() -> None:
    fields = set(Settings.variables(launcher=False).values())
    listed = listed_in_env_example()
    assert fields - listed == set(), "settings .env.example does not explain"
    assert listed - fields == set(), "variables in .env.example that Heupwijzer does not read"
    assert not set(Settings.variables(launcher=True).values()) & listed, "the launcher sets these itself"


def test_only_the_settings_module_reads_the_environment() -> None:
    modules = [path for name in ("heupwijzer", "actions", "tools") for path in (ROOT / name).rglob("*.py")]
    readers = [
        str(path.relative_to(ROOT))
        for path in modules
        if re.search(r"os\.environ|os\.getenv|getenv\(", path.read_text(encoding="utf-8"))
    ]
    assert readers == ["heupwijzer/settings.py"]


def test_an_empty_variable_counts_as_not_set() -> None:
    empty = {variable: "" for variable in Settings.variables(launcher=False).values() if "PRACTICE" not in variable}
    settings = Settings.of({**empty, "HEUPWIJZER_ACTION_MAX_BYTES": " "})
    assert settings.profile == "embedded" and not settings.production
    assert (settings.redis_host, settings.redis_port, settings.redis_db) == ("127.0.0.1", 6379, 0)
    assert settings.widget_storage == "session"
    assert settings.action_max_bytes == DEFAULT_ACTION_MAX_BYTES


def test_values_are_typed_and_a_practice_detail_set_empty_stays_empty() -> None:
    settings = Settings.of(
        {"HEUPWIJZER_PROFILE": "production", "HEUPWIJZER_REDIS_PORT": "6380", "HEUPWIJZER_PRACTICE_EMAIL": "  "}
    )
    assert settings.production and settings.redis_port == 6380
    assert settings.practice_email == "  " and settings.practice_phone is None


def test_a_malformed_number_is_refused() -> None:
    with pytest.raises(ValueError, match="redis_port"):
        Settings.of({"HEUPWIJZER_REDIS_PORT": "zes"})


def test_a_dollar_or_a_hash_in_a_quoted_secret_is_kept(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "HEUPWIJZER_INSIGHTS_PASSWORD='pa${HOME}ss'\nexport TELEGRAM_TOKEN=abc  # from BotFather\n"
        'WHATSAPP_APP_SECRET="a#b${HOME}c"\nHEUPWIJZER_REDIS_PASSWORD=\n',
        encoding="utf-8",
    )
    assert read_env_file(env_file) == {
        "HEUPWIJZER_INSIGHTS_PASSWORD": "pa${HOME}ss",
        "TELEGRAM_TOKEN": "abc",
        "WHATSAPP_APP_SECRET": "a#b${HOME}c",
        "HEUPWIJZER_REDIS_PASSWORD": "",
    }


def test_deduces_tables_are_kept_per_machine_unless_told_otherwise() -> None:
    assert Settings.of({}).deduce_cache == str(Path.home() / ".cache" / "heupwijzer" / "deduce")
    assert Settings.of({"DEDUCE_CACHE_DIRECTORY": "/app/build/deduce"}).deduce_cache == "/app/build/deduce"
