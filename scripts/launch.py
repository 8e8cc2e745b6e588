"""Start Heupwijzer: the one launcher behind `make run`, `make shell` and the test suite.

It starts, in this order and each only once the previous one answers its health check:
  actions  the action server             (rasa run actions)
  rasa     the Rasa server               (REST, socket.io and the platform channels)
  web      the chat page and embed.js    (scripts/serve_web.py)
prints where to chat, and stops everything on Ctrl-C (SIGINT) or SIGTERM. When one of them
stops on its own, the others are stopped too and the launcher exits with an error.

Every port, path and flag is a parameter (command-line option, or the variable in brackets), so
the tests start exactly what a practice starts:

  --host            HEUPWIJZER_HOST         address Rasa and the chat page listen on (127.0.0.1)
  --actions-host    HEUPWIJZER_ACTIONS_HOST address the action server listens on (127.0.0.1)
  --rasa-port       RASA_PORT               Rasa server (5005)
  --actions-port    ACTIONS_PORT            action server (5055)
  --web-port        WEB_PORT                chat page (8080)
  --state-dir       STATE_DIR               conversations and other local state (.state/)
  --tracker-db      HEUPWIJZER_TRACKER_DB   the SQLite conversation store (<state dir>/tracker.db)
  --env-file        HEUPWIJZER_ENV_FILE     channel settings and secrets (.env; '' reads none)
  --api-token       HEUPWIJZER_API_TOKEN    switches Rasa's HTTP API on, with this token (off)
  --services        HEUPWIJZER_SERVICES     which servers to start (actions,rasa,web)
  --log-dir                                 one log file per server instead of the terminal
  --shell                                   a chat in the terminal instead of the servers

Variables already set in the environment win over the env file. Every variable listed in
.env.example is set (empty when not given), so credentials.yml can always be read. The sites in
HEUPWIJZER_CORS_ORIGINS may open a chat, and so may the chat page of this server itself.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from actions.practice import PracticeConfigError, load_practice  # noqa: E402  (project root on the path)
from channels.origins import parse_origins  # noqa: E402
from scripts.processes import Processes, Service, port_is_free  # noqa: E402

VENV_BIN = ROOT / ".venv" / "bin"
MODEL = ROOT / "models" / "heupwijzer.tar.gz"
SPACY_MODEL_FILE = ROOT / "build" / "spacy-model"
ENV_EXAMPLE = ROOT / ".env.example"
SERVICES = ("actions", "rasa", "web")
EVERY_ADDRESS = ("0.0.0.0", "::", "")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Settings:
    host: str
    actions_host: str
    rasa_port: int
    actions_port: int
    web_port: int
    state_dir: Path
    tracker_db: Path
    env_file: Optional[Path]
    api_token: str
    services: Sequence[str]
    log_dir: Optional[Path]
    shell: bool

    @property
    def public_host(self) -> str:
        """The address a person on this machine (or the network) opens."""
        return "localhost" if self.host in EVERY_ADDRESS + LOOPBACK else self.host

    @property
    def chat_url(self) -> str:
        return f"http://{self.public_host}:{self.web_port}/"

    @property
    def page_origins(self) -> List[str]:
        """The origins of this server's own chat page: it may always open a chat."""
        hosts = ["localhost", "127.0.0.1"] + ([self.public_host] if self.public_host != "localhost" else [])
        return [f"http://{host}:{self.web_port}" for host in hosts]


def parse_args(argv: Sequence[str], environ: Mapping[str, str]) -> Settings:
    """Options win over variables (environment, then env file), which win over the defaults."""
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--env-file", default=environ.get("HEUPWIJZER_ENV_FILE", str(ROOT / ".env")))
    env_file_name = early.parse_known_args(argv)[0].env_file
    env_file = Path(env_file_name) if env_file_name else None
    variables = {**read_env_file(env_file), **environ}
    parser = argparse.ArgumentParser(description="Start Heupwijzer (see the module docstring).")

    def env(name: str, default: str) -> str:
        return variables.get(name) or default

    def port(name: str, default: str) -> int:
        value = env(name, default)
        if not value.isdigit() or not 0 < int(value) < 65536:
            parser.error(f"{name}={value!r} is geen poortnummer (1-65535)")
        return int(value)

    parser.add_argument("--env-file", default=str(env_file or ""))
    parser.add_argument("--host", default=env("HEUPWIJZER_HOST", "127.0.0.1"))
    parser.add_argument("--actions-host", default=env("HEUPWIJZER_ACTIONS_HOST", "127.0.0.1"))
    parser.add_argument("--rasa-port", type=int, default=port("RASA_PORT", "5005"))
    parser.add_argument("--actions-port", type=int, default=port("ACTIONS_PORT", "5055"))
    parser.add_argument("--web-port", type=int, default=port("WEB_PORT", "8080"))
    parser.add_argument("--state-dir", type=Path, default=Path(env("STATE_DIR", str(ROOT / ".state"))))
    parser.add_argument("--tracker-db", type=Path, default=None)
    parser.add_argument("--api-token", default=env("HEUPWIJZER_API_TOKEN", ""))
    parser.add_argument("--services", default=env("HEUPWIJZER_SERVICES", ",".join(SERVICES)))
    parser.add_argument("--log-dir", type=Path, default=None)
    parser.add_argument("--shell", action="store_true")
    args = parser.parse_args(argv)

    services = [name.strip() for name in args.services.split(",") if name.strip()]
    if not services or set(services) - set(SERVICES):
        parser.error(f"--services takes a comma-separated selection of {', '.join(SERVICES)}")
    state_dir = args.state_dir.resolve()
    tracker_db = args.tracker_db or Path(env("HEUPWIJZER_TRACKER_DB", str(state_dir / "tracker.db")))
    return Settings(
        host=args.host, actions_host=args.actions_host, rasa_port=args.rasa_port,
        actions_port=args.actions_port, web_port=args.web_port, state_dir=state_dir,
        tracker_db=tracker_db.resolve(), env_file=env_file, api_token=args.api_token,
        services=[name for name in SERVICES if name in services], log_dir=args.log_dir, shell=args.shell,
    )


def read_env_file(path: Optional[Path]) -> Dict[str, str]:
    """KEY=VALUE lines of a .env file (comments, blank lines and `# comments` after a value
    skipped, quotes removed)."""
    if path is None or not path.is_file():
        return {}
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        key = key.strip().removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        else:
            value = value.split(" #", 1)[0].strip()
        values[key] = value
    return values


def listed_variables() -> List[str]:
    """Every setting .env.example lists (credentials.yml reads them all)."""
    return list(read_env_file(ENV_EXAMPLE))


def spacy_model() -> str:
    try:
        return SPACY_MODEL_FILE.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise SystemExit("FOUT: er is nog geen spaCy-pipeline geïnstalleerd; start Heupwijzer met `make run`.") from None


def server_environment(settings: Settings, environ: Mapping[str, str]) -> Dict[str, str]:
    """The environment every server gets: .env under the caller's environment, plus our paths."""
    env = {name: "" for name in listed_variables()}
    env.update(read_env_file(settings.env_file))
    env.update(environ)
    origins = parse_origins(env.get("HEUPWIJZER_CORS_ORIGINS", ""))
    env.update(
        HEUPWIJZER_CORS_ORIGINS=" ".join(dict.fromkeys(origins + settings.page_origins)),
        HEUPWIJZER_SPACY_MODEL=spacy_model(),
        HEUPWIJZER_TRACKER_DB=str(settings.tracker_db),
        HEUPWIJZER_ACTION_URL=env.get("HEUPWIJZER_ACTION_URL")
        or f"http://127.0.0.1:{settings.actions_port}/webhook",
        TF_CPP_MIN_LOG_LEVEL="2",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        RASA_TELEMETRY_ENABLED="false",
        PYTHONPATH=str(ROOT),
    )
    return env


def services(settings: Settings, env: Mapping[str, str]) -> Dict[str, Service]:
    """The command line and health check of each server, in start order."""
    rasa = str(VENV_BIN / "rasa")

    def local(host: str, port: int, path: str) -> str:
        return f"http://{'127.0.0.1' if host in EVERY_ADDRESS else host}:{port}{path}"

    rasa_argv = [
        rasa, "run", "-m", str(MODEL), "--interface", settings.host, "--port", str(settings.rasa_port),
        "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
        # Sanic-CORS answers every route (REST, socket.io, API) with one Access-Control-Allow-Origin
        # for these origins; the socket.io channel itself refuses connections from other sites.
        "--cors", *env["HEUPWIJZER_CORS_ORIGINS"].split(),
    ]
    if settings.api_token:
        rasa_argv += ["--enable-api", "--auth-token", settings.api_token]
    return {
        "actions": Service(
            "actions", [rasa, "run", "actions", "--actions", "actions", "--port", str(settings.actions_port)],
            local(settings.actions_host, settings.actions_port, "/health"), settings.actions_port, "ACTIONS_PORT",
            {"SANIC_HOST": settings.actions_host},  # rasa-sdk's listening address
        ),
        "rasa": Service("rasa", rasa_argv, local(settings.host, settings.rasa_port, "/"), settings.rasa_port,
                        "RASA_PORT", {}),
        "web": Service(
            "web", [str(VENV_BIN / "python"), "scripts/serve_web.py", "--host", settings.host,
                    "--port", str(settings.web_port), "--rasa-port", str(settings.rasa_port)],
            local(settings.host, settings.web_port, "/"), settings.web_port, "WEB_PORT", {},
        ),
    }


def banner(settings: Settings, env: Mapping[str, str]) -> str:
    lines = ["", f"  Heupwijzer draait (spaCy pipeline: {env['HEUPWIJZER_SPACY_MODEL']})."]
    if "web" in settings.services:
        lines.append(f"    Chatpagina:    {settings.chat_url}")
    if "rasa" in settings.services:
        lines.append(f"    REST-kanaal:   http://{settings.public_host}:{settings.rasa_port}/webhooks/rest/webhook")
        lines.append(f"    Gesprekken:    {settings.tracker_db}")
    lines += ["  Stoppen: Ctrl-C", ""]
    return "\n".join(lines)


def raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Optional[Sequence[str]] = None) -> int:
    settings = parse_args(sys.argv[1:] if argv is None else argv, os.environ)
    env = server_environment(settings, os.environ)
    try:
        load_practice(env)  # the practice's contact details must be complete before anything starts
    except PracticeConfigError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 2
    every = services(settings, env)
    wanted = [every[name] for name in (("actions",) if settings.shell else settings.services)]
    checked = wanted + ([every["rasa"]] if settings.shell else [])  # rasa shell listens on RASA_PORT
    taken = [s for s in checked if not port_is_free(s.port)]
    if taken:
        for service in taken:
            print(f"FOUT: poort {service.port} ({service.port_variable}) is al in gebruik. Stop wat daar draait, "
                  f"of kies een andere poort: make run {service.port_variable}=...", file=sys.stderr)
        return 2
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    settings.tracker_db.parent.mkdir(parents=True, exist_ok=True)

    processes = Processes(ROOT, env, settings.log_dir)
    signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    try:
        for service in wanted:
            processes.start(service)
        if settings.shell:
            return processes.spawn("shell", [str(VENV_BIN / "rasa"), "shell", "-m", str(MODEL), "--endpoints",
                                             "endpoints.yml", "--interface", settings.host, "--port",
                                             str(settings.rasa_port)], foreground=True).wait()
        print(banner(settings, env), flush=True)
        return processes.watch()
    except KeyboardInterrupt:
        print("\nHeupwijzer stopt ...", flush=True)
        return 0
    finally:
        processes.stop()


if __name__ == "__main__":
    sys.exit(main())
