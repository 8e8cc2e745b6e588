"""When the action server cannot answer, the patient is told so, once per message.

Rasa 3.6 catches a failed custom action in its message processor, logs it and carries on without
a word to the patient: on a chat that looks like being ignored. `FriendlyRemoteAction` is Rasa's
`RemoteAction` that, when the action server is unreachable or answers with an error, says
"er ging iets mis, probeer het zo nog eens" (content/texts.yml, `technical_problem`) instead, at
most once per patient message. A rejection (HTTP 400, used by forms) is Rasa's as before.
The conversation itself is untouched: the next message, once the server is back, goes on from the
same point. The subclass also checks the action server's answers with a JSON schema validator built
once instead of on every call (the largest single cost of a turn under load).

Rasa creates remote actions through `rasa.core.actions.action.RemoteAction` (and the forms module's
own import of it); `install()` (called when the server settings channel loads, heupwijzer/server/patches.py)
puts the subclass under both names.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Dict, List

import rasa.core.actions.action as rasa_actions
from rasa.shared.core.events import BotUttered, Event, UserUttered

from heupwijzer.channels.common import channel_text
from heupwijzer.observe import metrics

logger = logging.getLogger(__name__)

MARK = "heupwijzer_technical_problem"  # in the bot event's metadata: this message was said


def already_told(tracker: Any) -> bool:
    """True when this patient message already got the technical problem response."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, BotUttered) and event.metadata.get(MARK):
            return True
    return False


@functools.lru_cache(maxsize=1)
def answer_validator() -> Any:
    """Rasa's JSON schema for an action server's answer, checked once. Rasa's own check calls
    `jsonschema.validate`, which first validates the schema itself, on every custom action: under
    load that was 29 % of a turn's time (make profile, reports/bench/profile.md)."""
    from jsonschema import validators

    schema = rasa_actions.RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


class FriendlyRemoteAction(rasa_actions.RemoteAction):
    def _validate_action_result(self, result: Dict[str, Any]) -> bool:
        """Every answer is still checked against Rasa's schema, with a validator built once."""
        answer_validator().validate(result)
        return True

    async def run(self, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Event]:
        try:
            return await super().run(output_channel, nlg, tracker, domain)
        except rasa_actions.ActionExecutionRejection:
            raise
        except Exception:  # unreachable, an error status, or an answer that is not valid JSON
            logger.error("Action %s failed: the action server did not answer; the patient is told.", self.name())
            metrics.error("actions")
            if already_told(tracker):
                return []
            return [BotUttered(channel_text("technical_problem"), metadata={MARK: True})]


def install() -> None:
    """Rasa's forms module keeps its own name for the class (its form validation calls)."""
    import rasa.core.actions.forms as rasa_forms

    rasa_actions.RemoteAction = FriendlyRemoteAction
    rasa_forms.RemoteAction = FriendlyRemoteAction
