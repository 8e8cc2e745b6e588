"""Shared fixtures: a real Heupwijzer stack (action server + Rasa server) on free local ports."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from typing import Any, Dict, Iterator, List, Tuple

import pytest
from playwright.sync_api import Browser, sync_playwright
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from heupwijzer.paths import MODEL, ROOT, VENV_BIN  # noqa: F401  (the tests import them from here)
from tests.fake_platforms import FakePlatforms
from tests.harness.stack import API_TOKEN, ID_SECRET, REST_HEADERS, free_port, texts  # noqa: F401  (used by the tests)
from tests.harness.stack import Stack as RunningStack

# Connectors built inside the tests (unit tests) store conversations under pseudonyms too.
os.environ.setdefault("HEUPWIJZER_ID_SECRET", ID_SECRET)
TEST_REPORTS = ROOT / "test-reports"
# Headless, and no background connections of Chromium's own (updates, sync, safe browsing).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
THUISARTS_HIP = "https://www.thuisarts.nl/artrose/ik-heb-artrose-van-heup"
# Test settings for the channels: secrets known to the tests, APIs on the local fake platforms.
TELEGRAM_TOKEN = "123456:TEST-telegram-token"
TELEGRAM_SECRET = "telegram-secret-for-tests"
TWILIO_SID = "AC" + "1" * 32
TWILIO_AUTH = "twilio-auth-token-for-tests"
TWILIO_NUMBER = "whatsapp:+14155238886"
TWILIO_WEBHOOK = "https://heupwijzer.example/webhooks/twilio/webhook"
WHATSAPP_APP_SECRET = "whatsapp-app-secret-for-tests"
WHATSAPP_VERIFY = "whatsapp-verify-token-for-tests"
WHATSAPP_PHONE_ID = "1098765432"


# The chat page of the session's stack; by default the launcher allows only this page's origins.
WEB_PORT = free_port()
WEB_ORIGIN = f"http://127.0.0.1:{WEB_PORT}"
# The practice's own website, which embeds the widget: the one site in HEUPWIJZER_CORS_ORIGINS.
PRACTICE_SITE_PORT = free_port()
PRACTICE_SITE = f"http://127.0.0.1:{PRACTICE_SITE_PORT}"


def channel_env(platforms_url: str) -> Dict[str, str]:
    return {
        "HEUPWIJZER_CORS_ORIGINS": PRACTICE_SITE,
        "TELEGRAM_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
        "TELEGRAM_WEBHOOK_URL": "https://heupwijzer.example/webhooks/telegram/webhook",
        "TELEGRAM_API_BASE_URL": f"{platforms_url}/telegram",
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_AUTH,
        "TWILIO_WHATSAPP_NUMBER": TWILIO_NUMBER,
        "TWILIO_WEBHOOK_URL": TWILIO_WEBHOOK,
        "TWILIO_API_BASE_URL": f"{platforms_url}/twilio",
        "WHATSAPP_ACCESS_TOKEN": "whatsapp-access-token-for-tests",
        "WHATSAPP_APP_SECRET": WHATSAPP_APP_SECRET,
        "WHATSAPP_VERIFY_TOKEN": WHATSAPP_VERIFY,
        "WHATSAPP_PHONE_NUMBER_ID": WHATSAPP_PHONE_ID,
        "WHATSAPP_API_BASE_URL": f"{platforms_url}/graph",
    }


class Stack(RunningStack):
    """The stack of tests/harness/stack.py; the session's web page sits on WEB_PORT (the allowed origin)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("web_port", WEB_PORT)
        super().__init__(*args, **kwargs)


LIVE_FIXTURES = {"stack", "judging_stack", "browser", "chat_page", "practice_site"}


SESSION_STACK_GROUP = "session-stack"


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: List[pytest.Item]) -> None:
    """Tests that need a running Heupwijzer (a trained model, servers) or a browser are marked
    `stack`: `pytest -m "not stack"` runs the unit tests alone, in seconds.

    For `make test` (pytest-xdist, --dist loadgroup) each module is one group, and every module
    that talks to the session's stack joins one group: one worker starts that stack (40 CPU
    seconds); the judging sets (their own stack), the production farm, the browser's first run and
    the unit tests go to the others."""
    uses_session_stack = {item.module.__name__ for item in items if "stack" in getattr(item, "fixturenames", ())}
    for item in items:
        if LIVE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.stack)
        module = item.module.__name__
        item.add_marker(pytest.mark.xdist_group(SESSION_STACK_GROUP if module in uses_session_stack else module))


def run_async(coroutine: Any) -> Any:
    """asyncio.run in a thread of its own: Playwright's sync API (the session's browser) keeps an
    event loop running in the main thread once a test has used it."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def platforms() -> Iterator[FakePlatforms]:
    fake = FakePlatforms().start()
    yield fake
    fake.stop()


def started_stack(tmp_path_factory: pytest.TempPathFactory, name: str, **options: Any) -> Iterator[Stack]:
    """A stack with a store of its own in a fresh directory, for the length of a fixture."""
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run the tests through `make test`, which trains it.")
    workdir = tmp_path_factory.mktemp(name)
    running = Stack(workdir=workdir, tracker_db=workdir / "tracker.db", **options)
    yield running.start()
    running.stop()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, platforms: FakePlatforms) -> Iterator[Stack]:
    """The whole assistant, every channel enabled against the local fake platforms."""
    yield from started_stack(tmp_path_factory, "stack", settings=channel_env(platforms.url))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium (installed by `make test` when missing), driven by Playwright."""
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Debian's chromium is missing: `make test` installs it (tools/setup_debian_package.sh).")
    with sync_playwright() as playwright:
        running = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield running
        running.close()


# --- unit tests of the actions: one tracker builder, one way to run an action, one button helper ---
def action(name: str) -> Dict[str, Any]:
    return {"event": "action", "name": name}


def user(intent: str, text: str = "") -> Dict[str, Any]:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


def bot(text: str, buttons: List[Dict[str, str]] | None = None, response: str | None = None) -> Dict[str, Any]:
    """A bot message; `response` is the domain response it came from (Rasa stores it as utter_action)."""
    return {
        "event": "bot",
        "text": text,
        "data": {"buttons": buttons or []},
        "metadata": {"utter_action": response} if response else {},
    }


def make_tracker(
    intent: str = "greet",
    events: List[Dict[str, Any]] | None = None,
    slots: Dict[str, Any] | None = None,
    ranking: List[Dict[str, Any]] | None = None,
    entities: List[Dict[str, Any]] | None = None,
    text: str = "",
) -> Tracker:
    """A conversation whose latest message has this intent (and text, ranking, entities)."""
    latest = {
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities or [],
        "text": text,
        "intent_ranking": ranking or [],
    }
    return Tracker("unit", slots or {}, latest, (events or []) + [user(intent, text)], False, None, {}, "action_listen")


def run_action(act: Any, trk: Tracker) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    """The messages an action sends and the events it returns."""
    dispatcher = CollectingDispatcher()
    events = act.run(dispatcher, trk, {})
    if asyncio.iscoroutine(events):
        events = asyncio.run(events)
    return dispatcher.messages, events


def titles(messages: List[Dict[str, Any]]) -> List[str]:
    """Every button title of these messages, in order."""
    return [b["title"] for m in messages for b in m.get("buttons") or []]
