"""The production profile (HEUPWIJZER_PROFILE=production): a one-line error, no stack trace, when
PostgreSQL or Redis is missing or a shared secret is not set; Redis shared by instances (option memory,
conversation lock). Conversations in PostgreSQL are tested on the production farm (test_scale_out.py).
PostgreSQL is this machine's service (127.0.0.1:5432) with a database of the test's own; Redis is a
redis-server of the test's own on a free port."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path
from typing import Dict, Iterator

import psycopg2
import pytest
import redis

from heupwijzer.channels.memory import (
    SharedAnswerTopics,
    SharedBursts,
    SharedOptionMemory,
    SharedRecentIds,
    SharedSessionOwners,
)
from tests.conftest import ID_SECRET, ROOT, VENV_BIN, free_port
from tests.harness.farm import PRACTICE_FILE

pytestmark = pytest.mark.stack

SERVICE = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    name = f"heupwijzer_test_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(dbname="postgres", **SERVICE)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    yield name
    admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    server = shutil.which("redis-server")
    assert server, "redis-server is missing"
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    for _ in range(50):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.1)
    yield port
    process.terminate()
    process.wait(timeout=10)


def production(database: str, redis_port: int) -> Dict[str, str]:
    return {
        "HEUPWIJZER_PROFILE": "production",
        "HEUPWIJZER_DB_HOST": SERVICE["host"],
        "HEUPWIJZER_DB_PORT": str(SERVICE["port"]),
        "HEUPWIJZER_DB_NAME": database,
        "HEUPWIJZER_DB_USER": SERVICE["user"],
        "HEUPWIJZER_REDIS_PORT": str(redis_port),
        "HEUPWIJZER_ACTION_TOKEN": "action-token-shared-by-every-instance",
        "HEUPWIJZER_PRACTICE_FILE": str(PRACTICE_FILE),  # not the example details of content/practice.yml
    }


@pytest.mark.parametrize("broken", ["database", "redis"])
def test_an_unreachable_database_or_redis_is_one_line_naming_the_setting(
    tmp_path: Path, database: str, redis_port: int, broken: str
) -> None:
    settings = production(database, redis_port)
    if broken == "database":
        settings["HEUPWIJZER_DB_PORT"] = str(free_port())
    else:
        settings["HEUPWIJZER_REDIS_PORT"] = str(free_port())
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEUPWIJZER_")}
    result = subprocess.run(
        [
            str(VENV_BIN / "python"),
            "-m",
            "heupwijzer",
            "run",
            "--env-file",
            "",
            "--state-dir",
            str(tmp_path),
            "--actions-port",
            str(free_port()),
            "--rasa-port",
            str(free_port()),
            "--web-port",
            str(free_port()),
        ],
        cwd=ROOT,
        env={**env, **settings, "HEUPWIJZER_ID_SECRET": ID_SECRET},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    expected = "HEUPWIJZER_DB_PORT" if broken == "database" else "HEUPWIJZER_REDIS_PORT"
    assert lines[0].startswith("FOUT: ") and expected in lines[0]


def test_instances_share_redelivered_ids_and_numbered_options(redis_port: int) -> None:
    """Two instances (two memories on one Redis): a message re-delivered to the other instance is
    answered once, and "2" picks the option the other instance offered."""
    client = redis.Redis(port=redis_port)
    first, second = SharedRecentIds("twilio", client), SharedRecentIds("twilio", client)
    message = f"SM{uuid.uuid4().hex}"
    assert first.seen(message) is False
    assert second.seen(message) is True
    patient = f"whatsapp:+316{uuid.uuid4().int % 10**8:08d}"
    offered, answering = SharedOptionMemory("twilio", client), SharedOptionMemory("twilio", client)
    pain = {"title": "Omgaan met pijn", "payload": "/ask_pain"}
    exercise = {"title": "Bewegen", "payload": "/ask_exercise"}
    assert offered.add(patient, [pain, exercise]) == 1
    assert offered.add(patient, [{"title": "👍 Ja", "payload": "/feedback_positive"}]) == 3
    assert answering.resolve(patient, "2") == "/ask_exercise"
    assert offered.resolve(patient, "2") == "2", "a new turn: the old options are gone"
    assert not any(patient.removeprefix("whatsapp:+") in key.decode() for key in client.keys("*"))
    gone = SharedOptionMemory("twilio", redis.Redis(port=free_port(), socket_timeout=1))
    assert gone.resolve(patient, "2") == "2", "without Redis the text is read as text, no error"
    assert SharedRecentIds("twilio", redis.Redis(port=free_port(), socket_timeout=1)).seen(message) is False


def test_instances_share_answer_topics_and_bursts(redis_port: int) -> None:
    """A WhatsApp reaction reaching another instance than the answer rates the same topic; a burst of
    photos is told "alleen tekst" once, whichever instance gets them. Nothing is keyed by a phone number."""
    client = redis.Redis(port=redis_port)
    message_id = f"wamid.HBgLMzE2{uuid.uuid4().hex}"
    patient = f"316{uuid.uuid4().int % 10**8:08d}"
    SharedAnswerTopics("whatsapp", client).remember(patient, message_id, "ask_pain")
    assert SharedAnswerTopics("whatsapp", client).take("31600000000", message_id) is None, "another patient's"
    assert SharedAnswerTopics("whatsapp", client).take(patient, message_id) == "ask_pain"
    assert SharedAnswerTopics("whatsapp", client).take(patient, message_id) is None, "the first rating only"
    assert [SharedBursts("whatsapp", client).first(patient) for _ in range(3)] == [True, False, False]
    assert not any(patient in key.decode() or message_id in key.decode() for key in client.keys("*"))
    gone = redis.Redis(port=free_port(), socket_timeout=1)
    assert SharedAnswerTopics("whatsapp", gone).take(patient, message_id) is None, "without Redis: ignored, no error"
    assert SharedBursts("whatsapp", gone).first(patient) is True, "without Redis: rather a reply too many"


def test_a_widget_session_belongs_to_its_socket_across_instances(redis_port: int) -> None:
    client = redis.Redis(port=redis_port)
    first, second = SharedSessionOwners(client), SharedSessionOwners(client)
    session = uuid.uuid4().hex
    assert first.claim(session, "socket-a") is True
    assert second.claim(session, "socket-b") is False, "another instance's socket: a new session"
    assert first.claim(session, "socket-a") is True
    first.release("socket-a")  # a page reload
    assert second.claim(session, "socket-c") is True
    assert first.claim(session, "socket-a") is False
    assert not any(session in key.decode() for key in client.keys("*"))


def run_launcher(tmp_path: Path, settings: Dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEUPWIJZER_")}
    return subprocess.run(
        [str(VENV_BIN / "python"), "-m", "heupwijzer", "run", "--env-file", "", "--state-dir", str(tmp_path)],
        cwd=ROOT,
        env={**env, **settings},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_needs_the_shared_secrets(tmp_path: Path, database: str, redis_port: int) -> None:
    result = run_launcher(tmp_path, {**production(database, redis_port), "HEUPWIJZER_ACTION_TOKEN": ""})
    assert result.returncode == 2
    assert "HEUPWIJZER_ID_SECRET is niet gezet" in result.stderr
    assert "HEUPWIJZER_ACTION_TOKEN is niet gezet" in result.stderr
    assert not (tmp_path / "id_secret").exists()


def test_the_conversation_lock_lets_one_message_in_at_a_time_across_instances(redis_port: int) -> None:
    """Two instances (two lock stores on one Redis), many messages of one conversation at once:
    never two inside the lock together, and none lost (RasaHQ/rasa #9213)."""
    import asyncio
    import threading

    from rasa.utils.endpoints import EndpointConfig

    from heupwijzer.store.lock_store import AtomicRedisLockStore

    config = EndpointConfig(url="127.0.0.1", port=redis_port, db=0, key_prefix="locktest")
    stores = [AtomicRedisLockStore(config), AtomicRedisLockStore(config)]
    conversation = f"rest:{uuid.uuid4().hex}"
    inside, most, handled = [0], [0], []
    guard = threading.Lock()

    async def message(number: int) -> None:
        async with stores[number % 2].lock(conversation, wait_time_in_seconds=0.01):
            with guard:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            await asyncio.sleep(0.005)
            with guard:
                inside[0] -= 1
                handled.append(number)

    threads = [threading.Thread(target=asyncio.run, args=(message(n),), daemon=True) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "messages wait forever: a ticket was lost"
    assert most[0] == 1 and sorted(handled) == list(range(40))
    assert stores[0].get_lock(conversation) is None, "the lock is gone once nobody waits"


def test_production_refuses_the_example_practice_details_in_one_line(tmp_path: Path) -> None:
    """A patient must never be sent to the example phone number, e-mail or booking page (issue 24).
    Checked before PostgreSQL and Redis are, so none is needed here."""
    settings = {k: v for k, v in production("heupwijzer", free_port()).items() if k != "HEUPWIJZER_PRACTICE_FILE"}
    result = run_launcher(tmp_path, {**settings, "HEUPWIJZER_ID_SECRET": ID_SECRET})
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith("FOUT: content/practice.yml bevat nog de voorbeeldgegevens")
    for setting in ("name", "phone", "email", "booking_url", "address"):
        assert setting in lines[0]
    assert not (tmp_path / "id_secret").exists()
    # the details given as settings instead: the example e-mail alone is still named
    given = {
        "HEUPWIJZER_PRACTICE_NAME": "Fysio Oost",
        "HEUPWIJZER_PRACTICE_PHONE": "020 765 43 21",
        "HEUPWIJZER_PRACTICE_BOOKING_URL": "https://fysio-oost.example/afspraak",
        "HEUPWIJZER_PRACTICE_ADDRESS": "Oostweg 5, Amsterdam",
    }
    result = run_launcher(tmp_path, {**settings, **given, "HEUPWIJZER_ID_SECRET": ID_SECRET})
    assert result.returncode == 2
    assert "bij email:" in result.stderr and "HEUPWIJZER_PRACTICE_EMAIL" in result.stderr
    assert "phone" not in result.stderr
