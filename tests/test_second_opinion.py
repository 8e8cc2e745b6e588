"""Two DIET opinions (heupwijzer/nlu/second_opinion.py): the cautious one decides whether a message is
a leaflet question at all, the contextual one which topic. What a patient would notice: an off-topic
message is still declined, a red flag still alarms, a follow-up still follows up, whatever the
contextual DIET thinks; only the choice between leaflet topics changes."""

from __future__ import annotations

from typing import Dict, List

import pytest
import yaml
from rasa.shared.nlu.training_data.message import Message

from heupwijzer.nlu.red_flag_classifier import RedFlagClassifier
from heupwijzer.nlu.second_opinion import ContextualFallbackClassifier, KeepCautiousOpinion, TopicOpinion
from heupwijzer.paths import ROOT


def ranking(*names: str) -> List[Dict]:
    return [{"name": name, "confidence": round(0.8 / (i + 1), 3)} for i, name in enumerate(names)]


LONG = "Geachte heer, mevrouw, mijn moeder van 80 heeft heupartrose en ik wil graag weten wat zij kan doen"


def decide(cautious: List[Dict], contextual: List[Dict], text: str = LONG) -> Message:
    """The pipeline's order: cautious DIET, keep, contextual DIET, decide."""
    message = Message(data={"text": text, "intent": cautious[0], "intent_ranking": cautious})
    KeepCautiousOpinion().process([message])
    message.set("intent", contextual[0], add_to_output=True)
    message.set("intent_ranking", contextual, add_to_output=True)
    TopicOpinion().process([message])
    return message


def places(message: Message) -> List[tuple]:
    return [(r["name"], r["confidence"]) for r in message.get("intent_ranking")]


def test_the_blend_of_both_diets_chooses_the_topic_with_the_cautious_confidence() -> None:
    cautious = ranking("ask_advice_medication", "ask_pain", "out_of_scope")
    result = decide(cautious, ranking("ask_pain", "ask_exercise", "ask_advice_medication"))
    assert result.get("intent") == {"name": "ask_pain", "confidence": 0.8}
    # every place keeps the cautious confidence; the topic places follow the blended order:
    # ask_pain 0.7 * 0.8 + 0.3 * 0.4, ask_advice_medication 0.7 * 0.267 + 0.3 * 0.8, ask_exercise 0.7 * 0.4
    assert places(result) == [("ask_pain", 0.8), ("ask_advice_medication", 0.4), ("out_of_scope", 0.267)]


def test_a_topic_both_diets_rank_second_beats_one_only_the_contextual_diet_ranks_first() -> None:
    """The blend: the cautious DIET's strong second choice outweighs the contextual one's weak first."""
    cautious = [{"name": "ask_treatment", "confidence": 0.5}, {"name": "ask_therapy_duration", "confidence": 0.45},
                {"name": "ask_pain", "confidence": 0.05}]  # fmt: skip
    contextual = [{"name": "ask_pain", "confidence": 0.36}, {"name": "ask_therapy_duration", "confidence": 0.34},
                  {"name": "ask_treatment", "confidence": 0.3}]  # fmt: skip
    result = decide(cautious, contextual)
    assert [name for name, _ in places(result)] == ["ask_therapy_duration", "ask_treatment", "ask_pain"]
    assert TopicOpinion.get_default_config()["contextual_weight"] == 0.7


def test_a_red_flag_or_follow_up_close_behind_keeps_its_place_and_confidence() -> None:
    """The safety check for a red flag right behind the top (RedFlagClassifier) and a follow-up as
    second guess see the cautious DIET's numbers, whatever the contextual DIET ranks."""
    cautious = ranking("ask_symptoms", "red_flag_urgent", "ask_pain", "follow_up")
    result = decide(cautious, ranking("ask_pain", "ask_symptoms", "follow_up", "red_flag_urgent"))
    assert places(result) == [("ask_pain", 0.8), ("red_flag_urgent", 0.4), ("ask_symptoms", 0.267), ("follow_up", 0.2)]


@pytest.mark.parametrize(
    "cautious,contextual",
    [
        ("out_of_scope", "ask_treatment"),  # "wordt het morgen mooi weer?" stays declined
        ("red_flag_urgent", "ask_symptoms"),  # an alarm is never talked into a topic
        ("red_flag_emergency", "ask_rehabilitation"),
        ("crisis", "ask_pain"),
        ("follow_up", "ask_therapy_duration"),  # "hoe lang duurt dat?" follows the conversation
        ("dosage_question", "ask_pain"),
    ],
)
def test_what_the_cautious_diet_does_not_call_a_topic_keeps_its_opinion(cautious: str, contextual: str) -> None:
    result = decide(ranking(cautious, "ask_exercise"), ranking(contextual, "ask_exercise"))
    assert result.get("intent")["name"] == cautious
    assert places(result)[0] == (cautious, 0.8)


@pytest.mark.parametrize("contextual", ["out_of_scope", "red_flag_urgent", "crisis"])
def test_the_contextual_diet_alone_neither_declines_nor_alarms(contextual: str) -> None:
    result = decide(ranking("ask_pain", "ask_exercise"), ranking(contextual, "ask_exercise", "ask_pain"))
    # ask_pain 0.3 * 0.8 + 0.7 * 0.267 against ask_exercise 0.3 * 0.4 + 0.7 * 0.4: the topics' order,
    # never the contextual DIET's first place
    assert places(result) == [("ask_pain", 0.8), ("ask_exercise", 0.4)]


@pytest.mark.parametrize(
    "weight,order",
    [
        (1.0, ["ask_exercise", "ask_pain", "ask_treatment"]),  # the contextual order
        (0.0, ["ask_pain", "ask_treatment", "ask_exercise"]),  # the cautious order
        (0.5, ["ask_pain", "ask_exercise", "ask_treatment"]),  # 0.5 against 0.3 and 0.2
    ],
)
def test_the_weight_moves_the_topic_order_from_the_cautious_to_the_contextual_diet(
    weight: float, order: List[str]
) -> None:
    cautious = [
        {"name": n, "confidence": c} for n, c in (("ask_pain", 0.6), ("ask_treatment", 0.3), ("ask_exercise", 0.1))
    ]
    contextual = [
        {"name": n, "confidence": c} for n, c in (("ask_exercise", 0.5), ("ask_pain", 0.4), ("ask_treatment", 0.1))
    ]
    message = Message(data={"text": LONG, "intent": cautious[0], "intent_ranking": cautious})
    KeepCautiousOpinion().process([message])
    message.set("intent_ranking", contextual)
    TopicOpinion({"contextual_weight": weight}).process([message])
    assert [r["name"] for r in message.get("intent_ranking")] == order
    assert [r["confidence"] for r in message.get("intent_ranking")] == [0.6, 0.3, 0.1]


@pytest.mark.parametrize("weight", [-0.1, 1.2])
def test_a_weight_outside_zero_to_one_is_refused(weight: float) -> None:
    with pytest.raises(ValueError, match="contextual_weight"):
        TopicOpinion({"contextual_weight": weight})


def test_config_yml_blends_with_the_weight_chosen_on_the_tuning_sets() -> None:
    pipeline = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    (topic_opinion,) = [c for c in pipeline if c["name"].endswith("second_opinion.TopicOpinion")]
    assert topic_opinion["contextual_weight"] == 0.7


def test_a_short_message_or_follow_up_keeps_the_cautious_choice_of_topic() -> None:
    """ "en met een kunstheup, kan ik dan nog werken?": the contextual DIET lost more than it won there."""
    cautious, contextual = ranking("ask_rehabilitation", "ask_hip_replacement"), ranking("ask_hip_replacement")
    short = decide(cautious, contextual, "en met een kunstheup?")
    assert places(short) == [("ask_rehabilitation", 0.8), ("ask_hip_replacement", 0.4)]
    assert TopicOpinion.get_default_config()["min_words"] == 12


def test_a_button_payload_is_left_alone() -> None:
    result = decide(ranking("out_of_scope"), ranking("ask_treatment"), text="/ask_treatment")
    assert result.get("intent")["name"] == "ask_treatment"


def test_the_kept_opinion_is_no_part_of_the_parse_result() -> None:
    output = decide(ranking("ask_pain"), ranking("ask_exercise")).as_dict(only_output_properties=True)
    assert "cautious_opinion" not in output and "contextual_opinion" not in output
    assert output["intent"]["name"] == "ask_exercise"


def test_the_pipeline_runs_the_cautious_diet_first_and_the_contextual_one_between_keep_and_decide() -> None:
    names = [c["name"] for c in yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]]
    keep, decide_at = (
        names.index("heupwijzer.nlu.second_opinion.KeepCautiousOpinion"),
        names.index("heupwijzer.nlu.second_opinion.TopicOpinion"),
    )
    diets = [i for i, name in enumerate(names) if name == "DIETClassifier"]
    assert len(diets) == 2 and diets[0] < keep < diets[1] < decide_at
    pipeline = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    assert pipeline[diets[0]]["number_of_transformer_layers"] == 0
    assert pipeline[diets[1]]["number_of_transformer_layers"] >= 1
    # the safety net, the scope check and the fallback see the decided opinion
    for later in ("RedFlagClassifier", "ScopeClassifier", "FallbackClassifier"):
        assert min(i for i, name in enumerate(names) if name.endswith(later)) > decide_at
    # the fallback comes last and knows whether the message names the hip (ScopeClassifier)
    assert names[-1] == "heupwijzer.nlu.second_opinion.ContextualFallbackClassifier"
    assert names.index("heupwijzer.nlu.scope_classifier.ScopeClassifier") < len(names) - 1


def sure_or_fallback(
    cautious: List[Dict], contextual: List[Dict], text: str = LONG, about_the_hip: bool = True
) -> Message:
    """The pipeline's end: the decided opinion, ScopeClassifier's hip_care, the fallback."""
    message = decide(cautious, contextual, text)
    if about_the_hip:
        message.set("entities", [{"entity": "hip_care", "value": "yes", "extractor": "ScopeClassifier"}])
    config = {**ContextualFallbackClassifier.get_default_config(), "threshold": 0.4, "ambiguity_threshold": 0.05}
    ContextualFallbackClassifier(config).process([message])
    return message


UNSURE = [{"name": "ask_pain", "confidence": 0.3}, {"name": "ask_xray", "confidence": 0.28}]
SURE_XRAY = [{"name": "ask_xray", "confidence": 0.98}, {"name": "ask_pain", "confidence": 0.01}]


def test_a_long_question_about_the_hip_gets_the_topic_the_contextual_diet_is_sure_of() -> None:
    """ "Geachte heer/mevrouw, ... is een diagnose zonder foto wel betrouwbaar?": the cautious DIET
    cannot place it, the contextual one is sure: the answer, not "Bedoel je ...?"."""
    result = sure_or_fallback(UNSURE, SURE_XRAY)
    assert result.get("intent") == {"name": "ask_xray", "confidence": 0.98}
    assert [r["name"] for r in result.get("intent_ranking")] == ["ask_xray", "ask_pain"]


def test_a_warning_sign_or_a_best_guess_that_is_no_topic_keeps_the_fallback() -> None:
    """With a warning sign of the detector the clarification becomes "Bel nu je huisarts" (actions),
    not a calm answer; small talk, feedback or a crisis demoted for lack of confidence ("ik zie geen
    reden meer om hier te blijven met die pijn in mijn heup") is never replaced by a leaflet topic."""
    warned = decide(UNSURE, SURE_XRAY)
    warned.set("entities", [{"entity": "hip_care", "value": "yes"}, {"entity": "safety_check", "value": "warning"}])
    ContextualFallbackClassifier(ContextualFallbackClassifier.get_default_config()).process([warned])
    assert warned.get("intent")["name"] == "nlu_fallback"
    for unsure_other in ("feedback_negative", "greet", "crisis", "out_of_scope"):
        cautious = [{"name": unsure_other, "confidence": 0.3}, {"name": "ask_pain", "confidence": 0.28}]
        assert sure_or_fallback(cautious, SURE_XRAY).get("intent")["name"] == "nlu_fallback", unsure_other
    # only a warning sign stops it: a red flag close behind puts the safety check before the answer
    close = decide(UNSURE, SURE_XRAY)
    close.set("entities", [{"entity": "hip_care", "value": "yes"}, {"entity": "safety_check", "value": "diet"}])
    ContextualFallbackClassifier(ContextualFallbackClassifier.get_default_config()).process([close])
    assert close.get("intent")["name"] == "ask_xray"


def test_small_talk_the_safety_net_demoted_to_a_topic_still_gets_the_fallback() -> None:
    """The real order: RedFlagClassifier replaces small talk on a message about a complaint by the next
    intent, here an unsure topic; the contextual topic must not take the place of "Bedoel je ...?"
    (a review: "ik zie geen reden meer om hier te blijven met die pijn in mijn heup")."""
    text = "ik zie geen reden meer om hier te blijven met die pijn in mijn heup"
    cautious = [
        {"name": "feedback_negative", "confidence": 0.18},
        {"name": "ask_exercise", "confidence": 0.14},
        {"name": "ask_pain", "confidence": 0.1},
    ]
    message = decide(cautious, [{"name": "ask_exercise", "confidence": 0.77}], text)
    RedFlagClassifier({"safety_margin": 0.5, "crisis_confidence": 0.5}).process([message])
    assert message.get("intent")["name"] == "ask_exercise"  # small talk gave way to the next intent
    message.set("entities", (message.get("entities") or []) + [{"entity": "hip_care", "value": "yes"}])
    ContextualFallbackClassifier(ContextualFallbackClassifier.get_default_config()).process([message])
    assert message.get("intent")["name"] == "nlu_fallback"


@pytest.mark.parametrize(
    "contextual,text,about_the_hip",
    [
        (SURE_XRAY, LONG, False),  # no hip named: "Bedoel je ...?" or the decline, as before
        (SURE_XRAY, "moet er een foto van gemaakt worden?", True),  # short: the conversation decides
        ([{"name": "ask_xray", "confidence": 0.6}, {"name": "ask_pain", "confidence": 0.3}], LONG, True),
        ([{"name": "out_of_scope", "confidence": 0.99}, {"name": "ask_xray", "confidence": 0.01}], LONG, True),
        ([{"name": "red_flag_urgent", "confidence": 0.99}, {"name": "ask_xray", "confidence": 0.01}], LONG, True),
    ],
)
def test_otherwise_an_unsure_message_still_gets_the_honest_fallback(
    contextual: List[Dict], text: str, about_the_hip: bool
) -> None:
    result = sure_or_fallback(UNSURE, contextual, text, about_the_hip)
    assert result.get("intent")["name"] == "nlu_fallback"


def test_a_sure_cautious_opinion_and_a_button_payload_are_left_to_rasas_fallback() -> None:
    sure = [{"name": "ask_pain", "confidence": 0.9}, {"name": "ask_exercise", "confidence": 0.05}]
    question = "hoe ga ik om met de pijn in mijn heup?"
    assert sure_or_fallback(sure, SURE_XRAY, question).get("intent")["name"] == "ask_pain"
    # a payload is Rasa's FallbackClassifier's alone: no contextual topic is put in its place
    payload = Message(data={"text": "/ask_treatment" + " en nog veel meer woorden" * 4, "intent": UNSURE[0]})
    payload.set("intent_ranking", UNSURE)
    payload.set("contextual_opinion", SURE_XRAY)
    payload.set("entities", [{"entity": "hip_care", "value": "yes"}])
    ContextualFallbackClassifier(ContextualFallbackClassifier.get_default_config()).process([payload])
    assert payload.get("intent")["name"] == "nlu_fallback"


PAIN_QUESTION = "Ik wil liever niet te veel pillen slikken. Hoe kan ik het best met die pijn in mijn heup omgaan?"


def crisis_net(contextual: List[Dict], text: str = PAIN_QUESTION, crisis: float = 0.57) -> str:
    cautious = [{"name": "crisis", "confidence": crisis}, {"name": "ask_pain", "confidence": round(0.96 - crisis, 2)}]
    message = decide(cautious, contextual, text)
    RedFlagClassifier({"safety_margin": 0.5, "crisis_confidence": 0.5, "crisis_topic_veto": 0.9}).process([message])
    return str(message.get("intent")["name"])


def test_diets_crisis_alone_gives_way_when_the_contextual_diet_is_sure_of_a_leaflet_question() -> None:
    """A pain question with "niet te veel pillen" is no crisis on the cautious DIET's word alone when
    the contextual DIET is sure it is about pain; when it also says crisis, 113 it is."""
    assert crisis_net([{"name": "ask_pain", "confidence": 0.95}, {"name": "crisis", "confidence": 0.02}]) == "ask_pain"
    assert crisis_net([{"name": "crisis", "confidence": 0.9}, {"name": "ask_pain", "confidence": 0.05}]) == "crisis"
    assert crisis_net([{"name": "ask_pain", "confidence": 0.6}, {"name": "crisis", "confidence": 0.3}]) == "crisis"
    sure_pain = [{"name": "ask_pain", "confidence": 0.95}, {"name": "crisis", "confidence": 0.02}]
    # the cautious DIET surer of the crisis than the contextual one of the topic: 113
    assert crisis_net(sure_pain, crisis=0.97) == "crisis"
    # a short message: the contextual DIET is not trusted there
    assert crisis_net(sure_pain, text="niet te veel pillen, hoe dan met de pijn?") == "crisis"


PLANNED = "Ik ben 70 en op 14 maart krijg ik mijn kunstheup. Heeft het zin om nu al naar de fysio te gaan?"


def net_after(cautious: List[Dict], contextual: List[Dict], text: str) -> Message:
    message = decide(cautious, contextual, text)
    RedFlagClassifier().process([message])
    return message


def test_diets_red_flag_on_a_question_that_names_no_symptom_gives_way_to_the_topic_the_contextual_diet_is_sure_of() -> (
    None
):
    """Set s: a planned new hip and a question about the fysio got "bel nu je huisarts" from the cautious
    DIET alone; the detector finds only the hip and an operation, and the contextual DIET is sure of the
    topic: that topic's answer (not the cautious DIET's next guess), with the safety check in front."""
    sure = [{"name": "ask_surgery_preparation", "confidence": 0.9}, {"name": "ask_when_therapist", "confidence": 0.05}]
    result = net_after(ranking("red_flag_urgent", "ask_when_therapist"), sure, PLANNED)
    assert result.get("intent")["name"] == "ask_surgery_preparation"
    assert [e["value"] for e in result.get("entities") or [] if e["entity"] == "safety_check"] == ["diet"]


@pytest.mark.parametrize(
    "text,contextual_confidence",
    [
        (PLANNED, 0.5),  # the contextual DIET is not sure enough
        ("Sinds vanochtend kan ik niet meer op mijn been staan, heeft het zin om naar de fysio te gaan?", 0.9),
        # the detector has no rule, but names more than the hip, an operation or exercise
        ("Mijn been voelt anders sinds de operatie, heeft het zin om nu al naar de fysio te gaan?", 0.99),
    ],
)
def test_diets_red_flag_stands_where_a_symptom_is_named_or_the_contextual_diet_is_unsure(
    text: str, contextual_confidence: float
) -> None:
    contextual = [{"name": "ask_surgery_preparation", "confidence": contextual_confidence}]
    result = net_after(ranking("red_flag_urgent", "ask_when_therapist"), contextual, text)
    assert result.get("intent")["name"] == "red_flag_urgent"
