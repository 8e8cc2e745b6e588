"""Pseudonymous conversation ids, typed payloads, the launcher's secrets, the action server's limits
(the security probes against a running server are in test_security.py)."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest

from heupwijzer.channels.identity import conversation_id
from heupwijzer.channels.payloads import safe_text
from heupwijzer.server.action_server import inflated_size
from heupwijzer.server.options import kept_secret
from heupwijzer.settings import Settings
from heupwijzer.store.retention import retention_days

SECRET = b"a-secret-of-more-than-16-characters"


def test_conversation_ids_are_keyed_hashes_with_the_channel_prefix() -> None:
    whatsapp = conversation_id("twilio", "whatsapp:+31612345678", SECRET)
    assert whatsapp.startswith("wa:") and "612345678" not in whatsapp
    assert whatsapp == conversation_id("twilio", "whatsapp:+31612345678", SECRET)
    assert conversation_id("rest", "whatsapp:+31612345678", SECRET).startswith("rest:")
    assert conversation_id("twilio", "whatsapp:+31612345678", b"another-secret-of-16+chars") != whatsapp
    assert conversation_id("telegram", "12345", SECRET).startswith("tg:")
    assert conversation_id("socketio", "ab" * 16, SECRET).startswith("web:")


@pytest.mark.parametrize(
    "typed,handed_on",
    [
        ("/ask_pain", "/ask_pain"),
        ('/help{"menu_group": "zelf_doen"}', '/help{"menu_group": "zelf_doen"}'),
        ('/help{"menu_group": {"a": 1}}', 'help{"menu_group": {"a": 1}}'),
        ('/other_body_part{"body_part": "[bel](https://x.nl)"}', 'other_body_part{"body_part": "[bel](https://x.nl)"}'),
        ('/other_body_part{"body_part": "knie"}', '/other_body_part{"body_part": "knie"}'),
        ('/ask_pain{"safety_check": "ja"}', 'ask_pain{"safety_check": "ja"}'),
        ("/unknown", "unknown"),
        ("/ask_pain en nog wat", "ask_pain en nog wat"),
        ("mijn heup / mijn knie", "mijn heup / mijn knie"),
        ("/ask_pain@1\nik heb pijn op de borst", "ask_pain@1\nik heb pijn op de borst"),
    ],
)
def test_only_offered_payloads_pass(typed: str, handed_on: str) -> None:
    assert safe_text(typed) == handed_on


def test_the_id_secret_is_created_once_and_private(tmp_path: Path) -> None:
    path = tmp_path / "state" / "id_secret"
    first = kept_secret(path)
    assert len(first) >= 32 and path.stat().st_mode & 0o077 == 0
    assert kept_secret(path) == first
    path.write_text("")  # damaged: never silently replaced (every stored conversation id depends on it)
    with pytest.raises(SystemExit):
        kept_secret(path)


def test_a_compressed_body_is_measured_without_inflating_all_of_it() -> None:
    bomb = zlib.compress(b"\0" * 50_000_000)
    assert len(bomb) < 100_000
    assert inflated_size(bomb, 1_000_000) > 1_000_000
    assert inflated_size(zlib.compress(b"{}"), 1_000_000) == 2


def test_retention_days_default_and_bad_values() -> None:
    assert retention_days(Settings.of({})) == 30
    assert retention_days(Settings.of({"HEUPWIJZER_RETENTION_DAYS": "90"})) == 90
    with pytest.raises(ValueError):
        retention_days(Settings.of({"HEUPWIJZER_RETENTION_DAYS": "nul"}))
