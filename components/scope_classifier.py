"""Rasa NLU component: complaints about another body part become intent other_body_part.

Placed after RedFlagClassifier (warning signs always win) and before FallbackClassifier.
When components.scope finds a complaint about a body part other than the hip, the intent becomes
other_body_part with confidence 1.0 and the body part is added as entity `body_part`, so the
answer can name it ("Over klachten aan je knie ...").
"""

from __future__ import annotations

import logging

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
)
from rasa.shared.nlu.training_data.message import Message

from components.lexicon import EMERGENCY, URGENT
from components.override import IntentOverride
from components.scope import mentions_hip, other_body_part, words

logger = logging.getLogger(__name__)
OTHER_BODY_PART = "other_body_part"
BODY_PART_ENTITY = "body_part"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ScopeClassifier(IntentOverride):
    """Deterministic decline of complaints about other body parts than the hip."""

    def check(self, message: Message, text: str) -> None:
        predicted = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        if predicted in (EMERGENCY, URGENT):
            return
        lemmas = self.lemmas(message)
        part = other_body_part(text, lemmas)
        if part is None:
            if predicted == OTHER_BODY_PART and mentions_hip(words(text, lemmas)):
                self.demote(message, {OTHER_BODY_PART}, "the hip is named too")
            return
        if predicted != OTHER_BODY_PART:
            logger.info("Complaint about '%s' overrides intent %s", part, predicted)
        self.override(message, OTHER_BODY_PART)
        self.add_entity(message, BODY_PART_ENTITY, part)
