"""The honest fallback's offer: "Bedoel je ...?" with the topics the message most likely is about."""

from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.tracker import HIP_CARE_ENTITY, has_entity, latest_text
from actions.vocabulary import shares_words
from heupwijzer.content import Content, Topic, button

# "Bedoel je ...?" offers a topic that shares no words with the message only when DIET gives it at
# least this confidence (chosen from `make evaluate`: off-topic declines vs. hip questions clarified).
CLARIFY_CONFIDENCE_FLOOR = 0.15


def plausible_suggestions(tracker: Tracker, content: Content, count: int = 2) -> List[Topic]:
    """The most likely knowledge topics according to the NLU ranking, if the message plausibly is
    about them: it shares words with the topic's examples, or DIET is fairly sure. Nothing when the
    message is most likely about something else (out_of_scope ranked first). A message that names
    the hip or its care (entity hip_care) always gets the most likely topics."""
    ranking = [
        entry for entry in tracker.latest_message.get("intent_ranking") or [] if entry.get("name") != "nlu_fallback"
    ]
    about_the_hip = has_entity(tracker, HIP_CARE_ENTITY)
    if ranking and ranking[0].get("name") == "out_of_scope" and not about_the_hip:
        return []
    found: List[Topic] = []
    for entry in ranking:
        topic = content.topics.get(entry.get("name") or "")
        if topic is None or topic in found:
            continue
        if (
            about_the_hip
            or shares_words(latest_text(tracker), topic.intent)
            or (entry.get("confidence") or 0.0) >= CLARIFY_CONFIDENCE_FLOOR
        ):
            found.append(topic)
    return found[:count]


def offer_topics(dispatcher: CollectingDispatcher, options: List[Topic]) -> None:
    """ "Bedoel je een van deze onderwerpen?" with a button per topic and one for none of these."""
    dispatcher.utter_message(
        response="utter_clarify", buttons=[topic.button for topic in options] + [button("none_of_these")]
    )
