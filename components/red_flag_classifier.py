"""Rasa NLU component: red flags override whatever intent DIET predicted.

Placed after DIETClassifier and before FallbackClassifier. When the deterministic detector
(components.red_flags) finds an emergency or an urgent problem in the message, the intent becomes
red_flag_emergency or red_flag_urgent with confidence 1.0, so the red-flag rule answers first.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from components.red_flags import detect

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class RedFlagClassifier(GraphComponent, IntentClassifier):
    """Deterministic safety net for emergencies and urgent problems."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "RedFlagClassifier":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue  # button payloads carry their own intent
            lemmas = [token.lemma for token in message.get(TOKENS_NAMES[TEXT]) or [] if token.lemma]
            level = detect(text, lemmas)
            if level is None:
                continue
            predicted = message.get(INTENT) or {}
            if predicted.get(INTENT_NAME_KEY) != level:
                logger.info("Red flag %s overrides intent %s", level, predicted.get(INTENT_NAME_KEY))
            intent = {INTENT_NAME_KEY: level, PREDICTED_CONFIDENCE_KEY: 1.0}
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != level]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [intent] + ranking, add_to_output=True)
        return messages
