"""When the action server cannot answer, the patient is told so, once per message.

Rasa 3.6 catches a failed custom action in its message processor, logs it and carries on without
a word to the patient: on a chat that looks like being ignored. `FriendlyRemoteAction` is Rasa's
`RemoteAction` that, when the action server is unreachable or answers with an error, says
"er ging iets mis, probeer het zo nog eens" (content/texts.yml, `technical_problem`) instead, at
most once per patient message. A rejection (HTTP 400, used by forms) is Rasa's as before.
The conversation itself is untouched: the next message, once the server is back, goes on from the
same point.

Rasa creates remote actions through `rasa.core.actions.action.RemoteAction` (and the forms module's
own import of it); `install()` (called when the server settings channel loads, channels/server.py)
puts the subclass under both names.
"""

from __future__ import annotations

import logging
from typing import Any, List

import rasa.core.actions.action as rasa_actions
from rasa.shared.core.events import BotUttered, Event, UserUttered

from channels.common import channel_text

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


class FriendlyRemoteAction(rasa_actions.RemoteAction):
    async def run(self, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Event]:
        try:
            return await super().run(output_channel, nlg, tracker, domain)
        except rasa_actions.ActionExecutionRejection:
            raise
        except Exception:  # unreachable, an error status, or an answer that is not valid JSON
            logger.error("Action %s failed: the action server did not answer; the patient is told.", self.name())
            if already_told(tracker):
                return []
            return [BotUttered(channel_text("technical_problem"), metadata={MARK: True})]


def install() -> None:
    """Rasa's forms module keeps its own name for the class (its form validation calls)."""
    import rasa.core.actions.forms as rasa_forms

    rasa_actions.RemoteAction = FriendlyRemoteAction
    rasa_forms.RemoteAction = FriendlyRemoteAction
