"""End to end: real servers, REST channel, SQLite tracker store that survives a restart."""
from __future__ import annotations

from pathlib import Path

import requests

from tests.conftest import THUISARTS_HIP, Stack, new_sender, texts

QUESTION = "wat kan ik zelf doen aan mijn heupartrose?"


def test_rest_channel_answers_with_the_thuisarts_link(stack: Stack) -> None:
    response = requests.post(
        f"{stack.base_url}/webhooks/rest/webhook",
        json={"sender": new_sender(), "message": QUESTION},
        timeout=60,
    )
    assert response.status_code == 200
    reply = texts(response.json())
    assert "Rook niet" in reply and "Beweeg genoeg" in reply
    assert f"[Ik heb artrose van de heup]({THUISARTS_HIP})" in reply


def test_conversation_survives_a_server_restart(tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    sender = new_sender()
    first = Stack(workdir=tmp_path, tracker_db=db).start()
    try:
        first.say(sender, QUESTION)
    finally:
        first.stop()
    assert db.exists()

    second = Stack(workdir=tmp_path, tracker_db=db).start(with_actions=False)
    try:
        tracker = second.tracker(sender)
    finally:
        second.stop()
    user_texts = [e.get("text") for e in tracker["events"] if e["event"] == "user"]
    assert QUESTION in user_texts
    assert tracker["slots"]["topic"] == "ask_self_care"
