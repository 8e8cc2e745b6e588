"""Probes against the running assistant, as an attacker (or a curious script) would send them: who
may post, what is stored, what is echoed, what one message can cost everyone else."""

from __future__ import annotations

import asyncio
import json
import os
import random
import socket
import sqlite3
import string
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
import requests
import socketio

from heupwijzer.channels.identity import conversation_id
from tests.conftest import (
    ID_SECRET,
    PRACTICE_SITE,
    REST_HEADERS,
    ROOT,
    VENV_BIN,
    WEB_ORIGIN,
    Stack,
    new_sender,
    texts,
)
from tests.test_channels import new_whatsapp_number, telegram, twilio, twilio_message, twilio_sent

pytestmark = pytest.mark.stack

QUESTION = "wat kan ik zelf doen aan mijn heupartrose?"
REST = "/webhooks/rest/webhook"


def run_async(coroutine: Any) -> Any:
    """asyncio.run in its own thread: Playwright's sync API may own this thread's event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def rest(stack: Stack, sender: str, text: str, headers: Dict[str, str] | None = None) -> requests.Response:
    return requests.post(
        f"{stack.base_url}{REST}",
        json={"sender": sender, "message": text},
        headers=REST_HEADERS if headers is None else headers,
        timeout=60,
    )


def stored_rows(db: Path) -> List[tuple]:
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT sender_id, data FROM events").fetchall()


def events_of(db: Path, sender_id: str) -> List[Dict[str, Any]]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT data FROM events WHERE sender_id = ?", (sender_id,)).fetchall()
    return [json.loads(row[0]) for row in rows]


# --- who may post ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer tökén"}],
    ids=["none", "wrong", "basic", "non-ascii"],
)
def test_rest_needs_the_token(stack: Stack, headers: Dict[str, str]) -> None:
    encoded = {k: v.encode("utf-8") for k, v in headers.items()}  # requests sends str headers as latin-1
    response = requests.post(
        f"{stack.base_url}{REST}", json={"sender": new_sender(), "message": "hallo"}, headers=encoded, timeout=30
    )
    assert response.status_code == 401
    assert rest(stack, new_sender(), "hallo").status_code == 200


def test_non_ascii_platform_secrets_get_403_not_500(stack: Stack) -> None:
    assert telegram(stack, {"update_id": 1}, secret=None).status_code == 403
    response = requests.post(
        f"{stack.base_url}/webhooks/telegram/webhook",
        data=b"{}",
        headers={"X-Telegram-Bot-Api-Secret-Token": "gëheim".encode()},
        timeout=30,
    )
    assert response.status_code == 403
    response = requests.post(
        f"{stack.base_url}/webhooks/whatsapp/webhook",
        data=b"{}",
        headers={"X-Hub-Signature-256": "sha256=ë".encode()},
        timeout=30,
    )
    assert response.status_code == 403


def test_rest_cannot_reach_a_whatsapp_conversation(stack: Stack, platforms: Any) -> None:
    number = new_whatsapp_number()
    twilio(stack, twilio_message(number, QUESTION))
    twilio_sent(platforms, number, count=3)
    before = stack.tracker(number, channel="twilio")["events"]
    assert rest(stack, number, "/restart").status_code == 200
    assert rest(stack, number, "/feedback_negative").status_code == 200
    after = stack.tracker(number, channel="twilio")["events"]
    assert len(after) == len(before), "a REST caller changed a WhatsApp conversation"
    assert after[-1] == before[-1]


# --- what is stored -------------------------------------------------------------------------------
def test_no_phone_number_or_message_text_in_the_store_or_the_logs(stack: Stack, platforms: Any) -> None:
    number = new_whatsapp_number()
    digits = number.removeprefix("whatsapp:+")
    marker = "kwispel" + "".join(random.choices(string.ascii_lowercase, k=6))  # no digits: not an address
    for text in [QUESTION, f"ik ben Jan de Vries, bel me op 06-{digits[-8:]} ({marker})", "hoe vaak per week?"]:
        twilio(stack, twilio_message(number, text))
    twilio_sent(platforms, number, count=5)
    rows = stored_rows(stack.tracker_db)
    stored = conversation_id("twilio", number, ID_SECRET.encode())
    assert stored.startswith("wa:") and any(sender == stored for sender, _ in rows)
    everything = "\n".join(f"{sender} {data}" for sender, data in rows)
    for secret in (number, digits, digits[-8:], "Jan de Vries"):
        assert secret not in everything, f"{secret!r} is stored"
    user_texts = [e["text"] for e in events_of(stack.tracker_db, stored) if e["event"] == "user"]
    assert any("[PERSOON]" in t and "[TELEFOON]" in t and marker in t for t in user_texts), user_texts
    logs = "\n".join(p.read_text(errors="replace") for p in stack.workdir.glob("*.log"))
    # ... nor in the operator's metrics (heupwijzer/observe/metrics.py) of Rasa and the action server
    for url in (stack.base_url, f"http://127.0.0.1:{stack.actions_port}"):
        logs += requests.get(f"{url}/metrics", timeout=10).text
    assert "heupwijzer_messages_total" in logs
    for secret in (digits, digits[-8:], marker, "Jan de Vries", stored):
        assert secret not in logs, f"{secret!r} is in a log or the metrics"


def test_without_a_practice_password_there_is_no_insights_page(stack: Stack) -> None:
    """The session's stack sets no HEUPWIJZER_INSIGHTS_PASSWORD (tests/test_insights_page.py sets one)."""
    for path in ("insights", "insights/onbeantwoord.csv"):
        response = requests.get(f"{stack.web_url}{path}", auth=("praktijk", "een-wachtwoord"), timeout=30)
        assert response.status_code == 404 and "heup" not in response.text, path


def test_the_tracker_store_file_is_readable_by_its_owner_only(stack: Stack) -> None:
    rest(stack, new_sender(), "hallo")
    assert stack.tracker_db.stat().st_mode & 0o077 == 0
    assert (stack.workdir / "state" / "id_secret").exists() is False  # the tests set HEUPWIJZER_ID_SECRET


# --- typed payloads -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        '/other_body_part{"body_part": "[bel ons](https://evil.example)"}',
        '/help{"menu_group": {"a": 1}}',
        '/help{"menu_group": "[klik](https://evil.example)"}',
        '/ask_pain{"safety_check": "ja"} https://evil.example',
        "/nonsense_intent",
    ],
)
def test_typed_payloads_cannot_inject_or_crash(stack: Stack, text: str) -> None:
    response = rest(stack, new_sender(), text)
    assert response.status_code == 200
    reply = texts(response.json())
    assert reply.strip(), "no answer at all"
    assert "evil.example" not in reply


def test_the_payloads_the_buttons_send_still_work(stack: Stack) -> None:
    messages = rest(stack, new_sender(), '/help{"menu_group": "zelf_doen"}').json()
    titles = [b["title"] for m in messages for b in m.get("buttons") or []]
    assert "Omgaan met pijn" in titles


# --- bounded input --------------------------------------------------------------------------------
def test_a_long_rest_message_gets_the_too_long_reply(stack: Stack) -> None:
    sender = new_sender()
    reply = texts(rest(stack, sender, "mijn heup " * 1000).json())
    assert "te lang" in reply
    assert [e for e in stack.tracker(sender)["events"] if e["event"] == "user"] == []


def test_a_100_kb_socketio_message_is_refused_and_others_keep_their_speed(stack: Stack) -> None:
    def timed_rest() -> float:
        started = time.monotonic()
        assert rest(stack, new_sender(), QUESTION).status_code == 200
        return time.monotonic() - started

    usual = max(timed_rest() for _ in range(3))

    async def chat() -> List[str]:
        client = socketio.AsyncClient()
        replies: List[str] = []
        client.on("bot_uttered", lambda data: replies.append(str(data.get("text"))))
        session = uuid.uuid4().hex
        await client.connect(stack.base_url, headers={"Origin": WEB_ORIGIN}, transports=["websocket"])
        await client.emit("session_request", {"session_id": session})
        await asyncio.sleep(0.5)
        await client.emit("user_uttered", {"session_id": session, "message": "heup " * 20_000})
        during = await asyncio.get_running_loop().run_in_executor(None, timed_rest)
        for _ in range(100):
            if replies:
                break
            await asyncio.sleep(0.1)
        await client.disconnect()
        return replies + [f"during={during}"]

    replies = run_async(chat())
    during = float(replies.pop().split("=")[1])
    assert any("te lang" in reply for reply in replies), replies
    assert during < max(1.0, 3 * usual), f"another patient waited {during:.2f} s (usually {usual:.2f} s)"


@pytest.mark.parametrize("session", ["../../etc", "victim", "x" * 32, ""])
def test_socketio_takes_only_widget_session_ids(stack: Stack, session: str) -> None:
    async def chat() -> List[str]:
        client = socketio.AsyncClient()
        replies: List[str] = []
        client.on("bot_uttered", lambda data: replies.append(str(data)))
        await client.connect(stack.base_url, headers={"Origin": WEB_ORIGIN}, transports=["websocket"])
        await client.emit("session_request", {"session_id": session})
        await asyncio.sleep(0.5)
        if client.connected:
            await client.emit("user_uttered", {"session_id": session, "message": "hallo"})
            await asyncio.sleep(2)
            await client.disconnect()
        return replies

    assert run_async(chat()) == []


def test_a_second_socket_with_a_known_session_id_gets_a_new_session_not_the_conversation(stack: Stack) -> None:
    async def connected(replies: List[str], sessions: List[str]) -> socketio.AsyncClient:
        client = socketio.AsyncClient()
        client.on("bot_uttered", lambda data: replies.append(str(data.get("text"))))
        client.on("session_confirm", lambda data: sessions.append(str(data)))
        await client.connect(stack.base_url, headers={"Origin": WEB_ORIGIN}, transports=["websocket"])
        return client

    async def until(replies: List[str], count: int) -> None:
        for _ in range(150):
            if len(replies) >= count:
                return
            await asyncio.sleep(0.1)

    async def chat() -> Dict[str, Any]:
        session = uuid.uuid4().hex
        mine: List[str] = []
        owner = await connected(mine, [])
        await owner.emit("session_request", {"session_id": session})
        await asyncio.sleep(0.3)
        await owner.emit("user_uttered", {"session_id": session, "message": QUESTION})
        await until(mine, 2)
        theirs: List[str] = []
        sessions: List[str] = []
        intruder = await connected(theirs, sessions)
        await intruder.emit("session_request", {"session_id": session})
        await asyncio.sleep(0.5)
        await intruder.emit("user_uttered", {"session_id": session, "message": "hoe lang duurt dat?"})
        await asyncio.sleep(1)
        ignored = list(theirs)
        await intruder.emit("user_uttered", {"session_id": sessions[0], "message": "hoe lang duurt dat?"})
        await until(theirs, 1)
        seen = len(mine)
        await owner.emit("user_uttered", {"session_id": session, "message": "hoe vaak moet ik dat doen?"})
        await until(mine, seen + 1)
        await intruder.disconnect()
        await owner.disconnect()  # a page reload: the next connection takes the session over
        await asyncio.sleep(0.5)
        reloaded: List[str] = []
        again = await connected([], reloaded)
        await again.emit("session_request", {"session_id": session})
        await asyncio.sleep(0.5)
        await again.disconnect()
        return {
            "session": session,
            "sessions": sessions,
            "ignored": ignored,
            "theirs": theirs,
            "mine": mine[seen:],
            "reloaded": reloaded,
        }

    result = run_async(chat())
    assert result["sessions"][0] != result["session"]  # the other socket: a new session
    assert result["reloaded"] == [result["session"]]  # after the owner's reload, its next socket: the same
    assert result["ignored"] == []  # a message for the owner's session from the other socket: nothing
    assert any("Over welk onderwerp" in text for text in result["theirs"])  # no conversation to follow up on
    assert result["mine"]  # the owner goes on as before


def test_a_widget_session_belongs_to_its_tab_across_reconnects_and_no_other_tab(stack: Stack) -> None:
    """embed.js connects with its tab's token: a new connection of that tab (a dropped network, before
    the server noticed the old one is gone) continues the session; another tab's token does not; and
    a connection may ask for a few sessions only."""

    async def confirmed(token: str, session: str, keep: bool = False) -> Tuple[List[str], socketio.AsyncClient]:
        sessions: List[str] = []
        client = socketio.AsyncClient()
        client.on("session_confirm", lambda data: sessions.append(str(data)))
        await client.connect(
            f"{stack.base_url}?owner={token}", headers={"Origin": WEB_ORIGIN}, transports=["websocket"]
        )
        await client.emit("session_request", {"session_id": session})
        await asyncio.sleep(0.5)
        if not keep:
            await client.disconnect()
        return sessions, client

    async def chat() -> Dict[str, Any]:
        tab, other, session = uuid.uuid4().hex, uuid.uuid4().hex, uuid.uuid4().hex
        first, still_open = await confirmed(tab, session, keep=True)
        again, _ = await confirmed(tab, session)  # the same tab on a new connection, the old one still open
        elsewhere, _ = await confirmed(other, session)
        greedy = socketio.AsyncClient()
        await greedy.connect(stack.base_url, headers={"Origin": WEB_ORIGIN}, transports=["websocket"])
        for _ in range(5):
            if greedy.connected:
                await greedy.emit("session_request", {"session_id": uuid.uuid4().hex})
                await asyncio.sleep(0.3)
        closed = not greedy.connected
        if greedy.connected:
            await greedy.disconnect()
        await still_open.disconnect()
        return {"session": session, "first": first, "again": again, "elsewhere": elsewhere, "closed": closed}

    result = run_async(chat())
    assert result["first"] == [result["session"]] and result["again"] == [result["session"]]
    assert result["elsewhere"] and result["elsewhere"][0] != result["session"]
    assert result["closed"], "a connection asking for session after session is closed"


def test_socketio_refuses_a_client_without_origin(stack: Stack) -> None:
    response = requests.get(f"{stack.base_url}/socket.io/?EIO=4&transport=polling", timeout=30)
    assert response.status_code == 401


# --- retention and erasure ------------------------------------------------------------------------
def test_erasure_on_request_deletes_the_conversation(stack: Stack) -> None:
    sender = new_sender()
    rest(stack, sender, QUESTION)
    stored = conversation_id("rest", sender, ID_SECRET.encode())
    assert events_of(stack.tracker_db, stored)
    asked = texts(rest(stack, sender, "verwijder mijn gesprek").json())
    assert "wis" in asked.lower()
    assert events_of(stack.tracker_db, stored), "nothing may be deleted before the patient confirms"
    done = texts(rest(stack, sender, "ja").json())
    assert "gewist" in done
    assert events_of(stack.tracker_db, stored) == []
    rest(stack, sender, "hallo")
    fresh = stack.tracker(sender)
    assert fresh["slots"].get("topic") is None
    assert QUESTION not in json.dumps(fresh["events"], ensure_ascii=False)


def test_no_to_the_erasure_question_keeps_everything(stack: Stack) -> None:
    sender = new_sender()
    rest(stack, sender, QUESTION)
    rest(stack, sender, "wis mijn gegevens")
    kept = texts(rest(stack, sender, "nee").json())
    assert "wis niets" in kept
    assert stack.tracker(sender)["slots"]["topic"] == "ask_self_care"


def test_purge_deletes_conversations_older_than_the_retention(stack: Stack) -> None:
    old, recent = new_sender(), new_sender()
    rest(stack, old, QUESTION)
    rest(stack, recent, QUESTION)
    old_id = conversation_id("rest", old, ID_SECRET.encode())
    with sqlite3.connect(stack.tracker_db) as connection:
        connection.execute("UPDATE events SET timestamp = timestamp - 31 * 86400 WHERE sender_id = ?", (old_id,))
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEUPWIJZER_")}
    result = subprocess.run(
        [
            str(VENV_BIN / "python"),
            "-m",
            "heupwijzer",
            "purge",
            "--env-file",
            "",
            "--tracker-db",
            str(stack.tracker_db),
        ],
        cwd=ROOT,
        env={**env, "HEUPWIJZER_ID_SECRET": ID_SECRET},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "verwijderd" in result.stdout
    assert events_of(stack.tracker_db, old_id) == []
    assert events_of(stack.tracker_db, conversation_id("rest", recent, ID_SECRET.encode()))


# --- smaller doors ----------------------------------------------------------------------------------
def non_loopback_address() -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_the_action_server_is_on_loopback_and_wants_its_token(stack: Stack) -> None:
    address = non_loopback_address()
    if address is not None:
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://{address}:{stack.actions_port}/health", timeout=5)
    url = f"http://127.0.0.1:{stack.actions_port}/webhook"
    call = {"next_action": "action_privacy", "sender_id": "x", "tracker": {}, "domain": {}, "version": "3.6.0"}
    assert requests.post(url, json=call, timeout=10).status_code == 401
    assert requests.get(f"http://127.0.0.1:{stack.actions_port}/actions", timeout=10).status_code == 401


def test_rasa_does_not_name_its_version(stack: Stack) -> None:
    response = requests.get(f"{stack.base_url}/", timeout=10)
    assert "Rasa" not in response.text and "3.6" not in response.text
    assert response.headers.get("X-Content-Type-Options") == "nosniff"


@pytest.mark.parametrize("path", ["/", "/embed.js"])
def test_the_chat_page_sends_security_headers(stack: Stack, path: str) -> None:
    response = requests.get(f"{stack.web_url.rstrip('/')}{path}", timeout=10)
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert f"frame-ancestors 'self' {PRACTICE_SITE}" in policy
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_widget_keeps_the_conversation_for_the_browser_session_only(stack: Stack) -> None:
    assert requests.get(f"{stack.web_url}config.json", timeout=10).json()["storage"] == "session"
