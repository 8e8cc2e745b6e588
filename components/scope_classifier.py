"""Rasa NLU component: complaints about another body part become intent other_body_part.

Placed after RedFlagClassifier (warning signs always win) and before FallbackClassifier.
When components.scope finds a complaint about a body part other than the hip, the intent becomes
other_body_part with confidence 1.0 and the body part is added as entity `body_part`, so the
answer can name it ("Over klachten aan je knie ...").
"""
from __future__ import annotations

import logging
from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT,
    INTENT_NAME_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from components.override import IntentOverride
from components.red_flags import EMERGENCY, URGENT
from components.scope import mentions_hip, other_body_part, words

logger = logging.getLogger(__name__)
OTHER_BODY_PART = "other_body_part"
BODY_PART_ENTITY = "body_part"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ScopeClassifier(IntentOverride):
    """Deterministic decline of complaints about other body parts than the hip."""

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            predicted = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if text.startswith("/") or predicted in (EMERGENCY, URGENT):
                continue
            lemmas = [token.lemma for token in message.get(TOKENS_NAMES[TEXT]) or [] if token.lemma]
            part = other_body_part(text, lemmas)
            if part is None:
                if predicted == OTHER_BODY_PART and mentions_hip(words(text, lemmas)):
                    self.demote(message, {OTHER_BODY_PART}, "the hip is named too")
                continue
            if predicted != OTHER_BODY_PART:
                logger.info("Complaint about '%s' overrides intent %s", part, predicted)
            self.override(message, OTHER_BODY_PART)
            entity = {
                ENTITY_ATTRIBUTE_TYPE: BODY_PART_ENTITY,
                ENTITY_ATTRIBUTE_VALUE: part,
                EXTRACTOR: self.__class__.__name__,
            }
            message.set(ENTITIES, (message.get(ENTITIES) or []) + [entity], add_to_output=True)
        return messages
