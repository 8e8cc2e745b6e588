"""The `heupwijzer` command: `heupwijzer run`, `shell`, `purge` and `insights`.

`make run` is `heupwijzer run`; every subcommand takes the launcher's options (`heupwijzer run --help`).
"""

from __future__ import annotations

import sys
from typing import Callable, Dict, Sequence

USAGE = """Gebruik: heupwijzer <opdracht> [opties]

  run       Heupwijzer starten (action server, Rasa, chatpagina), zoals `make run`
  shell     chatten in de terminal
  purge     gesprekken ouder dan HEUPWIJZER_RETENTION_DAYS verwijderen
  insights  de inzichtenpagina als bestanden in reports/insights/
"""


def run(argv: Sequence[str]) -> int:
    from heupwijzer.server import launch

    return launch.main(argv)


def shell(argv: Sequence[str]) -> int:
    from heupwijzer.server import launch

    return launch.main(["--shell", *argv])


def purge(argv: Sequence[str]) -> int:
    from heupwijzer.server import purge as purging

    return purging.main(argv)


def insights(argv: Sequence[str]) -> int:
    from heupwijzer.server import insights_files

    return insights_files.main(argv)


COMMANDS: Dict[str, Callable[[Sequence[str]], int]] = {"run": run, "shell": shell, "purge": purge, "insights": insights}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in COMMANDS:
        print(USAGE, file=sys.stderr if args and args[0] not in ("-h", "--help") else sys.stdout)
        return 0 if args and args[0] in ("-h", "--help") else 2
    return COMMANDS[args[0]](args[1:])


if __name__ == "__main__":
    sys.exit(main())
