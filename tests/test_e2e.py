"""End to end: real servers, REST channel, SQLite tracker store that survives a restart."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

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


def test_conversation_survives_a_server_restart(tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    sender = new_sender()
    first = Stack(workdir=tmp_path, tracker_db=db, services="actions,rasa").start()
    try:
        first.say(sender, QUESTION)
    finally:
        first.stop()
    assert db.exists()

    second = Stack(workdir=tmp_path, tracker_db=db, services="rasa").start()
    try:
        tracker = second.tracker(sender)
    finally:
        second.stop()
    user_texts = [e.get("text") for e in tracker["events"] if e["event"] == "user"]
    assert QUESTION in user_texts
    assert tracker["slots"]["topic"] == "ask_self_care"


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
