"""The website widget in a real browser: Debian's Chromium, driven by Playwright.

Opens the chat page (which embeds the widget with the same one-line snippet a practice uses),
asks a question, checks the answer and the thuisarts.nl link, taps a button, checks that typed
HTML or markdown is shown as text, that the conversation survives a reload, and saves a
screenshot to test-reports/webchat.png. Accessibility: axe-core finds no WCAG 2.1 A/AA violation
(widget closed, and open with a conversation), the chat works with the keyboard alone and
announces answers, and it stays usable at 200 % zoom on a phone. For patients who read or type with
difficulty: 112 and the practice's number are tel: links, "Lees voor" reads an answer aloud in a
Dutch voice, and the text size control is remembered across a reload (screenshot webchat-help.png).
"""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator, List

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from tests.conftest import PRACTICE_SITE_PORT, ROOT, TEST_REPORTS, THUISARTS_HIP, WEB_ORIGIN, Stack

SCREENSHOT = TEST_REPORTS / "webchat.png"
QUESTION = "wat kan ik zelf doen aan mijn heupartrose?"
INJECTION = '<img src=x onerror="window.__pwned = 1"> **vet** <script>window.__pwned = 2</script>'


@pytest.fixture(scope="module")
def chat_page(stack: Stack) -> str:
    """The chat page of the running stack (the launcher's web server)."""
    return stack.web_url


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 420, "height": 860}, locale="nl-NL")
    yield context.new_page()
    context.close()


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
    assert (
        "&lt;script src=&quot;https://chat.jouwpraktijk.nl/embed.js&quot; defer&gt;&lt;/script&gt;" in html
        or '&lt;script src="https://chat.jouwpraktijk.nl/embed.js" defer&gt;&lt;/script&gt;' in html
    )
    assert '<script src="/embed.js" defer></script>' in html


def test_widget_answers_links_buttons_and_keeps_the_conversation(
    chat_page: str, page: Page, capsys: pytest.CaptureFixture
) -> None:
    page.goto(chat_page)
    open_chat(page)
    expect(page.locator(".rw-response").first).to_contain_text("digitale assistent", timeout=30_000)
    expect(page.locator(".rw-header")).to_contain_text("Heupwijzer")
    expect(page.locator(".rw-header")).to_have_css("background-color", "rgb(11, 93, 122)")  # content/practice.yml
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

    # The conversation survives a reload (session persistence), on a connection that presents this
    # tab's token: the session belongs to the tab (heupwijzer/channels/webchat.py).
    sockets: List[str] = []
    page.on("websocket", lambda socket: sockets.append(socket.url))
    page.reload()
    open_chat(page)
    expect(page.locator(".rw-client", has_text=QUESTION)).to_be_visible(timeout=30_000)
    assert any(re.search(r"[?&]owner=[0-9a-f]{32}(&|$)", url) for url in sockets), sockets


def test_typed_html_and_markdown_are_shown_as_text(chat_page: str, page: Page) -> None:
    page.goto(chat_page)
    open_chat(page)
    send(page, INJECTION)
    mine = page.locator(".rw-client").last
    expect(mine).to_have_text(INJECTION, timeout=10_000)
    assert mine.locator("img, script, strong").count() == 0
    page.wait_for_timeout(1000)
    assert page.evaluate("window.__pwned") is None


# --- accessible to every patient ----------------------------------------------------------------
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"  # from npm, injected from this disk
WCAG_21_AA = "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']"


def wcag_violations(page: Page) -> List[str]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        f"axe.run(document, {{runOnly: {{type: 'tag', values: {WCAG_21_AA}}}}})"
        ".then(result => result.violations.map(v => v.impact + ' ' + v.id + ': '"
        " + v.nodes.map(n => n.target.join(' ')).join(', ')))"
    )
    return list(violations)


@pytest.fixture()
def fresh_page(browser: Browser) -> Iterator[Page]:
    """A new visitor: no stored conversation, no open widget. The page's Content-Security-Policy is
    bypassed here only, so that axe-core (a test tool) can be injected; every other browser test
    runs under the policy."""
    context = browser.new_context(viewport={"width": 420, "height": 860}, locale="nl-NL", bypass_csp=True)
    yield context.new_page()
    context.close()


def test_no_wcag_21_aa_violations_closed_or_open_with_a_conversation(chat_page: str, fresh_page: Page) -> None:
    page = fresh_page
    page.goto(chat_page)
    page.wait_for_selector(".rw-launcher", timeout=30_000)
    assert wcag_violations(page) == []
    open_chat(page)
    send(page, QUESTION)
    expect(page.locator(".rw-reply", has_text="Meer lezen").first).to_be_visible(timeout=30_000)
    assert page.locator(".rw-messages-container").evaluate("e => e.scrollHeight > e.clientHeight"), (
        "the conversation should be long enough to scroll"
    )
    assert wcag_violations(page) == []


def focused(page: Page, selector: str) -> bool:
    return bool(page.evaluate(f"document.activeElement && document.activeElement.matches({selector!r})"))


def tab_to(page: Page, selector: str, limit: int = 25) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page, selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_the_chat_works_with_the_keyboard_alone_and_announces_answers(chat_page: str, fresh_page: Page) -> None:
    page = fresh_page
    page.goto(chat_page)
    page.wait_for_selector(".rw-launcher", timeout=30_000)
    tab_to(page, ".rw-launcher")
    expect(page.locator(".rw-launcher")).to_have_attribute("aria-label", "Open de chat met Heupwijzer")
    page.keyboard.press("Enter")
    expect(page.locator(".rw-response").first).to_contain_text("digitale assistent", timeout=30_000)

    log = page.locator(".rw-messages-container")
    expect(log).to_have_attribute("role", "log")  # a live region: screen readers read new answers
    expect(log).to_have_attribute("aria-live", "polite")
    expect(log).to_have_attribute("tabindex", "0")  # reachable, so it can be scrolled by keyboard
    expect(page.locator(".rw-send")).to_have_attribute("aria-label", "Verstuur je vraag")

    page.locator(".rw-new-message").focus()
    page.keyboard.type(QUESTION)
    page.keyboard.press("Enter")
    assert focused(page, ".rw-new-message"), "focus should stay in the input after sending"
    expect(page.locator(".rw-response", has_text="Rook niet")).to_be_visible(timeout=30_000)
    assert focused(page, ".rw-new-message"), "an answer arriving must not take the focus away"

    reply = page.locator(".rw-reply", has_text="Meer lezen").first
    expect(reply).to_be_visible(timeout=30_000)
    expect(reply).to_have_attribute("role", "button")
    tab_to(page, ".rw-reply")
    while "Meer lezen" not in page.evaluate("document.activeElement.textContent"):
        page.keyboard.press("Tab")
        assert focused(page, ".rw-reply"), "every answer button should be in the Tab order"
    page.keyboard.press("Enter")
    expect(page.locator(".rw-response", has_text="Meer lezen over 'Zelf doen'")).to_be_visible(timeout=30_000)
    assert focused(page, ".rw-new-message"), "after a button the keyboard should be back in the input"


def test_usable_at_200_percent_zoom_on_a_phone(chat_page: str, browser: Browser) -> None:
    # A 360 x 740 phone zoomed to 200 %: 180 x 370 CSS pixels.
    context = browser.new_context(
        viewport={"width": 180, "height": 370}, device_scale_factor=4, is_mobile=True, has_touch=True, locale="nl-NL"
    )
    page = context.new_page()
    try:
        page.goto(chat_page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 180, "the page scrolls sideways"
        page.locator(".rw-launcher").tap(timeout=30_000)
        send(page, QUESTION)
        expect(page.locator(".rw-response", has_text="Rook niet")).to_be_visible(timeout=30_000)
        for selector in (".rw-new-message", ".rw-send", ".rw-close-button"):
            box = page.locator(selector).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 180, f"{selector} is off screen"
        title = page.locator(".rw-header .rw-title").bounding_box()
        practice = page.locator(".rw-header span").first.bounding_box()
        assert title and practice and practice["y"] >= title["y"] + title["height"], (
            "the title and the practice's name overlap"
        )
        answer = page.locator(".rw-response", has_text="Rook niet").first.bounding_box()
        assert answer and answer["x"] + answer["width"] <= 180, "answers must wrap, not run off screen"
    finally:
        context.close()


# --- embedded on the practice's own website ----------------------------------------------------------
@pytest.fixture(scope="module")
def practice_site(stack: Stack) -> Iterator[str]:
    """A page on another site (the practice's website) with the one-line snippet."""
    page = (
        '<!doctype html><html lang="nl"><head><title>Praktijk</title><link rel="icon" href="data:,"></head>'
        "<body><h1>Praktijk</h1>"
        f'<script src="{stack.web_url}embed.js" defer></script></body></html>'
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/" else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page if self.path == "/" else b"")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", PRACTICE_SITE_PORT), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{PRACTICE_SITE_PORT}/"
    server.shutdown()


def test_the_widget_works_on_the_practice_site_with_its_font_and_no_errors(
    practice_site: str, fresh_page: Page
) -> None:
    page = fresh_page
    errors: List[str] = []
    failed: List[str] = []
    page.on("console", lambda message: message.type in ("error", "warning") and errors.append(message.text))
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("response", lambda response: response.status >= 400 and failed.append(response.url))
    page.goto(practice_site)
    open_chat(page)
    send(page, QUESTION)
    expect(page.locator(".rw-response", has_text="Rook niet")).to_be_visible(timeout=30_000)
    assert page.evaluate("document.fonts.check('16px Inter')"), "the widget's font did not load"
    assert failed == [] and errors == [], (failed, errors)


# --- for patients who read or type with difficulty -----------------------------------------------
# A Dutch voice for the page (headless Chromium has none): what speechSynthesis.speak is asked to say.
DUTCH_VOICE = """
window.__spoken = [];
const voice = {lang: "nl-NL", name: "Stub Nederlands", default: true, localService: true, voiceURI: "stub-nl"};
Object.defineProperty(window, "speechSynthesis", {configurable: true, value: {
  getVoices: () => [voice],
  speak: (u) => window.__spoken.push({text: u.text, lang: u.lang, voice: u.voice && u.voice.name}),
  cancel: () => {}, addEventListener: () => {}, speaking: false, pending: false, paused: false}});
window.SpeechSynthesisUtterance = function (text) { this.text = text; };
"""
URGENT = "ik ben net gevallen en kan niet meer opstaan"
HELP_SCREENSHOT = TEST_REPORTS / "webchat-help.png"


def test_call_now_is_a_tap_read_aloud_speaks_the_answer_and_text_size_survives_a_reload(
    chat_page: str, browser: Browser
) -> None:
    context = browser.new_context(viewport={"width": 420, "height": 860}, locale="nl-NL", bypass_csp=True)
    context.add_init_script(DUTCH_VOICE)
    page = context.new_page()
    try:
        page.goto(chat_page)
        open_chat(page)
        send(page, URGENT)
        call = page.locator('.rw-response a[href="tel:112"]').last
        expect(call).to_be_visible(timeout=30_000)
        expect(call).to_have_text("112")
        answer = page.locator(".rw-response", has_text="Bel nu je huisarts").last
        answer.locator("xpath=..").locator(".hw-read-aloud").click()
        spoken = page.evaluate("window.__spoken")
        assert spoken[-1]["lang"] == "nl-NL" and spoken[-1]["voice"] == "Stub Nederlands"
        assert "Bel nu je huisarts" in spoken[-1]["text"] and "Lees voor" not in spoken[-1]["text"]

        size = float(answer.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
        page.get_by_role("button", name="Tekst groter").click()
        expect(page.locator(".rw-widget-container")).to_have_class(re.compile(r"\bhw-text-125\b"))
        assert float(answer.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 1.2 * size
        assert wcag_violations(page) == []
        HELP_SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(HELP_SCREENSHOT), full_page=True)

        page.reload()
        open_chat(page)
        expect(page.locator(".rw-widget-container")).to_have_class(re.compile(r"\bhw-text-125\b"), timeout=30_000)
        expect(page.get_by_role("button", name="Tekst groter")).to_be_enabled()
        page.get_by_role("button", name="Tekst groter").click()
        expect(page.get_by_role("button", name="Tekst groter")).to_be_disabled()  # 150 %: the largest
    finally:
        context.close()


def test_the_practices_number_is_a_tap_and_without_a_dutch_voice_there_is_no_read_aloud(
    chat_page: str, fresh_page: Page
) -> None:
    page = fresh_page
    page.add_init_script("window.speechSynthesis && (window.speechSynthesis.getVoices = () => []);")  # no voice
    page.goto(chat_page)
    open_chat(page)
    send(page, "hoe kan ik de praktijk bellen?")
    phone = page.locator('.rw-response a[href="tel:0101234567"]').first  # content/practice.yml: 010 123 45 67
    expect(phone).to_be_visible(timeout=30_000)
    assert page.locator(".hw-read-aloud").count() == 0  # no voice at all: no button
