"""Shared fixtures: a real Heupwijzer stack (action server + Rasa server) on free local ports."""
from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import requests

from tests.fake_platforms import FakePlatforms

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "heupwijzer.tar.gz"
VENV_BIN = ROOT / ".venv" / "bin"
AUTH_TOKEN = "heupwijzer-test-token"
THUISARTS_HIP = "https://www.thuisarts.nl/artrose/ik-heb-artrose-van-heup"
# Every variable credentials.yml reads, as listed in .env.example.
CHANNEL_VARS = [
    line.split("=", 1)[0]
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    if line and line[0].isupper() and "=" in line
]
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


# The chat page's address is fixed before the servers start: it is the one allowed origin.
WEB_PORT = free_port()
WEB_ORIGIN = f"http://127.0.0.1:{WEB_PORT}"


def channel_env(platforms_url: str) -> Dict[str, str]:
    return {
        "HEUPWIJZER_CORS_ORIGINS": WEB_ORIGIN,
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
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Stack:
    """A running action server and Rasa server, with helpers to talk to them."""

    workdir: Path
    tracker_db: Path
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    processes: List[subprocess.Popen] = field(default_factory=list)
    settings: Dict[str, str] = field(default_factory=dict)  # channel settings, empty = not enabled

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def _env(self) -> Dict[str, str]:
        env = dict(os.environ)
        env.update({name: "" for name in CHANNEL_VARS})
        env.update(self.settings)
        env.update(
            HEUPWIJZER_ACTION_URL=f"http://127.0.0.1:{self.actions_port}/webhook",
            HEUPWIJZER_TRACKER_DB=str(self.tracker_db),
            TF_CPP_MIN_LOG_LEVEL="2",
            SQLALCHEMY_SILENCE_UBER_WARNING="1",
        )
        return env

    def _spawn(self, name: str, args: List[str]) -> subprocess.Popen:
        log = self.workdir / f"{name}.log"
        process = subprocess.Popen(
            args, cwd=ROOT, env=self._env(), stdout=log.open("w"), stderr=subprocess.STDOUT
        )
        self.processes.append(process)
        return process

    def start(self, with_actions: bool = True) -> "Stack":
        if with_actions:
            actions = self._spawn(
                "actions",
                [str(VENV_BIN / "rasa"), "run", "actions", "--actions", "actions",
                 "--port", str(self.actions_port)],
            )
        rasa = self._spawn(
            "rasa",
            [str(VENV_BIN / "rasa"), "run", "-m", str(MODEL), "--port", str(self.rasa_port),
             "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
             "--enable-api", "--auth-token", AUTH_TOKEN],
        )
        if with_actions:
            wait_until_up(f"http://127.0.0.1:{self.actions_port}/health", actions,
                          self.workdir / "actions.log")
        wait_until_up(f"{self.base_url}/", rasa, self.workdir / "rasa.log")
        return self

    def log(self) -> str:
        return (self.workdir / "rasa.log").read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        for process in reversed(self.processes):
            stop(process)
        self.processes.clear()

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


def texts(messages: List[Dict[str, Any]]) -> str:
    return "\n".join(message.get("text") or "" for message in messages)


def button_titles(messages: List[Dict[str, Any]]) -> List[str]:
    return [button["title"] for message in messages for button in message.get("buttons") or []]
