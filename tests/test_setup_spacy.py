"""tools/setup_spacy.py, which every `make` runs: the Dutch pipeline it settles on, and that it gives
up on an unreachable download location at once instead of through pip (20 s at every `make`)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest

from tools import setup_spacy


class NotFound(BaseHTTPRequestHandler):
    def do_HEAD(self) -> None:
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), NotFound)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/nl_core_news_sm.whl"
    httpd.shutdown()


def test_a_location_that_answers_is_reachable_one_that_does_not_resolve_is_not(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for proxy in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(proxy, raising=False)  # a proxy would answer for the .invalid host
    assert setup_spacy.reachable(server)  # pip gets to say what is wrong with it
    assert not setup_spacy.reachable("https://spacy-models.invalid/nl_core_news_sm.whl", timeout=5)


def test_locations_pip_reads_itself_are_left_to_pip() -> None:
    """A local file or a mirror with a login in its address: never probed (no crash, no leaked token)."""
    assert setup_spacy.reachable("/mirror/nl_core_news_sm-3.4.0-py3-none-any.whl")
    assert setup_spacy.reachable("https://user:token@mirror.invalid/nl_core_news_sm.whl")


def test_unreachable_official_model_falls_back_without_calling_pip(monkeypatch: pytest.MonkeyPatch) -> None:
    if setup_spacy.is_installed(setup_spacy.OFFICIAL):
        pytest.skip("nl_core_news_sm is installed here")
    monkeypatch.setattr(setup_spacy, "OFFICIAL_URL", "https://spacy-models.invalid/nl_core_news_sm.whl")

    def no_pip(*args: str, **kwargs: Any) -> bool:
        raise AssertionError(f"pip was called: {args}")

    monkeypatch.setattr(setup_spacy, "pip_install", no_pip)
    monkeypatch.setattr(setup_spacy, "is_installed", lambda name: name == setup_spacy.OFFLINE)
    assert setup_spacy.resolve(setup_spacy.OFFICIAL) == setup_spacy.OFFLINE


def test_the_pipeline_make_recorded_is_installed_and_a_made_up_one_is_not() -> None:
    recorded = Path(setup_spacy.__file__).resolve().parents[1] / "build" / "spacy-model"
    if not recorded.exists():
        pytest.skip("make setup has not run")
    assert setup_spacy.is_installed(recorded.read_text().strip())
    assert not setup_spacy.is_installed("nl_heupwijzer_does_not_exist")
