"""The launcher's settings: what `make run` (and every test stack) starts, with which flags."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Dict

import pytest

from heupwijzer.paths import ROOT
from heupwijzer.server.launch import services
from heupwijzer.server.options import Options, parse_args, server_environment
from heupwijzer.server.processes import port_is_free
from heupwijzer.settings import read_env_file
from tests.harness.stack import PYTHON, free_port


def settings_for(tmp_path: Path, *argv: str, environ: Dict[str, str] | None = None, env_file: str = "") -> Options:
    return parse_args(["--env-file", env_file, "--state-dir", str(tmp_path), *argv], environ or {})


def test_defaults_are_the_documented_ports_and_the_local_chat_page(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    assert (settings.rasa_port, settings.actions_port, settings.web_port) == (5005, 5055, 8080)
    assert settings.host == "127.0.0.1"
    assert settings.tracker_db == tmp_path / "tracker.db"
    env = server_environment(settings, {})
    assert env["HEUPWIJZER_CORS_ORIGINS"] == "http://localhost:8080 http://127.0.0.1:8080"
    assert settings.chat_url == "http://localhost:8080/"
    assert env["HEUPWIJZER_ACTION_URL"] == "http://127.0.0.1:5055/webhook"
    assert env["TELEGRAM_TOKEN"] == ""  # every variable credentials.yml reads exists


def test_make_variables_set_ports_and_state(tmp_path: Path) -> None:
    settings = parse_args(
        ["--env-file", ""], {"RASA_PORT": "6005", "WEB_PORT": "9080", "STATE_DIR": str(tmp_path / "s")}
    )
    assert (settings.rasa_port, settings.web_port) == (6005, 9080)
    assert settings.tracker_db == tmp_path / "s" / "tracker.db"
    assert server_environment(settings, {})["HEUPWIJZER_CORS_ORIGINS"].split() == [
        "http://localhost:9080",
        "http://127.0.0.1:9080",
    ]


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
    assert rasa[rasa.index("--cors") + 1 : rasa.index("--cors") + 3] == [
        "http://localhost:8080",
        "http://127.0.0.1:8080",
    ]
    assert "--enable-api" not in rasa and "--auth-token" not in rasa
    assert rasa[rasa.index("--interface") + 1] == "127.0.0.1"

    with_api = settings_for(tmp_path, "--api-token", "secret")
    rasa = services(with_api, server_environment(with_api, {}))["rasa"].argv
    assert rasa[rasa.index("--auth-token") + 1] == "secret" and "--enable-api" in rasa


def test_rasa_runs_its_own_command_line_without_jax(tmp_path: Path) -> None:
    """heupwijzer/server/rasa.py: Rasa's command line, with TensorFlow's unused JAX import left out
    (about 65 MB of every Rasa process)."""
    settings = settings_for(tmp_path)
    rasa = services(settings, server_environment(settings, {}))["rasa"].argv
    assert rasa[1:4] == ["-m", "heupwijzer.server.rasa", "run"]
    version = subprocess.run([*rasa[:3], "--version"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert version.returncode == 0 and "Rasa Version" in version.stdout and "3.6.21" in version.stdout
    loaded = subprocess.run(
        [PYTHON, "-c", "from heupwijzer.server.rasa import block_jax; block_jax(); import tensorflow, sys; "
                       "print(sys.modules.get('jax'))"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert loaded.returncode == 0 and loaded.stdout.strip().splitlines()[-1] == "None"


def test_services_can_be_chosen_but_not_invented(tmp_path: Path) -> None:
    assert list(settings_for(tmp_path, "--services", "web,rasa").services) == ["rasa", "web"]
    with pytest.raises(SystemExit):
        settings_for(tmp_path, "--services", "rasa,database")


def test_allowed_sites_are_normalised_once_and_the_own_chat_page_stays_allowed(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    env = server_environment(settings, {"HEUPWIJZER_CORS_ORIGINS": "https://www.praktijk.nl/, https://praktijk.nl"})
    assert env["HEUPWIJZER_CORS_ORIGINS"].split() == [
        "https://www.praktijk.nl",
        "https://praktijk.nl",
        "http://localhost:8080",
        "http://127.0.0.1:8080",
    ]
    rasa = services(settings, env)["rasa"].argv
    assert rasa[rasa.index("--cors") + 1 :] == env["HEUPWIJZER_CORS_ORIGINS"].split()


def test_a_server_on_the_network_prints_and_allows_its_own_address(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, "--host", "192.168.1.20")
    assert settings.chat_url == "http://192.168.1.20:8080/"
    assert "http://192.168.1.20:8080" in server_environment(settings, {})["HEUPWIJZER_CORS_ORIGINS"].split()


def test_the_action_server_listens_on_loopback_unless_told_otherwise(tmp_path: Path) -> None:
    env = server_environment(settings_for(tmp_path), {})
    assert services(settings_for(tmp_path), env)["actions"].env == {"SANIC_HOST": "127.0.0.1"}


def test_a_bad_port_and_inline_comments_are_understood(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit):
        parse_args(["--env-file", ""], {"RASA_PORT": "vijf"})
    assert "RASA_PORT='vijf' is geen poortnummer" in capsys.readouterr().err
    env_file = tmp_path / ".env"
    env_file.write_text("TELEGRAM_TOKEN=abc  # from BotFather\n")
    assert read_env_file(env_file)["TELEGRAM_TOKEN"] == "abc"


# --- the launcher as a process: the chat page alone starts in a second -----------------------------
def launch_web(tmp_path: Path, port: int, *extra: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEUPWIJZER_")}
    return subprocess.Popen(
        [
            str(PYTHON),
            "-m",
            "heupwijzer",
            "run",
            "--env-file",
            "",
            "--services",
            "web",
            "--web-port",
            str(port),
            "--state-dir",
            str(tmp_path),
            *extra,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def web_server_pid(launcher: subprocess.Popen, port: int) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                command = (stat.parent / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if int(fields[1]) == launcher.pid and "heupwijzer.server.web" in command and not port_is_free(port):
                return int(stat.parent.name)
        time.sleep(0.2)
    raise AssertionError("the chat page did not start")


def gone(pid: int, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state == "Z":
            return True
        time.sleep(0.2)
    return False


def freed(port: int, timeout: float = 10) -> bool:
    """The port free again within seconds (it once answered a moment after its server was gone,
    in a full run on a busy machine)."""
    deadline = time.monotonic() + timeout
    while not port_is_free(port):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_stopping_the_launcher_alone_stops_its_servers(tmp_path: Path, stop_signal: int) -> None:
    """Only the launcher gets the signal (not the whole terminal): it stops the chat page itself,
    and when it is killed outright the kernel stops it (PR_SET_PDEATHSIG)."""
    port = free_port()
    launcher = launch_web(tmp_path, port)
    try:
        child = web_server_pid(launcher, port)
        launcher.send_signal(stop_signal)
        launcher.wait(timeout=30)
        assert gone(child), "the chat page outlived the launcher"
        assert freed(port), "the chat page's port is still taken"
    finally:
        launcher.kill()


def test_a_taken_port_is_named_before_anything_starts(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        launcher = launch_web(tmp_path, port)
        output, _ = launcher.communicate(timeout=60)
    assert launcher.returncode == 2
    assert f"poort {port} (WEB_PORT) is al in gebruik" in output


def test_a_malformed_setting_stops_the_launcher_with_one_line_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    from heupwijzer.server import launch

    monkeypatch.setenv("HEUPWIJZER_REDIS_PORT", "zes")
    assert launch.main(["--env-file", "", "--services", "web", "--state-dir", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert "HEUPWIJZER_REDIS_PORT='zes'" in error and "Traceback" not in error


def test_make_run_warns_about_the_example_practice_details_and_starts(tmp_path: Path) -> None:
    """The embedded profile (`make run`, trying Heupwijzer out) starts with the shipped example
    details, saying which file and settings to fill in; production refuses (tests/test_production.py)."""
    port = free_port()
    launcher = launch_web(tmp_path, port)
    try:
        web_server_pid(launcher, port)
    finally:
        launcher.send_signal(signal.SIGTERM)
        output, _ = launcher.communicate(timeout=60)
    assert "LET OP: content/practice.yml bevat nog de voorbeeldgegevens bij name, phone, email" in output


@pytest.mark.parametrize("module", ["rasa.core.agent", "tensorflow.python.keras", "spacy.language", "deduce"])
def test_the_servers_libraries_start_from_cached_bytecode(module: str) -> None:
    """`make setup` compiles the virtualenv once: a server that compiles Rasa, TensorFlow and spaCy
    from source at every start takes about twice as long to its first answer (uv compiles nothing
    unless asked, and PYTHONDONTWRITEBYTECODE keeps Python from caching what it compiled)."""
    import importlib.util

    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None
    assert Path(importlib.util.cache_from_source(spec.origin)).exists(), f"{module} has no bytecode: run `make setup`"
