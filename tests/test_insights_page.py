"""The insights page of a running Heupwijzer, after scripted conversations with the real bot: the
numbers the practice sees, the "< 5" rule, the login, no sender id or unscrubbed text; and in
Chromium, logged in, on a laptop and a phone (screenshot: test-reports/insights.png)."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
import requests
from playwright.sync_api import Browser

from heupwijzer.channels.identity import conversation_id
from tests.conftest import TEST_REPORTS, Stack, new_sender, texts
from tests.harness.stack import ID_SECRET, free_port

pytestmark = pytest.mark.stack
PASSWORD = "een-lang-wachtwoord-voor-de-praktijk"
LOGIN = ("praktijk", PASSWORD)
SENDERS: List[str] = []


@pytest.fixture(scope="module")
def insights_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Its own store: the page's numbers are exactly those of the conversations below."""
    workdir = tmp_path_factory.mktemp("insights-stack")
    running = Stack(
        workdir=workdir,
        tracker_db=workdir / "tracker.db",
        web_port=free_port(),
        settings={"HEUPWIJZER_INSIGHTS_PASSWORD": PASSWORD},
    ).start()
    converse(running)
    as_of_yesterday(workdir / "tracker.db")
    yield running
    running.stop()


def talk(stack: Stack, *turns: str) -> List[str]:
    sender = new_sender()
    SENDERS.append(sender)
    return [texts(stack.say(sender, turn)) for turn in turns]


def converse(stack: Stack) -> None:
    for rating in ["/feedback_positive"] * 5 + ["/feedback_negative"]:
        replies = talk(stack, "hallo", "wat kan ik zelf doen aan mijn heupartrose?", rating)
        assert "Rook niet" in replies[1] and "Had je iets aan dit antwoord?" in replies[1]
    for _ in range(5):
        replies = talk(stack, "iets met mijn heup", "heup gedoe")
        assert "Bedoel je" in replies[0] and "nog steeds niet" in replies[1]
    replies = talk(stack, "bel me op 0612345678, iets met mijn heup")
    assert "Bedoel je" in replies[0]
    for _ in range(2):
        assert "112" in talk(stack, "ik heb pijn op de borst")[0]
    for strength in ["twee", "twee", "drie", "een", "nul"]:
        replies = talk(stack, "beweeg ik eigenlijk wel genoeg?", "vijf", strength)
        assert "Vraag 2 van 2" in replies[1]


def as_of_yesterday(database: Path) -> None:
    """The page shows whole days up to yesterday: the conversations above are moved one day back."""
    with sqlite3.connect(database) as connection:
        for name in ("insights_counts", "insights_unanswered"):
            connection.execute(f"UPDATE {name} SET day = date(day, '-1 day')")


def table(stack: Stack, name: str, days: int = 7) -> Dict[str, List[str]]:
    """A CSV of the page, by its first column."""
    response = requests.get(f"{stack.web_url}insights/{name}.csv?dagen={days}", auth=LOGIN, timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    return {row[0]: row[1:] for row in rows[1:]}


def test_the_page_counts_the_conversations_it_had(insights_stack: Stack) -> None:
    page = requests.get(f"{insights_stack.web_url}insights?dagen=7", auth=LOGIN, timeout=30)
    assert page.status_code == 200 and "Gesprekken<strong>19</strong>" in page.text
    assert table(insights_stack, "onderwerpen")["Zelf doen"][0] == "6"
    assert table(insights_stack, "feedback")["Zelf doen"] == ["5", "< 5", "–"]
    missed = table(insights_stack, "niet_begrepen")
    assert missed["“Bedoel je …?”"][0] == "6" and missed["Tweede keer niet begrepen"][0] == "5"
    assert all(cell == "< 5" for row in table(insights_stack, "rode_vlaggen").values() for cell in row)
    beweeg = table(insights_stack, "beweegcheck")
    assert beweeg["Beweegcheck gedaan"] == ["5"] and beweeg["Haalt de Beweegnorm"] == ["< 5"]
    assert beweeg["Deel dat de Beweegnorm haalt"] == ["–"], "3 of 5 would give away a count below 5"
    usage = table(insights_stack, "gebruik")
    assert list(usage.values())[-1][:2] == ["19", "19"], "this week, REST: 19 conversations"


def test_unanswered_questions_appear_grouped_and_scrubbed(insights_stack: Stack) -> None:
    backlog = table(insights_stack, "onbeantwoord", days=30)
    assert backlog["iets met mijn heup"][0] == "5"
    assert backlog["heup gedoe"][0] == "5"
    assert backlog["bel me op [TELEFOON], iets met mijn heup"][0] == "< 5"


def test_no_sender_id_and_no_unscrubbed_text_leaves_the_page(insights_stack: Stack) -> None:
    shown = requests.get(f"{insights_stack.web_url}insights?dagen=90", auth=LOGIN, timeout=30).text
    for name in ("gebruik", "onderwerpen", "niet_begrepen", "onbeantwoord", "feedback", "rode_vlaggen", "beweegcheck"):
        shown += requests.get(f"{insights_stack.web_url}insights/{name}.csv?dagen=90", auth=LOGIN, timeout=30).text
    assert "0612345678" not in shown and "[TELEFOON]" in shown
    assert len(SENDERS) == 19
    for sender in SENDERS:
        assert sender not in shown and conversation_id("rest", sender, ID_SECRET.encode()) not in shown


def test_the_page_needs_the_practice_password(insights_stack: Stack) -> None:
    url = f"{insights_stack.web_url}insights"
    refused = requests.get(url, timeout=30)
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Basic")
    assert "Gesprekken" not in refused.text
    assert requests.get(url, auth=("praktijk", "raden"), timeout=30).status_code == 401
    csv_refused = requests.get(f"{url}/onbeantwoord.csv", timeout=30)
    assert csv_refused.status_code == 401 and "heup" not in csv_refused.text
    page = requests.get(url, auth=LOGIN, timeout=30)
    assert (
        page.headers["Cache-Control"] == "no-store"
        and "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    )


def test_the_practice_reads_the_page_in_chromium_on_a_laptop_and_a_phone(
    insights_stack: Stack, browser: Browser
) -> None:
    TEST_REPORTS.mkdir(exist_ok=True)
    for name, viewport in (
        ("insights.png", {"width": 1280, "height": 900}),
        ("insights-phone.png", {"width": 390, "height": 844}),
    ):
        context = browser.new_context(
            http_credentials={"username": "praktijk", "password": PASSWORD}, viewport=viewport
        )
        page = context.new_page()
        page.goto(f"{insights_stack.web_url}insights?dagen=30")
        assert page.locator("h1").inner_text() == "Heupwijzer – inzichten voor de praktijk"
        assert page.locator("section#onderwerpen svg").count() == 1, "a chart beside the table"
        assert page.locator("section#onderwerpen td", has_text="Zelf doen").count() == 1
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page scrolls sideways at {viewport['width']} px"
        page.get_by_role("link", name="Laatste 90 dagen").click()
        assert "dagen=90" in page.url
        path = TEST_REPORTS / name
        page.screenshot(path=str(path), full_page=True)
        print(f"screenshot of the insights page: {path}")
        context.close()
