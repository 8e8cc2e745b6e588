"""The insights page (HTML with its charts inline) and its CSV files, from a Report."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Dict

from jinja2 import Environment, FileSystemLoader, select_autoescape

from heupwijzer.insights.charts import svg
from heupwijzer.insights.report import PERIODS, Report

TEMPLATES = Path(__file__).resolve().parent / "templates"
_environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def html(report: Report, base: str = "/insights", static: bool = False) -> str:
    """static: links to the files of `make insights` (static_name) instead of the server's routes."""
    charts: Dict[str, str] = {section.key: svg(section.chart) for section in report.sections}
    if static:
        periods = {days: static_name(days) for days in PERIODS}
        csvs = {s.key: static_name(report.days, s.key) for s in report.sections}
    else:
        periods = {days: f"{base}?dagen={days}" for days in PERIODS}
        csvs = {s.key: f"{base}/{s.key}.csv?dagen={report.days}" for s in report.sections}
    return _environment.get_template("page.html").render(
        report=report, charts=charts, periods=PERIODS, period_links=periods, csv_links=csvs
    )


def static_name(days: int, table: str | None = None) -> str:
    return f"{days}-dagen-{table}.csv" if table else f"{days}-dagen.html"


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def as_text(cell: str) -> str:
    """A cell a spreadsheet must not run: a patient's question starting with '=' stays text."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def csv_text(report: Report, key: str) -> str | None:
    section = next((s for s in report.sections if s.key == key), None)
    if section is None:
        return None
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")  # Dutch spreadsheet programs read ';'
    writer.writerow(section.header)
    writer.writerows([[as_text(cell) for cell in row] for row in section.rows])
    return out.getvalue()
