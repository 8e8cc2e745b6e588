"""`make bench`'s load: closed loop, each simulated patient asks 10 questions (with follow-ups that
need the turn before), then a new patient starts. Run by tools/bench.py with Locust, headless."""

from __future__ import annotations

import uuid

from locust import HttpUser, constant, task

from heupwijzer.settings import environment
from tools.load.conversation import QUESTIONS

HEADERS = (
    {"Authorization": f"Bearer {environment().get('BENCH_REST_TOKEN', '')}"}
    if environment().get("BENCH_REST_TOKEN")
    else {}
)


class Patient(HttpUser):
    wait_time = constant(0)  # closed loop: the next message as soon as the answer is in

    @task
    def conversation(self) -> None:
        sender = f"bench-{uuid.uuid4().hex[:12]}"
        for text in QUESTIONS:
            with self.client.request(
                "POST",
                "/webhooks/rest/webhook",
                json={"sender": sender, "message": text},
                headers=HEADERS,
                name="bericht",
                catch_response=True,
            ) as response:
                if response.status_code != 200 or not response.json():
                    response.failure(f"no answer ({response.status_code})")
