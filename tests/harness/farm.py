"""Heupwijzer as in production, on this machine: its own PostgreSQL cluster and redis-server (each on
a free port, so they can be stopped and restarted), action servers and Rasa instances started by
the launcher with HEUPWIJZER_PROFILE=production, and Debian's nginx in front, configured with
deploy/nginx/heupwijzer.conf.template rendered as the official nginx image renders it.

Used by the scale-out and fault tests (tests/test_scale_out.py) and by `make scale-out`
(tools/scale_out.py). Nothing here is needed to run Heupwijzer itself.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Mapping

import redis

from heupwijzer.server.processes import port_is_free
from tests.harness.stack import ROOT, Stack, free_port, stop_process

TEMPLATE = ROOT / "deploy" / "nginx" / "heupwijzer.conf.template"
ACTION_TOKEN = "action-token-shared-by-every-instance"
DATABASE = "heupwijzer"
PRACTICE_FILE = ROOT / "tests" / "data" / "practice.yml"  # a practice without the example details


def binary(name: str, *extra: str) -> str:
    found = shutil.which(name) or next((p for p in extra if Path(p).exists()), None)
    if not found:
        raise RuntimeError(f"{name} is missing: `make test` installs it (tools/setup_debian_package.sh)")
    return found


def wait_until(check: object, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():  # type: ignore[operator]
                return
        except Exception:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not come up within {timeout:.0f} s")


class Postgres:
    """A PostgreSQL cluster of its own (initdb/pg_ctl) in a temporary folder, trust auth on
    127.0.0.1. PostgreSQL refuses to run as root: as root, the cluster belongs to `postgres`."""

    def __init__(self) -> None:
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="heupwijzer-pg-"))
        self.data = self.folder / "data"
        self.bin = (
            Path(binary("initdb", *sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)))
            .resolve()
            .parent
        )
        self.as_user: List[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def _run(self, *argv: str) -> None:
        subprocess.run([*self.as_user, *argv], check=True, capture_output=True, cwd=self.folder)

    def start(self) -> Postgres:
        if not self.data.exists():
            self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                      "--no-sync")  # fmt: skip
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"),
                  "-w", "start")  # fmt: skip
        return self

    def create_database(self, name: str = DATABASE) -> None:
        import psycopg2

        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres")
        connection.autocommit = True
        connection.cursor().execute(f'CREATE DATABASE "{name}"')
        connection.close()

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)

    def connect(self) -> object:
        import psycopg2

        return psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=DATABASE)


class Redis:
    """A redis-server of its own, keeping nothing on disk, restartable on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="heupwijzer-redis-"))
        self.process: subprocess.Popen | None = None

    def start(self) -> Redis:
        self.process = subprocess.Popen(
            [binary("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis(port=self.port)
        wait_until(client.ping, "redis-server")
        return self

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process, timeout=10)
            self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def render(template: str, values: Mapping[str, str]) -> str:
    """As the nginx image's envsubst does: only these variables; nginx's own $variables stay."""
    return re.sub(r"\$\{(HEUPWIJZER_\w+)\}", lambda m: values[m.group(1)], template)


def nginx_values(port: int, actions_port: int, rasa: List[str], actions: List[str], web: str) -> Dict[str, str]:
    """The template's variables (as deploy/docker-compose.yml sets them for the nginx image). The
    template names two instances of each; with one, both lines name the same server."""
    return {
        "HEUPWIJZER_NGINX_PORT": f"127.0.0.1:{port}",
        "HEUPWIJZER_RASA_1": rasa[0],
        "HEUPWIJZER_RASA_2": rasa[-1],
        "HEUPWIJZER_ACTIONS_PORT": f"127.0.0.1:{actions_port}",
        "HEUPWIJZER_ACTIONS_1": actions[0],
        "HEUPWIJZER_ACTIONS_2": actions[-1],
        "HEUPWIJZER_WEB": web,
    }


class Nginx:
    """Debian's nginx with the deploy/ configuration: Rasa instances and action servers behind it."""

    def __init__(self, folder: Path, rasa: List[str], actions: List[str], web: str) -> None:
        self.folder = folder
        self.port = free_port()
        self.actions_port = free_port()
        values = nginx_values(self.port, self.actions_port, rasa, actions, web)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "heupwijzer.conf").write_text(render(TEMPLATE.read_text(), values))
        self.access_log = folder / "access.log"
        (folder / "nginx.conf").write_text(
            "pid nginx.pid;\nerror_log error.log warn;\nworker_processes 1;\nevents {}\nhttp {\n"
            "  log_format upstream '$request_uri $upstream_addr $status';\n"
            f"  access_log {self.access_log} upstream;\n"
            "  client_body_temp_path tmp; proxy_temp_path tmp;\n"
            # As in the nginx image: its default.conf comes first and listens on the same port.
            f"  server {{ listen 127.0.0.1:{self.port}; server_name localhost; return 404; }}\n"
            "  include heupwijzer.conf;\n}\n"
        )
        (folder / "tmp").mkdir(exist_ok=True)
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Nginx:
        nginx = binary("nginx", "/usr/sbin/nginx")
        self.process = subprocess.Popen([nginx, "-p", str(self.folder), "-c", "nginx.conf", "-g", "daemon off;"])
        # Listening is enough: a request now would mark the instances (not yet started) as down.
        wait_until(lambda: not port_is_free(self.port), "nginx")
        return self

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process, timeout=10)
            self.process = None


def children(pid: int) -> List[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def server_pid(stack: Stack, marker: str) -> int:
    """The pid of the server the launcher of `stack` started whose command line contains `marker`."""
    assert stack.launcher is not None
    for pid in children(stack.launcher.pid):
        if marker in Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode():
            return pid
    raise RuntimeError(f"no {marker!r} process under the launcher")


def rss_mb(pid: int, field_name: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Farm:
    """PostgreSQL, Redis, `actions` action servers, `instances` Rasa instances and nginx."""

    workdir: Path
    instances: int = 2
    action_servers: int = 2
    settings: Dict[str, str] = field(default_factory=dict)  # extra settings, e.g. channels
    postgres: Postgres = field(default_factory=Postgres)
    redis: Redis = field(default_factory=Redis)
    actions: List[Stack] = field(default_factory=list)
    rasas: List[Stack] = field(default_factory=list)
    web: Stack | None = None
    nginx: Nginx | None = None

    def shared(self) -> Dict[str, str]:
        """What every instance is given: the production profile and the shared services."""
        return {
            "HEUPWIJZER_PROFILE": "production",
            "HEUPWIJZER_DB_HOST": "127.0.0.1",
            "HEUPWIJZER_DB_PORT": str(self.postgres.port),
            "HEUPWIJZER_DB_NAME": DATABASE,
            "HEUPWIJZER_DB_USER": "postgres",
            "HEUPWIJZER_REDIS_PORT": str(self.redis.port),
            "HEUPWIJZER_ACTION_TOKEN": ACTION_TOKEN,
            # production refuses the example details content/practice.yml ships with
            "HEUPWIJZER_PRACTICE_FILE": str(PRACTICE_FILE),
            **self.settings,
        }

    def start(self) -> Farm:
        try:
            self.postgres.start().create_database()
            self.redis.start()
            shared = self.shared()
            self.actions = [
                Stack(workdir=self.workdir / f"actions{i}", tracker_db=self.workdir / "unused.db",
                      services="actions", settings=shared)
                for i in range(1, self.action_servers + 1)
            ]  # fmt: skip
            self.rasas = [
                Stack(workdir=self.workdir / f"rasa{i}", tracker_db=self.workdir / "unused.db",
                      services="rasa", settings=shared)
                for i in range(1, self.instances + 1)
            ]  # fmt: skip
            self.web = Stack(workdir=self.workdir / "web", tracker_db=self.workdir / "unused.db", services="web",
                             settings=shared)  # fmt: skip
            self.nginx = Nginx(
                self.workdir / "nginx",
                [f"127.0.0.1:{r.rasa_port}" for r in self.rasas],
                [f"127.0.0.1:{a.actions_port}" for a in self.actions],
                f"127.0.0.1:{self.web.web_port}",
            ).start()
            # Rasa calls its actions through nginx, so any action server may answer.
            for rasa in self.rasas:
                rasa.settings = {
                    **shared,
                    "HEUPWIJZER_ACTION_URL": f"http://127.0.0.1:{self.nginx.actions_port}/webhook",
                }
            # The chat page sends the widget to nginx, as HEUPWIJZER_PUBLIC_RASA_URL does in production.
            self.web.settings = {**shared, "HEUPWIJZER_PUBLIC_RASA_URL": self.nginx.url}
            servers = self.actions + self.rasas + [self.web]
            with ThreadPoolExecutor(max_workers=len(servers)) as pool:
                list(pool.map(lambda s: s.start(), servers))
        except BaseException:
            self.stop()
            raise
        return self

    @property
    def url(self) -> str:
        assert self.nginx is not None
        return self.nginx.url

    def rasa_pids(self) -> List[int]:
        return [server_pid(r, "rasa run") for r in self.rasas]

    def kill(self, stack: Stack, marker: str) -> None:
        """Kill a server abruptly (SIGKILL), as a crash would; its launcher then stops."""
        os.kill(server_pid(stack, marker), signal.SIGKILL)
        assert stack.launcher is not None
        stack.launcher.wait(timeout=60)

    def stop(self) -> None:
        if self.nginx is not None:
            self.nginx.stop()
        for stack in self.rasas + self.actions + ([self.web] if self.web else []):
            stack.stop()
        self.redis.remove()
        self.postgres.remove()


def user_and_bot_events(farm: Farm, conversation: str) -> Iterator[tuple[str, str]]:
    """The stored user and bot events of one conversation, in order: (type, text)."""
    connection = farm.postgres.connect()
    try:
        cursor = connection.cursor()  # type: ignore[attr-defined]
        cursor.execute(
            "SELECT type_name, data::json->>'text' FROM events WHERE sender_id = %s "
            "AND type_name IN ('user', 'bot') ORDER BY id",
            (conversation,),
        )
        yield from ((kind, text or "") for kind, text in cursor.fetchall())
    finally:
        connection.close()  # type: ignore[attr-defined]
