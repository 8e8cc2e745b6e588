"""`make purge`: delete conversations without activity for HEUPWIJZER_RETENTION_DAYS (default 30)
from the tracker store of the profile's endpoints file, with the settings `make run` uses (.env, STATE_DIR, ...).

Run it daily, e.g. from cron:  15 3 * * *  cd /srv/heupwijzer && make purge >> .state/purge.log 2>&1
"""

from __future__ import annotations

import sys
from typing import Sequence

from rasa.core.tracker_store import SQLTrackerStore
from rasa.utils.endpoints import read_endpoint_config

from heupwijzer.paths import ROOT
from heupwijzer.server.options import parse_args, server_environment
from heupwijzer.settings import apply, environment
from heupwijzer.store.retention import retention_days
from heupwijzer.store.tracker_store import purge


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(sys.argv[1:] if argv is None else argv, environment())
    apply(server_environment(options, environment()))
    try:
        days = retention_days()
    except ValueError as problem:
        print(f"FOUT: {problem}", file=sys.stderr)
        return 2
    config = read_endpoint_config(str(ROOT / options.endpoints), "tracker_store")
    if config is None:
        print(f"FOUT: {options.endpoints} has no tracker_store", file=sys.stderr)
        return 2
    store_options = {key: value for key, value in config.kwargs.items() if key != "type"}
    store = SQLTrackerStore(host=config.url, **store_options)  # the same database, without loading the scrubber
    deleted = purge(store, days)
    print(f"{deleted} gesprek(ken) zonder bericht in de laatste {days} dagen verwijderd.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
