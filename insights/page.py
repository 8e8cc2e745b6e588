"""The insights page (HTML with its charts inline) and its CSV files, from a Report."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Dict

from jinja2 import Environment, FileSystemLoader, select_autoescape

from insights.charts import svg
from insights.report import PERIODS, Report

TEMPLATES = Path(__file__).resolve().parent / "templates"
_environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def html(report: Report, base: str = "/insights", static: bool = False) -> str:
    """static: CSV links next to the page file (make insights) instead of the server's routes."""
    charts: Dict[str, str] = {section.key: svg(section.chart, section.title) for section in report.sections}
    return _environment.get_template("page.html").render(
        report=report,
        charts=charts,
        periods=PERIODS,
        base=base,
        csv_base="" if static else f"{base}/",
        csv_query="" if static else f"?dagen={report.days}",
    )


def csv_text(report: Report, key: str) -> str | None:
    section = next((s for s in report.sections if s.key == key), None)
    if section is None:
        return None
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")  # Dutch spreadsheet programs read ';'
    writer.writerow(section.header)
    writer.writerows(section.rows)
    return out.getvalue()
