"""Shared fixtures: a real Heupwijzer stack (action server + Rasa server) on free local ports."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest
import requests
from playwright.sync_api import Browser, sync_playwright

from scripts.launch import listed_variables
from tests.fake_platforms import FakePlatforms

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "heupwijzer.tar.gz"
VENV_BIN = ROOT / ".venv" / "bin"
AUTH_TOKEN = "heupwijzer-test-token"
TEST_REPORTS = ROOT / "test-reports"
# Headless, and no background connections of Chromium's own (updates, sync, safe browsing).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
THUISARTS_HIP = "https://www.thuisarts.nl/artrose/ik-heb-artrose-van-heup"
# Every variable credentials.yml reads, as listed in .env.example.
CHANNEL_VARS = listed_variables()
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# The chat page of the session's stack; by default the launcher allows only this page's origins.
WEB_PORT = free_port()
WEB_ORIGIN = f"http://127.0.0.1:{WEB_PORT}"


def channel_env(platforms_url: str) -> Dict[str, str]:
    return {
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


def wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited during startup:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up in {timeout} s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Stack:
    """Heupwijzer started by scripts/launch.py, the launcher behind `make run`, on free ports.

    The launcher's own options select ports, paths and servers; the HTTP API (to read trackers)
    is its --api-token option. Channel settings come from the environment, as in production.
    """

    workdir: Path
    tracker_db: Path
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    web_port: int = WEB_PORT
    services: str = "actions,rasa,web"
    settings: Dict[str, str] = field(default_factory=dict)  # channel settings, empty = not enabled
    launcher: Optional[subprocess.Popen] = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}/"

    def start(self) -> "Stack":
        # Only what this stack sets: no channel or practice settings of the developer's shell.
        env = {name: value for name, value in os.environ.items()
               if name not in CHANNEL_VARS and not name.startswith("HEUPWIJZER_")}
        env.update(self.settings)
        args = [
            str(VENV_BIN / "python"), "scripts/launch.py", "--env-file", "",
            "--rasa-port", str(self.rasa_port), "--actions-port", str(self.actions_port),
            "--web-port", str(self.web_port), "--state-dir", str(self.workdir / "state"),
            "--tracker-db", str(self.tracker_db), "--api-token", AUTH_TOKEN,
            "--services", self.services, "--log-dir", str(self.workdir),
        ]
        log = self.workdir / "launcher.log"
        with log.open("w") as out:
            self.launcher = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        ready = "Heupwijzer draait"
        deadline = time.monotonic() + 300
        while ready not in log.read_text(encoding="utf-8", errors="replace"):
            if self.launcher.poll() is not None or time.monotonic() > deadline:
                logs = "\n".join(f"--- {name}\n" + path.read_text(errors="replace")[-2000:]
                                 for name, path in sorted((p.name, p) for p in self.workdir.glob("*.log")))
                self.stop()
                raise RuntimeError(f"Heupwijzer did not start:\n{logs}")
            time.sleep(0.5)
        return self

    def log(self, name: str = "rasa") -> str:
        return (self.workdir / f"{name}.log").read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.launcher is not None:
            stop(self.launcher)
            self.launcher = None

    def say(self, sender: str, text: str) -> List[Dict[str, Any]]:
        """Send a message through the REST channel; return the bot's messages."""
        response = requests.post(
            f"{self.base_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=60,
        )
        response.raise_for_status()
        return response.json()

    def parse(self, text: str) -> Dict[str, Any]:
        response = requests.post(
            f"{self.base_url}/model/parse", params={"token": AUTH_TOKEN}, json={"text": text}, timeout=30
        )
        response.raise_for_status()
        return response.json()

    def tracker(self, sender: str) -> Dict[str, Any]:
        response = requests.get(
            f"{self.base_url}/conversations/{sender}/tracker", params={"token": AUTH_TOKEN}, timeout=30
        )
        response.raise_for_status()
        return response.json()


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def platforms() -> Iterator[FakePlatforms]:
    fake = FakePlatforms().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, platforms: FakePlatforms) -> Iterator[Stack]:
    """The whole assistant, every channel enabled against the local fake platforms."""
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run the tests through `make test`, which trains it.")
    workdir = tmp_path_factory.mktemp("stack")
    running = Stack(workdir=workdir, tracker_db=workdir / "tracker.db", settings=channel_env(platforms.url))
    yield running.start()
    running.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium (installed by `make test` when missing), driven by Playwright."""
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Debian's chromium is missing: `make test` installs it (scripts/setup_browser.sh).")
    with sync_playwright() as playwright:
        running = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield running
        running.close()


def texts(messages: List[Dict[str, Any]]) -> str:
    return "\n".join(message.get("text") or "" for message in messages)


def button_titles(messages: List[Dict[str, Any]]) -> List[str]:
    return [button["title"] for message in messages for button in message.get("buttons") or []]
