"""Custom actions: answers with next steps, the menu, the practice, honest fallback, feedback,
the Beweegcheck. Patient-facing text lives in domain.yml; actions choose and fill it in."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import beweegcheck
from actions.content import Content, Link, Topic, load_content
from actions.practice import Practice, load_practice
from actions.fit_questions import asks_if_it_fits, describes_a_complaint
from actions.vocabulary import shares_words

TOPIC_SLOT = "topic"
FEEDBACK_SLOT = "feedback"
MENU_GROUP_ENTITY = "menu_group"
BODY_PART_ENTITY = "body_part"
SAFETY_CHECK_ENTITY = "safety_check"
MORE_INFO_BUTTON = {"title": "Meer lezen", "payload": "/more_info"}
MENU_BUTTON = {"title": "Andere onderwerpen", "payload": "/help"}
NONE_OF_THESE_BUTTON = {"title": "Iets anders", "payload": "/deny"}
FEEDBACK_PAYLOADS = {"/feedback_positive", "/feedback_negative"}
# Ask "Had je iets aan dit antwoord?" after the 1st, 4th, 7th ... answer of a session, never twice
# for the same topic: often enough to learn something, rare enough not to interrogate anyone.
FEEDBACK_EVERY = 3
# "Bedoel je ...?" offers a topic that shares no words with the message only when DIET gives it at
# least this confidence (chosen from `make evaluate`: off-topic declines vs. hip questions clarified).
CLARIFY_CONFIDENCE_FLOOR = 0.15
# Topics a complaint is taken for; with "past dat bij heupartrose?" they get the fit answer.
COMPLAINT_TOPICS = ("ask_symptoms", "ask_pain", "ask_what_is_hip_oa")

Button = Dict[Text, Text]
Events = List[Dict[Text, Any]]
EventDict = Dict[Text, Any]

# Read once at startup: an incomplete practice configuration stops the action server here,
# with a clear message, instead of sending a patient an empty phone number later.
PRACTICE: Practice = load_practice()


def topic_button(topic: Topic) -> Button:
    return {"title": topic.label, "payload": f"/{topic.intent}"}


def link_lines(links: tuple[Link, ...]) -> str:
    return "\n".join(f"- {link.markdown()}" for link in links)


def next_step_buttons(topic: Topic, content: Content, related: bool = True) -> List[Button]:
    extra = [{"title": title, "payload": payload} for title, payload in topic.extra_buttons]
    related_buttons = [topic_button(content.topics[intent]) for intent in topic.related] if related else []
    return related_buttons + extra + [MORE_INFO_BUTTON, MENU_BUTTON]


def current_topic(tracker: Tracker, content: Content) -> Optional[Topic]:
    return content.topics.get(tracker.get_slot(TOPIC_SLOT) or "")


def latest_intent(tracker: Tracker) -> str:
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


def session_events(tracker: Tracker) -> List[EventDict]:
    """The events of the current conversation session."""
    events = list(tracker.events)
    starts = [i for i, event in enumerate(events) if event.get("event") == "session_started"]
    return events[starts[-1] + 1:] if starts else events


def last_bot_buttons(tracker: Tracker) -> List[Button]:
    for event in reversed(list(tracker.events)):
        if event.get("event") == "bot":
            return list((event.get("data") or {}).get("buttons") or [])
    return []


def practice_message(dispatcher: CollectingDispatcher, response: str, **kwargs: Any) -> None:
    dispatcher.utter_message(response=response, **PRACTICE.template_variables(), **kwargs)


def show_menu(dispatcher: CollectingDispatcher, content: Content, group_key: Optional[str]) -> None:
    group = content.groups.get(group_key or "")
    if group is None:
        buttons = [
            {"title": g.label, "payload": f'/help{{"{MENU_GROUP_ENTITY}": "{g.key}"}}'}
            for g in content.groups.values()
        ]
        dispatcher.utter_message(response="utter_menu_intro", buttons=buttons)
        return
    buttons = [topic_button(content.topics[intent]) for intent in group.topics]
    dispatcher.utter_message(text=f"Onderwerpen bij '{group.label}':", buttons=buttons + [MENU_BUTTON])


def rated_topics(events: List[EventDict]) -> set[str]:
    return {
        (event.get("value") or {}).get("topic")
        for event in events
        if event.get("event") == "slot" and event.get("name") == FEEDBACK_SLOT and event.get("value")
    }


def should_ask_feedback(tracker: Tracker, topic: Topic) -> bool:
    events = session_events(tracker)
    answers = sum(1 for e in events if e.get("event") == "action" and e.get("name") == "action_answer_topic")
    nth_answer = answers + 1  # this answer is not in the tracker yet
    return (nth_answer - 1) % FEEDBACK_EVERY == 0 and topic.intent not in rated_topics(events)


def safety_check_first(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """A warning sign without a complete red-flag rule (components/red_flag_classifier.py): the
    answer starts with the short "heb je nu ...? bel dan ..." check."""
    entities = tracker.latest_message.get("entities") or []
    if any(entity.get("entity") == SAFETY_CHECK_ENTITY for entity in entities):
        dispatcher.utter_message(response="utter_safety_check")


def answer_topic(dispatcher: CollectingDispatcher, tracker: Tracker, topic: Topic, content: Content) -> Events:
    """A topic's answer, its main link and the next steps (or the feedback question)."""
    dispatcher.utter_message(response=topic.response)
    read_more = f"Lees meer op {topic.links[0].markdown()}"
    if should_ask_feedback(tracker, topic):
        # The buttons of the last message are the ones a chat widget keeps showing: there the
        # feedback question comes with 👍 / 👎 and the way on (without the related topics).
        dispatcher.utter_message(text=read_more)
        dispatcher.utter_message(response="utter_feedback_ask",
                                 buttons=next_step_buttons(topic, content, related=False))
    else:
        dispatcher.utter_message(text=read_more, buttons=next_step_buttons(topic, content))
    return [SlotSet(TOPIC_SLOT, topic.intent)]


class ActionAnswerTopic(Action):
    """Answer the knowledge question the patient asked, point to the main link, offer next steps."""

    def name(self) -> Text:
        return "action_answer_topic"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        content = load_content()
        safety_check_first(dispatcher, tracker)
        topic = content.topics.get(latest_intent(tracker))
        if topic is None:
            dispatcher.utter_message(response="utter_fallback")
            show_menu(dispatcher, content, group_key=None)
            return []
        if topic.intent in COMPLAINT_TOPICS and asks_if_it_fits(tracker.latest_message.get("text") or ""):
            return answer_symptom_fit(dispatcher)
        return answer_topic(dispatcher, tracker, topic, content)


def answer_symptom_fit(dispatcher: CollectingDispatcher) -> Events:
    """Which complaints fit heupartrose (from the leaflet), that only a professional can tell, and
    the way to the therapist or huisarts."""
    dispatcher.utter_message(response="utter_symptom_fit_intro")
    dispatcher.utter_message(response="utter_ask_symptoms")
    dispatcher.utter_message(response="utter_symptom_fit_next")
    return [SlotSet(TOPIC_SLOT, "ask_symptoms")]


class ActionDecline(Action):
    """Questions Heupwijzer does not answer (other subjects, dosages, a personal diagnosis): the
    intent's decline from domain.yml, after the safety check when a warning sign was named."""

    responses = {
        "out_of_scope": "utter_out_of_scope",
        "dosage_question": "utter_decline_dosage",
        "diagnosis_request": "utter_decline_diagnosis",
    }
    # What a follow-up question after the decline is about ("hoe lang mag ik dat slikken?").
    topics = {"dosage_question": "ask_advice_medication"}

    def name(self) -> Text:
        return "action_decline"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        safety_check_first(dispatcher, tracker)
        text = tracker.latest_message.get("text") or ""
        if latest_intent(tracker) == "diagnosis_request" and asks_if_it_fits(text) and describes_a_complaint(text):
            return answer_symptom_fit(dispatcher)  # a complaint named: the leaflet can say what fits
        dispatcher.utter_message(response=self.responses.get(latest_intent(tracker), "utter_out_of_scope"))
        topic = self.topics.get(latest_intent(tracker))
        return [SlotSet(TOPIC_SLOT, topic)] if topic else []


class ActionMoreInfo(Action):
    """'Meer lezen' / 'waar lees ik meer': all links for the current topic, or the general ones."""

    def name(self) -> Text:
        return "action_more_info"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        content = load_content()
        topic = current_topic(tracker, content)
        if topic is None:
            dispatcher.utter_message(response="utter_more_info_no_topic")
            dispatcher.utter_message(text=link_lines(content.general_links), buttons=[MENU_BUTTON])
            return []
        dispatcher.utter_message(
            text=f"Meer lezen over '{topic.label}':\n{link_lines(topic.links)}",
            buttons=[topic_button(content.topics[intent]) for intent in topic.related] + [MENU_BUTTON],
        )
        return []


class ActionShowMenu(Action):
    """The topic menu: first the groups, then the topics of the chosen group."""

    def name(self) -> Text:
        return "action_show_menu"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        group_key = next(tracker.get_latest_entity_values(MENU_GROUP_ENTITY), None)
        show_menu(dispatcher, load_content(), group_key)
        return []


class PracticeResponse(Action):
    """Utter one response from domain.yml with the practice's details filled in."""

    action_name: str = ""
    response: str = ""

    def name(self) -> Text:
        return self.action_name

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        practice_message(dispatcher, self.response, buttons=[MENU_BUTTON])
        return []


class ActionContact(PracticeResponse):
    """How to reach the practice: phone, e-mail, booking, opening hours, address."""

    action_name = "action_contact"
    response = "utter_contact"


class ActionPrivacy(PracticeResponse):
    """What happens with the conversation, and whom to ask to delete it."""

    action_name = "action_privacy"
    response = "utter_privacy"


def second_miss(dispatcher: CollectingDispatcher) -> None:
    practice_message(dispatcher, "utter_second_miss")
    show_menu(dispatcher, load_content(), group_key=None)


def plausible_suggestions(tracker: Tracker, content: Content, count: int = 2) -> List[Topic]:
    """The most likely knowledge topics according to the NLU ranking, if the message plausibly is
    about them: it shares words with the topic's examples, or DIET is fairly sure. Nothing when the
    message is most likely about something else (out_of_scope ranked first)."""
    ranking = [entry for entry in tracker.latest_message.get("intent_ranking") or []
               if entry.get("name") != "nlu_fallback"]
    if ranking and ranking[0].get("name") == "out_of_scope":
        return []
    text = tracker.latest_message.get("text") or ""
    found: List[Topic] = []
    for entry in ranking:
        topic = content.topics.get(entry.get("name") or "")
        if topic is None or topic in found:
            continue
        if shares_words(text, topic.intent) or (entry.get("confidence") or 0.0) >= CLARIFY_CONFIDENCE_FLOOR:
            found.append(topic)
    return found[:count]


def last_bot_response(tracker: Tracker) -> Optional[str]:
    """The domain response the bot's last message came from (utter_clarify, ...)."""
    for event in reversed(list(tracker.events)):
        if event.get("event") == "bot":
            return (event.get("metadata") or {}).get("utter_action")
    return None


class ActionClarify(Action):
    """Honest fallback. First miss: "Bedoel je ...?" with the two most likely topics.
    A second miss in a row: the topic menu and how to reach the practice."""

    def name(self) -> Text:
        return "action_clarify"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        from actions.follow_up import ActionFollowUp, is_follow_up_in_context  # (imports this module)

        if is_follow_up_in_context(tracker):
            return ActionFollowUp().run(dispatcher, tracker, domain)
        content = load_content()
        safety_check_first(dispatcher, tracker)
        options = plausible_suggestions(tracker, content)
        if not options:  # not about heupartrose: say so plainly, no hip topics as buttons
            dispatcher.utter_message(response="utter_out_of_scope")
            return []
        if last_bot_response(tracker) == "utter_clarify":
            second_miss(dispatcher)
            return []
        dispatcher.utter_message(
            response="utter_clarify",
            buttons=[topic_button(topic) for topic in options] + [NONE_OF_THESE_BUTTON],
        )
        return []


def feedback_events(dispatcher: CollectingDispatcher, tracker: Tracker, positive: bool) -> Events:
    """Thank the patient and store the rating with the topic it is about."""
    if positive:
        dispatcher.utter_message(response="utter_feedback_positive")
    else:
        practice_message(dispatcher, "utter_feedback_negative")
    rating = {"topic": tracker.get_slot(TOPIC_SLOT), "rating": "positive" if positive else "negative"}
    return [SlotSet(FEEDBACK_SLOT, rating)]


class ActionFeedback(Action):
    """👍 / 👎, or typed "dit hielp (niet)"."""

    def name(self) -> Text:
        return "action_feedback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        return feedback_events(dispatcher, tracker, latest_intent(tracker) == "feedback_positive")


class ActionYesNo(Action):
    """A bare "ja" / "nee" means what the last question asked."""

    def name(self) -> Text:
        return "action_yes_no"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        yes = latest_intent(tracker) == "affirm"
        buttons = last_bot_buttons(tracker)
        payloads = {button.get("payload") for button in buttons}
        if payloads & FEEDBACK_PAYLOADS:
            return feedback_events(dispatcher, tracker, positive=yes)
        if last_bot_response(tracker) == "utter_clarify":
            if yes:  # "ja" to two options: let the patient pick one
                dispatcher.utter_message(response="utter_clarify_pick", buttons=buttons)
            else:
                second_miss(dispatcher)
            return []
        dispatcher.utter_message(response="utter_yes_no")
        show_menu(dispatcher, load_content(), group_key=None)
        return []


class ActionDeclineBodyPart(Action):
    """Complaints about another body part: kindly declined, with a Thuisarts.nl link."""

    def name(self) -> Text:
        return "action_decline_body_part"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        content = load_content()
        safety_check_first(dispatcher, tracker)
        part = next(tracker.get_latest_entity_values(BODY_PART_ENTITY), None)
        link = content.body_part_link(part or "")
        dispatcher.utter_message(
            response="utter_decline_body_part",
            body_part=f"je {part}" if part else "andere delen van je lichaam",
            body_part_link=link.markdown(),
        )
        return []


# --- Beweegcheck ----------------------------------------------------------------------------------
MODERATE_SLOT = "beweeg_days_moderate"
STRENGTH_SLOT = "beweeg_days_strength"
REQUESTED_SLOT = "requested_slot"


class ActionBeweegcheckStart(Action):
    """Start with empty answers (a check stopped earlier must not leave old answers behind)."""

    def name(self) -> Text:
        return "action_beweegcheck_start"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        dispatcher.utter_message(response="utter_beweegcheck_intro")
        return [SlotSet(MODERATE_SLOT, None), SlotSet(STRENGTH_SLOT, None)]


class ValidateBeweegcheckForm(FormValidationAction):
    """Reads a number of days (0-7) per answer; re-asks kindly; 'stop' ends the form."""

    def name(self) -> Text:
        return "validate_beweegcheck_form"

    @staticmethod
    def _days(slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        if value is None:  # cleared by action_beweegcheck_start: nothing to check yet
            return {}
        text = str(value)
        if beweegcheck.is_stop(text):
            return {slot: None, REQUESTED_SLOT: None}
        answer = beweegcheck.parse_days(text)
        if answer.ok:  # a readable number wins, whatever intent DIET guessed for "2"
            return {slot: answer.days}
        if latest_intent(tracker) in ("stop", "goodbye"):
            return {slot: None, REQUESTED_SLOT: None}
        dispatcher.utter_message(response=f"utter_beweegcheck_{answer.problem}")
        return {slot: None}

    def validate_beweeg_days_moderate(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self._days(MODERATE_SLOT, slot_value, dispatcher, tracker)

    def validate_beweeg_days_strength(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self._days(STRENGTH_SLOT, slot_value, dispatcher, tracker)


class ActionBeweegcheckResult(Action):
    """Compare the answers with the Beweegnorm; or confirm that the patient stopped."""

    def name(self) -> Text:
        return "action_beweegcheck_result"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Events:
        moderate = tracker.get_slot(MODERATE_SLOT)
        strength = tracker.get_slot(STRENGTH_SLOT)
        reset = [SlotSet(MODERATE_SLOT, None), SlotSet(STRENGTH_SLOT, None)]
        if moderate is None or strength is None:
            dispatcher.utter_message(response="utter_beweegcheck_stopped", buttons=[MENU_BUTTON])
            return reset
        for response, values in beweegcheck_advice(int(moderate), int(strength)):
            dispatcher.utter_message(response=response, **values)
        dispatcher.utter_message(response="utter_beweegcheck_closing")
        return reset


def beweegcheck_advice(moderate: int, strength: int) -> List[tuple[str, Dict[str, str]]]:
    """Which responses (with their variables) compare the answers with the Beweegnorm."""
    values = {
        "moderate_days": beweegcheck.days_text(moderate),
        "strength_days": beweegcheck.days_text(strength),
    }
    if moderate >= beweegcheck.NORM_MODERATE_DAYS and strength >= beweegcheck.NORM_STRENGTH_DAYS:
        return [("utter_beweegcheck_norm_met", values)]
    advice: List[tuple[str, Dict[str, str]]] = []
    if moderate >= beweegcheck.NORM_MODERATE_DAYS:
        advice.append(("utter_beweegcheck_moderate_ok", values))
    else:
        extra = beweegcheck.extra_days_text(beweegcheck.NORM_MODERATE_DAYS - moderate)
        advice.append(("utter_beweegcheck_moderate_more", {**values, "extra_days": extra}))
    if strength >= beweegcheck.NORM_STRENGTH_DAYS:
        advice.append(("utter_beweegcheck_strength_ok", values))
    else:
        advice.append(("utter_beweegcheck_strength_more", values))
    return advice
