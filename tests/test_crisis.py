"""Thoughts of suicide or self-harm: a warm reply with 113, 112 in danger now and the huisarts; never a
leaflet answer. Calm look-alikes with strong words never get it."""

from __future__ import annotations

import pytest

from heupwijzer.nlu.lexicon import CRISIS
from heupwijzer.nlu.red_flags import detect
from tests.conftest import Stack, new_sender, texts

CRISIS_MESSAGES = [
    "ik zie het niet meer zitten met mijn heup",
    "Geachte, ik wil niet meer verder leven sinds mijn heup zo slecht is",
    "sinds mijn man er niet meer is heb ik alles geregeld en afscheidsbrieven voor de kleinkinderen geschreven",
    "Ik zie het echt allemaal niet meer zitten, elke nacht die pijn",
    "soms denk ik aan zelfmoord door de pijn",
    "ik ben liever dood dan nog jaren zo door te gaan",
    "mijn vader zegt dat hij er niet meer wil zijn, wat moet ik doen",
    "ik heb al een paar weken slaappillen opgespaard",
    "ik wil gewoon niet meer wakker worden",
    "het hoeft voor mij niet meer, die heup maakt alles kapot",
    "Geachte, mijn moeder (81) heeft het over euthanasie sinds ze op de wachtlijst staat",
    "I just want to die, this hip pain is too much",
    "ik denk erover om er een eind aan te maken",
    "amai ik wil mezelf iets aandoen van de pijn",
    "mijn broer heeft een touw klaargelegd in de garage, hij kan niet meer met die heup",
    "wat is een dodelijke dosis oxycodon, ik wil dit niet meer",
    "mijn moeder dreigt van de galerij te springen om haar heup",
    "omdat ik niet meer kan fietsen snijd ik mezelf soms",  # a negation further back is no negation
    # set t: letters written for the children after settling affairs; a sister's farewell message
    "alles is geregeld en ik heb al brieven geschreven voor mijn kleinkinderen, die heup doet er niet meer toe",
    "mijn broer stuurde gisteren een appje dat hij afscheid wil nemen en nu neemt hij niet op",
    # set u: a husband who hurt himself on purpose, "why go on", pills taken on purpose
    "mijn man heeft zichzelf vannacht met opzet verwond, hij kan niet meer met zijn heup",
    "waarom zou ik nog doorgaan? met deze pijn heeft het allemaal geen zin meer",
    "ik heb expres alle paracetamol ingenomen die er nog was",
    # a review of set u's changes: what the new look-alike phrases must not calm
    "ik heb geen zin meer om te leven na de operatie",
    "hij heeft al z'n pillen ingenomen",
    "mijn vader heeft al onze slaappillen ingenomen",
    "het heeft allemaal geen zin meer",
    # a second review
    "ik heb mezelf weer verwond",
    "mijn dochter heeft zichzelf verwond, ze is zo depressief sinds mijn operatie",
    "met deze pijn heeft het geen zin meer",
    "voor mij heeft het geen zin meer",
    "het is allemaal zinloos, ik wil niet meer",
    "ik denk aan zelfmoord voor mijn rug het begeeft",  # a review: "voor" as "before"
    "dit leven is pure zelfmoord",
    "ik heb mijn slaaptabletten opgespaard voor als het niet meer gaat",
    "er ligt een strip tramadol apart, ik wil ze allemaal tegelijk innemen",
    "mijn oom zegt dat hij zich van kant maakt door die heup",
    "ik zie het ni meer zitten met die heup",  # Flemish "ni"
    "gisteren heb ik op de brug erover nagedacht om te springen",
    "ik kras soms met een scheermesje in mijn pols als de pijn te erg is",
    "hoeveel oxycodon is te veel om nog wakker te worden?",
    "ze zijn allemaal beter af zonder mij, met mijn kapotte heup",
    "sorry, i do not want to be here anymore, that hip is too much",  # set f's misses, in new words
    "gisteren heb ik mezelf in mijn arm gesneden, de heuppijn was niet te harden",
    "hoe zorg ik ervoor dat het allemaal ophoudt, ik trek het niet meer",
    "ik heb gene goesting meer om nog wakker te worden met die heup",  # set j's misses, in new words
    "mijn zus vertelde dat ze zichzelf met een mesje snijdt sinds die heupoperatie",
    "was ik er maar niet meer, dan was ik van die heup af",  # set k's miss, in new words
    "ik ben bang dat ik mezelf nog eens iets aandoe met al die pijn",  # a review: afraid of self-harm
    "ik heb mezelf iets aangedaan aan mijn polsen",
    "eerlijk gezegd zie ik geen nut meer in alles, die heup sloopt me",  # set n's misses, in new words
    "mijn moeder heeft haar sieraden al weggegeven en zegt dat het zo wel goed is",
    "sinds mijn man er niet meer is heb ik geen reden meer om te blijven",  # the end of a message ends it
    "ik zie geen zin meer in alles wat ik doe, elke dag pijn",  # a second review
    "ik heb geen zin meer om door te gaan met deze pijn",
    "ik geef al mijn spullen weg",
    "ik heb al mijn spullen weggegeven en mijn huis opgeruimd, ik ben er klaar voor",  # a review
    "mijn moeder geeft al haar sieraden weg en zegt dat ze het niet meer nodig heeft",
    "mijn vader heeft al zijn bezittingen verdeeld onder de kinderen",
    "ik heb geen reden meer om te bestaan met deze heup",
    "mijn man zegt dat hij niet verder wil leven met deze pijn",  # set o's miss (lost), in new words
    "Mijn oude slaappillen liggen nog in de la. Ik denk er soms aan wat ik daarmee zou kunnen doen.",  # set q's
    "ik spaar al weken mijn oxycodon op",  # a review
]
LOOK_ALIKES = [
    "ik heb alles geregeld voor de operatie en een brief voor de kinderen geschreven over hoe ze kunnen helpen",
    "ik ben doodmoe van de pijn, hoort dat erbij?",
    "die pijn maakt me gek, wat kan ik doen",
    "ik ga dood van de zenuwen voor de operatie",
    "ik zie het wel zitten om met oefenen te beginnen",
    "ik zie het niet zitten om elke dag te oefenen",
    "hoelang moet ik blijven oefenen, ik word er moe van",
    "ik kan niet meer normaal leven met deze heup, wanneer is een kunstheup nodig",
    "mijn man is doodop na de fysio",
    "ik denk niet aan zelfmoord hoor, ik wil alleen minder pijn",
    "hoeveel paracetamol mag ik per dag voor mijn heup?",
    "hoeveel paracetamol is te veel per dag?",
    "mijn fysio zegt dat ik beter af ben zonder stok, klopt dat?",
    "ik sprong vroeger van de duikplank, mag dat nog met een kunstheup?",
    "ik heb mezelf per ongeluk gesneden bij het koken, mag ik wel oefenen?",
    "ik wil dat de pijn in mijn heup ophoudt, wat helpt?",
    "I don't want to be here at the hospital again, can I exercise at home?",
    "ik hoop dat het allemaal snel voorbij is, hoe lang duurt het herstel?",  # the review's look-alikes
    "ik hoop dat het allemaal ophoudt met die pijn",
    "ik ben bang dat ik mezelf heb beschadigd met de oefeningen",
    "ik heb geen zin meer om elke nacht wakker te worden van de heuppijn",  # a review's look-alikes
    "was ik er maar niet meer naartoe gegaan, nu doet mijn heup pijn",
    "ik heb bewust geen pijnstillers genomen vandaag",
    "ik ben bang dat ik na de narcose niet meer wakker word",  # afraid of the anaesthetic (a review)
    "ik heb mezelf wat aangedaan aan mijn rug bij het tillen",  # an injury
    "ik zie geen nut meer in de oefeningen, het helpt toch niet",  # set n's misses' look-alikes
    "ik heb veel spullen weggegeven voor de verhuizing, mag ik nog tillen?",
    "ik heb een brief aan mijn kinderen geschreven over de operatie",
    "is er na de operatie nog een reden om te blijven liggen?",
    "ik heb geen zin meer om te blijven sporten met deze heup",  # a review's look-alikes
    "er is geen reden meer om te blijven in het ziekenhuis, mag ik naar huis?",
    "ik heb een brief aan de familie geschreven dat ik na de heupoperatie even geen bezoek wil",
    "ik zie geen nut meer in alles wat de fysio zegt, het helpt niet voor mijn heup",
    "we hebben veel spullen weggegeven omdat we naar een gelijkvloers appartement gaan",
    "ik heb brieven voor de kinderen geschreven over mijn heupoperatie",
    "ik ben mijn spullen weg in het ziekenhuis",
    "Ik had geen zin meer om te blijven en ben naar huis gegaan, de wachtkamer zat vol",  # a second review
    "Na de operatie was er geen reden meer om te blijven, dus ik mocht naar huis",
    "Ik heb mijn spullen over twee tassen verdeeld voor de opname in het ziekenhuis",
    "De spullen van de thuiszorg heb ik weggegeven, ik loop weer zonder rollator",
    "mijn man heeft brieven voor de kinderen geschreven, hij vertelt daarin over zijn jeugd",
    "ik heb geen zin meer om door te gaan met de oefeningen, ze helpen niet",
    "die verbouwing met mijn heup wordt een zelfmoordmissie, haha",
    "zoveel trappen lopen is pure zelfmoord voor mijn knieen, hoe doe ik dat met mijn heup?",  # set t
    "Ondraaglijk is de pijn niet, moet ik dan al pijnstillers nemen?",  # set u: "al" is "already" here
    "mag ik al pijnstillers nemen voor de operatie?",
    "heeft het allemaal geen zin meer om te oefenen als ik toch een nieuwe heup krijg?",
    "waarom zou ik nog doorgaan met de oefeningen als de operatie toch komt?",
    "ik heb mezelf verwend met een massage, mag dat met heupartrose?",
    "ik heb mezelf gisteren verwond met de tuinschaar",  # an accident
    "volgens de fysio heeft het geen zin meer.",
    "ik ben gevallen en heb mezelf verwond aan mijn heup",
    "heb je al je pillen ingenomen?",
    "mijn collega stuurde een berichtje dat ze afscheid neemt van de club, ik kan niet met mijn heup",
    "mijn buurvrouw stuurde een appje dat ze afscheid wil nemen voordat ze verhuist, mag ik helpen tillen?",
    "ik heb alles geregeld en een brief geschreven aan mijn kleinkinderen over onze vakantie",
    "ik heb me suf gepiekerd over de operatie, wat moet ik meenemen?",
    "de volgende keer spring ik gewoon eerder op de fiets in plaats van te lopen",
    "mijn tante zegt altijd liever dood dan dik, moet ik echt afvallen voor mijn heup?",
    "ik heb nog pijnstillers over van na de operatie, wat kan ik daarmee doen?",
    "ik heb nog oxycodon over, ik denk er soms aan wat ik ermee zou kunnen doen, mag ik ze inleveren?",
]


@pytest.mark.parametrize("message", CRISIS_MESSAGES)
def test_the_detector_finds_thoughts_of_suicide_in_direct_and_indirect_words(message: str) -> None:
    assert detect(message) == CRISIS


@pytest.mark.parametrize("message", LOOK_ALIKES)
def test_strong_words_are_no_crisis(message: str) -> None:
    assert detect(message) != CRISIS


@pytest.mark.parametrize("message", CRISIS_MESSAGES[:4] + CRISIS_MESSAGES[8:10])
def test_a_crisis_gets_113_112_and_the_huisarts_and_no_leaflet_answer(stack: Stack, message: str) -> None:
    reply = texts(stack.say(new_sender(), message))
    assert "113" in reply and "0800-0113" in reply and "113.nl" in reply
    assert "112" in reply and "huisarts" in reply
    assert "Probeer dan minder te zitten" not in reply and "Bij heupartrose kun je last hebben" not in reply


@pytest.mark.parametrize("message", LOOK_ALIKES[:4])
def test_a_look_alike_gets_no_113(stack: Stack, message: str) -> None:
    assert "113" not in texts(stack.say(new_sender(), message))


TAKEN = "mijn vader ziet het niet meer zitten en heeft net al zijn pijnstillers ingenomen"


def test_thoughts_of_suicide_with_pills_already_taken_are_also_an_emergency() -> None:
    from heupwijzer.nlu.lexicon import EMERGENCY
    from heupwijzer.nlu.red_flags import assess

    assessment = assess(TAKEN)
    assert assessment.level == CRISIS and assessment.also == EMERGENCY
    assert assess("ik heb al een paar weken slaappillen opgespaard").also is None  # saved up, not taken
    flemish = assess("ik zag het ni meer zitten en heb een hele doos dafalgan opgenomen")  # "opnemen": to take
    assert flemish.level == CRISIS and flemish.also == EMERGENCY
    on_purpose = assess("ik heb expres een hele doos paracetamol ingenomen")
    assert on_purpose.level == CRISIS and on_purpose.also == EMERGENCY
    everything = assess("ik kan niet meer, ik heb bewust alle tabletten uit het medicijnkastje geslikt")
    assert everything.level == CRISIS and everything.also == EMERGENCY
    many = assess("ik zie het niet meer zitten en heb vanavond expres heel veel pillen geslikt")  # set h
    assert many.level == CRISIS and many.also == EMERGENCY


def test_a_crisis_with_pills_taken_first_says_call_112_now_then_113(stack: Stack) -> None:
    reply = texts(stack.say(new_sender(), TAKEN))
    assert reply.startswith("Dit klinkt als een noodgeval. Bel nu 112.")
    assert "0800-0113" in reply and "113.nl" in reply
