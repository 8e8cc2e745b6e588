"""Heupwijzer as in production (tests/harness/farm.py): its own PostgreSQL cluster and redis-server, two
action servers and two Rasa instances behind Debian's nginx, configured with deploy/nginx/.

Every patient's turns hop between the instances (round-robin). The tests check what a patient and
the practice would notice: every turn answered, in order and right (follow-ups and the Beweegcheck
keep their context on the other instance), the store holds exactly what was said, a WhatsApp
message delivered to both instances is answered once, and faults (action servers, PostgreSQL,
Redis, a Rasa instance) end in "er ging iets mis, probeer het zo nog eens" rather than a crash
or a lost conversation.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Callable, Iterator, List, Tuple

import pytest
import requests
from twilio.request_validator import RequestValidator

from heupwijzer.channels.identity import conversation_id
from heupwijzer.observe.logs import TURN_FIELDS
from tests.conftest import (
    ID_SECRET,
    PRACTICE_SITE,
    REST_HEADERS,
    TWILIO_AUTH,
    TWILIO_NUMBER,
    TWILIO_WEBHOOK,
    channel_env,
    texts,
)
from tests.fake_platforms import FakePlatforms
from tests.harness.farm import Farm, user_and_bot_events
from tools.scale_out import SCRIPT, TECHNICAL_PROBLEM, Patient, Turn, run, say, stored_turns, summarise

pytestmark = pytest.mark.stack

PATIENTS = 50


@pytest.fixture(scope="module")
def farm(tmp_path_factory: pytest.TempPathFactory, platforms: FakePlatforms) -> Iterator[Farm]:
    # A conversation whose turn died with its instance waits for that turn's lock ticket to expire:
    # Rasa's 60 s in production (TICKET_LOCK_LIFETIME unset), 30 s here, still twice nginx's 15 s
    # for an action call and far above a turn's time under this load, so that the crash test waits
    # half as long.
    settings = {**channel_env(platforms.url), "TICKET_LOCK_LIFETIME": "30"}
    running = Farm(tmp_path_factory.mktemp("farm"), instances=2, action_servers=2, settings=settings)
    yield running.start()
    running.stop()


def stored(farm: Farm, patient: Patient) -> List[Tuple[str, str]]:
    """The stored turns of this patient: (user text, the answer)."""
    return stored_turns(list(user_and_bot_events(farm, patient.conversation)))


def check_conversations(farm: Farm, patients: List[Patient]) -> None:
    """Every turn of the script answered right in the end, and the store holds exactly the turns
    that were answered: nothing lost, doubled or interleaved."""
    for patient in patients:
        for turn in patient.last_attempts():
            assert turn.right, f"{turn.text!r} -> {turn.status} {texts(turn.reply)!r}"
        events, expected = stored(farm, patient), patient.expected_turns()
        first = next((i for i, pair in enumerate(zip(events, expected, strict=False)) if pair[0] != pair[1]), None)
        assert events == expected, (
            f"store differs for {patient.sender} at {first}: {events[first] if first is not None else events}"
            f" != {expected[first] if first is not None else expected}"
        )


def rest_messages(farm: Farm) -> List[float]:
    """What each instance's /metrics says it answered on the REST channel (read on the instance itself)."""
    counts = []
    for rasa in farm.rasas:
        for line in requests.get(f"{rasa.base_url}/metrics", timeout=10).text.splitlines():
            if line.startswith('heupwijzer_messages_total{channel="rest"}'):
                counts.append(float(line.split()[-1]))
    return counts


def test_fifty_patients_hop_between_instances_and_keep_their_conversations(farm: Farm) -> None:
    before = rest_messages(farm)
    patients, seconds = run(farm.url, PATIENTS)
    summary = summarise(patients, seconds)
    print(f"\n[scale-out] 2 instanties: {summary.line()}")
    assert (summary.conversations, summary.turns, summary.errors, summary.wrong) == (PATIENTS, PATIENTS * 8, 0, 0)
    check_conversations(farm, patients)
    # The operator's view: both instances counted, together exactly the turns sent; nginx does not
    # pass /metrics; every instance is ready with its store, Redis and action servers.
    after = rest_messages(farm)
    assert len(after) == 2 and all(a > b for a, b in zip(after, before, strict=True))
    assert sum(after) - sum(before) == PATIENTS * 8
    assert "heupwijzer_" not in requests.get(f"{farm.url}/metrics", timeout=10).text
    for rasa in farm.rasas:
        ready = requests.get(f"{rasa.base_url}/health/ready", timeout=10).json()
        assert ready == {"status": "ok", "parts": {"model": "ok", "store": "ok", "actions": "ok", "redis": "ok"}}
        turns = [json.loads(line) for line in rasa.log().splitlines() if '"heupwijzer.turns"' in line]
        assert turns and {t["channel"] for t in turns} == {"rest"}, "production logs turns as JSON lines"
        assert [json.loads(line)["message"] for line in rasa.log().splitlines() if "REST is enabled" in line]
        assert not [t for t in turns if set(t) - {"time", "level", "component", "message", *TURN_FIELDS}]
    assert farm.nginx is not None
    upstreams = {
        line.split()[1] for line in farm.nginx.access_log.read_text().splitlines() if "/webhooks/rest/webhook" in line
    }
    assert len(upstreams) == 2, "nginx did not use both instances"


BURST = ["hallo", "wat kan ik zelf doen aan mijn heupartrose?", "wat doet een fysiotherapeut?", "wat is artrose?"]


def test_messages_sent_at_once_to_both_instances_are_handled_one_after_the_other(farm: Farm) -> None:
    """Patients who send several messages quickly, reaching both instances at the same moment: the
    conversation lock (Redis) must let each wait for the other. Rasa's own RedisLockStore can give
    two messages the same ticket, or lose one (RasaHQ/rasa #9213): then answers interleave in the
    store, or a message fails."""
    patients = [Patient(f"burst-{uuid.uuid4().hex[:12]}", [Turn(text, "") for text in BURST]) for _ in range(30)]
    start = threading.Barrier(len(patients) * len(BURST))

    def send(patient: Patient, turn: Turn, instance: int) -> None:
        with requests.Session() as session:
            start.wait()
            say(session, farm.rasas[instance].base_url, patient.sender, turn)

    threads = [
        threading.Thread(target=send, args=(patient, turn, i % 2))
        for patient in patients
        for i, turn in enumerate(patient.turns)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for patient in patients:
        assert all(turn.right for turn in patient.turns), [texts(t.reply) for t in patient.turns]
        # Any order, but each message followed by exactly its own answer: nothing interleaved.
        assert sorted(stored(farm, patient)) == sorted(patient.expected_turns()), stored(farm, patient)


def twilio(url: str, params: dict) -> requests.Response:
    signature = RequestValidator(TWILIO_AUTH).compute_signature(TWILIO_WEBHOOK, params)
    return requests.post(
        f"{url}/webhooks/twilio/webhook", data=params, headers={"X-Twilio-Signature": signature}, timeout=60
    )


def whatsapp(sender: str, text: str) -> dict:
    return {"From": sender, "To": TWILIO_NUMBER, "Body": text, "MessageSid": f"SM{uuid.uuid4().hex}",
            "AccountSid": "AC" + "1" * 32, "NumMedia": "0"}  # fmt: skip


def test_whatsapp_message_on_both_instances_is_answered_once_and_numbers_work_across(
    farm: Farm, platforms: FakePlatforms
) -> None:
    sender = f"whatsapp:+316{uuid.uuid4().int % 10**8:08d}"
    to_patient: Callable = lambda c: c.platform == "twilio" and c.body.get("To") == sender  # noqa: E731
    message = whatsapp(sender, "wat kan ik zelf doen aan mijn heupartrose?")
    both = [threading.Thread(target=twilio, args=(rasa.base_url, message)) for rasa in farm.rasas]
    for thread in both:
        thread.start()
    for thread in both:
        thread.join()
    sent = platforms.wait_for(to_patient, count=3, timeout=30)
    time.sleep(2)  # a second answer would have arrived by now
    assert len(platforms.sent(to_patient)) == len(sent), "a message delivered to both instances was answered twice"
    # Numbered options offered by one instance, the number answered by the other one.
    question = whatsapp(sender, "wat kan ik zelf doen aan mijn heupartrose?")
    assert twilio(farm.rasas[0].base_url, question).status_code == 200

    def options_offered() -> List[str]:
        offered = platforms.sent(to_patient)[len(sent) :]
        return [line for call in offered for line in call.body["Body"].splitlines() if line[:1].isdigit()]

    deadline = time.monotonic() + 30  # the answer's last message carries the numbered options
    while not any(line.endswith("Meer lezen") for line in options_offered()) and time.monotonic() < deadline:
        time.sleep(0.1)
    offered = platforms.sent(to_patient)[len(sent) :]
    options = options_offered()
    assert any(line.endswith("Meer lezen") for line in options), [c.body["Body"] for c in offered]
    number = next(line.split(".")[0] for line in options if line.endswith("Meer lezen"))
    before = len(sent) + len(offered)
    assert twilio(farm.rasas[1].base_url, whatsapp(sender, number)).status_code == 200
    later = platforms.wait_for(to_patient, count=before + 1, timeout=30)[before:]
    assert "Meer lezen over 'Zelf doen'" in " ".join(c.body["Body"] for c in later)


def test_the_chat_page_and_socketio_through_nginx_stay_with_one_instance(farm: Farm) -> None:
    """The widget's long-polling needs every request of a session on the instance that opened it
    (ip_hash); the chat page itself comes through nginx too."""
    page = requests.get(f"{farm.url}/", timeout=30)
    assert page.status_code == 200 and "Heupwijzer" in page.text
    origin = {"Origin": PRACTICE_SITE}
    for _ in range(5):  # round-robin would send every other poll to the instance without the session
        opened = requests.get(f"{farm.url}/socket.io/?EIO=4&transport=polling", headers=origin, timeout=30)
        assert opened.status_code == 200, opened.text
        sid = json.loads(opened.text[opened.text.index("{") :])["sid"]
        poll = requests.post(
            f"{farm.url}/socket.io/?EIO=4&transport=polling&sid={sid}", data="40", headers=origin, timeout=30
        )
        assert poll.status_code == 200 and poll.text == "OK", (poll.status_code, poll.text)
    other_site = requests.get(
        f"{farm.url}/socket.io/?EIO=4&transport=polling", headers={"Origin": "https://evil.example"}, timeout=30
    )
    assert other_site.status_code in (400, 401, 403)


def send_one(farm: Farm, sender: str, text: str) -> str:
    turn = Turn(text, "")
    with requests.Session() as session:
        say(session, farm.url, sender, turn)
    assert turn.status == 200, f"{text!r}: status {turn.status}"
    return texts(turn.reply)


def test_conversations_are_kept_in_postgresql_scrubbed_and_under_a_pseudonym(farm: Farm) -> None:
    sender = f"pg-{uuid.uuid4().hex[:8]}"
    reply = send_one(farm, sender, "ik ben Jan de Vries, wat kan ik zelf doen aan mijn heupartrose?")
    follow = send_one(farm, sender, "hoe vaak per week?")
    assert "Rook niet" in reply and follow.strip()
    assert not (farm.workdir / "unused.db").exists(), "the embedded SQLite store was used"
    connection = farm.postgres.connect()
    try:
        cursor = connection.cursor()  # type: ignore[attr-defined]
        cursor.execute(
            "SELECT data FROM events WHERE sender_id = %s AND type_name = 'user' ORDER BY id",
            (conversation_id("rest", sender, ID_SECRET.encode()),),
        )
        stored = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT count(*) FROM events WHERE sender_id LIKE %s", (f"%{sender}%",))
        under_own_id = cursor.fetchone()[0]
    finally:
        connection.close()  # type: ignore[attr-defined]
    assert len(stored) == 2 and under_own_id == 0
    assert "Jan de Vries" not in stored[0] and "[PERSOON]" in stored[0]


def action_errors(farm: Farm) -> float:
    """heupwijzer_errors_total{component="actions"} of all instances together."""
    total = 0.0
    for rasa in farm.rasas:
        for line in requests.get(f"{rasa.base_url}/metrics", timeout=10).text.splitlines():
            if line.startswith('heupwijzer_errors_total{component="actions"}'):
                total += float(line.split()[-1])
    return total


def test_action_servers_down_the_patient_is_told_and_the_conversation_goes_on(farm: Farm) -> None:
    sender = f"actions-down-{uuid.uuid4().hex[:8]}"
    assert "Rook niet" in send_one(farm, sender, "wat kan ik zelf doen aan mijn heupartrose?")
    # One action server down: nginx sends the actions to the other; the patient notices nothing.
    farm.actions[0].stop()
    assert "In de behandeling" in send_one(farm, sender, "wat doet een fysiotherapeut?")
    farm.actions[1].stop()
    try:
        errors_before = action_errors(farm)
        during = send_one(farm, sender, "wat kan ik zelf doen aan mijn heupartrose?")
        assert TECHNICAL_PROBLEM in during and during.count(TECHNICAL_PROBLEM) == 1, during
        # The operator sees it: one more action error, and every instance "beperkt", naming the action
        # servers (still 200: it answers red flags, and a restarting instance must come up).
        assert action_errors(farm) == errors_before + 1
        for rasa in farm.rasas:
            for _ in range(20):  # an instance keeps its last check 3 s (heupwijzer/observe/health.py)
                ready = requests.get(f"{rasa.base_url}/health/ready", timeout=10)
                if ready.json()["status"] != "ok":
                    break
                time.sleep(0.5)
            assert ready.status_code == 200 and ready.json()["status"] == "beperkt"
            assert ready.json()["parts"]["actions"] == "niet bereikbaar"
    finally:
        for actions in farm.actions:
            actions.start()
    # nginx tries a failed server again after its fail_timeout (5 s); the patient tries again too.
    for _ in range(20):
        after = send_one(farm, sender, "wat kan ik zelf doen aan mijn heupartrose?")
        if TECHNICAL_PROBLEM not in after:
            break
        time.sleep(1)
    assert "Rook niet" in after and TECHNICAL_PROBLEM not in after
    follow = send_one(farm, sender, "hoe vaak per week?")
    assert follow.strip() and "Bedoel je" not in follow and TECHNICAL_PROBLEM not in follow


def under_load(farm: Farm, fault: Callable[[], None], patients: int = 20) -> List[Patient]:
    """Patients keep talking (and re-send a failed turn, up to a minute) while `fault` runs."""
    result: List[Patient] = []
    load = threading.Thread(target=lambda: result.extend(run(farm.url, patients, retries=60)[0]))
    load.start()
    time.sleep(1.5)  # well inside the load (20 patients x 8 turns: about 5 s undisturbed)
    fault()
    load.join()
    return result


def failed_softly(patients: List[Patient]) -> List[Turn]:
    """The failed turns; each must be a 200 with "er ging iets mis", never an error or silence."""
    failed = [turn for patient in patients for turn in patient.turns if turn.failed]
    for turn in failed:
        assert turn.status == 200 and TECHNICAL_PROBLEM in texts(turn.reply), (turn.status, texts(turn.reply))
    return failed


@pytest.mark.parametrize("service", ["PostgreSQL", "Redis"])
def test_a_shared_service_restarted_during_load(farm: Farm, service: str) -> None:
    server = farm.postgres if service == "PostgreSQL" else farm.redis

    def restart() -> None:
        server.stop()
        time.sleep(3)
        server.start()

    patients = under_load(farm, restart)
    failed = failed_softly(patients)
    print(f"\n[scale-out] {service} herstart: {len(failed)} beurten 'er ging iets mis', daarna verder")
    assert failed, "the restart did not touch any message: the test tested nothing"
    check_conversations(farm, patients)


def test_one_rasa_instance_killed_during_load(farm: Farm) -> None:
    """nginx routes around the dead instance; a turn that was in flight there fails (502) and the
    patient sends it again; no conversation loses its context."""
    patients = under_load(farm, lambda: farm.kill(farm.rasas[1], "rasa run"))
    lost = [turn for patient in patients for turn in patient.turns if turn.failed]
    twice = 0
    for turn in lost:
        assert turn.status in (200, 502), f"{turn.status}: {texts(turn.reply)!r}"
    for patient in patients:
        users = [text for text, _ in stored(farm, patient)]
        # Only a turn killed after it was stored but before its answer left can be stored twice:
        # the patient sent it again (at least once; a REST message has no id to recognise it by).
        once = [text for i, text in enumerate(users) if i == 0 or text != users[i - 1]]
        assert once == [text for text, _ in SCRIPT], f"lost or reordered: {users}"
        doubled = len(users) - len(once)
        assert doubled <= sum(turn.status == 502 for turn in patient.turns), f"stored twice: {users}"
        twice += doubled
        # Every answer fits the conversation, up to a turn that was stored twice: from there the
        # conversation went on from the first copy (docs/production.md: the limits).
        doubled_turn = next((i - 1 for i in range(1, len(users)) if users[i] == users[i - 1]), len(users))
        for turn in patient.last_attempts()[:doubled_turn]:
            assert turn.right, f"{turn.text!r} -> {turn.status} {texts(turn.reply)!r}"
    print(
        f"\n[scale-out] instantie gestopt: {len(lost)} beurten opnieuw gestuurd, {twice} daarvan twee keer opgeslagen"
    )
    requests.post(f"{farm.url}/webhooks/rest/webhook", json={"sender": "x", "message": "hoi"}, headers=REST_HEADERS,
                  timeout=60).raise_for_status()  # fmt: skip
