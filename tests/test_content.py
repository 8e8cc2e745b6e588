"""What a physiotherapist and a triage nurse read in the answers (issue 24): the leaflet's own
strength of each statement, the leaflet content every answer must cover, the numbers to call, and
a follow-up answer that answers the question asked. Texts from domain.yml, no model needed."""

from __future__ import annotations

import re
from typing import Dict, List, Tuple

import pytest
import yaml

from actions.follow_up import follow_ups
from heupwijzer.paths import ROOT

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
RESPONSES: Dict[str, str] = {name: variants[0]["text"] for name, variants in DOMAIN["responses"].items()}


def answer(name: str) -> str:
    return RESPONSES[name]


# --- statements no stronger than the leaflet ---------------------------------------------------
@pytest.mark.parametrize(
    "response,stronger,leaflet",
    [
        # leaflet: "(ochtend)stijfheid" - stiffness, also in the morning; not "mostly in the morning"
        ("utter_ask_symptoms", "vooral 's ochtends", "ook 's ochtends"),
        # leaflet: painkillers "kunnen helpen"
        ("utter_ask_pain", "Wat helpt:", "Wat kan helpen:"),
        # leaflet: how often is agreed with the therapist; no daily routine of our own
        ("utter_ask_home_exercise", "vaste momenten op de dag", "spreek je samen met je therapeut af"),
        # leaflet: nothing about oefentherapeuten working "the same way"
        ("utter_ask_exercise_therapist", "dezelfde aanpak", "kun je bij allebei terecht"),
        # leaflet: a healthy lifestyle "helpt ... te verminderen", not "complaints become less"
        (
            "utter_follow_up_why_lifestyle",
            "worden dan minder",
            "helpt het om je pijn en andere klachten te verminderen",
        ),
        ("utter_ask_exercise", "heb je minder klachten", "help je je klachten te verminderen"),
    ],
)
def test_a_statement_is_as_strong_as_the_leaflet_and_no_stronger(response: str, stronger: str, leaflet: str) -> None:
    assert stronger not in answer(response)
    assert leaflet in answer(response)


# --- leaflet content that an answer covers -----------------------------------------------------
@pytest.mark.parametrize(
    "response,fragments",
    [
        # "minder last van pijn, stijfheid en vermoeidheid": tiredness is among the complaints
        ("utter_ask_symptoms", ["moe zijn"]),
        # "Soms is informatie en advies over wat je zelf kunt doen voldoende om je doel(en) te behalen."
        ("utter_ask_advice_medication", ["Soms is uitleg en advies over wat je zelf kunt doen al genoeg"]),
        # "De therapeut adviseert je over gezond bewegen, een gezonde leefstijl en over omgaan met pijn."
        ("utter_ask_advice_medication", ["gezond bewegen", "een gezonde leefstijl", "omgaan met pijn"]),
        # "of je dagelijkse activiteiten invloed hebben op de klachten"; "aangrenzende gewrichten"
        ("utter_ask_examination", ["dagelijkse dingen", "beïnvloeden", "de gewrichten ernaast"]),
        # after the operation: suppleness, strength, coordination, endurance, daily activities again
        ("utter_ask_rehabilitation", ["soepel en sterk", "je kracht, je conditie", "coördinatie", "veilig op"]),
    ],
)
def test_the_leaflet_content_is_covered(response: str, fragments: List[str]) -> None:
    for fragment in fragments:
        assert fragment in answer(response), f"{response} misses {fragment!r}"


# --- the numbers to call -------------------------------------------------------------------------
CALL_THE_HUISARTS = re.compile(r"\bbel\w*\b[^.?!\n]*\bhuisarts\b", re.I)


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_wherever_it_says_call_the_huisarts_it_names_the_huisartsenpost(name: str) -> None:
    """Evenings, nights and weekends the huisarts is closed: the huisartsenpost then."""
    if CALL_THE_HUISARTS.search(answer(name)):
        assert "huisartsenpost" in answer(name), f"{name} says to call the huisarts but not the huisartsenpost"


def test_the_safety_check_names_stroke_and_a_cold_leg_for_112() -> None:
    check = answer("utter_safety_check")
    emergency = check[check.index("Bel 112") :]
    for sign in (
        "pijn op de borst",
        "erg benauwd",
        "scheve mond",
        "slappe arm",
        "moeilijk praat",
        "koud, wit of blauw",
    ):
        assert sign in emergency, sign
    assert "huisartsenpost" in check[: check.index("Bel 112")]


def test_the_after_surgery_warnings_name_the_signs_a_patient_recognises() -> None:
    rehabilitation = answer("utter_ask_rehabilitation")
    for sign in ("ineens korter", "naar buiten gedraaid", "niet kunnen staan na een val", "kortademig", "kuit"):
        assert sign in rehabilitation, sign
    # breathlessness after the operation is for the huisarts now; 112 when it is severe or with chest pain
    huisarts, emergency = rehabilitation.split("Bel dan 112")[0].rsplit("Heb je pijn op de borst", 1)
    assert "kortademig" in huisarts and "erg benauwd" in emergency


def test_the_knee_link_does_not_assume_arthrosis() -> None:
    links = (ROOT / "content" / "links.yml").read_text(encoding="utf-8")
    assert "artrose-van-knie" not in links


# --- follow-ups that answer the question asked ---------------------------------------------------
FOLLOW_UPS: List[Tuple[str, str, str, List[str]]] = [
    # topic, kind of question, the question, what the answer must say
    ("ask_pain", "how_often", "hoe vaak mag ik die nemen?", ["huisarts of apotheek"]),
    ("ask_pain", "why", "waarom doet het pijn?", ["Daardoor kun je pijn hebben"]),
    ("ask_rehabilitation", "not_helping", "en als het niet beter wordt?", ["Bespreek dat met je therapeut"]),
    (
        "ask_hip_replacement",
        "not_helping",
        "and if it doesn't work?",
        ["Bespreek dat met je therapeut", "Bel dan meteen"],
    ),
    ("ask_rehabilitation", "not_helping", "en als het na de operatie niet beter wordt?", ["Bel dan meteen"]),
    ("ask_work_sport", "how_long", "hoe lang duurt het voor ik iets merk?", ["Je therapeut kan je vertellen"]),
    ("ask_self_care", "how_long", "hoe lang duurt het voor ik iets merk?", ["Je therapeut kan je vertellen"]),
    ("ask_examination", "why", "waarom doet de therapeut dat?", ["ziet de therapeut of je heupartrose hebt"]),
    ("ask_not_advised", "dangerous", "is dat gevaarlijk?", ["Of deze behandelingen gevaarlijk zijn"]),
]


# "En als het niet helpt?": the next step of the leaflet for where the patient is. Self-help that does
# not help enough: a therapist; therapy that does not help enough: a new hip.
NEXT_STEPS = [
    ("ask_exercise", "en als het niet beter wordt?", "ask_when_therapist", "zelf bewegen niet genoeg helpt"),
    ("ask_pain", "en als dat niet helpt", "ask_when_therapist", "zelf bewegen niet genoeg helpt"),
    ("ask_self_care", "what if it doesn't help?", "ask_when_therapist", "zelf bewegen niet genoeg helpt"),
    ("ask_treatment", "En als het allemaal niet helpt?", "ask_hip_replacement", "niet genoeg helpen"),
    ("ask_postpone_surgery", "En indien het onvoldoende helpt?", "ask_hip_replacement", "niet genoeg helpen"),
    ("ask_home_exercise", "en als het dan nog niet beter wordt", "ask_hip_replacement", "niet genoeg helpen"),
    ("ask_overweight", "en als dat hem niet lukt alleen?", "ask_care_team", "diëtist"),
    ("ask_exercise_therapist", "wanneer moet ik daar heen", "ask_when_therapist", "zelf bewegen niet genoeg helpt"),
    ("ask_symptoms", "moet hij dan naar de fysio?", "ask_when_therapist", "zelf bewegen niet genoeg helpt"),
    ("ask_exercise_therapist", "wat doet die dan precies?", "ask_treatment", "In de behandeling"),
    ("ask_examination", "en als het niet helpt?", "ask_treatment", "In de behandeling"),
    ("ask_not_advised", "Wat moet hij dan wel doen?", "ask_treatment", "In de behandeling"),
]


@pytest.mark.parametrize("question", ["moet ik dan naar de huisarts?", "wat moet hij dan doen?", "hoe kom ik daar?"])
def test_a_question_about_another_destination_or_a_partner_is_no_when_to_go_or_therapist_question(
    question: str,
) -> None:
    assert follow_ups().kind_of(question) not in ("when_to_go", "therapist_role")


@pytest.mark.parametrize("topic,question,next_topic,says", NEXT_STEPS, ids=[f"{t}-{n}" for t, _, n, _ in NEXT_STEPS])
def test_a_follow_up_on_the_next_step_gets_the_next_topics_answer(
    topic: str, question: str, next_topic: str, says: str
) -> None:
    table = follow_ups()
    kind = table.kind_of(question)
    assert kind is not None, question
    assert table.answer(topic, kind).topic == next_topic
    assert says in answer(f"utter_{next_topic}")


@pytest.mark.parametrize("topic,kind,question,expected", FOLLOW_UPS, ids=[f"{t}-{k}" for t, k, _, _ in FOLLOW_UPS])
def test_a_follow_up_gets_an_answer_to_that_question(topic: str, kind: str, question: str, expected: List[str]) -> None:
    table = follow_ups()
    assert table.kind_of(question) == kind
    reply = table.answer(topic, kind)
    assert reply.response is not None, f"({topic}, {kind}) answers with a whole topic, not the question"
    for fragment in expected:
        assert fragment in answer(reply.response), f"({topic}, {kind}): {fragment!r} not in {reply.response}"
