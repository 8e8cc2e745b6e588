"""What a patient hears when a part of Heupwijzer does not answer for a moment (unit level; the
same faults on real servers are in tests/test_scale_out.py)."""

from __future__ import annotations

import asyncio
from typing import Any, List

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from heupwijzer.channels.action_failure import FriendlyRemoteAction
from heupwijzer.channels.common import channel_text, guarded
from heupwijzer.store.availability import READ_FAILED, SAVE_FAILED, STORE_PROBLEM
from tests.conftest import free_port

PROBLEM = channel_text("technical_problem")


def run_unreachable_action(tracker: DialogueStateTracker) -> List[Any]:
    action = FriendlyRemoteAction("action_answer_topic", EndpointConfig(f"http://127.0.0.1:{free_port()}/webhook"))
    domain = Domain.empty()
    return asyncio.run(action.run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}), tracker, domain))


def test_an_unreachable_action_server_is_told_to_the_patient_once_per_message() -> None:
    tracker = DialogueStateTracker.from_events("p", [UserUttered("wat kan ik zelf doen?")])
    events = run_unreachable_action(tracker)
    assert [e.text for e in events if isinstance(e, BotUttered)] == [PROBLEM]
    tracker.update(events[0])
    assert run_unreachable_action(tracker) == [], "a second failing action in the same turn says nothing more"
    tracker.update(UserUttered("en nu?"))
    assert [e.text for e in run_unreachable_action(tracker)] == [PROBLEM], "a new message is told again"


def handle(problem: str = "", fails: BaseException | None = None) -> List[str]:
    """What the patient receives when the assistant answers 'antwoord' and the store had `problem`."""

    async def assistant(message: UserMessage) -> None:
        STORE_PROBLEM.set(problem)
        await message.output_channel.send_response(message.sender_id, {"text": "antwoord"})
        if fails:
            raise fails

    output = CollectingOutputChannel()
    asyncio.run(guarded(assistant, "rest")(UserMessage("mijn vraag", output, "p")))
    return [m["text"] for m in output.messages]


def test_a_conversation_that_could_not_be_read_gets_no_answer_without_context() -> None:
    assert handle() == ["antwoord"]
    assert handle(READ_FAILED) == [PROBLEM]


def test_a_turn_that_could_not_be_stored_asks_the_patient_to_send_it_again() -> None:
    assert handle(SAVE_FAILED) == ["antwoord", PROBLEM]


@pytest.mark.parametrize("problem", [ConnectionError("Redis"), asyncio.CancelledError()])
def test_a_message_that_fails_on_the_way_gets_the_friendly_reply_not_silence(
    problem: BaseException, caplog: pytest.LogCaptureFixture
) -> None:
    assert handle(fails=problem) == ["antwoord", PROBLEM]
    assert "mijn vraag" not in caplog.text, "the patient's text must not reach the logs"


def test_the_friendly_reply_also_covers_the_forms_validation_calls() -> None:
    import rasa.core.actions.action as rasa_actions
    import rasa.core.actions.forms as rasa_forms

    from heupwijzer.channels import action_failure

    action_failure.install()
    assert rasa_actions.RemoteAction is rasa_forms.RemoteAction is FriendlyRemoteAction


def test_only_a_database_that_does_not_answer_counts_as_unavailable(tmp_path: Any, monkeypatch: Any) -> None:
    """A database away: the turn gets no reply made without context and nothing is stored. A broken
    stored conversation is not that: it must not get "probeer het zo nog eens" forever."""
    from rasa.core.tracker_store import SQLTrackerStore
    from sqlalchemy.exc import OperationalError

    from heupwijzer.store.tracker_store import ScrubbingTrackerStore

    store = ScrubbingTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))

    async def read(problem: Exception) -> str:
        async def failing(self: Any, sender_id: str) -> None:
            raise problem

        monkeypatch.setattr(SQLTrackerStore, "retrieve", failing)
        STORE_PROBLEM.set("")
        with pytest.raises(type(problem)):
            await store.retrieve("p")
        marked = STORE_PROBLEM.get()
        await store.save(DialogueStateTracker.from_events("p", [UserUttered("hoi")]))
        return marked

    assert asyncio.run(read(OperationalError("SELECT", {}, ConnectionError("gone")))) == READ_FAILED
    monkeypatch.undo()
    assert asyncio.run(store.retrieve("p")) is None, "nothing was stored while the conversation was unreadable"
    assert asyncio.run(read(ValueError("a damaged event"))) == ""


def test_answers_of_the_action_server_are_still_checked_against_rasas_schema() -> None:
    import jsonschema

    action = FriendlyRemoteAction("action_answer_topic", None)
    assert action._validate_action_result({"events": [], "responses": [{"text": "antwoord"}]})
    with pytest.raises(jsonschema.ValidationError):
        action._validate_action_result({"events": "geen lijst"})
