"""`make purge`: delete conversations without activity for HEUPWIJZER_RETENTION_DAYS (default 30)
from the tracker store of the profile's endpoints file, with the settings `make run` uses (.env, STATE_DIR, ...).

Run it daily, e.g. from cron:  15 3 * * *  cd /srv/heupwijzer && make purge >> .state/purge.log 2>&1
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rasa.core.tracker_store import SQLTrackerStore  # noqa: E402
from rasa.utils.endpoints import read_endpoint_config  # noqa: E402

from scripts.settings import parse_args, server_environment  # noqa: E402
from store.retention import retention_days  # noqa: E402
from store.tracker_store import purge  # noqa: E402


def main() -> int:
    settings = parse_args(sys.argv[1:], os.environ)
    os.environ.update(server_environment(settings, os.environ))
    try:
        days = retention_days()
    except ValueError as problem:
        print(f"FOUT: {problem}", file=sys.stderr)
        return 2
    config = read_endpoint_config(str(ROOT / settings.endpoints), "tracker_store")
    if config is None:
        print(f"FOUT: {settings.endpoints} has no tracker_store", file=sys.stderr)
        return 2
    options = {key: value for key, value in config.kwargs.items() if key != "type"}
    store = SQLTrackerStore(host=config.url, **options)  # the same database, without loading the scrubber
    deleted = purge(store, days)
    print(f"{deleted} gesprek(ken) zonder bericht in de laatste {days} dagen verwijderd.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
