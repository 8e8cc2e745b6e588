"""The real channels end to end, against local fake platform servers (tests/fake_platforms.py).

Correct requests get the right answer sent back through the (fake) platform API; forged or
unsigned requests get 401/403 and nothing is sent; malformed, empty, huge and unknown requests
get 4xx without a crash; a message delivered twice is answered once.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List

import pytest
import requests
import websockets
from twilio.request_validator import RequestValidator

from tests.conftest import (
    REST_HEADERS,
    TELEGRAM_SECRET,
    THUISARTS_HIP,
    TWILIO_AUTH,
    TWILIO_NUMBER,
    TWILIO_WEBHOOK,
    WEB_ORIGIN,
    WHATSAPP_APP_SECRET,
    WHATSAPP_PHONE_ID,
    WHATSAPP_VERIFY,
    Stack,
)
from tests.fake_platforms import Call, FakePlatforms

pytestmark = pytest.mark.stack  # every test here talks to a running Heupwijzer

QUESTION = "wat kan ik zelf doen aan mijn heupartrose?"
ONE_MB = b"x" * (1024 * 1024)
ids = itertools.count(1000)


def post(stack: Stack, channel: str, **kwargs: Any) -> requests.Response:
    return requests.post(f"{stack.base_url}/webhooks/{channel}/webhook", timeout=60, **kwargs)


# --- Telegram -----------------------------------------------------------------------------------
def telegram_update(chat: int, text: str | None = None, **extra: Any) -> Dict[str, Any]:
    message: Dict[str, Any] = {
        "message_id": next(ids),
        "date": 0,
        "chat": {"id": chat, "type": "private"},
        "from": {"id": chat, "is_bot": False, "first_name": "Test"},
    }
    if text is not None:
        message["text"] = text
    message.update(extra)
    return {"update_id": next(ids), "message": message}


def telegram(stack: Stack, update: Any, secret: str | None = TELEGRAM_SECRET, **kwargs: Any) -> requests.Response:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
    if "data" not in kwargs:
        kwargs["json"] = update
    return post(stack, "telegram", headers=headers, **kwargs)


def telegram_sent(platforms: FakePlatforms, chat: int, count: int = 1) -> List[Call]:
    return platforms.wait_for(
        lambda c: c.path.endswith("/sendMessage") and str(c.body.get("chat_id")) == str(chat), count
    )


def sent_to_telegram(platforms: FakePlatforms, chat: int) -> List[Call]:
    """What was sent, without waiting: a webhook call returns only after its replies went out."""
    return platforms.sent(lambda c: c.path.endswith("/sendMessage") and str(c.body.get("chat_id")) == str(chat))


def new_chat() -> int:
    return next(ids) * 1000


def test_telegram_webhook_is_registered_with_the_secret_token(stack: Stack, platforms: FakePlatforms) -> None:
    calls = platforms.wait_for(lambda c: c.path.endswith("/setWebhook"))
    assert calls, "setWebhook was not called"
    assert calls[0].body["secret_token"] == TELEGRAM_SECRET
    assert calls[0].body["url"] == "https://heupwijzer.example/webhooks/telegram/webhook"


def test_telegram_answer_with_link_and_inline_keyboard(stack: Stack, platforms: FakePlatforms) -> None:
    chat = new_chat()
    assert telegram(stack, telegram_update(chat, QUESTION)).status_code == 200
    sent = telegram_sent(platforms, chat, count=3)
    texts = " ".join(c.body["text"] for c in sent)
    assert "Rook niet" in texts
    assert f'<a href="{THUISARTS_HIP}">Ik heb artrose van de heup</a>' in texts
    assert all(c.body.get("parse_mode") == "HTML" for c in sent)
    keyboards = [json.loads(c.body["reply_markup"]) for c in sent if c.body.get("reply_markup")]
    titles = [row[0]["text"] for keyboard in keyboards for row in keyboard["inline_keyboard"]]
    assert "Meer lezen" in titles and "👍 Ja" in titles


def test_telegram_button_tap_answers_that_topic(stack: Stack, platforms: FakePlatforms) -> None:
    chat = new_chat()
    update = {
        "update_id": next(ids),
        "callback_query": {
            "id": "cb1",
            "data": "/ask_pain",
            "chat_instance": "x",
            "from": {"id": chat, "is_bot": False, "first_name": "T"},
            "message": {"message_id": 1, "date": 0, "chat": {"id": chat, "type": "private"}},
        },
    }
    assert telegram(stack, update).status_code == 200
    assert "hoe je met pijn omgaat" in " ".join(c.body["text"] for c in telegram_sent(platforms, chat))
    assert platforms.wait_for(lambda c: c.path.endswith("/answerCallbackQuery"))


@pytest.mark.parametrize("secret", [None, "wrong-secret"])
def test_telegram_rejects_requests_without_the_secret_token(
    stack: Stack, platforms: FakePlatforms, secret: str | None
) -> None:
    chat = new_chat()
    assert telegram(stack, telegram_update(chat, QUESTION), secret=secret).status_code == 403
    assert sent_to_telegram(platforms, chat) == []


def test_telegram_sticker_gets_a_friendly_reply_and_edits_are_ignored(stack: Stack, platforms: FakePlatforms) -> None:
    chat = new_chat()
    assert telegram(stack, telegram_update(chat, sticker={"file_id": "x"})).status_code == 200
    assert "alleen tekst lezen" in telegram_sent(platforms, chat)[0].body["text"]
    edited = {"update_id": next(ids), "edited_message": telegram_update(chat, "hallo")["message"]}
    assert telegram(stack, edited).status_code == 200
    assert len(sent_to_telegram(platforms, chat)) == 1


def test_telegram_same_update_twice_is_answered_once(stack: Stack, platforms: FakePlatforms) -> None:
    chat = new_chat()
    update = telegram_update(chat, "wanneer moet ik nou naar een fysio gaan?")
    assert telegram(stack, update).status_code == 200
    first = len(telegram_sent(platforms, chat, count=3))
    assert telegram(stack, update).status_code == 200
    assert len(sent_to_telegram(platforms, chat)) == first


@pytest.mark.parametrize(
    "body,status",
    [
        (b"{not json", 400),
        (b"", 400),
        (b"[1, 2]", 400),
        (json.dumps({"update_id": 5, "poll": {}}).encode(), 400),
        (ONE_MB, 413),
    ],
    ids=["malformed", "empty", "not-an-object", "unknown-update", "1MB"],
)
def test_telegram_bad_requests_get_4xx(stack: Stack, body: bytes, status: int) -> None:
    response = telegram(stack, None, data=body)
    assert response.status_code == status


# --- WhatsApp through Twilio ---------------------------------------------------------------------
def twilio(stack: Stack, params: Dict[str, str], signature: str | None = "valid") -> requests.Response:
    headers = {}
    if signature == "valid":
        headers["X-Twilio-Signature"] = RequestValidator(TWILIO_AUTH).compute_signature(TWILIO_WEBHOOK, params)
    elif signature:
        headers["X-Twilio-Signature"] = signature
    return post(stack, "twilio", data=params, headers=headers)


def twilio_message(sender: str, body: str) -> Dict[str, str]:
    return {
        "From": sender,
        "To": TWILIO_NUMBER,
        "Body": body,
        "MessageSid": f"SM{uuid.uuid4().hex}",
        "AccountSid": "AC" + "1" * 32,
        "NumMedia": "0",
    }


def twilio_sent(platforms: FakePlatforms, sender: str, count: int = 1) -> List[Call]:
    return platforms.wait_for(lambda c: c.platform == "twilio" and c.body.get("To") == sender, count)


def new_whatsapp_number() -> str:
    return f"whatsapp:+316{next(ids):08d}"


def test_twilio_answer_is_plain_text_with_numbered_options(stack: Stack, platforms: FakePlatforms) -> None:
    sender = new_whatsapp_number()
    response = twilio(stack, twilio_message(sender, QUESTION))
    assert response.status_code == 200 and "<Response>" in response.text
    sent = twilio_sent(platforms, sender, count=3)
    bodies = "\n".join(c.body["Body"] for c in sent)
    assert all(c.body["From"] == TWILIO_NUMBER for c in sent)
    assert "Rook niet" in bodies and THUISARTS_HIP in bodies and "](" not in bodies
    assert "1. " in bodies and "Typ het nummer van je keuze" in bodies
    assert "(/" not in bodies, "payloads must not be shown to the patient"


def test_twilio_reply_with_a_number_selects_that_option(stack: Stack, platforms: FakePlatforms) -> None:
    sender = new_whatsapp_number()
    twilio(stack, twilio_message(sender, QUESTION))
    sent = twilio_sent(platforms, sender, count=3)
    options = [line for c in sent for line in c.body["Body"].splitlines() if line[:1].isdigit()]
    assert any(line.endswith("👍 Ja") for line in options)
    number = next(line.split(".")[0] for line in options if line.endswith("Meer lezen"))
    before = len(sent)
    assert twilio(stack, twilio_message(sender, number)).status_code == 200
    later = twilio_sent(platforms, sender, count=before + 1)[before:]
    assert "Meer lezen over 'Zelf doen'" in " ".join(c.body["Body"] for c in later)


@pytest.mark.parametrize("signature,status", [(None, 401), ("forged-signature", 403)])
def test_twilio_rejects_unsigned_or_forged_requests(
    stack: Stack, platforms: FakePlatforms, signature: str | None, status: int
) -> None:
    sender = new_whatsapp_number()
    assert twilio(stack, twilio_message(sender, QUESTION), signature=signature).status_code == status
    assert platforms.sent(lambda c: c.platform == "twilio" and c.body.get("To") == sender) == []


def test_twilio_signature_covers_the_body(stack: Stack, platforms: FakePlatforms) -> None:
    sender = new_whatsapp_number()
    params = twilio_message(sender, "hallo")
    signature = RequestValidator(TWILIO_AUTH).compute_signature(TWILIO_WEBHOOK, params)
    tampered = {**params, "Body": "iets anders"}
    assert twilio(stack, tampered, signature=signature).status_code == 403
    assert platforms.sent(lambda c: c.platform == "twilio" and c.body.get("To") == sender) == []


def test_twilio_same_message_twice_is_answered_once(stack: Stack, platforms: FakePlatforms) -> None:
    sender = new_whatsapp_number()
    params = twilio_message(sender, "hoeveel moet ik eigenlijk bewegen per week?")
    twilio(stack, params)
    first = len(twilio_sent(platforms, sender, count=3))
    assert twilio(stack, params).status_code == 200
    assert len(platforms.sent(lambda c: c.platform == "twilio" and c.body.get("To") == sender)) == first


def test_twilio_media_without_text_gets_a_friendly_reply(stack: Stack, platforms: FakePlatforms) -> None:
    sender = new_whatsapp_number()
    params = {**twilio_message(sender, ""), "NumMedia": "1", "MediaUrl0": "https://example.com/a.jpg"}
    assert twilio(stack, params).status_code == 200
    assert "alleen tekst lezen" in twilio_sent(platforms, sender)[0].body["Body"]


def test_twilio_bad_requests_get_4xx(stack: Stack, platforms: FakePlatforms) -> None:
    assert twilio(stack, {"Body": "hallo"}).status_code == 400  # signed, but no sender
    sender = new_whatsapp_number()
    status_callback = {
        "MessageSid": f"SM{uuid.uuid4().hex}",
        "MessageStatus": "delivered",
        "From": sender,
        "To": TWILIO_NUMBER,
        "AccountSid": "AC" + "1" * 32,
    }
    assert twilio(stack, status_callback).status_code == 400  # signed, but not an incoming message
    assert platforms.sent(lambda c: c.platform == "twilio" and c.body.get("To") == sender) == []
    assert post(stack, "twilio", data=ONE_MB, headers={"X-Twilio-Signature": "x"}).status_code == 413
    assert post(stack, "twilio", data=b"").status_code == 401


# --- WhatsApp through Meta's Cloud API -----------------------------------------------------------
def meta_body(sender: str, message: Dict[str, Any]) -> bytes:
    message = {"from": sender, "id": f"wamid.{uuid.uuid4().hex}", "timestamp": "0", **message}
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"phone_number_id": WHATSAPP_PHONE_ID},
                            "contacts": [{"wa_id": sender}],
                            "messages": [message],
                        },
                    }
                ],
            }
        ],
    }
    return json.dumps(payload).encode("utf-8")


def meta(stack: Stack, body: bytes, signature: str | None = "valid") -> requests.Response:
    headers = {"Content-Type": "application/json"}
    if signature == "valid":
        digest = hmac.new(WHATSAPP_APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
        headers["X-Hub-Signature-256"] = f"sha256={digest}"
    elif signature:
        headers["X-Hub-Signature-256"] = signature
    return post(stack, "whatsapp", data=body, headers=headers)


def meta_sent(platforms: FakePlatforms, sender: str, count: int = 1) -> List[Call]:
    return platforms.wait_for(lambda c: c.platform == "graph" and c.body.get("to") == sender, count)


def new_wa_id() -> str:
    return f"316{next(ids):08d}"


def test_meta_subscription_check(stack: Stack) -> None:
    url = f"{stack.base_url}/webhooks/whatsapp/webhook"
    good = {"hub.mode": "subscribe", "hub.verify_token": WHATSAPP_VERIFY, "hub.challenge": "1158201444"}
    response = requests.get(url, params=good, timeout=30)
    assert response.status_code == 200 and response.text == "1158201444"
    assert requests.get(url, params={**good, "hub.verify_token": "guess"}, timeout=30).status_code == 403


def shown(call: Call) -> str:
    """What WhatsApp shows of one message: its text, or an interactive message's text and options."""
    if call.body["type"] == "text":
        return str(call.body["text"]["body"])
    message = call.body["interactive"]
    options = [b["reply"]["title"] for b in message["action"].get("buttons", [])] + [
        f"{row['title']} {row.get('description', '')}"
        for s in message["action"].get("sections", [])
        for row in s["rows"]
    ]
    return "\n".join([message["body"]["text"], *options])


def options_of(call: Call) -> List[Dict[str, str]]:
    """The ids and titles a patient can tap in an interactive message."""
    action = call.body["interactive"]["action"]
    return [b["reply"] for b in action.get("buttons", [])] + [r for s in action.get("sections", []) for r in s["rows"]]


def test_meta_answer_goes_out_through_the_graph_api_with_native_options(stack: Stack, platforms: FakePlatforms) -> None:
    sender = new_wa_id()
    assert meta(stack, meta_body(sender, {"type": "text", "text": {"body": QUESTION}})).status_code == 200
    sent = meta_sent(platforms, sender, count=2)
    assert all(c.path == f"/graph/{WHATSAPP_PHONE_ID}/messages" for c in sent)
    assert all(c.headers.get("Authorization") == "Bearer whatsapp-access-token-for-tests" for c in sent)
    bodies = "\n".join(shown(c) for c in sent)
    assert "Rook niet" in bodies and THUISARTS_HIP in bodies and "](" not in bodies
    assert "Typ het nummer" not in bodies  # no numbered list: WhatsApp's own buttons or list
    assert sent[0].body["type"] == "text" and sent[0].body["text"]["preview_url"] is True
    options = sent[-1].body
    assert options["type"] == "interactive" and options["interactive"]["type"] == "list"  # 4 options
    rows = options_of(sent[-1])
    assert {"id": "/help", "title": "Alle onderwerpen"} in rows and all(len(r["title"]) <= 24 for r in rows)


def test_meta_a_tap_on_a_list_row_continues_the_conversation(stack: Stack, platforms: FakePlatforms) -> None:
    sender = new_wa_id()
    meta(stack, meta_body(sender, {"type": "text", "text": {"body": "hallo"}}))
    menu = [c for c in meta_sent(platforms, sender, count=1) if c.body["type"] == "interactive"][-1]
    row = next(r for r in options_of(menu) if r["title"] == "Kunstheup en operatie")
    before = len(platforms.sent(lambda c: c.platform == "graph" and c.body.get("to") == sender))
    tap = {"type": "list_reply", "list_reply": {"id": row["id"], "title": row["title"]}}
    assert meta(stack, meta_body(sender, {"type": "interactive", "interactive": tap})).status_code == 200
    reply = meta_sent(platforms, sender, count=before + 1)[before:]
    assert "Wanneer een kunstheup?" in " ".join(shown(c) for c in reply)
    choice = next(r for r in options_of(reply[-1]) if r["title"] == "Wanneer een kunstheup?")
    before = len(platforms.sent(lambda c: c.platform == "graph" and c.body.get("to") == sender))
    tap = {"type": "button_reply", "button_reply": {"id": choice["id"], "title": choice["title"]}}
    meta(stack, meta_body(sender, {"type": "interactive", "interactive": tap}))
    answer = " ".join(shown(c) for c in meta_sent(platforms, sender, count=before + 2)[before:])
    assert "kunstheup" in answer.lower() and "Bedoel je" not in answer


def feedback_counts(db: Path) -> Dict[str, int]:
    """The insights' feedback counts (topic|rating -> count) of the session's store."""
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT key, SUM(count) FROM insights_counts WHERE metric = 'feedback' GROUP BY key")
        return {key: int(count) for key, count in rows.fetchall()}


def react(stack: Stack, sender: str, message_id: str, emoji: str) -> None:
    reaction = {"type": "reaction", "reaction": {"message_id": message_id, "emoji": emoji}}
    assert meta(stack, meta_body(sender, reaction)).status_code == 200


def test_meta_a_reaction_rates_that_answers_topic_without_a_reply(stack: Stack, platforms: FakePlatforms) -> None:
    """A reaction counts in the insights for the answer's topic, once per answer (whichever of its
    messages gets it), and is no turn of the conversation: a Beweegcheck goes on as if nothing happened."""
    sender = new_wa_id()
    meta(stack, meta_body(sender, {"type": "text", "text": {"body": QUESTION}}))
    answer, _, question = meta_sent(platforms, sender, count=3)[:3]  # the answer, its link, "Had je iets aan ...?"
    meta(stack, meta_body(sender, {"type": "text", "text": {"body": "beweeg ik genoeg?"}}))
    sent = len(meta_sent(platforms, sender, count=4))
    before = feedback_counts(stack.tracker_db)
    react(stack, sender, answer.reply["messages"][0]["id"], "😂")  # no rating: ignored
    react(stack, sender, answer.reply["messages"][0]["id"], "")  # a reaction taken back: ignored
    react(stack, sender, "wamid.not-ours", "👍")  # not one of Heupwijzer's answers: ignored
    react(stack, new_wa_id(), answer.reply["messages"][0]["id"], "👍")  # another patient's answer: ignored
    react(stack, sender, answer.reply["messages"][0]["id"], "👍🏽")  # a thumb in a skin tone
    react(stack, sender, answer.reply["messages"][0]["id"], "👎")  # changed its mind: the first rating stays
    react(stack, sender, question.reply["messages"][0]["id"], "😢")  # the same answer's question: rated already
    after = feedback_counts(stack.tracker_db)
    assert after.get("ask_self_care|duim_omhoog", 0) == before.get("ask_self_care|duim_omhoog", 0) + 1
    assert sum(after.values()) == sum(before.values()) + 1  # one answer, one rating
    time.sleep(0.5)
    assert len(platforms.sent(lambda c: c.platform == "graph" and c.body.get("to") == sender)) == sent  # no reply
    meta(stack, meta_body(sender, {"type": "text", "text": {"body": "3"}}))
    assert "Vraag 2 van 2" in " ".join(shown(c) for c in meta_sent(platforms, sender, count=sent + 1)[sent:])


def test_meta_voice_notes_get_the_text_only_reply_with_the_menu_once_per_burst(
    stack: Stack, platforms: FakePlatforms
) -> None:
    sender = new_wa_id()
    voice = {"type": "audio", "audio": {"id": "1", "mime_type": "audio/ogg; codecs=opus", "voice": True}}
    assert meta(stack, meta_body(sender, voice)).status_code == 200
    assert meta(stack, meta_body(sender, {"type": "image", "image": {"id": "2"}})).status_code == 200
    time.sleep(0.5)
    sent = platforms.sent(lambda c: c.platform == "graph" and c.body.get("to") == sender)
    assert len(sent) == 1 and "alleen tekst lezen" in shown(sent[0])
    assert "Kunstheup en operatie" in [r["title"] for r in options_of(sent[0])]  # the topic menu


def meta_reply_after(stack: Stack, platforms: FakePlatforms, first: str, then: str) -> str:
    """What a new WhatsApp patient receives for `then`, sent after `first`."""
    sender = new_wa_id()
    meta(stack, meta_body(sender, {"type": "text", "text": {"body": first}}))
    before = len(meta_sent(platforms, sender, count=2))
    meta(stack, meta_body(sender, {"type": "text", "text": {"body": then}}))
    later = meta_sent(platforms, sender, count=before + 1)[before:]
    return " ".join(shown(c) for c in later)


def test_meta_reply_by_option_text_selects_it(stack: Stack, platforms: FakePlatforms) -> None:
    assert "Wanneer een kunstheup?" in meta_reply_after(stack, platforms, "hallo", "Kunstheup en operatie")


@pytest.mark.parametrize("signature,status", [(None, 401), ("sha256=" + "0" * 64, 403)])
def test_meta_rejects_unsigned_or_forged_requests(
    stack: Stack, platforms: FakePlatforms, signature: str | None, status: int
) -> None:
    sender = new_wa_id()
    body = meta_body(sender, {"type": "text", "text": {"body": QUESTION}})
    assert meta(stack, body, signature=signature).status_code == status
    assert platforms.sent(lambda c: c.platform == "graph" and c.body.get("to") == sender) == []


def test_meta_same_message_id_twice_is_answered_once(stack: Stack, platforms: FakePlatforms) -> None:
    sender = new_wa_id()
    body = meta_body(sender, {"type": "text", "text": {"body": "hoe gaat de revalidatie na mijn nieuwe heup?"}})
    meta(stack, body)
    first = len(meta_sent(platforms, sender, count=3))
    assert meta(stack, body).status_code == 200
    assert len(platforms.sent(lambda c: c.platform == "graph" and c.body.get("to") == sender)) == first


def test_meta_image_gets_a_friendly_reply_and_status_updates_are_acknowledged(
    stack: Stack, platforms: FakePlatforms
) -> None:
    sender = new_wa_id()
    assert meta(stack, meta_body(sender, {"type": "image", "image": {"id": "1"}})).status_code == 200
    assert "alleen tekst lezen" in shown(meta_sent(platforms, sender)[0])
    status = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "changes": [
                    {
                        "field": "messages",
                        "value": {"statuses": [{"id": "wamid.x", "status": "read", "recipient_id": sender}]},
                    }
                ]
            }
        ],
    }
    assert meta(stack, json.dumps(status).encode()).status_code == 200
    assert len(platforms.sent(lambda c: c.platform == "graph" and c.body.get("to") == sender)) == 1


@pytest.mark.parametrize(
    "body,status",
    [
        (b"{not json", 400),
        (b"", 400),
        (json.dumps({"object": "page", "entry": []}).encode(), 400),
        (json.dumps({"object": "whatsapp_business_account"}).encode(), 400),
        (ONE_MB, 413),
    ],
    ids=["malformed", "empty", "unknown-object", "no-entries", "1MB"],
)
def test_meta_bad_requests_get_4xx(stack: Stack, body: bytes, status: int) -> None:
    assert meta(stack, body).status_code == status


# --- website widget and REST: one CORS header, for the allowed sites only --------------------------
EVIL = "https://evil.example"


def allow_origin(response: requests.Response) -> List[str]:
    """Every Access-Control-Allow-Origin header (requests would join repeated ones with a comma)."""
    return response.raw.headers.getlist("Access-Control-Allow-Origin")


def websocket_status(url: str, origin: str) -> int:
    """The HTTP status of a real WebSocket handshake (101 when the socket opens)."""

    async def handshake() -> int:
        try:
            async with websockets.connect(url, origin=origin, open_timeout=30):
                return 101
        except websockets.InvalidStatusCode as refused:
            return refused.status_code

    return asyncio.run(handshake())


def test_webchat_handshake_has_one_cors_header_and_refuses_other_sites(stack: Stack) -> None:
    url = f"{stack.base_url}/socket.io/"
    polling = {"EIO": "4", "transport": "polling"}
    allowed = requests.get(url, params=polling, headers={"Origin": WEB_ORIGIN}, timeout=30)
    assert allowed.status_code == 200
    assert allow_origin(allowed) == [WEB_ORIGIN]
    refused = requests.get(url, params=polling, headers={"Origin": EVIL}, timeout=30)
    assert refused.status_code == 401
    assert allow_origin(refused) == []
    socket_url = f"ws://127.0.0.1:{stack.rasa_port}/socket.io/?EIO=4&transport=websocket"
    assert websocket_status(socket_url, WEB_ORIGIN) == 101
    assert websocket_status(socket_url, EVIL) == 401


def test_rest_has_one_cors_header_for_the_chat_page_and_none_for_other_sites(stack: Stack) -> None:
    url = f"{stack.base_url}/webhooks/rest/webhook"
    preflight = requests.options(
        url,
        headers={
            "Origin": WEB_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
        timeout=30,
    )
    assert preflight.status_code < 300
    assert allow_origin(preflight) == [WEB_ORIGIN]
    body = {"sender": f"cors-{uuid.uuid4().hex[:8]}", "message": "hallo"}
    allowed = requests.post(url, json=body, headers={"Origin": WEB_ORIGIN, **REST_HEADERS}, timeout=60)
    assert allowed.status_code == 200 and allow_origin(allowed) == [WEB_ORIGIN]
    other = requests.post(url, json=body, headers={"Origin": EVIL, **REST_HEADERS}, timeout=60)
    assert allow_origin(other) == []


def test_meta_numbers_answer_the_beweegcheck_when_no_options_are_open(stack: Stack, platforms: FakePlatforms) -> None:
    assert "Vraag 2 van 2" in meta_reply_after(stack, platforms, "beweeg ik genoeg?", "3")
