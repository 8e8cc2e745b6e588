"""The website widget in a real browser: Debian's Chromium, driven by Playwright.

Opens the chat page (which embeds the widget with the same one-line snippet a practice uses),
asks a question, checks the answer and the thuisarts.nl link, taps a button, checks that typed
HTML or markdown is shown as text, that the conversation survives a reload, and saves a
screenshot to test-reports/webchat.png.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from typing import Iterator

import pytest
import requests
from playwright.sync_api import Page, expect, sync_playwright

from tests.conftest import ROOT, THUISARTS_HIP, VENV_BIN, WEB_ORIGIN, WEB_PORT, Stack, stop, wait_until_up

SCREENSHOT = ROOT / "test-reports" / "webchat.png"
QUESTION = "wat kan ik zelf doen aan mijn heupartrose?"
INJECTION = '<img src=x onerror="window.__pwned = 1"> **vet** <script>window.__pwned = 2</script>'


@pytest.fixture(scope="module")
def chat_page(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("web") / "web.log"
    env = {**os.environ, "HEUPWIJZER_CORS_ORIGINS": WEB_ORIGIN}
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(VENV_BIN / "python"), "scripts/serve_web.py", "--port", str(WEB_PORT),
             "--rasa-port", str(stack.rasa_port)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(f"{WEB_ORIGIN}/", process, log, timeout=60)
        yield f"{WEB_ORIGIN}/"
    finally:
        stop(process)


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Debian's chromium is missing: `make test` installs it (scripts/setup_browser.sh).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 420, "height": 860}, locale="nl-NL")
        yield context.new_page()
        browser.close()


def open_chat(page: Page) -> None:
    """Open the widget unless it restored itself open (it remembers its state)."""
    page.wait_for_selector(".rw-launcher, .rw-new-message", state="attached", timeout=30_000)
    page.wait_for_timeout(500)
    if not page.locator(".rw-new-message").is_visible():
        page.click(".rw-launcher")
    expect(page.locator(".rw-new-message")).to_be_visible(timeout=10_000)


def send(page: Page, text: str) -> None:
    page.fill(".rw-new-message", text)
    page.keyboard.press("Enter")


def test_config_answers_cors_only_for_the_allowed_origin(chat_page: str) -> None:
    allowed = requests.get(f"{chat_page}config.json", headers={"Origin": WEB_ORIGIN}, timeout=10)
    assert allowed.headers.get("Access-Control-Allow-Origin") == WEB_ORIGIN
    assert allowed.json()["colour"].startswith("#")
    other = requests.get(f"{chat_page}config.json", headers={"Origin": "https://evil.example"}, timeout=10)
    assert "Access-Control-Allow-Origin" not in other.headers


def test_the_page_shows_the_one_line_embed_snippet(chat_page: str) -> None:
    html = requests.get(chat_page, timeout=10).text
    assert "&lt;script src=&quot;https://chat.jouwpraktijk.nl/embed.js&quot; defer&gt;&lt;/script&gt;" in html \
        or '&lt;script src="https://chat.jouwpraktijk.nl/embed.js" defer&gt;&lt;/script&gt;' in html
    assert '<script src="/embed.js" defer></script>' in html


def test_widget_answers_links_buttons_and_keeps_the_conversation(
        chat_page: str, page: Page, capsys: pytest.CaptureFixture) -> None:
    page.goto(chat_page)
    open_chat(page)
    expect(page.locator(".rw-response").first).to_contain_text("digitale assistent", timeout=30_000)
    expect(page.locator(".rw-header")).to_contain_text("Heupwijzer")
    expect(page.locator(".rw-header")).to_have_css("background-color", "rgb(11, 93, 122)")  # practice.yml
    expect(page.locator(".rw-new-message")).to_have_attribute("placeholder", "Typ je vraag...")

    send(page, QUESTION)
    expect(page.locator(".rw-response", has_text="Rook niet")).to_be_visible(timeout=30_000)
    link = page.locator(f'.rw-response a[href="{THUISARTS_HIP}"]').first
    expect(link).to_be_visible(timeout=30_000)  # the widget shows messages one by one
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")

    more = page.locator(".rw-reply", has_text="Meer lezen").first
    expect(more).to_be_visible(timeout=30_000)
    more.click()
    expect(page.locator(".rw-response", has_text="Meer lezen over 'Zelf doen'")).to_be_visible(timeout=30_000)

    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    with capsys.disabled():
        print(f"\nScreenshot of the chat widget: {SCREENSHOT}")

    # The conversation survives a reload (session persistence).
    page.reload()
    open_chat(page)
    expect(page.locator(".rw-client", has_text=QUESTION)).to_be_visible(timeout=30_000)


def test_typed_html_and_markdown_are_shown_as_text(chat_page: str, page: Page) -> None:
    page.goto(chat_page)
    open_chat(page)
    send(page, INJECTION)
    mine = page.locator(".rw-client").last
    expect(mine).to_have_text(INJECTION, timeout=10_000)
    assert mine.locator("img, script, strong").count() == 0
    page.wait_for_timeout(1000)
    assert page.evaluate("window.__pwned") is None
