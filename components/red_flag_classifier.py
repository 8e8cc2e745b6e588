"""Rasa NLU component: red flags override whatever intent DIET predicted.

Placed after DIETClassifier and before FallbackClassifier.
- When the deterministic detector (components.red_flags) finds an emergency or an urgent problem,
  the intent becomes red_flag_emergency or red_flag_urgent with confidence 1.0, so the red-flag
  rule answers first, whatever DIET thought.
- When only DIET predicts a red flag, it is kept if it is confident and the message names at least
  one warning sign that is not over ("koorts gehad vorige maand, nu beter" is not an alarm);
  otherwise the next intent in DIET's ranking takes its place.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.override import IntentOverride
from components.red_flags import EMERGENCY, URGENT, assess

logger = logging.getLogger(__name__)
RED_FLAGS = (EMERGENCY, URGENT)
DIET_ONLY_CONFIDENCE = 0.8


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class RedFlagClassifier(IntentOverride):
    """Deterministic safety net for emergencies and urgent problems."""

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue  # button payloads carry their own intent
            lemmas = [token.lemma for token in message.get(TOKENS_NAMES[TEXT]) or [] if token.lemma]
            assessment = assess(text, lemmas)
            level = assessment.level
            predicted = message.get(INTENT) or {}
            if level is None:
                self._check_diet_red_flag(message, predicted, assessment.backed)
                continue
            if predicted.get(INTENT_NAME_KEY) != level:
                logger.info("Red flag %s overrides intent %s", level, predicted.get(INTENT_NAME_KEY))
            self.override(message, level)
        return messages

    def _check_diet_red_flag(self, message: Message, predicted: Dict[Text, Any], backed: bool) -> None:
        if predicted.get(INTENT_NAME_KEY) not in RED_FLAGS:
            return
        if backed and (predicted.get(PREDICTED_CONFIDENCE_KEY) or 0.0) >= DIET_ONLY_CONFIDENCE:
            return
        self.demote(message, RED_FLAGS, "a red flag from DIET alone, without a current warning sign")
