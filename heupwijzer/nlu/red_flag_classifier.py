"""Rasa NLU component: the red-flag and crisis net after DIET. Either opinion is enough.

Placed after DIETClassifier and before ScopeClassifier and FallbackClassifier.
- The deterministic detector (heupwijzer.nlu.red_flags) finds thoughts of suicide (intent crisis), an
  emergency or an urgent problem: that intent, with confidence 1.0. Crisis comes first.
- DIET's best guess is a red flag: it stands at any confidence, unless the detector positively
  finds that every symptom in the message is negated, a worry, over or explained ("geen
  koorts", "wat als ik val?", "vorig jaar gevallen", "wat kortademig na het fietsen"). The detector
  never vetoes DIET for lack of a word it knows; DIET's emergency on a message in which the
  detector sees no concept at all becomes urgent (call the huisarts now) rather than 112. DIET's
  crisis alone stands from `crisis_confidence` on: below it, DIET is guessing on a message it does
  not know ("wanneer snoei ik mijn rozen?"); and not when, on a long message, the contextual DIET is
  sure the message is a leaflet question (`crisis_topic_veto`), and surer than the cautious DIET is of
  the crisis ("ik wil niet te veel pillen slikken, hoe ga ik met de pijn om?" is about pain).
- DIET's red flag on a message in which the detector finds nothing but the hip, an operation or
  exercise, while the contextual DIET is sure of one leaflet topic (`red_flag_topic_veto`): that topic,
  with the safety check ("op 14 maart krijg ik mijn kunstheup, moet ik nu al naar de fysio?").
- Safe side: a red-flag intent ranked right behind the top intent, within `safety_margin`, or a
  warning sign without a complete rule, adds the entity `safety_check`: a calm answer then starts
  with a short "Heb je nu ...? Bel dan meteen ..." check. With a warning sign (value "warning") a
  decline or clarification is replaced by the urgent advice (actions/replies.py,
  urgent_instead_of_decline); a red flag only close behind (value "diet") never comes before a
  decline.
- Thoughts of suicide together with a bodily alarm (pills already taken) add the entity `danger_now`
  with that alarm's level: the crisis reply then starts with "call now".
- Small talk never swallows a complaint: stop, goodbye, yes/no or thanks on a message of more than a
  few words that names a complaint or an event is replaced by the next intent in DIET's ranking.
"""

from __future__ import annotations

import logging
from typing import Any, Dict

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message

from heupwijzer.nlu.lexicon import CRISIS, EMERGENCY, URGENT, lexicon
from heupwijzer.nlu.override import SAFETY_CHECK_ENTITY, WARNING_SIGN, IntentOverride
from heupwijzer.nlu.red_flags import Assessment, assess, names_a_complaint
from heupwijzer.nlu.scope import other_body_part
from heupwijzer.nlu.second_opinion import contextual_topic

logger = logging.getLogger(__name__)
RED_FLAGS = (EMERGENCY, URGENT)
ALARMS = (CRISIS, EMERGENCY, URGENT)
SEVERE = "severe"  # the concept of red_flags.yml for how bad the pain is
LIMB_COLOUR = frozenset({"cold_color", "leg"})  # concepts of red_flags.yml: a leg or foot cold, pale or blue
HEART = frozenset({"sweating", "chest"})  # concepts of red_flags.yml: with pain elsewhere, maybe the heart
# WARNING_SIGN (override.py): the detector saw a warning sign: a decline becomes the urgent advice
CLOSE_BEHIND = "diet"  # only DIET's red flag close behind: the check in front of a calm answer
NET_KEY = "red_flag_net"
DANGER_NOW_ENTITY = "danger_now"  # beside a crisis, the level of a bodily alarm (actions/crisis.py)
# concepts of red_flags.yml that say nothing about a symptom: the hip, an operation, exercise
NEUTRAL_CONCEPTS = frozenset({"hip_or_joint", "postop", "exertion"})


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class RedFlagClassifier(IntentOverride):
    """Red flags from the detector or from DIET; a safety check when it is close."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # safety_margin: a red-flag intent within this distance of DIET's top intent gets the
        # safety check (chosen from `make evaluate` on the tuning sets).
        # crisis_confidence: DIET's crisis on a message in which the detector finds no thought of
        # suicide counts from this confidence on (chosen on the tuning sets).
        # crisis_topic_veto: ... unless the contextual DIET gives one leaflet topic this confidence.
        # red_flag_topic_veto: DIET's red flag on a message in which the detector finds nothing but the
        # hip, an operation or exercise gives way (to the answer with the safety check) when the
        # contextual DIET is this sure of one leaflet topic.
        return {"safety_margin": 1.0, "crisis_confidence": 0.5, "crisis_topic_veto": 0.9, "red_flag_topic_veto": 0.6}

    def check(self, message: Message, text: str) -> None:
        assessment = assess(text)
        predicted = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        message.set(NET_KEY, self.opinions(message, assessment), add_to_output=True)
        if assessment.level is not None:
            if predicted != assessment.level:
                logger.info("Alarm %s overrides intent %s", assessment.level, predicted)
            self.override(message, assessment.level)
            if assessment.also is not None:  # thoughts of suicide and a bodily alarm: call now, then 113
                self.add_entity(message, DANGER_NOW_ENTITY, assessment.also)
            return
        if predicted == CRISIS:
            if self.sure_of_crisis(message):
                self.override(message, CRISIS)
                return
            predicted = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        if predicted in RED_FLAGS:
            # DIET alone on a complaint about another body part without a warning sign ("my knee hurts
            # on the stairs", "enkel verzwikt"): the scope check declines it with a referral.
            elsewhere = (
                not warns_beyond_severity(assessment)
                and other_body_part(text, self.lemmas(message), cautious=True) is not None
            )
            topic = self.question_without_symptom(message, assessment)
            if topic is not None:
                logger.info("DIET's %s alone on a message naming no symptom: %s with the check", predicted, topic)
                others = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) not in RED_FLAGS]
                message.set(INTENT, topic, add_to_output=True)
                message.set(
                    INTENT_RANKING_KEY,
                    [topic] + [r for r in others if r.get(INTENT_NAME_KEY) != topic[INTENT_NAME_KEY]],
                    add_to_output=True,
                )
                self.add_entity(message, SAFETY_CHECK_ENTITY, CLOSE_BEHIND)
                return
            if not assessment.reassured and not elsewhere:
                # 112 needs a named sign: DIET's emergency alone, on a message in which the detector
                # saw nothing at all, still says "call now", but the huisarts.
                unseen = predicted == EMERGENCY and not (assessment.current or assessment.discounted)
                self.override(message, URGENT if unseen else predicted)
                return
            self.demote(message, RED_FLAGS, "every symptom is negated, a worry, over or explained, or elsewhere")
            if ((message.get(INTENT) or {}).get(INTENT_NAME_KEY)) == CRISIS and self.sure_of_crisis(message):
                self.override(message, CRISIS)
                return
        self.keep_complaints_out_of_small_talk(message, text)
        if assessment.warning:
            self.add_entity(message, SAFETY_CHECK_ENTITY, WARNING_SIGN)
        elif self.red_flag_close_behind(message, assessment):
            self.add_entity(message, SAFETY_CHECK_ENTITY, CLOSE_BEHIND)

    def question_without_symptom(self, message: Message, assessment: Assessment) -> Dict[str, Any] | None:
        """The contextual DIET's leaflet topic, when DIET's red flag is on a message in which the
        detector finds nothing but the hip, an operation or exercise ("op 14 maart krijg ik mijn
        kunstheup, moet ik nu al naar de fysio?") and the contextual DIET is sure of that topic. The
        topic is answered with the safety check in front. Any other concept (lying on the floor, a
        leg, bleeding, the chest, a fall, also negated or in the past) keeps DIET's alarm."""
        if not assessment.names_only(NEUTRAL_CONCEPTS):
            return None
        return contextual_topic(message, float(self.config["red_flag_topic_veto"]))

    def sure_of_crisis(self, message: Message) -> bool:
        """DIET's crisis without a word of the detector stands from `crisis_confidence` on; below it,
        the next intent in DIET's ranking ("wanneer snoei ik mijn rozen?" is no crisis at 0.3)."""
        confidence = float((message.get(INTENT) or {}).get(PREDICTED_CONFIDENCE_KEY) or 0.0)
        topic = contextual_topic(message, float(self.config["crisis_topic_veto"]))
        if topic is not None and float(topic[PREDICTED_CONFIDENCE_KEY]) <= confidence:
            topic = None  # the cautious DIET is surer of the crisis than the contextual one of the topic
        if confidence >= float(self.config["crisis_confidence"]) and topic is None:
            return True
        why = f"the contextual DIET is sure of {topic[INTENT_NAME_KEY]}" if topic else "no word of the detector"
        self.demote(message, {CRISIS}, f"DIET's crisis alone at {confidence:.2f}, {why}")
        return False

    @staticmethod
    def opinions(message: Message, assessment: Assessment) -> Dict[str, Any]:
        """Both opinions, before anything is overridden (in the parse data, for `make evaluate`)."""
        ranking = message.get(INTENT_RANKING_KEY) or []
        top = ranking[0] if ranking else {}
        flags = [
            (rank, r.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
            for rank, r in enumerate(ranking, 1)
            if r.get(INTENT_NAME_KEY) in RED_FLAGS
        ]
        rank, flag = flags[0] if flags else (0, 0.0)
        return {
            "detector": assessment.level,
            "warning": assessment.warning,
            "reassured": assessment.reassured,
            "diet_top": top.get(INTENT_NAME_KEY),
            "diet_top_confidence": top.get(PREDICTED_CONFIDENCE_KEY) or 0.0,
            "diet_red_flag_confidence": flag,
            "diet_red_flag_rank": rank,
        }

    def red_flag_close_behind(self, message: Message, assessment: Assessment) -> bool:
        if assessment.reassured:
            return False
        net = message.get(NET_KEY) or {}
        return close_behind(net, float(self.config["safety_margin"]))

    def keep_complaints_out_of_small_talk(self, message: Message, text: str) -> None:
        lex = lexicon()
        predicted: str | None = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        if (
            predicted in lex.small_talk_intents
            and len(text.split()) > lex.small_talk_max_words
            and names_a_complaint(text)
        ):
            self.demote(
                message, lex.small_talk_intents | set(ALARMS), "a longer message about a complaint is not small talk"
            )


def warns_beyond_severity(assessment: Assessment) -> bool:
    """A warning sign other than how bad the pain is: "mijn schouder doet zo'n pijn" is a complaint
    about the shoulder, "mijn knie is dik en ik heb koorts" is more."""
    concepts = lexicon().concepts
    if assessment.current >= LIMB_COLOUR:  # a cold or blue foot is the leg's blood supply, not "elsewhere"
        return True
    if HEART & assessment.current:  # an aching arm or jaw with sweating or the chest may be the heart
        return True
    return assessment.warning and any(concepts[n].warning for n in assessment.unexplained() - {SEVERE})


def close_behind(net: Dict[str, Any], margin: float) -> bool:
    """DIET's red-flag intent is first, or second and within `margin` of the first."""
    rank = net.get("diet_red_flag_rank", 0)
    return rank == 1 or (
        rank == 2 and net.get("diet_top_confidence", 0.0) - net.get("diet_red_flag_confidence", 0.0) <= margin
    )
