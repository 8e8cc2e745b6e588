"""End to end: real servers, REST channel, a SQLite store that a second server continues from, channels
that stay off without their settings, the practice check."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Iterator, Tuple

import pytest
import requests

from tests.conftest import REST_HEADERS, ROOT, THUISARTS_HIP, VENV_BIN, Stack, free_port, new_sender, texts

pytestmark = pytest.mark.stack  # every test here starts Heupwijzer

QUESTION = "wat kan ik zelf doen aan mijn heupartrose?"


def test_rest_channel_answers_with_the_thuisarts_link(stack: Stack) -> None:
    response = requests.post(
        f"{stack.base_url}/webhooks/rest/webhook",
        json={"sender": new_sender(), "message": QUESTION},
        headers=REST_HEADERS,
        timeout=60,
    )
    assert response.status_code == 200
    reply = texts(response.json())
    assert "Rook niet" in reply and "Beweeg genoeg" in reply
    assert f"[Ik heb artrose van de heup]({THUISARTS_HIP})" in reply


@pytest.fixture(scope="module")
def second_server(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[Stack, str]]:
    """A conversation held with the session's server, then a second Rasa server (no action server,
    no channel settings) on a copy of its store, as after a restart or on another instance."""
    sender = new_sender()
    stack.say(sender, QUESTION)
    workdir = tmp_path_factory.mktemp("second-server")
    copy = workdir / "tracker.db"
    with sqlite3.connect(stack.tracker_db) as source, sqlite3.connect(copy) as target:
        source.backup(target)  # consistent even while the session's server writes
    second = Stack(workdir=workdir, tracker_db=copy, services="rasa", settings={"HEUPWIJZER_REST_TOKEN": ""})
    yield second.start(), sender
    second.stop()


def test_a_new_server_on_the_same_store_continues_the_conversation(second_server: Tuple[Stack, str]) -> None:
    server, sender = second_server
    tracker = server.tracker(sender)
    user_texts = [e.get("text") for e in tracker["events"] if e["event"] == "user"]
    assert QUESTION in user_texts
    assert tracker["slots"]["topic"] == "ask_self_care"


def test_channels_without_settings_are_not_enabled_and_say_what_to_set(second_server: Tuple[Stack, str]) -> None:
    server, _ = second_server
    for channel in ("telegram", "twilio", "whatsapp", "rest"):
        response = requests.post(f"{server.base_url}/webhooks/{channel}/webhook", data=b"{}", timeout=30)
        assert response.status_code == 404, channel
        assert "not enabled" in response.json()["error"]
    log = server.log()
    assert "Telegram is not enabled: set TELEGRAM_TOKEN, TELEGRAM_SECRET_TOKEN, TELEGRAM_WEBHOOK_URL" in log
    assert "WhatsApp (Twilio) is not enabled: set TWILIO_ACCOUNT_SID" in log
    assert "WhatsApp (Cloud API) is not enabled: set WHATSAPP_ACCESS_TOKEN" in log
    assert "REST is not enabled: set HEUPWIJZER_REST_TOKEN" in log


def test_nothing_starts_without_a_practice_phone_number(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "HEUPWIJZER_PRACTICE_PHONE": ""}
    result = subprocess.run(
        [
            str(VENV_BIN / "python"),
            "-m",
            "heupwijzer",
            "run",
            "--env-file",
            "",
            "--actions-port",
            str(port),
            "--state-dir",
            str(tmp_path),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "practice configuration is incomplete" in result.stderr
    assert "HEUPWIJZER_PRACTICE_PHONE" in result.stderr
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/health", timeout=5)


def test_practice_check_command_explains_what_is_missing() -> None:
    result = subprocess.run(
        [str(VENV_BIN / "python"), "-m", "heupwijzer.practice"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "HEUPWIJZER_PRACTICE_EMAIL": ""},
        timeout=60,
    )
    assert result.returncode == 2
    assert "'email' is missing" in result.stderr


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"[1]",
        b"{not json",
        b'{"message": "hallo"}',
        b'{"sender": "a", "message": 4}',
        b'{"sender": "a", "message": "  "}',
        b'{"sender": ["a"], "message": "hallo"}',
        b"[" * 20_000 + b"]" * 20_000,  # 40 KB: under the size limit, too deep for json
    ],
    ids=["empty", "list", "malformed", "no-sender", "number", "blank", "sender-list", "deeply-nested"],
)
def test_rest_channel_refuses_malformed_requests_with_400(stack: Stack, body: bytes) -> None:
    response = requests.post(
        f"{stack.base_url}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json", **REST_HEADERS},
        timeout=30,
    )
    assert response.status_code == 400
    assert "error" in response.json()
