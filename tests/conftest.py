"""Shared fixtures: a real Heupwijzer stack (action server + Rasa server) on free local ports."""
from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "heupwijzer.tar.gz"
VENV_BIN = ROOT / ".venv" / "bin"
AUTH_TOKEN = "heupwijzer-test-token"
THUISARTS_HIP = "https://www.thuisarts.nl/artrose/ik-heb-artrose-van-heup"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def _env(self) -> Dict[str, str]:
        env = dict(os.environ)
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
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run the tests through `make test`, which trains it.")
    workdir = tmp_path_factory.mktemp("stack")
    running = Stack(workdir=workdir, tracker_db=workdir / "tracker.db").start()
    yield running
    running.stop()


def texts(messages: List[Dict[str, Any]]) -> str:
    return "\n".join(message.get("text") or "" for message in messages)


def button_titles(messages: List[Dict[str, Any]]) -> List[str]:
    return [button["title"] for message in messages for button in message.get("buttons") or []]


def button_payload(messages: List[Dict[str, Any]], title: str) -> Optional[str]:
    for message in messages:
        for button in message.get("buttons") or []:
            if button["title"] == title:
                return button["payload"]
    return None
