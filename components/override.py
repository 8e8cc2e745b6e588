"""Shared base of the deterministic NLU components that run after DIET and may override it."""
from __future__ import annotations

import logging
from typing import Any, Collection, Dict, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message

logger = logging.getLogger(__name__)


class IntentOverride(GraphComponent, IntentClassifier):
    """Stateless: nothing to train or persist."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "IntentOverride":
        return cls()

    @staticmethod
    def override(message: Message, intent_name: str) -> None:
        """Set the intent with confidence 1.0 and a single-entry ranking (nothing is ambiguous,
        so the FallbackClassifier leaves it alone)."""
        intent = {INTENT_NAME_KEY: intent_name, PREDICTED_CONFIDENCE_KEY: 1.0}
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [intent], add_to_output=True)

    @staticmethod
    def demote(message: Message, dropped: Collection[str], reason: str) -> None:
        """Replace a predicted intent by the next one in DIET's ranking that is not in `dropped`."""
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) not in dropped]
        if ranking:
            logger.info("%s replaced by %s: %s", (message.get(INTENT) or {}).get(INTENT_NAME_KEY), ranking[0], reason)
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
