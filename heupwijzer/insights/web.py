"""/insights on Heupwijzer's web server (heupwijzer/server/web.py): the page and its CSV files, behind
the practice's login (heupwijzer/insights/login.py). The report's modules (Rasa's events, SQLAlchemy,
matplotlib) load on the first request that passed the login: the chat page starts as fast as
before, and without a password they never load."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any, Dict, Tuple
from urllib.parse import parse_qs

from heupwijzer.insights.login import REALM, Login

logger = logging.getLogger(__name__)
CSV_PATH = re.compile(r"^/insights/([a-z_]{1,40})\.csv$")
DEFAULT_DAYS = 30
POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'"
PLAIN = "text/plain; charset=utf-8"
ANSWERS = {
    401: "Log in met het wachtwoord van de praktijk.",
    404: "Deze pagina bestaat niet.",
    429: "Te vaak een verkeerd wachtwoord. Probeer het over {seconds} seconden opnieuw.",
    503: "De gegevens zijn nu niet bereikbaar. Probeer het later nog eens.",
}

Response = Tuple[int, Dict[str, str], bytes]


def is_insights(path: str) -> bool:
    return path == "/insights" or path.startswith("/insights/")


def period(query: str) -> int:
    from heupwijzer.insights.report import PERIODS

    value = (parse_qs(query).get("dagen") or [""])[0]
    return int(value) if value.isdigit() and int(value) in PERIODS else DEFAULT_DAYS


class InsightsSite:
    def __init__(self, endpoints: Path, password: str | None) -> None:
        self.endpoints = endpoints
        self.login = Login(password)
        self._engine: Any = None

    def engine(self) -> Any:
        """Kept once the store exists (before the first conversation there is nothing to keep)."""
        from heupwijzer.insights.source import read_only_engine

        if self._engine is not None:
            return self._engine
        engine = read_only_engine(self.endpoints)
        if engine.url.database:  # the store itself, not the empty stand-in
            self._engine = engine
        return engine

    def respond(self, path: str, query: str, authorization: str | None, client: str) -> Response:
        verdict = self.login.check(authorization, client)
        if verdict.status == 429:
            return answer(429, {"Retry-After": str(verdict.retry_after)}, seconds=verdict.retry_after)
        if verdict.status != 200:
            return answer(verdict.status, {"WWW-Authenticate": REALM} if verdict.status == 401 else {})
        from sqlalchemy import exc as sa_exc

        from heupwijzer.insights import page, report

        csv_name = CSV_PATH.match(path)
        if path not in ("/insights", "/insights/") and csv_name is None:
            return answer(404)
        try:
            built = report.build(self.engine(), period(query))
        except sa_exc.SQLAlchemyError as problem:
            logger.error("Insights: the store could not be read: %s", type(problem).__name__)
            return answer(503)
        if csv_name is None:
            return 200, {"Content-Type": "text/html; charset=utf-8"}, page.html(built).encode()
        text = page.csv_text(built, csv_name.group(1))
        if text is None:
            return answer(404)
        filename = f"heupwijzer-{csv_name.group(1)}-{built.days}-dagen.csv"
        headers = {
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{filename}"',
        }
        return 200, headers, ("\ufeff" + text).encode()  # with a BOM: Excel reads it as UTF-8


def answer(status: int, headers: Dict[str, str] | None = None, **values: Any) -> Response:
    return status, {"Content-Type": PLAIN, **(headers or {})}, ANSWERS[status].format(**values).encode()
