"""Shared base of the deterministic NLU components that run after DIET and may override it."""

from __future__ import annotations

import logging
from abc import abstractmethod
from typing import Any, Collection, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

logger = logging.getLogger(__name__)
# RedFlagClassifier's entity: a safety check before a calm answer; "warning" when the detector saw a
# warning sign without a complete rule (actions/tracker.py reads the same names)
SAFETY_CHECK_ENTITY = "safety_check"
WARNING_SIGN = "warning"


class IntentOverride(GraphComponent, IntentClassifier):
    """Stateless (nothing to train or persist): looks at every typed message once, in `check`.
    Button payloads ("/ask_pain") carry their own intent and are left alone."""

    def __init__(self, config: Dict[str, Any] | None = None) -> None:
        self.config = {**self.get_default_config(), **(config or {})}

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> IntentOverride:
        return cls({**cls.get_default_config(), **config})

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if not text.startswith("/"):
                self.check(message, text)
        return messages

    @abstractmethod
    def check(self, message: Message, text: str) -> None:
        """Look at one typed message; override its intent or add entities where needed."""

    @staticmethod
    def lemmas(message: Message) -> List[str]:
        """spaCy's lemmas of the message's tokens (from the NLU pipeline)."""
        return [token.lemma for token in message.get(TOKENS_NAMES[TEXT]) or [] if token.lemma]

    def add_entity(self, message: Message, entity: str, value: str) -> None:
        found = {ENTITY_ATTRIBUTE_TYPE: entity, ENTITY_ATTRIBUTE_VALUE: value, EXTRACTOR: self.__class__.__name__}
        message.set(ENTITIES, (message.get(ENTITIES) or []) + [found], add_to_output=True)

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
