"""Two DIET opinions: the cautious one decides what kind of message it is; which topic, both decide.

config.yml runs two DIETClassifiers on the same features. The first has no transformer layers: it
reads the bag of lemmas and character n-grams and is the cautious judge of whether a message is a
leaflet question at all, or a red flag, thoughts of suicide, off-topic, small talk or a follow-up.
The second has a transformer layer: it reads the words in their order and picks the right topic more
often on long, formal or mixed-language questions, but on its own it declines fewer off-topic
messages and alarms more calm ones (issue 19 note: judging sets a-l).

`KeepCautiousOpinion` sits between the two and keeps the first opinion; `TopicOpinion` sits after
the second and restores the first ranking with its topic places refilled in the order of both DIETs'
confidences blended (`contextual_weight` of the second's, the rest the first's). Every confidence,
and the place of every red flag, crisis, follow-up, decline or small talk in the ranking, stays the
cautious DIET's: the fallback thresholds, the "Bedoel je ...?" floor and the safety check for a red
flag close behind (RedFlagClassifier) work as they were tuned; only which leaflet topic fills each
topic place is the blend's (two exceptions, at the end).

Only for messages of at least `min_words` words: the contextual DIET's gains on the judging sets were
all but one on questions of 12 words or more (formal letters, context first, a relative writing),
and on short follow-ups in a conversation ("en als het niet helpt?", "en met een kunstheup?") its
choice of topic lost more than it won.

The exceptions, both on long messages only. Where the cautious DIET is unsure which topic, the
contextual one may still be sure: a long, formal question about the hip that the cautious DIET calls
off-topic or cannot place ("Geachte heer/mevrouw, ... is een diagnose zonder foto wel betrouwbaar?").
`ContextualFallbackClassifier` is Rasa's FallbackClassifier, except that a message that names the
hip or its care (ScopeClassifier's entity hip_care), whose best guess is a leaflet topic below the
thresholds and on which the contextual DIET is sure of one topic (`sure_topic`), gets that topic,
with the contextual confidence, instead of "Bedoel je ...?". Never in place of small talk, feedback
or a crisis, and never with a warning sign of the detector. And DIET's crisis on a message in which
the detector finds no thought of suicide gives way when the contextual DIET is surer of a leaflet
question (RedFlagClassifier: "ik wil niet te veel pillen slikken, hoe ga ik met de pijn om?").
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from heupwijzer.nlu.override import SAFETY_CHECK_ENTITY, WARNING_SIGN, IntentOverride

TOPIC_PREFIX = "ask_"  # the leaflet's topics: ask_pain, ask_treatment, ... (domain.yml)
CAUTIOUS_KEY = "cautious_opinion"  # kept on the message between the two classifiers, never output
CONTEXTUAL_KEY = "contextual_opinion"  # the contextual DIET's ranking, for the components after it, never output
HIP_CARE_ENTITY = "hip_care"  # ScopeClassifier: the message names the hip or its care
OUT_OF_SCOPE = "out_of_scope"

Opinion = Tuple[Dict[str, Any], List[Dict[str, Any]]]


def is_topic(intent: Dict[str, Any] | None) -> bool:
    return str((intent or {}).get(INTENT_NAME_KEY) or "").startswith(TOPIC_PREFIX)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class KeepCautiousOpinion(IntentOverride):
    """After the cautious DIET: keep its intent and ranking for `TopicOpinion`."""

    def check(self, message: Message, text: str) -> None:
        message.set(CAUTIOUS_KEY, (message.get(INTENT), list(message.get(INTENT_RANKING_KEY) or [])))


Ranking = List[Dict[str, Any]]


def topics_in_blended_order(cautious: Ranking, contextual: Ranking, weight: float) -> Ranking:
    """The cautious ranking, its topic places refilled with the topics in the order of their blended
    confidence: `weight` times the contextual DIET's plus (1 - weight) times the cautious one's. At
    weight 1 the contextual order (a topic it lacks keeps the cautious order after those it has);
    without a contextual ranking, the cautious order."""
    blended: Dict[str, float] = {}
    for entries, share in ((contextual, weight), (cautious, 1.0 - weight)):
        for entry in entries:
            if is_topic(entry):
                name = entry[INTENT_NAME_KEY]
                blended[name] = blended.get(name, 0.0) + share * float(entry.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
    topics = iter(sorted(blended, key=lambda name: -blended[name]))  # stable: ties keep the order above
    return [{**entry, INTENT_NAME_KEY: next(topics)} if is_topic(entry) else dict(entry) for entry in cautious]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class TopicOpinion(IntentOverride):
    """After the contextual DIET: the cautious ranking, its topics in the order of both DIETs' blend."""

    def __init__(self, config: Dict[str, Any] | None = None) -> None:
        super().__init__(config)
        if not 0.0 <= float(self.config["contextual_weight"]) <= 1.0:
            raise ValueError(f"contextual_weight must lie between 0 and 1, not {self.config['contextual_weight']}")

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"min_words": 12, "contextual_weight": 0.7}

    def check(self, message: Message, text: str) -> None:
        kept: Opinion | None = message.get(CAUTIOUS_KEY)
        if kept is None:
            return
        cautious, ranking = kept
        long = long_enough(text, int(self.config["min_words"]))
        contextual = list(message.get(INTENT_RANKING_KEY) or []) if long else []
        if long:  # for the components after this one, only where it is trusted: on long messages
            message.set(CONTEXTUAL_KEY, contextual)
        merged = topics_in_blended_order(ranking, contextual, float(self.config["contextual_weight"]))
        message.set(INTENT, merged[0] if merged else cautious, add_to_output=True)
        message.set(INTENT_RANKING_KEY, merged, add_to_output=True)


def contextual_topic(message: Message, confidence: float) -> Dict[str, Any] | None:
    """The contextual DIET's best guess, if it is a leaflet topic at `confidence` or more."""
    ranking: Ranking = message.get(CONTEXTUAL_KEY) or []
    best = ranking[0] if ranking else None
    sure = best is not None and float(best.get(PREDICTED_CONFIDENCE_KEY) or 0.0) >= confidence
    return dict(best) if best is not None and sure and is_topic(best) else None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ContextualFallbackClassifier(FallbackClassifier):
    """Rasa's FallbackClassifier, except where the contextual DIET is sure of a topic of a long message
    about the hip: that topic, with the contextual DIET's confidence, instead of "Bedoel je ...?"."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {**FallbackClassifier.get_default_config(), "sure_topic": 0.7, "min_words": 12}

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if not self._should_fallback(message):
                continue
            sure = self.sure_topic(message)
            if sure is None:
                super().process([message])
                continue
            name = sure[INTENT_NAME_KEY]
            others = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != name]
            message.set(INTENT, sure, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [sure] + others, add_to_output=True)
        return messages

    def sure_topic(self, message: Message) -> Dict[str, Any] | None:
        """Only where the cautious DIET's first guess was a leaflet topic it is unsure of, or off-topic on
        a message about the hip: never in place of small talk, feedback or a crisis that was demoted
        for lack of confidence, and never where the detector saw a warning sign (then "Bel nu je
        huisarts" replaces the clarification)."""
        text = str(message.get(TEXT) or "")
        if text.startswith("/") or not long_enough(text, int(self.component_config["min_words"])):
            return None
        if not is_topic(message.get(INTENT)) or has_entity(message, SAFETY_CHECK_ENTITY, WARNING_SIGN):
            return None
        # the cautious DIET's own first guess, before anything demoted it: a topic, or off-topic on a
        # message about the hip (not small talk, feedback or a crisis that fell below its bar)
        kept: Opinion | None = message.get(CAUTIOUS_KEY)
        first = str(((kept[0] if kept else None) or {}).get(INTENT_NAME_KEY) or "")
        if not (first.startswith(TOPIC_PREFIX) or first == OUT_OF_SCOPE):
            return None
        if not has_entity(message, HIP_CARE_ENTITY):
            return None
        return contextual_topic(message, float(self.component_config["sure_topic"]))


def long_enough(text: str, min_words: int) -> bool:
    return len(text.split()) >= min_words


def has_entity(message: Message, entity: str, value: str | None = None) -> bool:
    return any(
        e.get(ENTITY_ATTRIBUTE_TYPE) == entity and (value is None or e.get(ENTITY_ATTRIBUTE_VALUE) == value)
        for e in message.get(ENTITIES) or []
    )
