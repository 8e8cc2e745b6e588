"""The deterministic scope check: complaints about other body parts than the hip."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message

from heupwijzer.nlu.scope import names_hip_care, other_body_part, words
from tests.test_data import ROOT


@pytest.mark.parametrize(
    "text,part",
    [
        ("mijn elleboog doet pijn", "elleboog"),
        ("ik heb buikpijn", "buik"),
        ("kniepijn na het fietsen", "knie"),
        ("ik heb artrose in mijn knieën", "knie"),
        ("mijn schoudr doet zeer", "schouder"),  # typo
        ("eleboog is dik", "elleboog"),  # typo
        ("ik heb last van mijn onderrug", "rug"),
        ("mijn handen zijn stijf in de ochtend", "hand"),
        ("rugklachten", "rug"),
        ("mijn nek zit vast", "nek"),
        ("hoofdpijn", "hoofd"),
        ("mijn zus heeft een bevroren schouder", "schouder"),  # a complaint word of its own
        ("my neck is stiff after sleeping", "nek"),  # English
        ("hoe lang duurt een golfarm?", "arm"),  # the condition names the body part
        ("mijn zoon heeft scoliose", "rug"),
        # another joint replaced or torn: no complaint word needed
        ("Ik heb drie maanden geleden een nieuwe knie gekregen. Wanneer mag ik weer fietsen?", "knie"),
        ("ik heb sinds vorig jaar een kunstschouder, welke oefeningen mag ik doen?", "schouder"),
        ("mijn moeder heeft een meniscusscheur, welke oefeningen kan ze doen?", "knie"),
        # the hip named only to say it is fine
        ("Mijn knie doet pijn op de trap, is dat ook artrose? Mijn heup is in orde.", "knie"),
        ("Mijn knie klikt en zakt door. Ik heb geen last van mijn heup hoor, alleen de knie.", "knie"),
        ("ik heb een jeukende rode plek op mijn arm", "arm"),
        ("mijn enkel is opgezwollen na een misstap", "enkel"),
        # judging set j's misses, in other words
        ("Met mijn heup is verder niets aan de hand, maar mijn knie knakt bij elke stap", "knie"),
        ("my knee is killing me after football", "knie"),
        ("mijn vader heeft dikke knokkels, wat is dat?", "vinger"),
        ("ik ben gisteren door mijn enkel gegaan bij het dansen", "enkel"),
        ("mijn rechteroog ziet wazig, is dat staar?", "oog"),
        ("er zit een vlek op mijn rug die groter wordt", "rug"),
        ("Geachte, mijn linkerknie is dik na het wandelen. Wat raadt u aan?", "knie"),  # set k's, in other words
        ("ik heb een hernia, mag ik nog tillen?", "rug"),
        ("ik heb uitslag op mijn bovenarm", "arm"),
    ],
)
def test_complaints_about_other_body_parts_are_recognised(text: str, part: str) -> None:
    assert other_body_part(text) == part


@pytest.mark.parametrize(
    "text",
    [
        "ik heb pijn in mijn heup en ook in mijn knie",  # the hip is named: still a hip question
        "pijn in mijn lies",
        "mijn kunstheup doet pijn bij het lopen",
        "mag ik op mijn rug slapen?",  # a body part, but no complaint
        "wat is er aan de hand met het kraakbeen bij artrose",  # idiom
        "mijn operatie is achter de rug, wat nu",  # idiom
        "moeten ze een foto maken om artrose te zien?",  # "moeten" is not "voeten"
        "wat doe ik tegen pijn",
        "heb ik artrose?",
        "ik krijg een nieuwe heup, mag ik daarna op mijn rug slapen?",  # the hip is named
        "mijn nieuwe schoenen zitten goed, mag ik daarmee wandelen?",  # "nieuwe" without a body part
        # the hip said to be fine, but the hip is also the complaint
        "mijn heup is in orde maar mijn lies doet pijn en mijn knie ook",
        "geen last van mijn heup als ik zit, wel als ik loop, en dan ook mijn knie",
        "Mijn heup is goed versleten en nu doet mijn knie ook pijn",
        "geen pijn in mijn heup maar wel stijf, en mijn knie ook",
        "geen pijn aan de heup, de pijn straalt uit naar mijn knie",
    ],
)
def test_hip_questions_and_idioms_are_left_alone(text: str) -> None:
    assert other_body_part(text) is None


def test_no_hip_training_or_test_example_is_mistaken_for_another_body_part() -> None:
    red_flags = {"red_flag_emergency", "red_flag_urgent", "crisis"}  # those are answered first anyway
    for path in (ROOT / "data" / "nlu", ROOT / "tests" / "data" / "nlu_test.yml"):
        for example in load_data(str(path)).intent_examples:
            intent = example.get("intent")
            part: str | None = other_body_part(example.get("text"))
            # an out-of-scope example ("kan ik een nieuwe knie krijgen") is declined either way
            if intent not in red_flags | {"other_body_part", "out_of_scope"}:
                assert part is None, f"{example.get('text')!r} ({intent}) taken for '{part}'"


def diet_message(text: str, ranking: list) -> Message:
    message = Message(data={"text": text})
    message.set("intent", ranking[0])
    message.set("intent_ranking", ranking)
    return message


def test_component_overrides_diet_and_names_the_body_part() -> None:
    from heupwijzer.nlu.scope_classifier import ScopeClassifier

    message = diet_message("mijn elleboog doet pijn", [{"name": "ask_pain", "confidence": 0.9}])
    ScopeClassifier().process([message])
    assert message.get("intent") == {"name": "other_body_part", "confidence": 1.0}
    assert message.get("intent_ranking") == [{"name": "other_body_part", "confidence": 1.0}]
    assert [(e["entity"], e["value"]) for e in message.get("entities")] == [("body_part", "elleboog")]


def test_component_demotes_diet_when_the_hip_is_named_and_leaves_red_flags_alone() -> None:
    from heupwijzer.nlu.scope_classifier import ScopeClassifier

    hip = diet_message(
        "pijn in mijn heup en in mijn knie",
        [{"name": "other_body_part", "confidence": 0.9}, {"name": "ask_pain", "confidence": 0.1}],
    )
    flag = diet_message("mijn knie is rood en dik en ik heb koorts", [{"name": "red_flag_urgent", "confidence": 1.0}])
    ScopeClassifier().process([hip, flag])
    assert hip.get("intent")["name"] == "ask_pain"
    assert flag.get("intent")["name"] == "red_flag_urgent" and not flag.get("entities")


@pytest.mark.parametrize(
    "text,lemmas",
    [
        # spaCy's lemma of "enkele" is "enkel": the words as written decide, not their lemmas
        ("ik heb al enkele maanden last, wat kan ik doen", ["ik", "hebben", "al", "enkel", "maand", "last"]),
        ("is dat handig om pijn te voorkomen", ["zijn", "dat", "handig", "om", "pijn"]),
        ("armoede en pijn gaan vaak samen", ["armoede", "en", "pijn"]),
    ],
)
def test_words_that_only_look_like_a_body_part_are_no_body_part(text: str, lemmas: list) -> None:
    assert other_body_part(text, lemmas) is None


def test_a_message_about_the_hip_or_its_care_is_never_declined_as_off_topic() -> None:
    """Named: the fysio, the oefentherapeut, a new hip, the operation (issue 19): DIET's out_of_scope
    and other_body_part give way to the next intent, and the message is marked for the clarification."""
    from heupwijzer.nlu.scope_classifier import ScopeClassifier

    ranking = [{"name": "out_of_scope", "confidence": 0.7}, {"name": "ask_treatment", "confidence": 0.2}]
    texts_ = [
        "Geachte, kunt u mij vertellen wat de fysio precies gaat doen bij de eerste afspraak?",
        "my mum had her operation last week, what now with the physio",
        "hoe gaat dat met een nieuwe heup en de kine",
    ]
    messages = [diet_message(text, list(ranking)) for text in texts_]
    messages.append(diet_message("is dat handig, zo'n app", [{"name": "other_body_part", "confidence": 0.6}, *ranking]))
    ScopeClassifier().process(messages)
    assert [m.get("intent")["name"] for m in messages[:3]] == ["ask_treatment"] * 3
    assert all(("hip_care", "yes") in [(e["entity"], e["value"]) for e in m.get("entities")] for m in messages[:3])
    assert messages[3].get("intent")["name"] == "out_of_scope"  # no body part in the words, no hip either
    weather = diet_message("wat voor weer wordt het morgen", list(ranking))
    ScopeClassifier().process([weather])
    assert weather.get("intent")["name"] == "out_of_scope" and not weather.get("entities")


def test_a_question_about_an_animal_is_off_topic_and_one_about_walking_the_dog_is_not() -> None:
    from heupwijzer.nlu.scope import about_an_animal
    from heupwijzer.nlu.scope_classifier import ScopeClassifier

    assert about_an_animal("Onze hond heeft heupdysplasie, helpt fysio?")
    assert about_an_animal("wat zegt de dierenarts over artrose bij katten")
    assert not about_an_animal("Ik wandel elke dag met mijn hond, heeft dat zin voor mijn heup?")
    assert about_an_animal("Onze herder heeft heupdysplasie. Is er fysiotherapie voor honden?")
    ranking = [{"name": "ask_treatment", "confidence": 0.5}, {"name": "out_of_scope", "confidence": 0.3}]
    dog = diet_message("mijn pony loopt mank na de operatie van zijn heup", list(ranking))
    ScopeClassifier().process([dog])
    assert dog.get("intent")["name"] == "out_of_scope"


def test_a_word_seen_once_in_a_topic_makes_no_plausible_hip_question() -> None:
    """The clarification's "Bedoel je ...?" needs a word the topic's examples share; a word seen in a
    single example (a joke about doctors, a car's brakes) is chance, and the message is declined."""
    from actions.vocabulary import shares_words, topic_words

    topics = list(topic_words())
    assert not any(shares_words("tell me a joke about doctors please", t) for t in topics)
    assert not any(shares_words("mijn auto piept bij het remmen", t) for t in topics)
    assert shares_words("mijn heup is stijf als ik opsta", "ask_symptoms")
    assert shares_words("hoe lang duurt de therapie", "ask_therapy_duration")


@pytest.mark.parametrize(
    "text",
    [
        "mijn voeten tintelen en ik kan mijn plas niet ophouden",
        "mijn heup is ok maar ik heb tintelingen in mijn voet en kan mijn plas niet ophouden",
        "mijn nieuwe knie is warm en rood",
    ],
)
def test_the_red_flag_net_reads_another_body_part_only_in_the_plainest_cases(text: str) -> None:
    """The red-flag net drops DIET's alarm on a complaint elsewhere: it reads no decline-only word
    (tingling, a new knee) and no hip that is fine "maar" still named, so these keep DIET's alarm."""
    assert other_body_part(text, cautious=True) is None


def test_a_pregnancy_is_off_topic_unless_heupartrose_is_named() -> None:
    from heupwijzer.nlu.scope import about_a_pregnancy

    assert about_a_pregnancy("Mijn dochter is zes maanden zwanger en heeft last van haar bekken")
    assert not about_a_pregnancy("Ik ben zwanger en heb heupartrose, mag ik blijven oefenen?")
    assert not about_a_pregnancy("Mijn heup doet pijn, mag ik blijven fietsen?")
    assert not about_a_pregnancy("mijn dochter is zwanger, mag ik met mijn kunstheup haar kindje tillen?")


def test_an_animal_named_in_passing_keeps_a_hip_question() -> None:
    from heupwijzer.nlu.scope import about_an_animal

    assert not about_an_animal("ik werk bij paarden, kan ik dat blijven doen met heupartrose?")
    assert not about_an_animal("ik ben bang voor honden, mag ik met mijn heup nog wandelen?")


def test_a_hip_said_to_be_fine_lets_the_red_flag_net_read_the_knee_but_not_a_stiff_hip() -> None:
    assert other_body_part("met mijn heup is gelukkig niks aan de hand, maar mijn knie klikt", cautious=True) == "knie"
    assert (
        other_body_part("met mijn heup is niets aan de hand maar wel stijf en mijn knie is dik", cautious=True) is None
    )
    assert other_body_part("pijn in mijn linkerarm en ik zweet", cautious=True) is None  # no side: maybe the heart


def test_a_question_about_the_therapy_is_about_the_hips_care() -> None:
    from heupwijzer.nlu.scope import names_hip_care, words

    assert names_hip_care(words("Wat voor oefeningen doe je tijdens de therapie?", ()))


def test_the_orthopaedic_surgeon_and_other_spellings_of_artrose_are_the_hips_care() -> None:
    """A patient who names the surgeon who places a new hip, or writes "arthrose", asks about the
    hip's care: never declined as off-topic (the honest fallback offers hip topics instead)."""
    for text in ("Wanneer moet ik naar de orthopeed?", "Wat is arthrose precies?", "mijn huep doet zeer"):
        assert names_hip_care(words(text, ())), text
