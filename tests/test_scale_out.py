"""Two Rasa instances (production profile) behind nginx, configured with deploy/nginx/: every
patient's turns hop between the instances, and every conversation keeps its context and its order.
(The first step of the scale-out issue; the 50-patient load and the fault tests follow.)"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import psycopg2
import pytest
import requests

from channels.identity import conversation_id
from tests.conftest import ID_SECRET, REST_HEADERS, ROOT, Stack, free_port, new_sender, texts
from tests.test_production import SERVICE, database, production, redis_port  # noqa: F401  (fixtures)

pytestmark = pytest.mark.stack

TEMPLATE = ROOT / "deploy" / "nginx" / "heupwijzer.conf.template"
TURNS = [
    ("wat kan ik zelf doen aan mijn heupartrose?", "Rook niet"),
    ("hoe vaak per week?", ""),  # a follow-up: needs the topic of the turn before
    ("wat doet een fysiotherapeut?", "fysiotherapeut"),
    ("dank je wel", ""),
]
PATIENTS = 8


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    assert found, "nginx is missing: `make test` installs it (scripts/setup_debian_package.sh)"
    return found


@pytest.fixture(scope="module")
def farm(tmp_path_factory: pytest.TempPathFactory, database: str, redis_port: int) -> Iterator[Tuple[str, Path]]:  # noqa: F811
    """An action server, two Rasa instances and nginx in front; yields nginx's URL and its log."""
    workdir = tmp_path_factory.mktemp("farm")
    shared = production(database, redis_port)
    actions = Stack(workdir=workdir / "actions", tracker_db=workdir / "unused.db", services="actions", settings=shared)
    actions.start()
    shared["HEUPWIJZER_ACTION_URL"] = f"http://127.0.0.1:{actions.actions_port}/webhook"
    rasas = [
        Stack(workdir=workdir / f"rasa{i}", tracker_db=workdir / "unused.db", services="rasa", settings=shared)
        for i in (1, 2)
    ]
    nginx = None
    try:
        for rasa in rasas:
            rasa.start()
        port = free_port()
        values = {
            "HEUPWIJZER_NGINX_PORT": f"127.0.0.1:{port}",
            "HEUPWIJZER_RASA_1": f"127.0.0.1:{rasas[0].rasa_port}",
            "HEUPWIJZER_RASA_2": f"127.0.0.1:{rasas[1].rasa_port}",
            "HEUPWIJZER_WEB": f"127.0.0.1:{free_port()}",
        }
        # As the nginx image's envsubst does: only these variables; nginx's own $variables stay.
        rendered = re.sub(r"\$\{(HEUPWIJZER_\w+)\}", lambda m: values[m.group(1)], TEMPLATE.read_text())
        (workdir / "heupwijzer.conf").write_text(rendered)
        access = workdir / "access.log"
        (workdir / "nginx.conf").write_text(
            "pid nginx.pid;\nerror_log error.log warn;\nevents {}\nhttp {\n"
            "  log_format upstream '$request_uri $upstream_addr $status';\n"
            f"  access_log {access} upstream;\n"
            "  client_body_temp_path tmp; proxy_temp_path tmp;\n"
            "  include heupwijzer.conf;\n}\n"
        )
        (workdir / "tmp").mkdir()
        nginx = subprocess.Popen([nginx_binary(), "-p", str(workdir), "-c", "nginx.conf", "-g", "daemon off;"])
        for _ in range(50):
            try:
                requests.get(f"http://127.0.0.1:{port}/webhooks/rest/", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", access
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.wait(timeout=10)
        for rasa in rasas:
            rasa.stop()
        actions.stop()


def conversation(url: str) -> Tuple[str, List[str]]:
    sender = new_sender()
    replies = []
    for text, _ in TURNS:
        response = requests.post(
            f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, headers=REST_HEADERS, timeout=60
        )
        assert response.status_code == 200, response.text
        replies.append(texts(response.json()))
    return sender, replies


def test_patients_hop_between_instances_and_keep_their_conversation(farm: Tuple[str, Path], database: str) -> None:  # noqa: F811
    url, access = farm
    with ThreadPoolExecutor(max_workers=PATIENTS) as pool:
        results = list(pool.map(lambda _: conversation(url), range(PATIENTS)))
    for _, replies in results:
        for (text, expected), reply in zip(TURNS, replies, strict=True):
            assert reply.strip(), f"no answer to {text!r}"
            assert expected in reply, f"{text!r} -> {reply!r}"
        assert "Bedoel je" not in replies[1], "the follow-up lost its topic on the other instance"
    upstreams = [line.split()[1] for line in access.read_text().splitlines() if "/webhooks/rest/webhook" in line]
    assert len(set(upstreams)) == 2, "nginx did not use both instances"
    stored: Dict[str, List[str]] = {}
    with psycopg2.connect(dbname=database, **SERVICE) as connection, connection.cursor() as cursor:
        for sender, _ in results:
            cursor.execute(
                "SELECT data::json->>'text' FROM events WHERE sender_id = %s AND type_name = 'user' ORDER BY id",
                (conversation_id("rest", sender, ID_SECRET.encode()),),
            )
            stored[sender] = [row[0] for row in cursor.fetchall()]
    for texts_in_order in stored.values():
        assert texts_in_order == [text for text, _ in TURNS], f"lost, doubled or reordered turns: {texts_in_order}"
