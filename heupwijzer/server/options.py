"""The launcher's options: options, variables (environment, then the env file) and defaults, and
the environment every server gets. See heupwijzer/server/launch.py for the list."""

from __future__ import annotations

import argparse
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Sequence

from heupwijzer.channels.origins import parse_origins
from heupwijzer.paths import ENV_EXAMPLE, ROOT, SPACY_MODEL_FILE
from heupwijzer.server.profiles import PROFILES, with_defaults
from heupwijzer.settings import read_env_file

SERVICES = ("actions", "rasa", "web")
EVERY_ADDRESS = ("0.0.0.0", "::", "")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Options:
    host: str
    actions_host: str
    rasa_port: int
    actions_port: int
    web_port: int
    state_dir: Path
    tracker_db: Path
    env_file: Path | None
    api_token: str
    services: Sequence[str]
    log_dir: Path | None
    shell: bool
    profile: str = "embedded"

    @property
    def endpoints(self) -> str:
        """The endpoints file of the profile (tracker store, lock store, action server)."""
        return PROFILES[self.profile]

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


def parse_args(argv: Sequence[str], environ: Mapping[str, str]) -> Options:
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
    parser.add_argument("--profile", choices=sorted(PROFILES), default=env("HEUPWIJZER_PROFILE", "embedded"))
    args = parser.parse_args(argv)

    services = [name.strip() for name in args.services.split(",") if name.strip()]
    if not services or set(services) - set(SERVICES):
        parser.error(f"--services takes a comma-separated selection of {', '.join(SERVICES)}")
    state_dir = args.state_dir.resolve()
    tracker_db = args.tracker_db or Path(env("HEUPWIJZER_TRACKER_DB", str(state_dir / "tracker.db")))
    return Options(
        host=args.host,
        actions_host=args.actions_host,
        rasa_port=args.rasa_port,
        actions_port=args.actions_port,
        web_port=args.web_port,
        state_dir=state_dir,
        tracker_db=tracker_db.resolve(),
        env_file=env_file,
        api_token=args.api_token,
        services=[name for name in SERVICES if name in services],
        log_dir=args.log_dir,
        shell=args.shell,
        profile=args.profile,
    )


def listed_variables() -> List[str]:
    """Every setting .env.example lists (credentials.yml reads them all)."""
    return list(read_env_file(ENV_EXAMPLE))


def spacy_model() -> str:
    try:
        return SPACY_MODEL_FILE.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise SystemExit(
            "FOUT: er is nog geen spaCy-pipeline geïnstalleerd; start Heupwijzer met `make run`."
        ) from None


def kept_secret(path: Path) -> str:
    """A random secret kept in the state folder (created on first start, readable by us only)."""
    if path.is_file():
        kept = path.read_text(encoding="utf-8").strip()
        if len(kept) < 32:  # never replaced silently: every stored conversation id depends on it
            raise SystemExit(f"FOUT: {path} is leeg of te kort. Zet het oude geheim terug (of verwijder het bestand).")
        return kept
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(secret + "\n")
    return secret


def server_environment(options: Options, environ: Mapping[str, str]) -> Dict[str, str]:
    """The environment every server gets: .env under the caller's environment, plus our paths and
    secrets (the id secret is kept in the state folder unless set; the action token is new per start
    unless set)."""
    env = {name: "" for name in listed_variables()}
    env.update(read_env_file(options.env_file))
    env.update(environ)
    if not env.get("HEUPWIJZER_ID_SECRET") and options.profile != "production":  # production: must be set
        env["HEUPWIJZER_ID_SECRET"] = kept_secret(options.state_dir / "id_secret")
    if not env.get("HEUPWIJZER_ACTION_TOKEN") and options.profile != "production":
        env["HEUPWIJZER_ACTION_TOKEN"] = secrets.token_urlsafe(32)
    origins = parse_origins(env.get("HEUPWIJZER_CORS_ORIGINS", ""))
    env.update(
        HEUPWIJZER_CORS_ORIGINS=" ".join(dict.fromkeys(origins + options.page_origins)),
        HEUPWIJZER_SPACY_MODEL=spacy_model(),
        HEUPWIJZER_TRACKER_DB=str(options.tracker_db),
        HEUPWIJZER_ACTION_URL=env.get("HEUPWIJZER_ACTION_URL") or f"http://127.0.0.1:{options.actions_port}/webhook",
        TF_CPP_MIN_LOG_LEVEL="2",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        RASA_TELEMETRY_ENABLED="false",
    )
    return with_defaults(env) if options.profile == "production" else env
