"""Prometheus metrics of one Heupwijzer process, for the practice's operator (GET /metrics).

Counted where it happens: patient messages and the time to their answer by channel (the channels'
common entry, heupwijzer/channels/common.py); fallbacks, red-flag alarms by level, crisis referrals,
declines and ratings when a turn is stored (heupwijzer/store/tracker_store.py); errors of the action
server, the store and Redis where they are caught; lock waits and the store's load and save times.
Every label value comes from a closed set written here: never a sender id, a text or a number of
the patient's. Memory and CPU are prometheus-client's process collector.

Who may read them (`readable`): with HEUPWIJZER_METRICS_TOKEN set, a caller showing
"Authorization: Bearer <token>"; without it, only a caller on this host that did not come through a
proxy (nginx passes X-Forwarded-For / X-Real-IP and does not pass /metrics at all).
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import Iterable, Mapping, Tuple

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.process_collector import ProcessCollector

from heupwijzer.settings import settings

disable_created_metrics()  # no *_created series: a timestamp per label that nobody graphs
REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)  # process_resident_memory_bytes, process_cpu_seconds_total, ...

CHANNELS = ("rest", "socketio", "telegram", "twilio", "whatsapp")
OTHER = "other"
# What the insights call them (heupwijzer/insights/facts.py), kept as the label values.
FALLBACK_KINDS = ("bedoel_je", "tweede_keer_niet", "geen_antwoord")
ALARM_LEVELS = ("spoed_112", "vandaag_huisarts")
CRISIS_LEVEL = "crisis_113"
DECLINES = {
    "utter_out_of_scope": "buiten_onderwerp",
    "utter_decline_body_part": "ander_lichaamsdeel",
    "utter_decline_dosage": "dosering",
    "utter_decline_diagnosis": "diagnose",
}
RATINGS = ("duim_omhoog", "duim_omlaag")
COMPONENTS = ("actions", "store_read", "store_save", "redis")
PARTS = ("model", "store", "redis", "actions")
# Seconds: the p95 goal is 0.15 s (issue 21); a slow turn under load takes seconds.
ANSWER_BUCKETS = (0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
STORE_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)

MESSAGES = Counter("heupwijzer_messages", "Patient messages, by channel", ["channel"], registry=REGISTRY)
ANSWER_SECONDS = Histogram(
    "heupwijzer_answer_seconds",
    "Time from a patient message to its last answer, by channel",
    ["channel"],
    buckets=ANSWER_BUCKETS,
    registry=REGISTRY,
)
FALLBACKS = Counter(
    "heupwijzer_fallbacks", "Not understood: clarified, second miss, no answer", ["kind"], registry=REGISTRY
)
RED_FLAGS = Counter("heupwijzer_red_flags", "Red-flag alarms given, by level", ["level"], registry=REGISTRY)
CRISIS = Counter("heupwijzer_crisis_referrals", "Crisis replies with 113", registry=REGISTRY)
DECLINED = Counter("heupwijzer_declines", "Messages declined, by reason", ["reason"], registry=REGISTRY)
FEEDBACK = Counter("heupwijzer_feedback", "Ratings of answers", ["rating"], registry=REGISTRY)
ERRORS = Counter("heupwijzer_errors", "Failures, by component", ["component"], registry=REGISTRY)
# One per patient message that got "er ging iets mis" (whichever parts failed): the alerts' error rate.
FAILED = Counter("heupwijzer_failed_messages", "Patient messages told that something went wrong", registry=REGISTRY)
READY = Gauge(
    "heupwijzer_ready", "1 when this part answers (heupwijzer/observe/health.py)", ["part"], registry=REGISTRY
)
LOCK_WAIT = Histogram(
    "heupwijzer_lock_wait_seconds", "Time a message waited for its conversation's lock", registry=REGISTRY
)
STORE_SECONDS = Histogram(
    "heupwijzer_store_seconds",
    "Time to load or save a conversation",
    ["operation"],
    buckets=STORE_BUCKETS,
    registry=REGISTRY,
)

# The action server's own (heupwijzer/server/action_server.py)
ACTION_CALLS = Counter(
    "heupwijzer_action_calls", "Calls of the action server, by outcome", ["outcome"], registry=REGISTRY
)
ACTION_SECONDS = Histogram(
    "heupwijzer_action_seconds", "Time the action server took for a call", buckets=STORE_BUCKETS, registry=REGISTRY
)

# Every label value exists from the start (at 0): a rate over a counter that appears late is wrong.
for _channel in (*CHANNELS, OTHER):
    MESSAGES.labels(_channel)
    ANSWER_SECONDS.labels(_channel)
for _values, _metric in (
    (FALLBACK_KINDS, FALLBACKS),
    (ALARM_LEVELS, RED_FLAGS),
    (tuple(DECLINES.values()), DECLINED),
    (RATINGS, FEEDBACK),
    (COMPONENTS, ERRORS),
    (("load", "save"), STORE_SECONDS),
    (("ok", "refused", "error"), ACTION_CALLS),
):
    for _value in _values:
        _metric.labels(_value)


def channel(name: str | None) -> str:
    return name if name in CHANNELS else OTHER


def message_answered(channel_name: str | None, seconds: float) -> None:
    label = channel(channel_name)
    MESSAGES.labels(label).inc()
    ANSWER_SECONDS.labels(label).observe(seconds)


def error(component: str) -> None:
    if component in COMPONENTS:
        ERRORS.labels(component).inc()


def readiness(parts: Mapping[str, str]) -> None:
    for part in PARTS:
        if part in parts:
            READY.labels(part).set(1.0 if parts[part] == "ok" else 0.0)


def count_turn(facts: Iterable[Tuple[str, str]], responses: Iterable[str]) -> str:
    """Count a stored turn: its facts as (metric, key) pairs of the insights (fallback, rode_vlag,
    feedback) and the names of the responses it gave. Returns what the turn was, for the turn log."""
    outcome = "antwoord"
    for metric, key in facts:
        if metric == "fallback" and key in FALLBACK_KINDS:
            FALLBACKS.labels(key).inc()
            outcome = "niet_begrepen"
        elif metric == "rode_vlag" and key == CRISIS_LEVEL:
            CRISIS.inc()
            outcome = CRISIS_LEVEL
        elif metric == "rode_vlag" and key in ALARM_LEVELS:
            RED_FLAGS.labels(key).inc()
            outcome = key if outcome != CRISIS_LEVEL else outcome
        elif metric == "feedback":
            rating = key.rsplit("|", 1)[-1]
            if rating in RATINGS:
                FEEDBACK.labels(rating).inc()
    for name in responses:
        if name in DECLINES:
            DECLINED.labels(DECLINES[name]).inc()
            outcome = "afgewezen" if outcome == "antwoord" else outcome
    return outcome


def exposition() -> Tuple[bytes, str]:
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


PROXY_HEADERS = ("x-forwarded-for", "x-real-ip", "forwarded")


def readable(authorization: str | None, client_ip: str, headers: Mapping[str, str]) -> bool:
    """May this caller read the metrics? (See the module's docstring.)"""
    token = settings().metrics_token.strip()
    if token:
        return hmac.compare_digest((authorization or "").encode(), f"Bearer {token}".encode())
    if any(name in headers for name in PROXY_HEADERS):
        return False
    try:
        return ipaddress.ip_address(client_ip).is_loopback
    except ValueError:
        return False
