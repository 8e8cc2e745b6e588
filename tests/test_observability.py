"""What the practice's operator sees (issue 23): metrics that move by exactly the messages sent, by
channel, with red flags and errors; health and readiness that name the part that is down; turn logs
as JSON lines without personal data; metrics for no one else."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import shutil
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, List, Set, Tuple

import jsonschema
import pytest
import requests
import socketio
import sqlalchemy as sa
import yaml
from prometheus_client.parser import text_string_to_metric_families
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.utils.endpoints import EndpointConfig

from heupwijzer.channels.common import guarded
from heupwijzer.observe import health, logs, metrics, turns
from heupwijzer.paths import ROOT
from heupwijzer.settings import apply
from tests.conftest import WEB_ORIGIN, Stack, free_port, new_sender, run_async
from tests.fake_platforms import FakePlatforms
from tests.test_channels import meta, meta_body, meta_sent, new_wa_id

Samples = Dict[Tuple[str, Tuple[Tuple[str, str], ...]], float]
URGENT = "ik ben gevallen en kan niet meer opstaan"  # the detector: call the huisarts now


def parse(text: str) -> Samples:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scraped(url: str, **headers: str) -> Samples:
    response = requests.get(f"{url}/metrics", headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/plain")
    return parse(response.text)


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def until(check: Callable[[], bool], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the metrics did not move in time"
        time.sleep(0.2)


def widget_message(stack: Stack, text: str) -> List[str]:
    async def chat() -> List[str]:
        client = socketio.AsyncClient()
        replies: List[str] = []
        client.on("bot_uttered", lambda data: replies.append(str(data.get("text"))))
        session = uuid.uuid4().hex
        await client.connect(stack.base_url, headers={"Origin": WEB_ORIGIN}, transports=["websocket"])
        await client.emit("session_request", {"session_id": session})
        await asyncio.sleep(0.3)
        await client.emit("user_uttered", {"session_id": session, "message": text})
        for _ in range(150):
            if replies:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)  # the rest of the answer
        await client.disconnect()
        return replies

    return run_async(chat())


def test_counters_and_latency_move_by_exactly_the_messages_of_each_channel(
    stack: Stack, platforms: FakePlatforms
) -> None:
    before = scraped(stack.base_url)
    patient = new_sender()
    stack.say(patient, "wat kan ik zelf doen aan mijn heupartrose?")
    stack.say(patient, URGENT)
    assert widget_message(stack, "wat is heupartrose?")
    wa_id = new_wa_id()
    assert meta(stack, meta_body(wa_id, {"type": "text", "text": {"body": "hoe lang duurt de therapie?"}})).ok
    meta_sent(platforms, wa_id)
    expected = {"rest": 2, "socketio": 1, "whatsapp": 1, "twilio": 0, "telegram": 0}

    def moved(samples: Samples) -> Dict[str, float]:
        return {
            channel: value(samples, "heupwijzer_messages_total", channel=channel)
            - value(before, "heupwijzer_messages_total", channel=channel)
            for channel in expected
        }

    until(lambda: moved(scraped(stack.base_url)) == expected)
    after = scraped(stack.base_url)
    for channel, count in expected.items():
        timed = value(after, "heupwijzer_answer_seconds_count", channel=channel) - value(
            before, "heupwijzer_answer_seconds_count", channel=channel
        )
        assert timed == count, channel
    level = {"level": "vandaag_huisarts"}
    assert (
        value(after, "heupwijzer_red_flags_total", **level) - value(before, "heupwijzer_red_flags_total", **level) == 1
    )
    assert value(after, "process_resident_memory_bytes") > 100e6


def test_metrics_are_served_to_this_host_but_not_through_a_proxy(stack: Stack) -> None:
    for url in (stack.base_url, f"http://127.0.0.1:{stack.actions_port}"):
        assert "heupwijzer_" in requests.get(f"{url}/metrics", timeout=10).text
        forwarded = requests.get(f"{url}/metrics", headers={"X-Forwarded-For": "203.0.113.9"}, timeout=10)
        assert forwarded.status_code == 404
        assert "heupwijzer_" not in forwarded.text


def test_the_action_server_counts_its_calls(stack: Stack) -> None:
    before = value(scraped(f"http://127.0.0.1:{stack.actions_port}"), "heupwijzer_action_calls_total", outcome="ok")
    stack.say(new_sender(), "wat kan ik zelf doen aan mijn heupartrose?")
    after = value(scraped(f"http://127.0.0.1:{stack.actions_port}"), "heupwijzer_action_calls_total", outcome="ok")
    assert after > before


def test_live_and_ready_when_every_part_answers(stack: Stack) -> None:
    assert requests.get(f"{stack.base_url}/health/live", timeout=10).json() == {"status": "ok"}
    ready = requests.get(f"{stack.base_url}/health/ready", timeout=10)
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "parts": {"model": "ok", "store": "ok", "actions": "ok"}}


def test_the_turn_log_names_channel_outcome_and_latency_but_no_sender_or_text(stack: Stack) -> None:
    patient = new_sender()
    stack.say(patient, URGENT)
    lines = [line for line in stack.log().splitlines() if "heupwijzer.turns" in line]
    assert any("rest" in line and "vandaag_huisarts" in line for line in lines[-5:]), lines[-5:]
    assert patient not in stack.log()
    assert "opstaan" not in stack.log()


# --- unit level: readiness, the token, the JSON lines, the error counters --------------------------


class FakeAgent:
    def __init__(self, engine: Any = None, redis_port: int | None = None, actions_port: int | None = None) -> None:
        self.tracker_store = type("Store", (), {"engine": engine})()
        if redis_port is not None:
            import redis

            client = redis.Redis(port=redis_port, socket_connect_timeout=1, socket_timeout=1)
            self.lock_store = type("Locks", (), {"red": client})()
        self.action_endpoint = EndpointConfig(f"http://127.0.0.1:{actions_port or free_port()}/webhook")

    def is_ready(self) -> bool:
        return True


def test_readiness_names_a_stopped_redis_and_action_server(tmp_path: Any) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'store.db'}")
    parts = asyncio.run(health.readiness(FakeAgent(engine, redis_port=free_port())))
    assert parts == {"model": "ok", "store": "ok", "actions": "niet bereikbaar", "redis": "niet bereikbaar"}
    assert health.status(parts) == ("niet klaar", 503)
    exposed = parse(metrics.exposition()[0].decode())
    assert (
        value(exposed, "heupwijzer_ready", part="redis") == 0 and value(exposed, "heupwijzer_ready", part="store") == 1
    )
    # the action server alone down: the instance still answers red flags and crisis
    assert health.status({"model": "ok", "store": "ok", "actions": "niet bereikbaar"}) == ("beperkt", 200)
    missing = sa.create_engine(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.db'}")
    assert asyncio.run(health.readiness(FakeAgent(missing)))["store"] == "niet bereikbaar"
    assert asyncio.run(health.readiness(None)) == {"model": "niet geladen"}


def test_an_alarm_counts_also_when_its_turn_could_not_be_stored() -> None:
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from heupwijzer.store.tracker_store import count_turn, this_turn

    tracker = DialogueStateTracker.from_events(
        "p",
        [
            UserUttered("hallo"),
            BotUttered("vorige", metadata={"utter_action": "utter_red_flag_urgent"}),
            UserUttered(URGENT),
            ActionExecuted("utter_red_flag_urgent"),
            BotUttered("Bel nu je huisarts", metadata={"utter_action": "utter_red_flag_urgent"}),
        ],
    )

    def urgent() -> float:
        return value(parse(metrics.exposition()[0].decode()), "heupwijzer_red_flags_total", level="vandaag_huisarts")

    before = urgent()
    count_turn(this_turn(tracker))
    assert urgent() == before + 1, "only this turn's alarm, once"


def test_a_stopped_redis_and_action_server_show_in_the_error_counter(monkeypatch: pytest.MonkeyPatch) -> None:
    from heupwijzer.channels.memory import SharedRecentIds
    from tests.test_faults import run_unreachable_action

    def errors(component: str) -> float:
        return value(parse(metrics.exposition()[0].decode()), "heupwijzer_errors_total", component=component)

    import redis
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    before = errors("actions"), errors("redis")
    run_unreachable_action(DialogueStateTracker.from_events("p", [UserUttered("wat kan ik zelf doen?")]))
    monkeypatch.setenv("HEUPWIJZER_ID_SECRET", "id-secret-for-tests")
    apply({})
    try:
        ids = SharedRecentIds("rest", redis.Redis(port=free_port(), socket_connect_timeout=1))
        assert ids.seen("message-1") is False  # Redis away: answered rather than dropped
    finally:
        monkeypatch.delenv("HEUPWIJZER_ID_SECRET")
        apply({})
    assert (errors("actions"), errors("redis")) == (before[0] + 1, before[1] + 1)


def test_the_metrics_token_is_required_once_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEUPWIJZER_METRICS_TOKEN", "metrics-token-for-tests")
    apply({})
    try:
        assert not metrics.readable(None, "127.0.0.1", {})
        assert not metrics.readable("Bearer wrong", "127.0.0.1", {})
        assert metrics.readable("Bearer metrics-token-for-tests", "198.51.100.4", {"x-real-ip": "198.51.100.4"})
    finally:
        monkeypatch.delenv("HEUPWIJZER_METRICS_TOKEN")
        apply({})
    assert metrics.readable(None, "127.0.0.1", {})
    assert not metrics.readable(None, "198.51.100.4", {})


def test_production_logs_are_json_lines_without_the_patients_text(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    text = "Ik ben Jan de Vries, 06-12345678, jan@example.nl, BSN 123456782: wat kan ik zelf doen?"

    async def assistant(message: UserMessage) -> None:
        turns.stored("antwoord")
        await message.output_channel.send_response(message.sender_id, {"text": "antwoord"})

    caplog.set_level(logging.INFO, logger="heupwijzer.turns")
    asyncio.run(guarded(assistant, "whatsapp")(UserMessage(text, CollectingOutputChannel(), "31612345678")))
    monkeypatch.setenv("HEUPWIJZER_PROFILE", "production")
    apply({})
    try:
        assert logs.json_wanted()
        lines = [logs.JsonFormatter().format(record) for record in caplog.records]
    finally:
        monkeypatch.delenv("HEUPWIJZER_PROFILE")
        apply({})
    entry = json.loads(lines[-1])
    assert entry["component"] == "heupwijzer.turns"
    assert entry["channel"] == "whatsapp" and entry["outcome"] == "antwoord"
    assert isinstance(entry["latency_ms"], float) and len(entry["conversation"]) == 12
    everything = "\n".join(lines) + metrics.exposition()[0].decode()
    for personal in ("Jan", "Vries", "12345678", "jan@example.nl", "123456782", "31612345678", "zelf doen"):
        assert personal not in everything


# --- the operator's dashboard and alert rules (deploy/) --------------------------------------------

PROMETHEUS = ROOT / "deploy" / "prometheus"
DASHBOARD = ROOT / "deploy" / "grafana" / "heupwijzer.json"
PANEL_SCHEMA = {
    "type": "object",
    "required": ["title", "uid", "schemaVersion", "panels"],
    "properties": {
        "panels": {
            "type": "array",
            "minItems": 5,
            "items": {
                "type": "object",
                "required": ["id", "type", "title", "gridPos", "targets", "datasource"],
                "properties": {
                    "type": {"enum": ["timeseries", "stat", "gauge", "table"]},
                    "gridPos": {"type": "object", "required": ["h", "w", "x", "y"]},
                    "targets": {
                        "type": "array",
                        "minItems": 1,
                        "items": {"type": "object", "required": ["refId", "expr"]},
                    },
                },
            },
        }
    },
}


def promtool(*argv: str) -> subprocess.CompletedProcess:
    tool = shutil.which("promtool")
    assert tool, "promtool is missing: `make test` installs Debian's prometheus package (make nginx)"
    return subprocess.run([tool, *argv], capture_output=True, text=True, timeout=60, check=False)


def known_metrics() -> Set[str]:
    names = {family.name for family in text_string_to_metric_families(metrics.exposition()[0].decode())}
    return names | {f"{n}_total" for n in names} | {f"{n}_{s}" for n in names for s in ("bucket", "sum", "count")}


def test_the_alert_rules_pass_promtool_and_name_only_real_metrics() -> None:
    checked = promtool("check", "rules", str(PROMETHEUS / "alerts.yml"))
    assert checked.returncode == 0 and "5 rules found" in checked.stdout, checked.stdout + checked.stderr
    named = set(re.findall(r"heupwijzer_\w+", (PROMETHEUS / "alerts.yml").read_text()))
    assert named and named <= known_metrics(), named - known_metrics()


def test_the_prometheus_configuration_passes_promtool(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("metrics-token")
    config = (PROMETHEUS / "prometheus.yml").read_text().replace("/etc/prometheus/heupwijzer-metrics-token", "token")
    (tmp_path / "prometheus.yml").write_text(config)
    shutil.copy(PROMETHEUS / "alerts.yml", tmp_path / "alerts.yml")
    checked = promtool("check", "config", str(tmp_path / "prometheus.yml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_dashboard_loads_and_every_panel_query_is_valid_promql(tmp_path: Path) -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    jsonschema.validate(dashboard, PANEL_SCHEMA)
    titles = " ".join(panel["title"] for panel in dashboard["panels"]).lower()
    for needed in ("berichten", "antwoordtijd", "niet begrepen", "rode vlaggen", "storingen"):
        assert needed in titles
    exprs = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    rules = {
        "groups": [{"name": "dashboard", "rules": [{"record": f"panel:{i}", "expr": e} for i, e in enumerate(exprs)]}]
    }
    (tmp_path / "panels.yml").write_text(yaml.safe_dump(rules))
    checked = promtool("check", "rules", str(tmp_path / "panels.yml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    named = set(re.findall(r"heupwijzer_\w+", " ".join(exprs)))
    assert named <= known_metrics(), named - known_metrics()
