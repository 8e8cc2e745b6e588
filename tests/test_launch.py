"""The launcher's settings: what `make run` (and every test stack) starts, with which flags."""
from __future__ import annotations

from pathlib import Path
from typing import Dict, Optional

import pytest

from scripts.launch import Settings, parse_args, read_env_file, server_environment, services


def settings_for(tmp_path: Path, *argv: str, environ: Optional[Dict[str, str]] = None, env_file: str = "") -> Settings:
    return parse_args(["--env-file", env_file, "--state-dir", str(tmp_path), *argv], environ or {})


def test_defaults_are_the_documented_ports_and_the_local_chat_page(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    assert (settings.rasa_port, settings.actions_port, settings.web_port) == (5005, 5055, 8080)
    assert settings.host == "127.0.0.1"
    assert settings.tracker_db == tmp_path / "tracker.db"
    env = server_environment(settings, {})
    assert env["HEUPWIJZER_CORS_ORIGINS"] == "http://localhost:8080 http://127.0.0.1:8080"
    assert env["HEUPWIJZER_ACTION_URL"] == "http://127.0.0.1:5055/webhook"
    assert env["TELEGRAM_TOKEN"] == ""  # every variable credentials.yml reads exists


def test_make_variables_set_ports_and_state(tmp_path: Path) -> None:
    settings = parse_args(["--env-file", ""], {"RASA_PORT": "6005", "WEB_PORT": "9080",
                                              "STATE_DIR": str(tmp_path / "s")})
    assert (settings.rasa_port, settings.web_port) == (6005, 9080)
    assert settings.tracker_db == tmp_path / "s" / "tracker.db"
    assert server_environment(settings, {})["HEUPWIJZER_CORS_ORIGINS"].split() == [
        "http://localhost:9080", "http://127.0.0.1:9080"]


def test_the_environment_wins_over_the_env_file_and_options_win_over_both(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text('# comment\nRASA_PORT=7005\nTELEGRAM_TOKEN="from-file"\nWEB_PORT=7080\n')
    assert read_env_file(env_file)["TELEGRAM_TOKEN"] == "from-file"
    settings = settings_for(tmp_path, "--web-port", "7777", environ={"RASA_PORT": "6005"}, env_file=str(env_file))
    assert (settings.rasa_port, settings.web_port) == (6005, 7777)
    assert server_environment(settings, {})["TELEGRAM_TOKEN"] == "from-file"
    assert server_environment(settings, {"TELEGRAM_TOKEN": "from-env"})["TELEGRAM_TOKEN"] == "from-env"


def test_rasa_gets_one_cors_list_and_the_api_only_with_a_token(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, "--rasa-port", "6005")
    rasa = services(settings, server_environment(settings, {}))["rasa"].argv
    assert rasa[rasa.index("--cors") + 1:rasa.index("--cors") + 3] == ["http://localhost:8080", "http://127.0.0.1:8080"]
    assert "--enable-api" not in rasa and "--auth-token" not in rasa
    assert rasa[rasa.index("--interface") + 1] == "127.0.0.1"

    with_api = settings_for(tmp_path, "--api-token", "secret")
    rasa = services(with_api, server_environment(with_api, {}))["rasa"].argv
    assert rasa[rasa.index("--auth-token") + 1] == "secret" and "--enable-api" in rasa


def test_services_can_be_chosen_but_not_invented(tmp_path: Path) -> None:
    assert list(settings_for(tmp_path, "--services", "web,rasa").services) == ["rasa", "web"]
    with pytest.raises(SystemExit):
        settings_for(tmp_path, "--services", "rasa,database")
