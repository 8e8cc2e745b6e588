"""Follow-up questions ("hoe lang duurt dat dan?") answered for the topic the conversation is about.

The kind of question and the answer per topic come from content/follow_ups.yml; no answer text
lives here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.replies import answer_topic, next_step_buttons, safety_check_first, show_menu, urgent_instead_of_decline
from actions.suggestions import offer_topics, plausible_suggestions
from actions.tracker import (
    HIP_CARE_ENTITY,
    TOPIC_SLOT,
    Events,
    has_entity,
    last_bot_buttons,
    last_bot_response,
    latest_text,
)
from heupwijzer.content import Content, Topic, load_content, read_file
from heupwijzer.nlu.text import normalise

TABLE = "follow_ups.yml"


@dataclass(frozen=True)
class Answer:
    response: str | None = None  # a response in domain.yml
    topic: str | None = None  # or another topic's whole answer


Phrases = Tuple[Tuple[str, Tuple[str, ...]], ...]  # (name, phrases) in order: the first that matches wins
# A question that starts or ends with "why" asks why, whatever words come with it ("en waarom is dat
# slecht?", "is roken echt zo slecht? waarom?").
WHY_AT_EITHER_END = re.compile(r"^ (?:en |maar |of )?(?:waarom|hoezo|why) | (?:waarom|hoezo|why) $")
# Kinds that ask about the topic at hand: answered by another topic's answer ("hoe vaak?" on exercising
# at home: how long therapy takes), the conversation stays on its topic. Other kinds (what next, the
# therapist's role, with a new hip) move it on.
DETAIL_KINDS = frozenset({"how_long", "how_often", "why", "dangerous"})


def names_any(text: str, phrases: Tuple[str, ...]) -> bool:
    """`text` (normalised: padded, lower case, no accents) holds one of the phrases as whole words."""
    return any(f" {phrase} " in text for phrase in phrases)


def first_match(phrases: Phrases, question: str) -> str | None:
    text = normalise(question)
    return next((name for name, options in phrases if names_any(text, options)), None)


@dataclass(frozen=True)
class Shift:
    """Words that move a follow-up to `topic`; only from the topics in `after`, when it is given."""

    topic: str
    words: Tuple[str, ...]
    after: Tuple[str, ...] = ()
    kinds: Tuple[str, ...] = ()  # only for these kinds of question, when given


@dataclass(frozen=True)
class Correction:
    """A question the NLU took for `source` that is about `target`: it names one of `words` and none
    of `unless`."""

    source: str
    target: str
    words: Tuple[str, ...]
    unless: Tuple[str, ...] = ()


@dataclass(frozen=True)
class FollowUps:
    kinds: Phrases
    defaults: Dict[str, Answer]
    topics: Dict[str, Dict[str, Answer]]
    shifts: Tuple[Shift, ...] = ()
    corrections: Tuple[Correction, ...] = ()

    def corrected(self, topic: str, question: str) -> str:
        """The topic a whole question is about, when the NLU took it for one it is often mixed up with."""
        text = normalise(question)
        for correction in self.corrections:
            if (
                correction.source == topic
                and names_any(text, correction.words)
                and not names_any(text, correction.unless)
            ):
                return correction.target
        return topic

    def kind_of(self, question: str) -> str | None:
        # "en waarom is roken daar slecht voor?" asks why, though "slecht" is a word of `dangerous`
        if WHY_AT_EITHER_END.search(normalise(question)):
            return "why"
        return first_match(self.kinds, question)

    def shift_of(self, question: str, topic: str | None, kind: str | None = None) -> str | None:
        """Another topic than `topic` whose own words the follow-up names ("hoe lang duurt het herstel?")."""
        text = normalise(question)
        for shift in self.shifts:
            if shift.topic == topic or (shift.after and topic not in shift.after):
                continue
            if shift.kinds and kind not in shift.kinds:
                continue
            if names_any(text, shift.words):
                return shift.topic
        return None

    def answer(self, topic: str, kind: str) -> Answer:
        return self.topics.get(topic, {}).get(kind) or self.defaults[kind]


@lru_cache(maxsize=1)
def follow_ups() -> FollowUps:
    raw = read_file(TABLE)
    kinds = tuple((kind, tuple(str(p) for p in phrases)) for kind, phrases in raw["kinds"].items())
    defaults = {kind: Answer(**spec) for kind, spec in raw["defaults"].items()}
    topics = {
        topic: {kind: Answer(**spec) for kind, spec in answers.items()}
        for topic, answers in (raw.get("topics") or {}).items()
    }
    shifts = tuple(
        Shift(
            str(spec["topic"]),
            tuple(str(w) for w in spec["words"]),
            tuple(str(t) for t in spec.get("after") or ()),
            tuple(str(k) for k in spec.get("kinds") or ()),
        )
        for spec in raw.get("shifts") or []
    )
    corrections = tuple(
        Correction(
            str(spec["from"]),
            str(spec["to"]),
            tuple(str(w) for w in spec["words"]),
            tuple(str(w) for w in spec.get("unless") or ()),
        )
        for spec in raw.get("corrections") or []
    )
    return FollowUps(kinds, defaults, topics, shifts, corrections)


def context_topic(tracker: Tracker) -> str | None:
    """The topic a follow-up is about: the one the patient just read about; right after "Bedoel je
    ...?", whose buttons the patient passed by with a follow-up ("hoe lang duurt dat dan?"), the
    first topic it offered (the NLU's best guess for the question it could not place)."""
    if last_bot_response(tracker) == "utter_clarify":
        offered = [str(b.get("payload") or "").lstrip("/") for b in last_bot_buttons(tracker)]
        topics = load_content().topics
        for intent in offered:
            if intent in topics:
                return intent
    return tracker.get_slot(TOPIC_SLOT) or None


def is_follow_up_in_context(tracker: Tracker) -> bool:
    """An unsure NLU (nlu_fallback) with follow_up among its two best guesses, a topic to follow up
    on and a recognisable kind of question ("hoe vaak in de week?"): the context decides."""
    ranking = [
        e.get("name") for e in tracker.latest_message.get("intent_ranking") or [] if e.get("name") != "nlu_fallback"
    ]
    return (
        "follow_up" in ranking[:2]
        and context_topic(tracker) is not None
        and follow_ups().kind_of(latest_text(tracker)) is not None
    )


# A message this short with a follow-up's words ("why not?", "how often?") is a follow-up on the topic
# the conversation is about, whatever else the NLU guessed: never declined as off-topic.
SHORT_FOLLOW_UP_WORDS = 5


def word_count(text: str) -> int:
    return len(normalise(text).split())


def is_short(text: str) -> bool:
    return word_count(text) <= SHORT_FOLLOW_UP_WORDS


# More words than this is a whole question, not a follow-up ("moet ik dat lang blijven doen?" is one).
WHOLE_QUESTION_WORDS = 10


def is_whole_question(text: str) -> bool:
    return word_count(text) > WHOLE_QUESTION_WORDS


# A question that opens with "and", "but" or "why" and points back at what was said ("Why not? Mijn
# vriendin zweert erbij.", "Maar hoeveel moet ik dan fietsen?") is a follow-up up to a whole question's
# length; so is "and with a new hip?". Without a word that points back it may be a new question ("En
# waarom slaap ik zo slecht?"): then "Bedoel je ...?".
FOLLOW_UP_OPENER = re.compile(r"^ (?:en|maar|of|dus|and|but|so|waarom|hoezo|why) ")
POINTS_BACK = re.compile(
    r" (?:dat|dit|die|deze|dan|zoiets|daar|daarbij|daarmee|daarvan|daarover|daaraan|daarin|daarop|daarvoor|daarna"
    r"|daardoor|er|erbij|ermee|ervan|erover|eraan|erin|erop|ervoor|erna|erdoor|hier|hierbij|hiermee|hiervan"
    r"|hierover|that|this|then|there) |^ (?:waarom|hoezo|why) (?:niet|not) "
)


def opens_like_a_follow_up(text: str, kind: str | None) -> bool:
    words = normalise(text)
    if not FOLLOW_UP_OPENER.search(words) or is_whole_question(text):
        return False
    return kind == "with_hip_replacement" or bool(POINTS_BACK.search(words))


def short_follow_up_in_context(tracker: Tracker) -> bool:
    text = latest_text(tracker)
    return context_topic(tracker) is not None and is_short(text) and follow_ups().kind_of(text) is not None


def opening_follow_up_in_context(tracker: Tracker) -> bool:
    """A message the NLU could not place that opens like a follow-up, with a recognisable kind, while
    the conversation has a topic (not for a message the NLU declined: "maar is het weer morgen slecht?")."""
    text = latest_text(tracker)
    kind = follow_ups().kind_of(text)
    return context_topic(tracker) is not None and kind is not None and opens_like_a_follow_up(text, kind)


class ActionFollowUp(Action):
    """Answer a short follow-up for the current topic; without a topic, ask which one is meant."""

    def name(self) -> str:
        return "action_follow_up"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        content = load_content()
        current = context_topic(tracker)
        text = latest_text(tracker)
        kind = follow_ups().kind_of(text)
        topic = content.topics.get(follow_ups().shift_of(text, current, kind) or current or "")
        if topic is None:
            # A warning sign never ends in "which topic?" or "Bedoel je ...?": the urgent advice instead.
            if urgent_instead_of_decline(dispatcher, tracker):
                return []
            # A whole question that the NLU took for a follow-up, at the start of a conversation: the
            # topics it most likely is about ("Bedoel je ...?"), not "which topic? ask again".
            options = plausible_suggestions(tracker, content) if is_whole_question(text) else []
            if options:
                offer_topics(dispatcher, options)
                return []
            # A whole question about nothing Heupwijzer knows ("mijn auto piept, is dat gevaarlijk?"):
            # declined like any other subject, not "which topic?".
            if is_whole_question(text) and not has_entity(tracker, HIP_CARE_ENTITY):
                dispatcher.utter_message(response="utter_out_of_scope")
                return []
            dispatcher.utter_message(response="utter_follow_up_no_topic")
            show_menu(dispatcher, content, group_key=None)
            return []
        safety_check_first(dispatcher, tracker)
        if kind is None:  # a follow-up we can't place: the current topic's answer again
            return answer_topic(dispatcher, tracker, topic, content)
        return answer_follow_up(dispatcher, tracker, topic, kind, content)


def answer_follow_up(
    dispatcher: CollectingDispatcher, tracker: Tracker, topic: Topic, kind: str, content: Content
) -> Events:
    answer = follow_ups().answer(topic.intent, kind)
    if answer.topic:
        events = answer_topic(dispatcher, tracker, content.topics[answer.topic], content)
        return [SlotSet(TOPIC_SLOT, topic.intent)] if kind in DETAIL_KINDS else events
    dispatcher.utter_message(response=answer.response, buttons=next_step_buttons(topic, content))
    # moved on (another topic's words, or the topic "Bedoel je ...?" offered first): the next follow-up is about it
    return [] if tracker.get_slot(TOPIC_SLOT) == topic.intent else [SlotSet(TOPIC_SLOT, topic.intent)]


# A short follow-up that the NLU took for a topic of its own, pointing back at the conversation's
# topic: that topic, answered for the follow-up's kind (content/follow_ups.yml).
# - "En als ik later toch een kunstheup krijg?", "geldt dit ook met een nieuwe heup?", "and what about
#   after a hip replacement?" (taken for the hip replacement topic): the topic, for a new hip;
# - "Geeft de fysio daar ook advies over?", "wat doet de fysio dan voor mijn werk?" (taken for the
#   treatment topic): the therapist's part in the topic (the advice for work and sport, the
#   examination for the X-ray question), not what a treatment involves in general.
@dataclass(frozen=True)
class PointingBack:
    """A short follow-up of `kind` that the NLU took for a topic, pointing back with `words`; only
    from the topics in `after`, when it is given."""

    kind: str
    words: re.Pattern[str]
    after: Tuple[str, ...] = ()


POINTING_BACK: Dict[str, PointingBack] = {
    "ask_hip_replacement": PointingBack(
        "with_hip_replacement", re.compile(r"^ (en|and|maar|but) | geldt | ook | what about | hoe zit het ")
    ),
    "ask_treatment": PointingBack(
        "therapist_role",
        re.compile(r" (daar|daarbij|daarover|daarmee|daarvoor|dan|ook|hierbij|hierover|hiermee|there|then) "),
    ),
    # "mag ik met die kunstheup weer fietsen?" (taken for work and sport) while the conversation is
    # about the operation: when and how is the recovery's part (the leaflet says nothing more)
    "ask_work_sport": PointingBack(
        "with_hip_replacement",
        re.compile(
            r" (met|with) (die|deze|de|een|mijn|m n|mn|zo n|my|the|a) (kunstheup|nieuwe heup|prothese|new hip) "
        ),
        ("ask_rehabilitation", "ask_surgery_preparation"),
    ),
}


def follow_up_taken_for_a_topic(tracker: Tracker, intent: str) -> Tuple[str, str] | None:
    """The conversation's topic and the follow-up's kind, when the NLU took a short follow-up that
    points back at that topic for `intent` (POINTING_BACK)."""
    rule = POINTING_BACK.get(intent)
    if rule is None:
        return None
    current = context_topic(tracker)
    text = latest_text(tracker)
    if current in (None, intent) or is_whole_question(text) or (rule.after and current not in rule.after):
        return None
    if follow_ups().kind_of(text) != rule.kind or not rule.words.search(normalise(text)):
        return None
    return current, rule.kind


def same_topic_follow_up(tracker: Tracker, intent: str) -> str | None:
    """The NLU names the topic the patient just read about, with follow_up a close second or in a
    message as short as a follow-up ("waarom doet het pijn?" after the pain answer), and the question
    has a recognisable kind ("kan het kwaad als het pijn doet?"): repeating the answer would not
    help, so the kind of follow-up is returned."""
    ranking = [
        e.get("name") for e in tracker.latest_message.get("intent_ranking") or [] if e.get("name") != "nlu_fallback"
    ]
    if intent != tracker.get_slot(TOPIC_SLOT):
        return None
    if "follow_up" not in ranking[:2] and not short_follow_up_in_context(tracker):
        return None
    return follow_ups().kind_of(latest_text(tracker))
