"""A newcomer's first run: `make run` exactly as the README says, then the page it prints.

`make run` starts on free ports with a temporary state folder (its documented variables), from an
environment without Heupwijzer or make settings, as in a fresh terminal. The chat page it prints is
opened in Debian's Chromium; the test chats (greeting, a question, a button) while recording every
request: only the Heupwijzer servers are contacted, nothing fails (no 404s, no CORS or script
errors in the console). Then Ctrl-C the way a person presses it (SIGINT to the terminal's process
group): `make`, the launcher and all three servers are gone and every port is free again.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import List
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import Browser, expect

from heupwijzer.server.options import listed_variables
from tests.conftest import ROOT, TEST_REPORTS, THUISARTS_HIP, free_port

SCREENSHOT = TEST_REPORTS / "newcomer.png"
QUESTION = "wat kan ik zelf doen aan mijn heupartrose?"
CHAT_PAGE = re.compile(r"Chatpagina:\s+(http://\S+)")


class Terminal:
    """`make run` in its own process group, its output collected as a person would read it."""

    def __init__(self, args: List[str], env: dict) -> None:
        self.lines: List[str] = []
        self.process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, pattern: re.Pattern, timeout: float) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = pattern.search(self.output)
            if found:
                return found
            if self.process.poll() is not None:
                break
            time.sleep(0.5)
        raise AssertionError(f"`make run` printed no chat page:\n{self.output[-4000:]}")

    def press_ctrl_c(self) -> None:
        os.killpg(self.process.pid, signal.SIGINT)

    def members(self) -> List[str]:
        """Processes still alive in the terminal's process group (pid and command)."""
        alive = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except (OSError, IndexError):
                continue
            state, pgid = fields[0], int(fields[2])
            if pgid == self.process.pid and state != "Z":
                alive.append(f"{stat.parent.name}: {command}")
        return alive

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)


def port_is_free(port: int) -> bool:
    """Nothing listens there and a new server could listen (as servers do, with SO_REUSEADDR)."""
    with socket.socket() as sock:
        if sock.connect_ex(("127.0.0.1", port)) == 0:
            return False
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
            sock.listen()
        except OSError:
            return False
    return True


def fresh_terminal_environment() -> dict:
    """The developer's shell, without make's or Heupwijzer's own settings or any channel's (every
    variable .env.example lists), and without reading the developer's .env (a fresh clone has none;
    its channels or database must not be touched)."""
    listed = set(listed_variables())
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("MAKE", "MFLAGS", "HEUPWIJZER_")) and name not in listed
    }
    return {**env, "HEUPWIJZER_ENV_FILE": ""}


def test_make_run_serves_a_working_chat_page_and_stops_on_ctrl_c(
    browser: Browser, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    ports = {"RASA_PORT": free_port(), "ACTIONS_PORT": free_port(), "WEB_PORT": free_port()}
    terminal = Terminal(
        ["make", "run", *(f"{name}={port}" for name, port in ports.items()), f"STATE_DIR={tmp_path / 'state'}"],
        fresh_terminal_environment(),
    )
    try:
        chat_url = terminal.wait_for(CHAT_PAGE, timeout=420).group(1)
        assert chat_url == f"http://localhost:{ports['WEB_PORT']}/"
        heupwijzer = {f"localhost:{ports['WEB_PORT']}", f"localhost:{ports['RASA_PORT']}"}

        context = browser.new_context(viewport={"width": 420, "height": 860}, locale="nl-NL")
        page = context.new_page()
        requested: List[str] = []
        failed: List[str] = []
        errors: List[str] = []
        page.on("request", lambda request: requested.append(request.url))
        page.on("websocket", lambda websocket: requested.append(websocket.url))
        page.on(
            "response", lambda response: response.status >= 400 and failed.append(f"{response.status} {response.url}")
        )
        page.on("requestfailed", lambda request: failed.append(f"failed {request.url}"))
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.on("pageerror", lambda error: errors.append(str(error)))

        page.goto(chat_url)
        page.click(".rw-launcher", timeout=30_000)
        expect(page.locator(".rw-response").first).to_contain_text("digitale assistent", timeout=30_000)
        page.fill(".rw-new-message", QUESTION)
        page.keyboard.press("Enter")
        expect(page.locator(".rw-response", has_text="Rook niet")).to_be_visible(timeout=30_000)
        expect(page.locator(f'.rw-response a[href="{THUISARTS_HIP}"]').first).to_be_visible(timeout=30_000)
        more = page.locator(".rw-reply", has_text="Meer lezen").first
        expect(more).to_be_visible(timeout=30_000)
        more.click()
        expect(page.locator(".rw-response", has_text="Meer lezen over 'Zelf doen'")).to_be_visible(timeout=30_000)
        page.wait_for_timeout(1000)  # let late requests (fonts, polling) show up too
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        context.close()
        with capsys.disabled():
            print(f"\nScreenshot of the chat page `make run` printed: {SCREENSHOT}")

        web = [url for url in requested if urlsplit(url).scheme in ("http", "https", "ws", "wss")]
        outside = sorted({url for url in web if urlsplit(url).netloc not in heupwijzer})
        assert web and not outside, f"requests outside the Heupwijzer server: {outside}"
        assert not failed, f"failed requests on the chat page: {failed}"
        assert not errors, f"errors in the browser console: {errors}"

        # A fresh clone sets no channel: each stays off, answers 404 and says what to set.
        for channel in ("telegram", "twilio", "whatsapp", "rest"):
            url = f"http://localhost:{ports['RASA_PORT']}/webhooks/{channel}/webhook"
            response = requests.post(url, data=b"{}", timeout=30)
            assert response.status_code == 404 and "not enabled" in response.json()["error"], channel
        for told in (
            "Telegram is not enabled: set TELEGRAM_TOKEN, TELEGRAM_SECRET_TOKEN, TELEGRAM_WEBHOOK_URL",
            "WhatsApp (Twilio) is not enabled: set TWILIO_ACCOUNT_SID",
            "WhatsApp (Cloud API) is not enabled: set WHATSAPP_ACCESS_TOKEN",
            "REST is not enabled: set HEUPWIJZER_REST_TOKEN",
        ):
            assert told in terminal.output

        terminal.press_ctrl_c()
        terminal.process.wait(timeout=60)
        deadline = time.monotonic() + 30
        while terminal.members() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert terminal.members() == [], "still running after Ctrl-C"
        for name, port in ports.items():
            assert port_is_free(port), f"{name} {port} is still in use after Ctrl-C"
        assert "Heupwijzer stopt" in terminal.output
    finally:
        terminal.kill()
