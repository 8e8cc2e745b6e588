"""Red flags: 100 % recall on the urgent set, no false alarm on look-alikes, answered first live."""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest
import yaml
from rasa.shared.nlu.training_data.loading import load_data

from heupwijzer.nlu.lexicon import CRISIS, EMERGENCY, URGENT
from heupwijzer.nlu.red_flags import assess, detect
from heupwijzer.nlu.text import normalise, within_one_edit
from heupwijzer.paths import ROOT
from tests.conftest import Stack, new_sender, texts

SET = yaml.safe_load((Path(__file__).parent / "data" / "red_flags.yml").read_text(encoding="utf-8"))
EXPECTED = [(m, EMERGENCY) for m in SET["emergency"]] + [(m, URGENT) for m in SET["urgent"]]
CALM: List[str] = SET["calm"]


def test_the_set_is_broad_enough_and_kept_apart_from_training_data() -> None:
    assert len(EXPECTED) >= 40 and len(CALM) >= 20
    training = {normalise(e.get("text")) for e in load_data(str(ROOT / "data" / "nlu")).intent_examples}
    assert [m for m, _ in EXPECTED if normalise(m) in training] == []
    assert [m for m in CALM if normalise(m) in training] == []


def test_recall_is_complete_and_there_are_no_false_alarms(capsys: pytest.CaptureFixture) -> None:
    missed = [(m, level, detect(m)) for m, level in EXPECTED if detect(m) != level]
    alarms = [(m, detect(m)) for m in CALM if detect(m) is not None]
    with capsys.disabled():
        print(
            f"\nRed flags: recall {len(EXPECTED) - len(missed)}/{len(EXPECTED)}, false alarms {len(alarms)}/{len(CALM)}"
        )
    assert missed == []
    assert alarms == []


def test_no_ordinary_question_in_the_nlu_data_raises_an_alarm(capsys: pytest.CaptureFixture) -> None:
    """Look-alikes and topic questions never get the detector's alarm; the red-flag examples are
    DIET's to learn (either opinion raises the flag), so the detector's share is only reported."""
    examples = (
        load_data(str(ROOT / "data" / "nlu")).intent_examples
        + load_data(str(ROOT / "tests" / "data" / "nlu_test.yml")).intent_examples
    )
    false_alarms = [
        (e.get("text"), e.get("intent"), detect(e.get("text")))
        for e in examples
        if not e.get("intent").startswith("red_flag")
        and e.get("intent") != "crisis"
        and detect(e.get("text")) is not None
    ]
    flags = [e for e in examples if e.get("intent").startswith("red_flag")]
    with capsys.disabled():
        print(
            f"\nDetector alone on DIET's red-flag examples: {sum(detect(e.get('text')) is not None for e in flags)}"
            f"/{len(flags)}"
        )
    assert false_alarms == []


@pytest.mark.parametrize(
    "a,b,close",
    [("koorts", "koorst", True), ("benauwd", "benouwd", True), ("slikken", "stikken", True), ("koorts", "kort", False)],
)
def test_one_edit_distance(a: str, b: str, close: bool) -> None:
    assert within_one_edit(a, b) is close


def test_verb_forms_compounds_and_typos_are_found() -> None:
    assert detect("mijn moeder valt en kan niet meer opstaan") == URGENT  # lemma: valt -> vallen
    assert detect("borstpijn die naar mijn arm trekt") == EMERGENCY  # compound: borst + pijn
    assert detect("ik heb koors en mijn heupt is rood") == URGENT  # typos
    assert detect("een korte vraag over mijn been") is None  # a common word is no typo of "korter"


@pytest.mark.parametrize(
    "message",
    [
        "geen koorts, alleen een stijve heup",  # negated
        "wat moet ik doen als ik val en niet meer kan opstaan?",  # a worry
        "vorig jaar gevallen, nu gaat het goed",  # the past
        "na het fietsen ben ik een beetje kortademig",  # explained by exertion
        "mijn kuit is niet dik of warm",  # negation is not skipped by a phrase gap
        "het valt eigenlijk allemaal best mee, mag ik blijven fietsen?",  # no fall
        "ik loop sinds de operatie nog wat scheef, hoe lang duurt het herstel?",  # walking, not a leg out of place
        "mocht ik ondanks alles toch vallen, wat doe ik dan?",  # a worry past "toch"
        "kan ik zomaar door mijn heup zakken?",  # a worry
        "ik kan sinds mijn operatie niet meer goed zitten op de bank",  # sitting, not the hip out of place
        "helpt het om af te vallen voor mijn heup?",  # losing weight is no fall
        "ik hoorde dat een kunstheup eruit kan schieten, hoe voorkom ik dat?",  # hearsay is a worry
        "na mijn val in de winter ben ik volledig hersteld, mag ik weer wandelen?",  # over
        "mijn wond is nog een tikje dik maar wordt elke dag minder, geen koorts",  # "een tikje": a little
        "in het voorjaar van vorig jaar gevallen, mag ik nu weer fietsen?",  # the past
        "ik ben vijf kilo afgevallen, helpt dat mijn heup?",  # losing weight
        "mijn heup doet pijn na lang lopen maar niet in rust",  # no "cannot walk"
        "geen koorts of rode wond, wanneer mag ik weer fietsen?",  # the list after a negation
        "Zwelling of roodheid heb ik niet. Mag ik mijn oefeningen doen?",  # a negation after
        "mijn buurman kreeg een ontstoken wond na zijn kunstheup, waar moet ik op letten?",  # someone else
        "mijn vader is nog nooit gevallen, maar mag hij met de rollator wandelen?",
        "niks acuuts, gewoon wat zeurende pijn, wat helpt?",
        "in de winter zijn mijn tenen altijd koud en wit, past dat bij artrose?",  # every winter, not now
        "na het zwemmen zijn mijn voeten koud en blauw",
        "mijn handen zijn koud en wit",  # not a leg
        "mijn handen zijn koud en wit, mijn been doet pijn",  # the leg is not the cold one
        "my hands have been cold and blue",  # "been" the verb
    ],
)
def test_context_makes_a_sign_not_current(message: str) -> None:
    assert detect(message) is None


def test_a_numb_buttock_after_sitting_long_is_no_warning_sign() -> None:
    from heupwijzer.nlu.red_flags import assess

    assert not assess("na lang zitten op kantoor voelt mijn bil doof, bij het opstaan is het weg").warning
    assert detect("sinds vanochtend voelt mijn bil doof") == URGENT


@pytest.mark.parametrize(
    "message,level",
    [
        ("mijn oma is over de stoep gestruikeld en ligt nu in de gang, ze komt niet overeind", URGENT),  # "over"
        ("sinds vanmiddag ibuprofen, nu zit ik over heel mijn lijf onder de bulten", URGENT),  # "over"
        ("my calf is swollen and warm, the hip replacement was last week", URGENT),
        ("my left side feels weak and my speech sounds off since an hour", EMERGENCY),
        ("new painkiller and now hives everywhere and my throat feels tight", EMERGENCY),
        ("mijn rechtervoet is sinds vanochtend koud en vlekkerig", EMERGENCY),
        ("mijn kunstheup zit niet meer goed sinds ik me omdraaide", URGENT),
        ("toen ik opstond voelde ik een tik in mijn heup en nu zit hij niet meer goed", URGENT),
        ("twee dagen na de heupoperatie blijft mijn voet haken als ik loop", URGENT),
        ("sinds drie dagen pijn in beide benen en mijn billen voelen doof", URGENT),
        ("vandaag merk ik niet meer wanneer mijn blaas vol is", URGENT),
        ("per ongeluk te veel paracetamol gepakt vanochtend", URGENT),
        ("ik heb mijn pijnstillers deze week verdubbeld", URGENT),
        ("sinds gisteren een doof gevoel rond het zitvlak", URGENT),
        ("bij het bukken schoot er ineens zo'n pijn in mijn heup", URGENT),
        ("De operatie is goed gegaan. Net kreeg ik geen lucht en pijn in mijn borst bij inademen.", EMERGENCY),
        ("heavy pressure on my chest and I sweat a lot", EMERGENCY),
        ("sinds vanmiddag na een pop is mijn been shorter", URGENT),
        ("mijn mond voelt aan één kant vreemd", EMERGENCY),
        ("sinds vijf minuten praat mijn vader raar en is zijn rechterkant zwak", EMERGENCY),
        ("the wound keeps bleeding after my hip surgery", URGENT),
        ("na de operatie zegt mijn moeder sinds gisteren rare dingen", URGENT),
        ("mijn wonde blijft bleeding en het verband is soaked", URGENT),
        ("vanmorgen begon de wond te bloeden en het is nog steeds niet gestopt", URGENT),
        ("new painkiller, now itching all over my body and my lips feel swollen", EMERGENCY),  # "all over"
        ("sinds deze ochtend hangt mijn voet slap en sleept hij over de grond", EMERGENCY),
        ("ineens een steek in de heup en nu kan ik ni meer rechtstaan", URGENT),  # Flemish
        ("mijn vader spreekt sinds een kwartier heel onduidelijk en zijn linkerarm is krachteloos", EMERGENCY),
        ("mijn man heeft al zijn tramadol ingenomen en is nauwelijks wakker te krijgen", EMERGENCY),
        ("ik heb vandaag twee keer de avonddosis ingenomen, de doosjes door elkaar", URGENT),
        ("vier keer per dag paracetamol en voor mijn griep een poedertje waar ook paracetamol in zit", URGENT),
        ("sinds de nieuwe heup weet mijn moeder niet welke dag het is en ze is warm", URGENT),
        ("twee weken na de operatie is mijn hele been dik en warm", URGENT),
        ("mijn been is koud en wit", EMERGENCY),  # cold and pale at once, no other sign (issue 24)
        ("het been van mijn moeder is wit en koud", EMERGENCY),
        ("my leg is cold and pale", EMERGENCY),
        ("my leg is white and cold", EMERGENCY),
        ("mijn voet is koud en heel bleek", EMERGENCY),
        ("mijn been werd snel koud en wit", EMERGENCY),
    ],
)
def test_everyday_english_and_indirect_words_are_found(message: str, level: str) -> None:
    assert detect(message) == level


# Breathlessness by severity (NTS / NHG-TriageWijzer, issue 24): severe or at rest -> 112; a little
# at rest -> the huisarts now, not 112; since the operation, also on exertion (a pulmonary embolism?)
# -> the huisarts now; a little out of breath on the stairs without an operation -> a calm answer.
BREATHLESSNESS = [
    ("ik ben een beetje benauwd", URGENT),
    ("ik voel me een beetje benauwd sinds vanmiddag", URGENT),
    ("sinds mijn operatie ben ik kortademig bij traplopen", URGENT),
    ("twee weken na mijn nieuwe heup ben ik al buiten adem van een stukje wandelen", URGENT),
    ("ik ben erg benauwd", EMERGENCY),
    ("ik ben benauwd, ook als ik niks doe", EMERGENCY),
    ("als ik de trap op loop ben ik een beetje kortademig", None),
    ("bij het traplopen word ik kortademig", None),
]


@pytest.mark.parametrize("message,level", BREATHLESSNESS)
def test_breathlessness_is_triaged_by_severity(message: str, level: str | None) -> None:
    assert detect(message) == level


@pytest.mark.parametrize("message,level", BREATHLESSNESS)
def test_breathlessness_gets_the_number_its_severity_needs(stack: Stack, message: str, level: str | None) -> None:
    reply = texts(stack.say(new_sender(), message))
    if level == EMERGENCY:
        assert reply.startswith("Dit klinkt als een noodgeval. Bel nu 112."), reply
    elif level == URGENT:
        assert reply.startswith("Dit moet een arts snel bekijken. Bel nu je huisarts."), reply
        assert "Bel nu 112" not in reply and "huisartsenpost" in reply
    else:
        assert "Bel nu" not in reply and "Bel dan 112" not in reply, reply


@pytest.mark.parametrize(
    "message",
    [  # each warning sign of the after-surgery answer (utter_ask_rehabilitation), as a patient says it
        "mijn wond lekt en ik heb koorts",
        "na de operatie is mijn kuit dik en doet pijn",
        "sinds mijn nieuwe heup ben ik sneller kortademig, ook bij traplopen",
        "mijn been is ineens korter",
        "na de operatie staat mijn been naar buiten gedraaid",
        "ik ben gevallen en kan niet meer staan",
    ],
)
def test_every_after_surgery_warning_sign_gets_the_huisarts_now(message: str) -> None:
    assert detect(message) == URGENT


@pytest.mark.parametrize(
    "message,level",
    [
        ("mijn voeten tintelen en ik kan mijn plas niet ophouden", URGENT),  # nerves: huisarts now
        ("mijn heup is ok maar ik heb tintelingen in mijn voet en kan mijn plas niet ophouden", URGENT),
        ("mijn voeten tintelen s nachts", None),  # tingling alone is no warning sign
        ("ik verlies wel eens wat urine bij hoesten", None),
    ],
)
def test_no_control_of_the_bladder_with_tingling_is_urgent(message: str, level: str | None) -> None:
    assert detect(message) == level


@pytest.mark.parametrize(
    "message,level",
    [  # judging set g's misses, in other words
        ("ik heb er lang over nagedacht hoe ik er een eind aan kan maken", "crisis"),
        ("ik heb gisteren afscheidsbrieven geschreven voor de kinderen", "crisis"),
        (
            "het deed zo'n pijn dat ik het niet meer zag zitten en heb een hele doos paracetamol ingenomen, "
            "ik voel me nog prima",
            "crisis",
        ),
        ("vandaag per ongeluk ruim 6 gram paracetamol ingenomen", URGENT),
        ("ik nam zeker het dubbele van de max dose pijnstillers", URGENT),
        ("sinds de nieuwe pijnpillen zit ik onder de jeukende bulten", URGENT),
        ("de wond bloedt door de pleister heen, al 4 keer verschoond", URGENT),
        ("vorige maand geopereerd en net voelde het alsof de heup verschoof", URGENT),
        ("mijn been wilde niet meer en ik praat onduidelijk", EMERGENCY),
        ("opa is warm en verward", URGENT),
        # calm: the past, a negation, what is over
        ("in 2015 een hartinfarct gehad en ik heb nergens pijn op de borst", None),
        ("zijn kunstheup is vorig jaar uit de kom geschoten en sindsdien gaat het prima", None),
        ("na haar vorige operatie was ze een paar dagen verward, dat trok weer bij", None),
        ("vorig jaar gevallen, nu genezen. kan die val de oorzaak zijn?", None),
        ("jaren geleden heb ik eens te veel pijnstillers genomen, hoeveel mag ik nu?", None),
    ],
)
def test_judging_set_g_misses_are_caught_and_its_past_stays_past(message: str, level: str | None) -> None:
    assert detect(message) == level


@pytest.mark.parametrize(
    "message,level",
    [  # judging set h's misses, in other words
        ("mijn broer snijdt zichzelf sinds hij door zijn heup thuis zit", "crisis"),
        # a question about what could happen, a feeling said not to be real: no alarm
        ("als ik te ver buk, kan mijn nieuwe heup dan uit de kom?", None),
        ("het voelt of mijn heup uit de kom gaat, maar dat gebeurt niet echt. is dat artrose?", None),
        # ... but a feeling with a leg that gives way is
        ("het voelt alsof mijn kunstheup uit de kom is en ik kan niet meer staan", URGENT),
        # too much of a painkiller, in the words of sets a-h that only DIET caught
        ("oma heeft gisteren de hele strip naproxen in een middag opgemaakt", URGENT),
        ("ik heb vandaag 6 keer 1000 mg genomen tegen de pijn", URGENT),
        ("per abuis 2x mijn pijnstillers geslikt vanochtend", URGENT),
        ("hij nam 15 tabletten van 500 sinds gisteravond", URGENT),
        ("mijn vader heeft veel meer pillen genomen dan mag voor zijn heup", URGENT),
        ("hij was vergeten dat hij zijn pillen al had genomen en nam ze nog een keer", URGENT),
        # ... and ordinary use stays calm
        ("mag ik 3 keer per dag 1000 mg paracetamol nemen?", None),
        ("ik heb vandaag 3 keer mijn paracetamol genomen, helpt dat?", None),
    ],
)
def test_judging_set_h_misses_are_caught_and_its_worries_stay_worries(message: str, level: str | None) -> None:
    assert detect(message) == level


@pytest.mark.parametrize(
    "message,level",
    [  # urgent messages of sets a-h that only DIET caught, in other words: the detector carries the net
        ("zonder te vallen ineens heftige pijn in mijn heup en ik kan er niet op staan", URGENT),
        ("de ergste pijn die ik ooit heb gehad, opeens, in mijn lies", URGENT),
        ("mijn vader is naast de bank terechtgekomen en opstaan lukt echt niet", URGENT),
        ("oma zit al een uur tegen de kast aan op de vloer, ze komt niet overeind", URGENT),
        (
            "nieuwe heup sinds drie weken, bij het bukken versprong er iets en nu wijst mijn rechtervoet naar buiten",
            URGENT,
        ),
        ("de wond van mijn kunstheup blijft maar doorbloeden, ik druk er al een kwartier op", URGENT),
        ("it won't stop bleeding, my hip surgery was last week", URGENT),
        ("bij het afvegen voel ik bijna niks en ik kan mijn ontlasting niet goed ophouden", URGENT),
        ("mijn man plast in zijn broek zonder het te merken sinds gisteren, zijn rug doet pijn", URGENT),
        ("haar linkermondhoek hangt ineens", EMERGENCY),
        ("hij zoekt steeds naar woorden en zijn rechterarm is slap", EMERGENCY),
        ("mijn keel voelt dik sinds die nieuwe ontstekingsremmer", EMERGENCY),
        ("net hoestte ik wat bloed op, twee weken na mijn heupoperatie", EMERGENCY),
        ("opa is na zijn operatie erg slaperig, in de war en heeft koorts", URGENT),
        ("mijn moeder heeft vandaag wel vijftien tabletten paracetamol geslikt", URGENT),
        ("ik denk erover mezelf wat aan te doen", "crisis"),
        ("hij geeft al zijn spullen weg en zegt dat het voor hem allemaal niet meer hoeft", "crisis"),
        # ... and their look-alikes stay calm
        ("ik heb erge pijn en kan niet goed lopen, wat kan ik doen?", None),
        ("ik raak in de war van al die oefeningen na de operatie", None),
        ("ik zou mezelf voor mijn kop kunnen slaan dat ik niet eerder ging", None),
        ("is het erg als mijn knie een beetje naar binnen staat bij het lopen?", None),
    ],
)
def test_urgent_messages_that_only_diet_caught_are_caught_by_the_detector(message: str, level: str | None) -> None:
    assert detect(message) == level


@pytest.mark.parametrize(
    "message,level",
    [  # judging set i's misses, in other words
        ("mijn tenen zijn spierwit en ik krijg ze niet warm, het doet erg zeer", EMERGENCY),
        ("since the new painkiller I have swelling on my lips and my throat feels tight", EMERGENCY),
        ("we krijgen haar bijna niet meer wakker sinds de koorts na haar operatie", EMERGENCY),
        ("de wond bloedt hevig, het houdt niet op en hij is lijkbleek", EMERGENCY),
        ("mijn zus, die haar kunstheup schoot uit de kom bij het bukken, zegt dat ik moet oppassen. klopt dat?", None),
    ],
)
def test_judging_set_i_misses_are_caught(message: str, level: str | None) -> None:
    assert detect(message) == level


@pytest.mark.parametrize(
    "message,level",
    [  # judging set j's misses, in other words
        ("zal wel van de kou komen maar mijn rechtervoet is spierwit en doet pijn", EMERGENCY),
        (
            "sinds een uurtje wat buiten adem in rust en het prikt in mijn borst bij diep inademen, "
            "vorige week geopereerd",
            EMERGENCY,
        ),
        ("mijn nieuwe heup zit er twee maanden in, no fever, de wond is dicht. wanneer mag ik fietsen?", None),
        ("na een kwartier wandelen ben ik wat buiten adem, maar het zakt snel weer als ik stilsta", None),
        ("mijn man had vorig jaar koorts en was even in de war, maar dat is allemaal voorbij. nu de operatie", None),
        ("mijn moeder is bang dat ze valt en dan niet meer overeind komt, wat kan ze doen?", None),
        ("kan mn kunstheup eruit springen als ik me diep buk?", None),
        ("I've read dat een nieuwe heup eruit kan schieten, hoe voorkom ik dat?", None),
    ],
)
def test_judging_set_j_misses_are_caught_and_its_worries_stay_worries(message: str, level: str | None) -> None:
    assert detect(message) == level


@pytest.mark.parametrize(
    "message,level",
    [  # judging set k's misses, in other words
        ("mijn rechterhand doet ineens niks meer en ik krijg de woorden niet goed uit mijn mond", EMERGENCY),
        (
            "mijn vader huilt opeens van de pijn in zijn heup, hij is niet gevallen, "
            "zijn artrose was tot nu toe goed te doen",
            URGENT,
        ),
        ("all of a sudden pain in my hip, tien op tien, ik kan er geen weight op zetten", URGENT),
        ("sinds gisteren twaalf paracetamol van 500 genomen tegen de heuppijn", URGENT),
        ("mijn moeder heeft een hele doos pijnstillers opgenomen", URGENT),
    ],
)
def test_judging_set_k_misses_are_caught(message: str, level: str | None) -> None:
    assert detect(message) == level


@pytest.mark.parametrize(
    "message,level",
    [  # judging set l's misses, in other words
        # an operation last week dates the operation, not the bleeding of today
        ("de wond bloed nog steeds door het verband heen het houdt niet op ben vorige week geopereerd", URGENT),
        # bleeding that does not stop with a light head: signs of shock
        ("het verband is al twee keer doorgebloed en ik voel me licht in mijn hoofd", EMERGENCY),
        # a relative who thinks he still has to go to work and feels warm, after the operation
        ("sinds de operatie denkt mijn vader dat hij nog naar kantoor moet en hij voelt warm aan", URGENT),
        # "to bother someone" is no fall; out of breath after a sport is explained by it
        ("ik val u niet graag lastig maar hoe lang duurt de revalidatie", None),
        ("ik was wat short of breath na de spinningles, is dat erg voor mijn heup?", None),
    ],
)
def test_judging_set_l_misses_are_caught_and_its_past_stays_past(message: str, level: str | None) -> None:
    assert detect(message) == level


@pytest.mark.parametrize(
    "message,level",
    [  # judging set m's misses, in other words
        # no feeling around the anus and not feeling the urge to pee, after lifting
        ("sinds het tillen is het gevoel rond mijn anus weg en ik voel niet wanneer ik moet plassen", URGENT),
        # a hand that does not work well and mumbling: a stroke, also when understated
        ("mijn linkerhand wil niet goed meer en ik brabbel een beetje, zal wel moeheid zijn", EMERGENCY),
        # paracetamol twice over, by a flu remedy, or above the maximum dose
        ("ik nam paracetamol en ook een bruistablet met paracetamol ingenomen", URGENT),
        ("ik zit volgens mij ruim boven de maximale dosis paracetamol", URGENT),
        # a farewell note, affairs settled before goodbyes, falling asleep for ever, done with it all
        ("vanmorgen vond ik een brief waarin hij afscheid neemt, mijn vader is nergens", CRISIS),
        ("ik heb mijn papieren geregeld en afscheid genomen van de kinderen", CRISIS),
        ("ik wil gewoon slapen en in slaap vallen... liefst slaap ik in en word ik niet meer wakker", CRISIS),
        ("ik ben done met alles, ik kan zo niet meer doorgaan met leven", CRISIS),
        # "benauwd voor" is afraid of; a dream, "als ik zou vallen", "bang is om te vallen" are worries
        ("ik ben benauwd voor de narcose, hoe bereid ik me voor op de operatie?", None),
        ("ik droomde dat ik viel en niet meer kon opstaan, hoe voorkom ik dat?", None),
        ("gaat mijn heup eerder kapot als ik zou vallen met artrose?", None),
        ("mijn moeder is bang is om te vallen als ze buiten loopt", None),
        ("de pijn is nooit zo erg dat ik niet kan lopen, wat kan ik zelf doen?", None),
        # ... and what must still alarm
        ("vorige week gevallen en sindsdien is mijn been stijf en kan ik er niet op staan", URGENT),
        ("ik ben benauwd voor de operatie en nu heb ik ook pijn op de borst", EMERGENCY),
        ("mijn vader zit boven de maximale dosis, hij nam vanochtend 5 gram", URGENT),
        # sudden pain "like a knife" after which every movement is impossible (set f, only DIET had it)
        ("sinds vanochtend is elke beweging onmogelijk, het voelde als een mes in mijn heup", URGENT),
        ("'s ochtends kan ik mijn heup nauwelijks bewegen, daarna gaat het beter", None),
        # ... and what must not
        ("ik zag het even niet meer zitten met die nieuwe tablet, nu werkt hij", None),
        ("ik zie het niet meer zitten, ook niet met mijn telefoon om hulp te bellen", CRISIS),
        # a second review: what refers back ("vanochtend weer", "nog steeds") keeps the past current;
        # "het gevoel ... is weg" is numbness now; idioms, plans and farewells of others are no alarm
        ("vorige week had ik ineens een scheve mond. vanochtend weer.", EMERGENCY),
        ("vorige week had ik pijn op de borst en zweten. nog steeds.", EMERGENCY),
        ("het gevoel rond mijn anus is weg en mijn benen zijn slap", URGENT),
        ("opeens schoot het in mijn rug en nu kan ik geen kant op", None),
        ("ik heb een nieuwe heup en hoor soms een klik, en 's ochtends kan ik moeilijk bewegen", None),
        ("ik wandel elke dag een uur, dus ik zit ruim boven de aanbevolen hoeveelheid beweging", None),
        ("ik slik bewust zo veel mogelijk paracetamol in plaats van ibuprofen, is dat goed?", None),
        ("mag ik paracetamol naast een griepmiddel met paracetamol nemen?", None),
        ("ik wil na de operatie niet meer doorgaan met het oude leven van veel zitten", None),
        ("mijn buurvrouw verhuist, ze stuurde een kaartje waarin ze afscheid neemt", None),
        ("sinds de slaaptablet slaap ik in en word ik niet meer wakker tot de ochtend", None),
        ("mijn man is done met alles rond die wachtlijst", None),
        ("ik heb mijn zaken geregeld en afscheid genomen van mijn vrouw", CRISIS),
        ("ik ben klaar met alles voor de operatie, wat moet ik nog meenemen?", None),
        ("waarom zou ik nog doorgaan met de oefeningen als ik toch een nieuwe heup krijg?", None),
        ("ik heb afscheid genomen van mijn kleinkinderen na de vakantie, nu heb ik tijd voor de fysio", None),
        # a review's look-alikes: farewells of a doctor or at work, a funeral, sleeping through, easing
        # pain, one ordinary dose, a dosage question, "benauwd om de borst", waking from a dream
        ("mijn fysio stuurde een kaartje waarin ze afscheid neemt van de praktijk", None),
        ("ik heb alles geregeld en afscheid genomen van mijn collegas want ik ga met pensioen", None),
        ("we hebben de zaken geregeld voor de uitvaart en het afscheid van mijn broer", None),
        ("sinds de nieuwe heup slaap ik goed in en word ik niet meer wakker van de pijn", None),
        ("het zeurende gevoel in mijn billen is minder sinds de oefeningen", None),
        ("ik heb een poedertje met paracetamol genomen, mag ik vanavond nog ibuprofen?", None),
        ("zit ik boven de maximale dosis als ik 3 keer per dag 1000 mg paracetamol neem", None),
        ("ik ben heel benauwd om mijn borst alsof er een band omzit", EMERGENCY),
        ("ik werd wakker uit een nare droom met pijn op de borst en ik zweet", EMERGENCY),
        ("ik droomde dat ik viel en werd wakker op de grond, ik kan niet opstaan", URGENT),
        ("ze is bang om te vallen en vanmorgen is ze gevallen en kan ze niet opstaan", URGENT),
        ("de griep is over maar sindsdien ben ik minder fit en erg benauwd, ik krijg geen lucht", EMERGENCY),
    ],
)
def test_judging_set_m_misses_are_caught_and_its_worries_stay_worries(message: str, level: str | None) -> None:
    assert detect(message) == level


@pytest.mark.parametrize(
    "message,level",
    [  # a review of the set l changes: "is dat normaal?" asks, it says nothing is over
        ("ik heb een dikke rode kuit en ben benauwd is dat nu normaal", EMERGENCY),
        ("de wond bloedt weer is dat normaal", URGENT),
        ("mijn vader praatte raar en zijn mond hing scheef, nu is het weer normaal", EMERGENCY),
        # "lastig" is also "difficult"
        ("mijn moeder valt vaak en kan lastig opstaan", None),  # no rule, but the fall's safety check
        # "hij voelt warm aan" may be the new hip; "denkt dat hij nog moet" a surgeon's plan; all the
        # pills the doctor prescribed are no overdose
        ("mijn kunstheup is 2 weken oud, hij voelt warm aan, is dat normaal", None),
        ("de chirurg denkt dat hij nog een keer moet opereren aan mijn heup", None),
        ("heb ik alle pillen genomen die de dokter voorschreef na de operatie", None),
        ("ik ben vorige maand opgenomen geweest met koorts en verwardheid, mag ik nu weer fietsen?", None),
    ],
)
def test_what_asks_or_means_something_else_raises_no_alarm_and_hides_none(message: str, level: str | None) -> None:
    assert detect(message) == level


@pytest.mark.parametrize(
    "message,level",
    [  # set t: less feeling around the seat and urinating that fails; a click after which the knee
        # turns inward, followed by a hope ("misschien schiet het vanzelf weer goed"); what got
        # better comes before "maar" and says nothing about the calf after it; strange speech with
        # a dragging leg; a question whether a new hip "kan dan uit de kom"
        ("sinds gisteren is het gevoel rond mijn zitvlak minder en lukt het urineren niet goed", URGENT),
        ("ik heb minder gevoel in mijn schaamstreek en ik kan niet meer urineren", URGENT),
        (
            "er klikte iets in mijn kunstheup en nu wijst mijn knie naar binnen, misschien komt het vanzelf weer goed",
            URGENT,
        ),
        ("de wond wordt beter, maar nu is mijn kuit dik, rood en warm en doet pijn", URGENT),
        ("de wond wordt beter en mijn kuit is niet meer dik", None),
        ("mijn man praat ineens raar en zijn rechterbeen sleept", EMERGENCY),
        ("wat als ik val, kan die nieuwe heup dan uit de kom schieten?", None),
        ("kan zo'n kunstheup uit de kom schieten bij het bukken", None),
        ("mijn heup is uit de kom, ik kan niet lopen", URGENT),
        # a review: whether it is out now is no question about what could happen
        ("sinds de val doet mijn heup pijn, zou die echt uit de kom zijn?", URGENT),
        ("mijn kunstheup deed krak, kan die nou echt uit de kom zijn?", URGENT),
        ("ik ben met mijn nieuwe heup gevallen, zou die nog uit de kom zitten?", URGENT),
        ("ik ben gevallen, mijn heup kan zo uit de kom zijn", URGENT),
        ("mijn man gaat vaak plassen maar niet veel", None),
    ],
)
def test_judging_set_t_misses_are_caught_and_its_worries_stay_worries(message: str, level: str | None) -> None:
    assert detect(message) == level


@pytest.mark.parametrize(
    "message,level",
    [  # set u: a check-up "over vier weken" is no "it is over"; the seat that feels less "alsof er
        # een verdoving op zit" and urinating that goes with difficulty; "niks gezwollen" is a no;
        # a figure of speech ("voor verrassingen komen te staan"); not daring to walk for fear of a
        # fall, and a fall long ago after which someone is careful ("sindsdien ben ik voorzichtig")
        ("de wond lekt en is rood en warm, ik heb koorts. mijn controle is pas over twee weken", URGENT),
        ("ik voel mijn billen minder goed, alsof er een verdoving op zit, en plassen gaat moeizaam", URGENT),
        ("ik voel mijn zitvlak sinds vanmorgen slechter en het plassen lukt niet", URGENT),
        ("mijn heup doet pijn na het wandelen, maar geen koorts en niks gezwollen", None),
        ("ik wil niet voor verrassingen komen te staan, hoeveel behandelingen krijg ik?", None),
        ("mijn vader durft niet meer te lopen, want wat als hij valt?", None),
        ("ik ben gevallen en durf niet meer te lopen", URGENT),  # after a fall it is a sign
        ("twee jaar geleden gevallen, sindsdien ben ik voorzichtig met fietsen, mag dat wel?", None),
        ("mijn operatie is over drie weken, wat kan ik nu al doen?", None),
        # a review: what the new phrases must not calm
        ("ik ben gevallen en durf niet meer te lopen want ik ben bang dat ik weer val", URGENT),
        ("vorige week gevallen sindsdien ben ik bang en kan ik niet lopen", URGENT),
        ("ik hoorde een klik in mijn heup en zo heftig is de pijn dat ik niet kan slapen", URGENT),
        ("ik heb koorts en mijn heup is niks minder gezwollen", URGENT),
        ("ik voel rond mijn anus en billen bijna niets meer en het plassen gaat moeizaam", URGENT),
    ],
)
def test_judging_set_u_misses_are_caught_and_its_look_alikes_stay_calm(message: str, level: str | None) -> None:
    assert detect(message) == level
    if level is None:
        assert not assess(message).warning


@pytest.mark.parametrize(
    "message,level",
    [  # a second review: urinating with difficulty is a warning sign; new, sudden or after surgery urgent
        ("urineren gaat moeilijk na de operatie", URGENT),
        ("het plassen lukt heel moeizaam sinds vanochtend", URGENT),
        ("ik heb rugpijn en het plassen gaat moeilijk", None),
        ("het plassen gaat wat moeilijker de laatste maanden, heeft dat met mijn heup te maken?", None),
        ("ik ben gevallen en durf niet te lopen omdat ik misschien iets gebroken heb", URGENT),
        ("ik ben gevallen en durf niet meer te lopen want wat als mijn heup gebroken is", URGENT),
    ],
)
def test_urinating_with_difficulty_gets_at_least_the_check(message: str, level: str | None) -> None:
    assert detect(message) == level
    assert level is not None or assess(message).warning


def test_a_fall_on_the_hip_is_a_fall_and_bothering_someone_is_not() -> None:
    assert "fall" in assess("ik viel op mijn heup en kan lastig staan").current
    assert assess("na de val kan ik lastig op mijn been staan").warning
    assert "fall" not in assess("ik wil u niet lastig vallen, maar hoe lang duurt de therapie").current
    assert "fall" not in assess("het valt me op dat mijn heup 's ochtends stijf is").current


@pytest.mark.parametrize(
    "message,level",
    [  # a review of the set j and k changes: what a worry or "it is over" must not hide
        ("ik ben gevallen en kom niet meer overeind, het zakt direct weer door", URGENT),
        ("ik heb koorts en mijn heup is rood en heet, dat trekt vanzelf weer bij toch?", URGENT),
        ("ik was bang dat het erger werd en dan ben ik gevallen en kom niet meer overeind", URGENT),
        ("kan mijn kunstheup uit de kom zijn? ik voelde net een plop bij het opstaan", URGENT),
        ("no feeling in my leg and it is ice cold and white", EMERGENCY),
        ("mijn rechterbeen is ijskoud en wit", EMERGENCY),
        ("koorts, heup rood en heet, het is tot nu toe goed gegaan maar nu niet", URGENT),
    ],
)
def test_a_worry_or_something_over_hides_no_current_alarm(message: str, level: str) -> None:
    assert detect(message) == level


def test_too_much_pain_is_not_too_many_pills() -> None:
    # DIET may still take it for a red flag (severe pain is a warning sign): the detector raises none
    assert detect("ik heb een paracetamol genomen, veel te veel pijn om te slapen") is None
    assert detect("ik heb al mijn paracetamol genomen, veel te veel!") == URGENT


def test_a_new_fact_after_the_past_or_a_question_still_counts() -> None:
    assert detect("vorige week gevallen en sindsdien kan ik niet meer lopen") == URGENT
    assert detect("wanneer mag ik weer fietsen met mijn kunstheup, ik heb trouwens koorts") == URGENT


@pytest.mark.parametrize("message,level", EXPECTED)
def test_red_flag_is_answered_first_by_the_assistant(stack: Stack, message: str, level: str) -> None:
    sender = new_sender()
    stack.say(sender, "wat kan ik zelf doen aan mijn heupartrose?")  # mid-conversation
    reply = texts(stack.say(sender, message))
    if level == EMERGENCY:
        assert reply.startswith("Dit klinkt als een noodgeval. Bel nu 112.")
    else:
        assert reply.startswith("Dit moet een arts snel bekijken. Bel nu je huisarts.")


@pytest.mark.parametrize("message", CALM)
def test_look_alikes_do_not_get_an_alarm(stack: Stack, message: str) -> None:
    reply = texts(stack.say(new_sender(), message))
    assert "Bel nu" not in reply


def classify(
    text: str, intent: str, confidence: float, second: str = "out_of_scope", second_confidence: float = 0.9
) -> dict:
    from rasa.shared.nlu.training_data.message import Message

    from heupwijzer.nlu.red_flag_classifier import RedFlagClassifier

    ranking = [{"name": intent, "confidence": confidence}, {"name": second, "confidence": second_confidence}]
    message = Message(data={"text": text, "intent": ranking[0], "intent_ranking": ranking})
    RedFlagClassifier(SETTINGS).process([message])
    return message.as_dict_nlu()


# Fixed numbers for these tests (config.yml holds the ones `make evaluate` supports).
SETTINGS = {"safety_margin": 0.35, "crisis_confidence": 0.5}


def safety_check(result: dict) -> bool:
    return any(entity["entity"] == "safety_check" for entity in result.get("entities") or [])


def test_component_overrides_diet_with_a_single_certain_intent() -> None:
    result = classify("ik ben gevallen en kan niet meer staan", "ask_symptoms", 0.95)
    assert result["intent"] == {"name": URGENT, "confidence": 1.0}
    assert result["intent_ranking"] == [result["intent"]]


def test_component_drops_a_diet_red_flag_about_something_that_is_over() -> None:
    result = classify("koorts gehad vorige maand, nu beter", URGENT, 0.97, second="ask_pain")
    assert result["intent"]["name"] == "ask_pain"


@pytest.mark.parametrize(
    "message",
    [
        "mijn heup voelt soms alsof hij uit de kom schiet, maar dat doet hij niet. komt dat door de artrose?",
        "ik loop soms mank maar ben nooit echt gevallen, kan de fysio helpen met mijn balans?",
    ],
)
def test_component_drops_a_diet_red_flag_on_a_sign_the_message_rules_out(message: str) -> None:
    result = classify(message, URGENT, 0.9, second="ask_symptoms", second_confidence=0.05)
    assert result["intent"]["name"] == "ask_symptoms"


def test_a_diet_red_flag_stands_without_any_word_the_detector_knows() -> None:
    """Either opinion is enough: the detector never vetoes DIET for lack of a sign it knows."""
    result = classify(
        "er is iets heel erg mis met mij, ik voel me raar", URGENT, 0.8, second="ask_pain", second_confidence=0.1
    )
    assert result["intent"] == {"name": URGENT, "confidence": 1.0}


def test_an_unsure_diet_red_flag_still_says_call_now() -> None:
    """DIET's best guess is a red flag: the alarm at any confidence (issue 19), never a topic answer."""
    result = classify(
        "er is iets heel erg mis met mij, ik voel me raar", URGENT, 0.3, second="ask_pain", second_confidence=0.29
    )
    assert result["intent"] == {"name": URGENT, "confidence": 1.0}


def test_diet_emergency_without_any_named_sign_calls_the_huisarts_not_112() -> None:
    result = classify("mijn buurvrouw zegt dat ik moet opletten", "red_flag_emergency", 0.6, second="ask_symptoms")
    assert result["intent"] == {"name": URGENT, "confidence": 1.0}


def test_diet_crisis_without_the_detector_stands_from_its_confidence_on() -> None:
    result = classify("het heeft allemaal geen enkele zin", "crisis", 0.6, second="ask_pain", second_confidence=0.3)
    assert result["intent"] == {"name": "crisis", "confidence": 1.0}


def test_diet_guessing_crisis_on_what_it_does_not_know_gives_its_next_guess() -> None:
    result = classify(
        "wanneer moet ik mijn rozen snoeien?", "crisis", 0.3, second="out_of_scope", second_confidence=0.28
    )
    assert result["intent"] == {"name": "out_of_scope", "confidence": 0.28}


def test_the_detector_finds_a_crisis_whatever_diet_says() -> None:
    result = classify("ik zie het niet meer zitten met mijn heup", "ask_sitting_less", 0.99)
    assert result["intent"] == {"name": "crisis", "confidence": 1.0}


def test_a_red_flag_close_behind_the_top_intent_gets_the_safety_check() -> None:
    close = classify("mijn heup voelt vreemd vandaag", "ask_symptoms", 0.5, second=URGENT, second_confidence=0.3)
    assert close["intent"]["name"] == "ask_symptoms" and safety_check(close)
    far = classify("mijn heup voelt vreemd vandaag", "ask_symptoms", 0.95, second=URGENT, second_confidence=0.01)
    assert not safety_check(far)


def test_a_warning_sign_without_a_rule_gets_the_safety_check() -> None:
    result = classify(
        "ik ben gevallen, welke oefeningen kan ik doen?", "ask_home_exercise", 0.9, second_confidence=0.01
    )
    assert result["intent"]["name"] == "ask_home_exercise" and safety_check(result)


def test_a_longer_complaint_is_never_small_talk() -> None:
    result = classify(
        "oke maar ik ben net gevallen met mijn heup", "goodbye", 0.8, second="ask_pain", second_confidence=0.1
    )
    assert result["intent"]["name"] == "ask_pain"
    assert classify("oke doei", "goodbye", 0.8)["intent"]["name"] == "goodbye"


def test_component_leaves_button_payloads_alone() -> None:
    result = classify("/ask_pain", "ask_pain", 1.0)
    assert result["intent"]["name"] == "ask_pain"


def test_diets_red_flag_on_a_cold_blue_foot_is_not_dropped_as_a_complaint_elsewhere() -> None:
    """A foot is named, but a cold, pale or blue foot is the leg's blood supply: DIET's alarm stands
    where the detector has no complete rule; an ordinary sore foot is declined as elsewhere."""
    cold = "Misschien is het niks, maar mijn rechtervoet ziet er al een tijdje wat blauwig uit en voelt koud, doet pijn"
    assert detect(cold) is None
    assert classify(cold, EMERGENCY, 0.4)["intent"]["name"] == EMERGENCY
    assert classify("mijn voet doet zo'n pijn", URGENT, 0.4)["intent"]["name"] != URGENT


def test_diets_red_flag_on_an_arm_with_sweating_is_not_dropped_as_a_complaint_elsewhere() -> None:
    """Pain in the (left) arm with sweating may be the heart: DIET's 112 stands."""
    for text in ("pijn in mijn linkerarm en ik ben misselijk en zweterig", "mijn arm doet zo'n pijn en ik zweet"):
        assert classify(text, EMERGENCY, 0.4)["intent"]["name"] == EMERGENCY, text


def test_diets_red_flag_on_red_eyes_or_an_itchy_spot_on_the_arm_is_a_complaint_elsewhere() -> None:
    """Judging set l: red, burning eyes and an itchy red spot on the arm got DIET's 112 or "call the
    huisarts now"; red is a complaint word of another body part, and they are declined with the referral.
    Red and swelling eyes after a new painkiller stay an emergency (the detector's rule)."""
    for text in ("mijn ogen zijn rood en branderig als ik opsta", "ik heb een rode plek op mijn onderarm die jeukt"):
        assert classify(text, EMERGENCY, 0.6)["intent"]["name"] not in (EMERGENCY, URGENT), text
    assert detect("na die nieuwe pijnstiller zijn mijn ogen rood en zwellen ze dicht") == EMERGENCY
    # a burning arm may be the heart, an eye that sees double a stroke, a red calf a thrombosis:
    # DIET's alarm stands (a review of the change)
    for text in (
        "branderig gevoel in mijn arm en kaak als ik de trap op loop",
        "ik zie dubbel en mijn oog is rood",
        "met mijn hand voel ik dat mijn kuit rood is",
    ):
        assert classify(text, EMERGENCY, 0.6)["intent"]["name"] in (EMERGENCY, URGENT), text


def test_no_concept_in_the_vocabulary_says_the_same_thing_twice() -> None:
    """YAML keeps the last of two equal keys silently: a second `pseudo:` under a concept would throw
    the first list away (it happened while adding "iemand lastig vallen")."""
    from heupwijzer.nlu.lexicon import LEXICON

    class Strict(yaml.SafeLoader):
        pass

    def mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict:
        keys = [loader.construct_object(key) for key, _ in node.value]
        assert len(keys) == len(set(keys)), f"line {node.start_mark.line + 1}: a key twice in {keys}"
        return dict(loader.construct_pairs(node))

    Strict.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    assert yaml.load(LEXICON.read_text(encoding="utf-8"), Loader=Strict)["concepts"]


def test_eight_tablets_are_an_overdose_at_1000_mg_not_at_500() -> None:
    """Eight times 1000 mg paracetamol is twice the day's maximum (set i); eight times 500 mg is the
    maximum itself: the detector does not call that an overdose (DIET may still advise calling)."""
    assert detect("ik heb vandaag acht keer een paracetamol van 1000 mg genomen") == URGENT
    assert detect("ik heb vandaag acht keer een paracetamol van 500 mg genomen") is None
