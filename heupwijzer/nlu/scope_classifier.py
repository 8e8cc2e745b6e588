"""Rasa NLU component: complaints about another body part become intent other_body_part.

Placed after RedFlagClassifier (warning signs always win) and before FallbackClassifier.
When heupwijzer.nlu.scope finds a complaint about a body part other than the hip, the intent becomes
other_body_part with confidence 1.0 and the body part is added as entity `body_part`, so the
answer can name it ("Over klachten aan je knie ..."). A message that names the hip or its care
(fysio, oefentherapeut, a new hip, the operation) gets the entity `hip_care` and is never declined
as off-topic: the honest fallback then offers hip topics (actions/conversation.py), or answers the
topic the contextual DIET is sure of (heupwijzer/nlu/second_opinion.py). A question
about an animal ("mijn hond heeft heupdysplasie") or a pregnancy ("zwanger en last van haar bekken")
becomes out_of_scope, hip or not.
"""

from __future__ import annotations

import logging

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
)
from rasa.shared.nlu.training_data.message import Message

from heupwijzer.nlu.lexicon import CRISIS, EMERGENCY, URGENT
from heupwijzer.nlu.override import IntentOverride
from heupwijzer.nlu.scope import about_a_pregnancy, about_an_animal, names_hip_care, other_body_part, words

logger = logging.getLogger(__name__)
OTHER_BODY_PART = "other_body_part"
OUT_OF_SCOPE = "out_of_scope"
BODY_PART_ENTITY = "body_part"
HIP_CARE_ENTITY = "hip_care"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ScopeClassifier(IntentOverride):
    """Deterministic decline of complaints about other body parts than the hip; a message that
    names the hip or its care is never declined as off-topic."""

    def check(self, message: Message, text: str) -> None:
        predicted = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        if predicted in (CRISIS, EMERGENCY, URGENT):
            return
        if about_an_animal(text) or about_a_pregnancy(text):
            if predicted != OUT_OF_SCOPE:
                logger.info("A question about an animal or a pregnancy overrides intent %s", predicted)
            self.override(message, OUT_OF_SCOPE)
            return
        lemmas = self.lemmas(message)
        hip_care = names_hip_care(words(text, lemmas))
        if hip_care:
            self.add_entity(message, HIP_CARE_ENTITY, "yes")
        part = other_body_part(text, lemmas)
        if part is None:
            # DIET's other_body_part needs a body part in the words ("handig" is no hand), and a
            # message about the hip or its care is answered or clarified, never declined.
            dropped = {OTHER_BODY_PART, OUT_OF_SCOPE} if hip_care else {OTHER_BODY_PART}
            if predicted in dropped:
                self.demote(message, dropped, "no other body part named; the hip or its care is named")
            return
        if predicted != OTHER_BODY_PART:
            logger.info("Complaint about '%s' overrides intent %s", part, predicted)
        self.override(message, OTHER_BODY_PART)
        self.add_entity(message, BODY_PART_ENTITY, part)
