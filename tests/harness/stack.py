"""A running Heupwijzer, started by heupwijzer/server/launch.py on free ports: for the tests and `make evaluate`.

Everything is started exactly as `make run` starts it; only ports, paths and the launcher's own
options differ. The HTTP API (to parse a text or read a tracker) is the launcher's --api-token.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List

import requests

from heupwijzer.channels.identity import conversation_id
from heupwijzer.paths import ROOT
from heupwijzer.server.options import listed_variables

PYTHON = ROOT / ".venv" / "bin" / "python"
API_TOKEN = "heupwijzer-local-api-token"
# The REST channel's token and the secret behind the conversation ids, as a practice sets them in .env.
REST_TOKEN = "heupwijzer-rest-token-for-tests"
ID_SECRET = "heupwijzer-id-secret-for-tests"
REST_HEADERS = {"Authorization": f"Bearer {REST_TOKEN}"}
READY = "Heupwijzer draait"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_process(process: subprocess.Popen, timeout: float = 40) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Stack:
    """Heupwijzer on free ports, one log file per server in `workdir`."""

    workdir: Path
    tracker_db: Path
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    web_port: int = field(default_factory=free_port)
    services: str = "actions,rasa,web"
    settings: Dict[str, str] = field(default_factory=dict)  # channel settings, empty = not enabled
    launcher: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}/"

    def start(self, timeout: float = 300) -> Stack:
        # Only what this stack sets: no channel or practice settings of the caller's shell.
        listed = set(listed_variables())
        env = {
            name: value
            for name, value in os.environ.items()
            if name not in listed and not name.startswith("HEUPWIJZER_")
        }
        env.update(HEUPWIJZER_REST_TOKEN=REST_TOKEN, HEUPWIJZER_ID_SECRET=ID_SECRET)
        env.update(self.settings)
        args = [
            str(PYTHON),
            "-m",
            "heupwijzer",
            "run",
            "--env-file",
            "",
            "--rasa-port",
            str(self.rasa_port),
            "--actions-port",
            str(self.actions_port),
            "--web-port",
            str(self.web_port),
            "--state-dir",
            str(self.workdir / "state"),
            "--tracker-db",
            str(self.tracker_db),
            "--api-token",
            API_TOKEN,
            "--services",
            self.services,
            "--log-dir",
            str(self.workdir),
        ]
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = self.workdir / "launcher.log"
        with log.open("w") as out:
            self.launcher = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while READY not in log.read_text(encoding="utf-8", errors="replace"):
            if self.launcher.poll() is not None or time.monotonic() > deadline:
                logs = "\n".join(
                    f"--- {path.name}\n" + path.read_text(errors="replace")[-2000:]
                    for path in sorted(self.workdir.glob("*.log"))
                )
                self.stop()
                raise RuntimeError(f"Heupwijzer did not start:\n{logs}")
            time.sleep(0.5)
        return self

    def log(self, name: str = "rasa") -> str:
        return (self.workdir / f"{name}.log").read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.launcher is not None:
            stop_process(self.launcher)
            self.launcher = None

    def say(self, sender: str, text: str) -> List[Dict[str, Any]]:
        """Send a message through the REST channel; return the bot's messages."""
        response = requests.post(
            f"{self.base_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            headers=REST_HEADERS,
            timeout=60,
        )
        response.raise_for_status()
        return list(response.json())

    def parse(self, text: str) -> Dict[str, Any]:
        response = requests.post(
            f"{self.base_url}/model/parse", params={"token": API_TOKEN}, json={"text": text}, timeout=30
        )
        response.raise_for_status()
        return dict(response.json())

    def tracker(self, sender: str, channel: str = "rest") -> Dict[str, Any]:
        """The stored conversation of this platform id (stored under its pseudonym)."""
        stored = conversation_id(channel, sender, ID_SECRET.encode())
        response = requests.get(
            f"{self.base_url}/conversations/{stored}/tracker", params={"token": API_TOKEN}, timeout=30
        )
        response.raise_for_status()
        return dict(response.json())


def texts(messages: List[Dict[str, Any]]) -> str:
    return "\n".join(message.get("text") or "" for message in messages)
