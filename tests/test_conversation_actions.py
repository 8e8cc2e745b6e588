"""The conversation around the answers: the honest fallback, yes and no, feedback, declines and
follow-ups when the NLU is unsure."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
from rasa_sdk.events import SlotSet

from actions.answers import ActionAnswerTopic
from actions.conversation import ActionClarify, ActionDeclineBodyPart, ActionFeedback, ActionYesNo
from actions.follow_up import ActionFollowUp
from actions.replies import PRACTICE
from tests.conftest import action, bot, make_tracker, run_action, titles, user

FEEDBACK_BUTTONS = [
    {"title": "👍 Ja", "payload": "/feedback_positive"},
    {"title": "👎 Nee", "payload": "/feedback_negative"},
]


# --- honest fallback --------------------------------------------------------------------------
RANKING = [
    {"name": "nlu_fallback", "confidence": 0.45},
    {"name": "greet", "confidence": 0.3},
    {"name": "ask_pain", "confidence": 0.25},
    {"name": "red_flag_urgent", "confidence": 0.1},
    {"name": "ask_exercise", "confidence": 0.05},
    {"name": "ask_xray", "confidence": 0.01},
]


HIP_QUESTION = "mijn heup doet zeer als ik ga wandelen"


def test_first_miss_offers_the_two_most_likely_topics() -> None:
    messages, _ = run_action(ActionClarify(), make_tracker("nlu_fallback", ranking=RANKING, text=HIP_QUESTION))
    assert messages[0]["response"] == "utter_clarify"
    assert titles(messages) == ["Omgaan met pijn", "Bewegen en Beweegnorm", "Iets anders"]
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/ask_pain", "/ask_exercise", "/deny"]


UNSURE = [
    {"name": "nlu_fallback", "confidence": 0.3},
    {"name": "greet", "confidence": 0.2},
    {"name": "ask_pain", "confidence": 0.08},
    {"name": "ask_exercise", "confidence": 0.05},
]


@pytest.mark.parametrize(
    "ranking",
    [UNSURE, [{"name": "out_of_scope", "confidence": 0.4}] + RANKING[1:]],
    ids=["no-shared-words", "out-of-scope-first"],
)
def test_a_miss_about_something_else_is_declined_without_hip_buttons(ranking: List[Dict[str, Any]]) -> None:
    messages, _ = run_action(
        ActionClarify(), make_tracker("nlu_fallback", ranking=ranking, text="wat voor weer wordt het morgen")
    )
    assert [m["response"] for m in messages] == ["utter_out_of_scope"]
    assert not any(m.get("buttons") for m in messages)


def test_second_miss_in_a_row_shows_the_menu_and_the_practice() -> None:
    earlier = [
        action("action_listen"),
        user("nlu_fallback"),
        action("action_clarify"),
        bot("Bedoel je", response="utter_clarify"),
        action("action_listen"),
    ]
    messages, _ = run_action(
        ActionClarify(), make_tracker("nlu_fallback", events=earlier, ranking=RANKING, text=HIP_QUESTION)
    )
    assert messages[0]["response"] == "utter_second_miss"
    assert messages[0]["practice_phone"] == PRACTICE.phone
    assert "Wat kan ik zelf doen?" in titles(messages)


def test_a_miss_after_an_answer_is_a_first_miss_again() -> None:
    earlier = [
        user("nlu_fallback"),
        action("action_clarify"),
        bot("Bedoel je", response="utter_clarify"),
        user("ask_pain"),
        action("action_answer_topic"),
        bot("Je therapeut ...", response="utter_ask_pain"),
    ]
    messages, _ = run_action(
        ActionClarify(), make_tracker("nlu_fallback", events=earlier, ranking=RANKING, text=HIP_QUESTION)
    )
    assert messages[0]["response"] == "utter_clarify"


def test_yes_after_bedoel_je_lets_the_patient_pick_and_no_is_a_second_miss() -> None:
    options = [{"title": "Omgaan met pijn", "payload": "/ask_pain"}, {"title": "Iets anders", "payload": "/deny"}]
    earlier = [
        user("nlu_fallback"),
        action("action_clarify"),
        bot("Bedoel je", options, "utter_clarify"),
        action("action_listen"),
    ]
    messages, _ = run_action(ActionYesNo(), make_tracker("affirm", events=earlier))
    assert messages[0]["response"] == "utter_clarify_pick" and messages[0]["buttons"] == options
    messages, _ = run_action(ActionYesNo(), make_tracker("deny", events=earlier))
    assert messages[0]["response"] == "utter_second_miss"


def test_yes_or_no_without_a_question_shows_the_menu() -> None:
    messages, events = run_action(ActionYesNo(), make_tracker("affirm", events=[bot("Dag!")]))
    assert messages[0]["response"] == "utter_yes_no"
    assert events == []


# --- feedback ---------------------------------------------------------------------------------
def answers(count: int, intent: str = "ask_pain") -> List[Dict[str, Any]]:
    return [e for _ in range(count) for e in (user(intent), action("action_answer_topic"))]


def asks_feedback(events: List[Dict[str, Any]], intent: str = "ask_exercise") -> bool:
    messages, _ = run_action(ActionAnswerTopic(), make_tracker(intent, events=events))
    return any(m.get("response") == "utter_feedback_ask" for m in messages)


def test_feedback_is_asked_after_the_first_answer_and_then_every_third() -> None:
    asked = [asks_feedback(answers(n)) for n in range(7)]
    assert asked == [True, False, False, True, False, False, True]


def test_feedback_is_not_asked_again_for_a_rated_topic_and_counts_restart_per_session() -> None:
    rated = answers(3) + [
        {"event": "slot", "name": "feedback", "value": {"topic": "ask_exercise", "rating": "positive"}}
    ]
    assert not asks_feedback(rated)
    assert asks_feedback(rated, intent="ask_xray")
    assert asks_feedback(answers(2) + [{"event": "session_started"}])


@pytest.mark.parametrize("intent,rating", [("feedback_positive", "positive"), ("feedback_negative", "negative")])
def test_feedback_is_stored_with_the_topic(intent: str, rating: str) -> None:
    messages, events = run_action(ActionFeedback(), make_tracker(intent, slots={"topic": "ask_pain"}))
    assert events == [SlotSet("feedback", {"topic": "ask_pain", "rating": rating})]
    assert messages[0]["response"] == f"utter_{intent}"


def test_thumbs_down_offers_the_practice_contact() -> None:
    messages, _ = run_action(ActionFeedback(), make_tracker("feedback_negative", slots={"topic": "ask_pain"}))
    assert messages[0]["practice_phone"] == PRACTICE.phone and messages[0]["practice_email"] == PRACTICE.email


@pytest.mark.parametrize("intent,rating", [("affirm", "positive"), ("deny", "negative")])
def test_a_bare_yes_or_no_after_the_feedback_question_is_feedback(intent: str, rating: str) -> None:
    earlier = [action("action_answer_topic"), bot("Had je iets aan dit antwoord?", FEEDBACK_BUTTONS)]
    _, events = run_action(ActionYesNo(), make_tracker(intent, events=earlier, slots={"topic": "ask_xray"}))
    assert events == [SlotSet("feedback", {"topic": "ask_xray", "rating": rating})]


# --- declines ---------------------------------------------------------------------------------
def test_knee_complaints_get_the_general_page_not_one_that_assumes_arthrosis() -> None:
    """Not every knee complaint is arthrosis: no "artrose van de knie" page (issue 24)."""
    entities = [{"entity": "body_part", "value": "knie"}]
    messages, _ = run_action(ActionDeclineBodyPart(), make_tracker("other_body_part", entities=entities))
    assert messages[0]["body_part"] == "je knie"
    assert messages[0]["body_part_link"] == "[Thuisarts.nl](https://www.thuisarts.nl/)"
    assert "artrose" not in messages[0]["body_part_link"]


def test_other_body_parts_get_the_thuisarts_home_page() -> None:
    entities = [{"entity": "body_part", "value": "elleboog"}]
    messages, _ = run_action(ActionDeclineBodyPart(), make_tracker("other_body_part", entities=entities))
    assert messages[0]["body_part"] == "je elleboog"
    assert messages[0]["body_part_link"] == "[Thuisarts.nl](https://www.thuisarts.nl/)"


def test_an_unsure_follow_up_is_answered_from_the_conversation_topic() -> None:
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.3},
        {"name": "follow_up", "confidence": 0.43},
        {"name": "ask_therapy_duration", "confidence": 0.4},
    ]
    messages, _ = run_action(
        ActionClarify(),
        make_tracker("nlu_fallback", ranking=ranking, text="hoe vaak in de week?", slots={"topic": "ask_exercise"}),
    )
    assert [m["response"] for m in messages] == ["utter_follow_up_exercise_amount"]


@pytest.mark.parametrize("topic_slot,expected", [("ask_pain", "follow_up"), ("ask_exercise", "topic")])
def test_the_same_topic_again_with_a_follow_up_close_behind_gets_the_follow_up(topic_slot: str, expected: str) -> None:
    """Right after the pain answer, "kan het kwaad als het pijn doet?" gets the danger answer, not the pain
    answer again; the same words as a new question (another topic before) get the pain answer."""
    ranking = [{"name": "ask_pain", "confidence": 0.54}, {"name": "follow_up", "confidence": 0.45}]
    messages, _ = run_action(
        ActionAnswerTopic(),
        make_tracker("ask_pain", ranking=ranking, text="kan het kwaad als het pijn doet?", slots={"topic": topic_slot}),
    )
    responses = [m["response"] for m in messages]
    if expected == "follow_up":
        assert responses[0] == "utter_follow_up_dangerous"
    else:
        assert responses[0] == "utter_ask_pain"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("waarom doet het pijn?", "utter_follow_up_why_pain"),  # short, with a follow-up's word: answered as one
        ("wat kan ik doen tegen de pijn in mijn heup als ik wandel?", "utter_ask_pain"),  # a new question
    ],
)
def test_a_short_follow_up_that_the_nlu_reads_as_the_same_topic_is_answered_as_a_follow_up(
    text: str, expected: str
) -> None:
    """ "waarom doet het pijn?" right after the pain answer asks why it hurts: not the pain answer again
    (issue 24), even when the NLU has no follow_up among its first two guesses."""
    ranking = [{"name": "ask_pain", "confidence": 0.9}, {"name": "ask_symptoms", "confidence": 0.05}]
    messages, _ = run_action(
        ActionAnswerTopic(), make_tracker("ask_pain", ranking=ranking, text=text, slots={"topic": "ask_pain"})
    )
    assert messages[0]["response"] == expected


CLARIFIED = [
    {"title": "Kan therapie een operatie uitstellen?", "payload": "/ask_postpone_surgery"},
    {"title": "Een kunstheup", "payload": "/ask_hip_replacement"},
    {"title": "Iets anders", "payload": "/deny"},
]


def test_a_follow_up_right_after_bedoel_je_is_about_the_first_topic_it_offered() -> None:
    """After "Bedoel je ...?" for "Can physio postpone my hip surgery?", the patient types "how long dan?"
    instead of tapping: the answer follows up on the first topic offered, not "which topic?"."""
    asked = [bot("Ik weet niet zeker wat je bedoelt. Bedoel je een van deze onderwerpen?", CLARIFIED, "utter_clarify")]
    ranking = [{"name": "nlu_fallback", "confidence": 0.4}, {"name": "follow_up", "confidence": 0.35}]
    for tracker in (
        make_tracker("nlu_fallback", events=asked, ranking=ranking, text="how long dan?"),
        make_tracker("nlu_fallback", events=asked, ranking=ranking, text="how long dan?", slots={"topic": "ask_pain"}),
    ):
        messages, events = run_action(ActionClarify(), tracker)
        assert [m["response"] for m in messages] == ["utter_follow_up_differs"]
        assert SlotSet("topic", "ask_postpone_surgery") in events  # the next follow-up is about it too
    # without "Bedoel je ...?" before it and without a topic, the patient is asked which topic is meant
    messages, _ = run_action(ActionFollowUp(), make_tracker("follow_up", text="how long dan?"))
    assert messages[0]["response"] == "utter_follow_up_no_topic"


@pytest.mark.parametrize(
    "topic,intent,text,expected",
    [
        # a follow-up naming recovery after the new hip: the recovery's "differs", not "not in the leaflet"
        ("ask_hip_replacement", "follow_up", "hoe lang duurt het herstel daarna?", "utter_follow_up_differs"),
        # the same topic again by the NLU, with another topic's own word: that topic, not a repeat
        ("ask_overweight", "ask_overweight", "En wie kan me daarbij helpen, een diëtist?", "utter_ask_care_team"),
        ("ask_not_advised", "ask_not_advised", "moet ze dat thuis ook doen?", "utter_ask_home_exercise"),
    ],
)
def test_a_follow_up_with_another_topics_own_words_moves_to_that_topic(
    topic: str, intent: str, text: str, expected: str
) -> None:
    act = ActionFollowUp() if intent == "follow_up" else ActionAnswerTopic()
    ranking = [{"name": intent, "confidence": 0.8}]
    messages, _ = run_action(act, make_tracker(intent, ranking=ranking, text=text, slots={"topic": topic}))
    assert messages[0]["response"] == expected


def test_a_whole_question_taken_for_a_follow_up_at_the_start_offers_its_likely_topics() -> None:
    """No topic yet, and a whole question the NLU read as a follow-up: "Bedoel je ...?" with its most
    likely topics, not "over welk onderwerp gaat je vraag? stel je vraag opnieuw"."""
    ranking = [
        {"name": "follow_up", "confidence": 0.7},
        {"name": "ask_work_sport", "confidence": 0.2},
        {"name": "ask_exercise", "confidence": 0.1},
    ]
    text = "Ik speel al dertig jaar tennis. Nu heb ik heupartrose. Mag ik doorgaan met tennissen?"
    messages, _ = run_action(ActionFollowUp(), make_tracker("follow_up", ranking=ranking, text=text))
    assert messages[0]["response"] == "utter_clarify"
    assert [b["payload"] for b in messages[0]["buttons"]][:2] == ["/ask_work_sport", "/ask_exercise"]
    # a short follow-up without a topic still asks which topic is meant
    messages, _ = run_action(ActionFollowUp(), make_tracker("follow_up", ranking=ranking, text="en waarom?"))
    assert messages[0]["response"] == "utter_follow_up_no_topic"


def test_a_follow_up_without_a_topic_with_a_warning_sign_gets_the_urgent_advice() -> None:
    """Never "which topic?" or "Bedoel je ...?" after a warning sign."""
    warning = [{"entity": "safety_check", "value": "warning"}]
    text = "Ik weet niet of het erg is maar mijn been is sinds vanmorgen dik en warm, wat nu?"
    messages, _ = run_action(ActionFollowUp(), make_tracker("follow_up", entities=warning, text=text))
    assert [m["response"] for m in messages] == ["utter_red_flag_urgent"]


@pytest.mark.parametrize(
    "topic,text,expected,stays",
    [
        # how often, on exercising at home: the therapy's length answers it, the talk stays on exercising at home
        ("ask_home_exercise", "hoe vaak dan?", "utter_ask_therapy_duration", True),
        # what next after the first visit: the treatment's answer, and the talk moves on to it
        ("ask_examination", "en wat gebeurt er daarna?", "utter_ask_treatment", False),
    ],
)
def test_a_detail_answered_by_another_topic_keeps_the_conversation_on_its_topic(
    topic: str, text: str, expected: str, stays: bool
) -> None:
    messages, events = run_action(ActionFollowUp(), make_tracker("follow_up", text=text, slots={"topic": topic}))
    assert messages[0]["response"] == expected
    slot = [e["value"] for e in events if e.get("event") == "slot" and e.get("name") == "topic"]
    assert slot == ([topic] if stays else [expected.removeprefix("utter_")])


@pytest.mark.parametrize(
    "topic,text,expected",
    [
        # "why", first, is a why-question, though "slecht" is a word of the dangerous kind
        ("ask_self_care", "en waarom is roken daar slecht voor dan", "utter_follow_up_why_lifestyle"),
        ("ask_self_care", "is roken daar echt zo slecht voor? waarom?", "utter_follow_up_why_lifestyle"),
        ("ask_exercise", "Hoe dikwijls moet ik da doen?", "utter_follow_up_exercise_amount"),  # Flemish
        # how long the treatment takes, after the first visit: the therapy's length
        ("ask_examination", "Hoe lang duurt de behandeling daarna doorgaans?", "utter_ask_therapy_duration"),
        # the treatment named in a why-question is no question about its length
        ("ask_examination", "waarom die behandeling?", "utter_follow_up_why_examination"),
        ("ask_xray", "Hoe komt da?", "utter_follow_up_why_xray"),  # Flemish "how come"
        # the alternative to a treatment advised against: what therapy does
        ("ask_not_advised", "what's the alternative dan?", "utter_ask_treatment"),
    ],
)
def test_a_follow_up_is_read_by_what_it_asks(topic: str, text: str, expected: str) -> None:
    messages, _ = run_action(ActionFollowUp(), make_tracker("follow_up", text=text, slots={"topic": topic}))
    assert messages[0]["response"] == expected


def test_a_whole_question_about_another_subject_taken_for_a_follow_up_is_declined() -> None:
    """No topic yet, nothing of the hip named, no plausible topic: declined like any other subject,
    not "which topic do you mean?" with the menu."""
    ranking = [{"name": "follow_up", "confidence": 0.78}, {"name": "ask_symptoms", "confidence": 0.04}]
    car = make_tracker(
        "follow_up", text="Mijn auto maakt een piepend geluid bij het remmen, is dat gevaarlijk?", ranking=ranking
    )
    messages, _ = run_action(ActionFollowUp(), car)
    assert [m["response"] for m in messages] == ["utter_out_of_scope"]
    hip = make_tracker(
        "follow_up",
        text="Mijn heup maakt een piepend geluid bij het lopen, is dat gevaarlijk?",
        ranking=ranking,
        entities=[{"entity": "hip_care", "value": "yes"}],
    )
    messages, _ = run_action(ActionFollowUp(), hip)
    assert "utter_out_of_scope" not in [m.get("response") for m in messages]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("En als ik later toch een kunstheup krijg?", "utter_ask_rehabilitation"),
        ("and what about after a hip replacement?", "utter_ask_rehabilitation"),
        ("Geldt dit ook nadat men een kunstheup heeft gekregen?", "utter_ask_rehabilitation"),
        ("Wat is een kunstheup precies?", "utter_ask_hip_replacement"),  # a question of its own
    ],
)
def test_and_with_a_new_hip_is_asked_about_the_conversations_topic(text: str, expected: str) -> None:
    """The NLU takes a short "and with a new hip?" for the hip replacement topic; while the
    conversation is about moving, it asks about moving with a new hip."""
    tracker = make_tracker("ask_hip_replacement", text=text, slots={"topic": "ask_exercise"})
    messages, _ = run_action(ActionAnswerTopic(), tracker)
    assert messages[0]["response"] == expected


def test_and_if_that_doesnt_help_is_a_follow_up_not_a_call_for_the_menu() -> None:
    from actions.answers import ActionShowMenu

    asked = make_tracker("help", text="And if that doesn't help?", slots={"topic": "ask_therapy_duration"})
    messages, _ = run_action(ActionShowMenu(), asked)
    assert messages[0]["response"] == "utter_ask_hip_replacement"
    plain = make_tracker("help", text="help", slots={"topic": "ask_therapy_duration"})
    messages, _ = run_action(ActionShowMenu(), plain)
    assert messages[0]["response"] == "utter_menu_intro"


def test_symptoms_named_after_what_heupartrose_is_moves_to_the_symptoms() -> None:
    tracker = make_tracker("follow_up", text="en welke symptoms horen daarbij?", slots={"topic": "ask_what_is_hip_oa"})
    messages, _ = run_action(ActionFollowUp(), tracker)
    assert messages[0]["response"] == "utter_ask_symptoms"
    # only after what heupartrose is: after the recovery, symptoms of something else are asked about
    later = make_tracker(
        "ask_rehabilitation",
        ranking=[{"name": "ask_rehabilitation", "confidence": 0.9}],
        text="welke symptomen zijn normaal na de operatie?",
        slots={"topic": "ask_rehabilitation"},
    )
    messages, _ = run_action(ActionAnswerTopic(), later)
    assert messages[0]["response"] != "utter_ask_symptoms"


@pytest.mark.parametrize(
    "topic,text,expected",
    [
        ("ask_work_sport", "Geeft de fysio daar ook advies over?", "utter_ask_advice_medication"),
        ("ask_work_sport", "kan de fysio me daar dan bij helpen?", "utter_ask_advice_medication"),
        ("ask_xray", "wat doet de fysio daarbij?", "utter_ask_examination"),
        ("ask_work_sport", "Wat houdt een behandeling bij de fysio in?", "utter_ask_treatment"),  # its own question
        ("ask_treatment", "wat doet de fysio daarbij?", "utter_ask_treatment"),
    ],
)
def test_what_the_fysio_does_there_is_asked_about_the_conversations_topic(topic: str, text: str, expected: str) -> None:
    """The NLU takes a short "geeft de fysio daar ook advies over?" for the treatment topic; while the
    conversation is about work, it asks what the therapist does about work (content/follow_ups.yml)."""
    tracker = make_tracker("ask_treatment", text=text, slots={"topic": topic})
    messages, _ = run_action(ActionAnswerTopic(), tracker)
    assert messages[0]["response"] == expected


@pytest.mark.parametrize(
    "topic,text,expected",
    [
        ("ask_rehabilitation", "mag ik met die kunstheup weer fietsen?", "utter_ask_rehabilitation"),
        ("ask_surgery_preparation", "en kan ik met een nieuwe heup weer werken?", "utter_ask_rehabilitation"),
        ("ask_exercise", "mag ik met die kunstheup weer fietsen?", "utter_ask_work_sport"),  # not after moving
        (
            "ask_rehabilitation",
            "Mag ik na mijn herstel weer volleyballen met de club, of is dat te zwaar?",
            "utter_ask_work_sport",
        ),  # a question of its own
    ],
)
def test_work_or_sport_with_a_new_hip_during_the_operation_is_the_recovery(
    topic: str, text: str, expected: str
) -> None:
    """The NLU takes "mag ik met die kunstheup weer fietsen?" for work and sport; while the
    conversation is about the operation, when and how is the recovery's part."""
    tracker = make_tracker("ask_work_sport", text=text, slots={"topic": topic})
    messages, _ = run_action(ActionAnswerTopic(), tracker)
    assert messages[0]["response"] == expected


@pytest.mark.parametrize(
    "topic,text,expected",
    [
        ("ask_hip_replacement", "en achteraf, hoe lang duurt dat?", "utter_follow_up_differs"),  # the recovery's
        ("ask_postpone_surgery", "en wat gebeurt er nadien?", "utter_follow_up_rehabilitation_not_improving"),
        ("ask_when_therapist", "is die behandeling gevaarlijk?", "utter_follow_up_safe_moving"),
        ("ask_when_therapist", "is dat gevaarlijk?", "utter_follow_up_dangerous"),  # no shift without the word
    ],
)
def test_afterwards_and_the_treatment_move_the_follow_up(topic: str, text: str, expected: str) -> None:
    tracker = make_tracker("follow_up", text=text, slots={"topic": topic})
    messages, _ = run_action(ActionFollowUp(), tracker)
    assert messages[0]["response"] == expected


@pytest.mark.parametrize(
    "topic,text,expected",
    [
        ("ask_sitting_less", "En als ik later een nieuwe heup heb?", "utter_ask_rehabilitation"),
        ("ask_not_advised", "Why not? Mijn buurvrouw zweert erbij.", "utter_follow_up_why_not_advised"),
        ("ask_exercise", "Maar hoeveel moet ik dan per week fietsen?", "utter_follow_up_exercise_amount"),
    ],
)
def test_a_follow_up_the_nlu_could_not_place_that_opens_with_and_or_why(topic: str, text: str, expected: str) -> None:
    """More words than a short follow-up, but it opens with "en", "maar" or "why": the conversation's
    topic answers it, not "Bedoel je ...?"."""
    messages, _ = run_action(
        ActionClarify(), make_tracker("nlu_fallback", ranking=RANKING, text=text, slots={"topic": topic})
    )
    assert messages[0]["response"] == expected


def test_a_question_of_its_own_that_the_nlu_could_not_place_still_gets_the_options() -> None:
    text = "mijn heup doet zeer als ik ga wandelen, is dat erg?"  # no opener: "Bedoel je ...?"
    messages, _ = run_action(
        ActionClarify(), make_tracker("nlu_fallback", ranking=RANKING, text=text, slots={"topic": "ask_xray"})
    )
    assert messages[0]["response"] == "utter_clarify"
    long = "En als ik nu al maanden elke dag een uur wandel met de hond en toch pijn heb, is dat erg?"
    messages, _ = run_action(
        ActionClarify(), make_tracker("nlu_fallback", ranking=RANKING, text=long, slots={"topic": "ask_xray"})
    )
    assert messages[0]["response"] == "utter_clarify"  # a whole question


def test_how_long_to_keep_going_there_after_the_first_visit_is_how_long_therapy_takes() -> None:
    tracker = make_tracker("follow_up", text="hoe lang moet hij daar dan heen?", slots={"topic": "ask_examination"})
    messages, _ = run_action(ActionFollowUp(), tracker)
    assert messages[0]["response"] == "utter_ask_therapy_duration"


@pytest.mark.parametrize(
    "topic,text",
    [
        ("ask_exercise", "En waarom slaap ik zo slecht?"),  # a new question: nothing points back
        ("ask_pain", "Dus hoeveel moet ik afvallen?"),
        ("ask_xray", "Waarom duurt het zo lang voor de uitslag?"),
    ],
)
def test_a_new_question_opening_with_and_or_why_is_not_taken_for_a_follow_up(topic: str, text: str) -> None:
    messages, _ = run_action(
        ActionClarify(), make_tracker("nlu_fallback", ranking=RANKING, text=text, slots={"topic": topic})
    )
    assert messages[0]["response"] == "utter_clarify"


def test_going_there_moves_to_how_long_therapy_takes_only_after_the_therapist_topics() -> None:
    tracker = make_tracker(
        "follow_up", text="Hoe vaak moet ik naar de huisarts heen?", slots={"topic": "ask_care_team"}
    )
    messages, _ = run_action(ActionFollowUp(), tracker)
    assert messages[0]["response"] != "utter_ask_therapy_duration"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Mag ik paracetamol nemen tegen mijn heuppijn of heeft dat weinig zin?", "utter_ask_pain"),
        ("Which painkillers zijn ok voor hip pain?", "utter_ask_pain"),
        ("Geeft de fysio ook advies over pijnstillers?", "utter_ask_advice_medication"),  # the therapist's part
        ("Geeft de therapist ook advice over medication, welke painkillers?", "utter_ask_advice_medication"),
        ("Legt de therapeut ook uit wat artrose is?", "utter_ask_advice_medication"),
    ],
)
def test_a_painkiller_question_without_the_therapist_is_about_dealing_with_pain(text: str, expected: str) -> None:
    """The NLU often takes it for the therapist's advice, which names painkillers too."""
    messages, _ = run_action(ActionAnswerTopic(), make_tracker("ask_advice_medication", text=text))
    assert messages[0]["response"] == expected
