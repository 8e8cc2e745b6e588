"""`make insights`: the practice's insights page as static files, for a practice that doesn't want
a web page: reports/insights/index.html (the last 30 days), 7-dagen.html, 30-dagen.html,
90-dagen.html and a CSV per table. Reads the profile's tracker store read-only, with the settings
`make run` uses (.env, STATE_DIR, HEUPWIJZER_PROFILE)."""

from __future__ import annotations

import sys
from typing import Sequence

from sqlalchemy import exc as sa_exc

from heupwijzer.insights import page, report
from heupwijzer.insights.source import read_only_engine
from heupwijzer.paths import REPORTS, ROOT
from heupwijzer.server.options import parse_args, server_environment
from heupwijzer.settings import apply, environment

OUT = REPORTS / "insights"


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(sys.argv[1:] if argv is None else argv, environment())
    apply(server_environment(options, environment()))
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        engine = read_only_engine(ROOT / options.endpoints)
        for days in report.PERIODS:
            built = report.build(engine, days)
            html = page.html(built, static=True)
            (OUT / page.static_name(days)).write_text(html, encoding="utf-8")
            for section in built.sections:
                text = page.csv_text(built, section.key) or ""
                (OUT / page.static_name(days, section.key)).write_text("\ufeff" + text, encoding="utf-8")
            if days == 30:
                (OUT / "index.html").write_text(html, encoding="utf-8")
    except (sa_exc.SQLAlchemyError, ValueError) as problem:
        print(f"FOUT: de gesprekken konden niet gelezen worden ({type(problem).__name__}).", file=sys.stderr)
        return 2
    print(f"Inzichten voor de praktijk: {OUT / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
