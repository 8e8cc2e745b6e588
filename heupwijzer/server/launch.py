"""Start Heupwijzer: the one launcher behind `make run`, `make shell` and the test suite.

It starts, in this order and each only once the previous one answers its health check:
  actions  the action server             (heupwijzer/server/action_server.py: rasa-sdk behind a token)
  rasa     the Rasa server               (REST, socket.io and the platform channels)
  web      the chat page and embed.js    (heupwijzer/server/web.py)
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
  --profile         HEUPWIJZER_PROFILE      embedded (SQLite, one instance) or production (PostgreSQL
                                            and Redis, checked before anything starts; heupwijzer/server/profiles.py)

Variables already set in the environment win over the env file. Every variable listed in
.env.example is set (empty when not given), so credentials.yml can always be read. The sites in
HEUPWIJZER_CORS_ORIGINS may open a chat, and so may the chat page of this server itself.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Dict, Mapping, Sequence

from heupwijzer.paths import MODEL, ROOT, VENV_BIN
from heupwijzer.practice import PracticeConfigError, load_practice, placeholder_problem
from heupwijzer.server.options import (
    EVERY_ADDRESS,
    Options,
    parse_args,
    server_environment,
)
from heupwijzer.server.processes import Processes, Service, port_is_free
from heupwijzer.server.profiles import problems
from heupwijzer.settings import Settings, environment
from heupwijzer.settings import problems as setting_problems

# Rasa's command line without JAX (heupwijzer/server/rasa.py); "rasa run" stays in its command line.
RASA = [str(VENV_BIN / "python"), "-m", "heupwijzer.server.rasa"]


def services(options: Options, env: Mapping[str, str]) -> Dict[str, Service]:
    """The command line and health check of each server, in start order."""

    def local(host: str, port: int, path: str) -> str:
        return f"http://{'127.0.0.1' if host in EVERY_ADDRESS else host}:{port}{path}"

    rasa_argv = [
        *RASA,
        "run",
        "-m",
        str(MODEL),
        "--interface",
        options.host,
        "--port",
        str(options.rasa_port),
        "--endpoints",
        options.endpoints,
        "--credentials",
        "credentials.yml",
        # Sanic-CORS answers every route (REST, socket.io, API) with one Access-Control-Allow-Origin
        # for these origins; the socket.io channel itself refuses connections from other sites.
        "--cors",
        *env["HEUPWIJZER_CORS_ORIGINS"].split(),
    ]
    if options.api_token:
        rasa_argv += ["--enable-api", "--auth-token", options.api_token]
    return {
        "actions": Service(
            "actions",
            [str(VENV_BIN / "python"), "-m", "heupwijzer.server.action_server", "--port", str(options.actions_port)],
            local(options.actions_host, options.actions_port, "/health"),
            options.actions_port,
            "ACTIONS_PORT",
            {"SANIC_HOST": options.actions_host},  # rasa-sdk's listening address
        ),
        "rasa": Service(
            # ready: the model loaded, the store, Redis (production) and the action server answer
            "rasa",
            rasa_argv,
            local(options.host, options.rasa_port, "/health/ready"),
            options.rasa_port,
            "RASA_PORT",
            {},
        ),
        "web": Service(
            "web",
            [
                str(VENV_BIN / "python"),
                "-m",
                "heupwijzer.server.web",
                "--host",
                options.host,
                "--port",
                str(options.web_port),
                "--rasa-port",
                str(options.rasa_port),
                "--endpoints",
                options.endpoints,
            ],
            local(options.host, options.web_port, "/"),
            options.web_port,
            "WEB_PORT",
            {},
        ),
    }


def banner(options: Options, env: Mapping[str, str]) -> str:
    lines = ["", f"  Heupwijzer draait (spaCy pipeline: {env['HEUPWIJZER_SPACY_MODEL']})."]
    if "web" in options.services:
        lines.append(f"    Chatpagina:    {options.chat_url}")
    if "rasa" in options.services:
        lines.append(f"    REST-kanaal:   http://{options.public_host}:{options.rasa_port}/webhooks/rest/webhook")
        if options.profile == "production":
            where = f"PostgreSQL {env['HEUPWIJZER_DB_HOST']}:{env['HEUPWIJZER_DB_PORT']}/{env['HEUPWIJZER_DB_NAME']}"
            lines.append(f"    Gesprekken:    {where} (productieprofiel)")
        else:
            lines.append(f"    Gesprekken:    {options.tracker_db}")
    lines += ["  Stoppen: Ctrl-C", ""]
    return "\n".join(lines)


def raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(sys.argv[1:] if argv is None else argv, environment())
    env = server_environment(options, environment())
    wrong = setting_problems(env)
    if wrong:
        for line in wrong:
            print(f"FOUT: {line}", file=sys.stderr)
        return 2
    try:
        practice = load_practice(Settings.of(env))  # the practice's details must be complete before anything starts
    except PracticeConfigError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 2
    example = placeholder_problem(practice, Settings.of(env))
    if example and options.profile == "production":  # patients would get a phone number nobody answers
        print(f"FOUT: {example}", file=sys.stderr)
        return 2
    if example:
        print(f"LET OP: {example} Patiënten zien nu voorbeeldgegevens.", file=sys.stderr, flush=True)
    trouble = problems(options.profile, env)
    if trouble:
        for line in trouble:
            print(f"FOUT: {line}", file=sys.stderr)
        return 2
    every = services(options, env)
    wanted = [every[name] for name in (("actions",) if options.shell else options.services)]
    checked = wanted + ([every["rasa"]] if options.shell else [])  # rasa shell listens on RASA_PORT
    taken = [s for s in checked if not port_is_free(s.port)]
    if taken:
        for service in taken:
            print(
                f"FOUT: poort {service.port} ({service.port_variable}) is al in gebruik. Stop wat daar draait, "
                f"of kies een andere poort: make run {service.port_variable}=...",
                file=sys.stderr,
            )
        return 2
    os.umask(0o077)  # conversations, logs and secrets: readable by this user only
    options.state_dir.mkdir(parents=True, exist_ok=True)
    options.state_dir.chmod(0o700)
    options.tracker_db.parent.mkdir(parents=True, exist_ok=True)

    processes = Processes(ROOT, env, options.log_dir)
    # SIGINT too, explicitly: a shell starting us in the background hands SIGINT down as ignored.
    signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    signal.signal(signal.SIGINT, raise_keyboard_interrupt)
    try:
        for service in wanted:
            processes.start(service)
        if options.shell:
            return processes.spawn(
                "shell",
                [
                    *RASA,
                    "shell",
                    "-m",
                    str(MODEL),
                    "--endpoints",
                    options.endpoints,
                    "--interface",
                    options.host,
                    "--port",
                    str(options.rasa_port),
                ],
                foreground=True,
            ).wait()
        print(banner(options, env), flush=True)
        return processes.watch()
    except KeyboardInterrupt:
        print("\nHeupwijzer stopt ...", flush=True)
        return 0
    finally:
        processes.stop()


if __name__ == "__main__":
    sys.exit(main())
