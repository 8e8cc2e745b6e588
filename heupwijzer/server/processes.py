"""The launcher's process keeping: start servers, wait until they answer, watch them, stop them.

Every server dies with the launcher: it is asked to stop (SIGTERM) when the launcher stops, and
the kernel sends it SIGTERM too if the launcher itself is killed (PR_SET_PDEATHSIG), so no server
is ever left behind holding a port.
"""

from __future__ import annotations

import ctypes
import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Dict, List, Mapping

STARTUP_TIMEOUT_S = 240
STOP_TIMEOUT_S = 20
PR_SET_PDEATHSIG = 1
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


@dataclass(frozen=True)
class Service:
    name: str
    argv: List[str]
    health_url: str
    port: int
    port_variable: str  # the setting that changes the port, named when the port is taken
    env: Mapping[str, str]  # extra environment of this server only


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((host, port)) != 0


def is_up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def not_ready(url: str) -> str:
    """What a readiness check (heupwijzer/observe/health.py) names as down, e.g. "actions: niet bereikbaar"."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            body = response.read()
    except urllib.error.HTTPError as refused:
        body = refused.read()
    except (urllib.error.URLError, OSError):
        return ""
    try:
        parts = json.loads(body).get("parts") or {}
    except (ValueError, AttributeError):
        return ""
    return ", ".join(f"{name}: {state}" for name, state in parts.items() if state != "ok")


def die_with_parent() -> None:
    """Runs in the child before exec: stop signals unblocked, SIGTERM when the launcher dies."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Processes:
    def __init__(self, cwd: Path, env: Mapping[str, str], log_dir: Path | None) -> None:
        self.cwd = cwd
        self.env = dict(env)
        self.log_dir = log_dir
        self.running: Dict[str, subprocess.Popen] = {}
        self.logs: List[IO[bytes]] = []

    def spawn(
        self, name: str, argv: List[str], extra_env: Mapping[str, str] = {}, foreground: bool = False
    ) -> subprocess.Popen:
        output: IO[bytes] | None = None
        if self.log_dir is not None and not foreground:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            output = (self.log_dir / f"{name}.log").open("wb")
            self.logs.append(output)
        # No stop signal may arrive between starting a server and remembering it.
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            process = subprocess.Popen(
                argv,
                cwd=self.cwd,
                env={**self.env, **extra_env},
                stdout=output,
                stderr=subprocess.STDOUT if output else None,
                preexec_fn=die_with_parent,
            )
            self.running[name] = process
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
        return process

    def start(self, service: Service) -> None:
        process = self.spawn(service.name, service.argv, service.env)
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not is_up(service.health_url):
            if process.poll() is not None:
                raise SystemExit(
                    f"FOUT: de {service.name}-server stopte tijdens het starten "
                    f"(exitcode {process.returncode}; zie de log hierboven)."
                )
            if time.monotonic() > deadline:
                down = not_ready(service.health_url)
                raise SystemExit(
                    f"FOUT: de {service.name}-server startte niet binnen {STARTUP_TIMEOUT_S} s"
                    + (f" (niet klaar: {down})." if down else ".")
                )
            time.sleep(0.5)

    def watch(self) -> int:
        """Wait until a server stops on its own (an error) or we are told to stop."""
        while True:
            for name, process in self.running.items():
                if process.poll() is not None:
                    print(f"FOUT: de {name}-server is gestopt (exitcode {process.returncode}).", file=sys.stderr)
                    return 1
            time.sleep(0.5)

    def stop(self) -> None:
        """Ask every server to stop (SIGTERM), newest first; force it after STOP_TIMEOUT_S. A second
        Ctrl-C does not interrupt this."""
        for stop_signal in STOP_SIGNALS:
            signal.signal(stop_signal, signal.SIG_IGN)
        alive = [p for p in reversed(list(self.running.values())) if p.poll() is None]
        for process in alive:
            process.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for process in alive:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.running.clear()
        for log in self.logs:
            log.close()
