"""Deterministic scope check: complaints about a body part other than the hip.

Heupwijzer only knows about hip osteoarthritis. "mijn elleboog doet pijn" or "ik heb buikpijn"
must be declined kindly, never answered with hip content. DIET alone tends to map any "pijn"
to hip pain, so this check looks for a non-hip body part together with a complaint word
(or a compound such as "kniepijn", "rugklachten", "handartrose"), and stays silent when the
hip (heup, lies, kunstheup, ...) is mentioned too: then the question is still about the hip.
"""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, Iterable, Sequence, Tuple

from heupwijzer.nlu.text import fold, normalise, within_one_edit

# word form -> canonical body part (the name used in the answer)
BODY_PARTS: Dict[str, str] = {}
for _canonical, _forms in {
    "knie": ("knie", "knieen", "knien", "knietje", "kniegewricht", "knieschijf", "knee", "knees"),
    "rug": ("rug", "onderrug", "bovenrug", "ruggengraat", "wervel", "wervels", "rugwervel", "back"),
    "nek": ("nek", "neck"),
    "arm": ("arm", "armen", "bovenarm", "onderarm", "tennisarm", "golfarm", "muisarm"),
    "kuit": ("kuit", "kuiten"),
    "schouder": ("schouder", "schouders", "schoudergewricht", "shoulder", "shoulders"),
    "elleboog": ("elleboog", "ellebogen", "elbow", "elbows"),
    "hand": ("hand", "handen", "hands"),
    "vinger": ("vinger", "vingers", "vingergewricht", "vingergewrichten", "knokkel", "knokkels"),
    "duim": ("duim", "duimen"),
    "pols": ("pols", "polsen", "wrist", "wrists"),
    "enkel": ("enkel", "enkels", "ankle", "ankles"),
    "voet": ("voet", "voeten", "hiel", "hielen", "hielspoor", "foot", "feet"),
    "teen": ("teen", "tenen", "grote teen"),
    "kaak": ("kaak", "kaken"),
    "buik": ("buik", "maag", "darmen"),
    "hoofd": ("hoofd",),
    "keel": ("keel",),
    "oor": ("oor", "oren"),
    "oog": ("oog", "ogen", "linkeroog", "rechteroog"),
    "tand": ("tand", "tanden", "kies", "kiezen", "gebit"),
}.items():
    for _form in _forms:
        BODY_PARTS[_form] = _canonical

# Compounds like kniepijn, rugklachten, handartrose, schouderprobleem, hoofdpijn.
COMPOUND_SUFFIXES = (
    "pijn",
    "pijnen",
    "klacht",
    "klachten",
    "artrose",
    "probleem",
    "problemen",
    "blessure",
    "ontsteking",
    "slijtage",
)
# Complaints named by one word: the body part is the complaint ("een tennisarm", "scoliose").
CONDITIONS: Dict[str, str] = {
    "tennisarm": "arm",
    "golfarm": "arm",
    "muisarm": "arm",
    "tenniselleboog": "elleboog",
    "hielspoor": "voet",
    "scoliose": "rug",
    "whiplash": "nek",
    "carpaal": "pols",
    "hallux": "teen",
    "hernia": "rug",
    "staar": "oog",
    "glaucoom": "oog",
    "moedervlek": "huid",
    "eczeem": "huid",
}
# Read for the decline only, never to drop DIET's red flag (red_flag_classifier.py asks cautiously):
# another joint replaced or torn ("een nieuwe knie", "een kunstschouder", "meniscusscheur") and
# complaints that may come with a warning sign elsewhere (tingling feet and no control of the bladder).
DECLINE_ONLY_CONDITIONS: Dict[str, str] = {
    "kunstknie": "knie",
    "knieprothese": "knie",
    "knieoperatie": "knie",
    "meniscus": "knie",
    "meniscusscheur": "knie",
    "kruisband": "knie",
    "kunstschouder": "schouder",
    "schouderprothese": "schouder",
    "schouderoperatie": "schouder",
    "kunstenkel": "enkel",
}
DECLINE_ONLY_COMPLAINTS = frozenset({"tintelen", "tintelend", "jeuk", "jeukt", "jeukende", "opgezwollen", "slechter"})
# The beginnings of compounds: every part's own name, and a few other forms ("maagpijn", "kiespijn").
COMPOUND_STEMS: Dict[str, str] = {
    **{canonical: canonical for canonical in set(BODY_PARTS.values())},
    **{form: BODY_PARTS[form] for form in ("maag", "kies", "hiel")},
}

COMPLAINT_WORDS = frozenset(
    {
        "pijn",
        "pijnlijk",
        "zeer",
        "last",
        "klacht",
        "klachten",
        "artrose",
        "stijf",
        "stijfheid",
        "dik",
        "opgezet",
        "ontstoken",
        "ontsteking",
        "versleten",
        "slijtage",
        "gebroken",
        "verstuikt",
        "verrekt",
        "zwelling",
        "gezwollen",
        "probleem",
        "problemen",
        "kapot",
        "blessure",
        "geblesseerd",
        "knapt",
        "kraakt",
        "slot",
        "jicht",
        "reuma",
        "hernia",
        "operatie",
        "geopereerd",
        "prothese",
        "kunstknie",
        "ontwricht",
        "vast",
        "kramp",
        "artritis",
        "tendinitis",
        "peesontsteking",
        "verzwikt",
        "verzwikte",
        "hurts",
        "pain",
        "swollen",
        "stiff",
        "tintelingen",
        "tintelt",
        "bevroren",
        "frozen",
        "klikt",
        "knakt",
        "ache",
        "aches",
        "sore",
        "killing",
        "dikke",
        "wazig",
        "vlek",
        "vlekken",
        "uitslag",
    }
)
# Red, burning or itching eyes, ears or teeth and itching skin on an arm or a hand are a complaint of
# their own when that is the only body part named. Not for the red-flag net on a joint (a new knee
# warm and red may be an infection), a burning arm (maybe the heart) or an eye that sees double or
# blurred (maybe a stroke).
ITCH = frozenset({"jeuk", "jeukt", "jeukende", "jeuken"})
SURFACE_COMPLAINTS: Dict[str, FrozenSet[str]] = {
    **dict.fromkeys(("oog", "oor", "tand"), ITCH | {"rood", "rode", "branderig", "branderige", "droog", "droge"}),
    **dict.fromkeys(("arm", "hand", "vinger", "duim"), ITCH),
}
SIGHT = frozenset({"dubbel", "wazig", "blind", "zie", "ziet", "zien", "zag"})
SURFACE_WORDS = frozenset().union(*SURFACE_COMPLAINTS.values())

# What the decline reads (the red-flag net reads only CONDITIONS and COMPLAINT_WORDS).
ALL_CONDITIONS: Dict[str, str] = {**CONDITIONS, **DECLINE_ONLY_CONDITIONS}
ALL_COMPLAINTS = COMPLAINT_WORDS | DECLINE_ONLY_COMPLAINTS

# Mentioning any of these keeps the question about the hip.
HIP_WORDS = frozenset(
    {
        "heup",
        "heupen",
        "heupje",
        "heupartrose",
        "heuppijn",
        "heupklachten",
        "heupgewricht",
        "kunstheup",
        "heupprothese",
        "heupoperatie",
        "lies",
        "liezen",
        "coxartrose",
        "coxarthrose",
        "bekken",
        "huep",  # a common typo
    }
)
HIP_PREFIXES = ("heup",)
# The hip's care: a message that names one of these is about heupartrose (answered or clarified,
# never declined as off-topic), unless it is a complaint about another body part.
HIP_CARE_WORDS = frozenset(
    {
        "artrose",
        "fysio",
        "fysiotherapeut",
        "fysiotherapeute",
        "fysiotherapie",
        "fysiopraktijk",
        "oefentherapeut",
        "oefentherapie",
        "oefentherapeute",
        "kine",
        "kinesist",
        "kinesitherapeut",
        "kinesitherapie",
        "physio",
        "physiotherapist",
        "therapeut",
        "therapie",
        "behandeltraject",
        "cesar",
        "mensendieck",
        "prothese",
        "kunstheup",
        "operatie",
        "geopereerd",
        "beweegnorm",
        # the surgeon who places a new hip, and artrose as patients also spell it
        "orthopeed",
        "orthopeden",
        "ortopeed",
        "orthopedisch",
        "orthopedist",
        "arthrose",
        "osteoartrose",
        "osteoarthritis",
    }
)
# Idioms that name a body part but are not about it: "wat is er aan de hand", "achter de rug".
IDIOMS = re.compile(
    r" (aan|in|uit|voor|op) de hand | achter de rug | over het hoofd | uit het hoofd | in de gaten | van top tot teen "
)


def words(text: str, lemmas: Iterable[str]) -> Tuple[str, ...]:
    text_words = IDIOMS.sub(" ", normalise(text)).split()
    lemma_words = IDIOMS.sub(" ", normalise(" ".join(lemmas))).split()
    return tuple(text_words) + tuple(lemma_words)


def is_hip_word(word: str) -> bool:
    return word in HIP_WORDS or word.startswith(HIP_PREFIXES)


def mentions_hip(words: Sequence[str]) -> bool:
    return any(is_hip_word(word) for word in words)


# The hip named only to say it is fine: "geen last van mijn heup, alleen de knie", "mijn heup is in orde".
# Not when the hip is still a complaint: "geen pijn in mijn heup maar wel stijf", "... als ik zit",
# "mijn heup is goed versleten", pain that "straalt uit" from the hip.
_OWNER = r"(mijn|m n|me|zijn|haar|de|je|uw)"
_STILL = r"(?! (maar|als|bij|wanneer|tijdens|behalve|wel|meer|stijf))"
HIP_DENIED = re.compile(
    rf" geen (last|pijn|klachten|probleem|problemen) (van|aan|in|met) {_OWNER} heup{_STILL}"
    rf"| {_OWNER} heup (is|zijn) (in orde|prima|ok|oke|okay|het probleem niet|niet het probleem){_STILL}"
    rf"| niet (aan|in|van|met) {_OWNER} heup{_STILL}"
    rf"| (met|aan) {_OWNER} heup (is|zijn) (gelukkig |verder |eigenlijk )?(niks|niets) (aan de hand|mis)"
    r"(?! (maar )?(wel|nog))"
)


def only_denies_the_hip(text: str) -> bool:
    """Every mention of the hip says it is fine (and nothing else about the hip is named)."""
    normal = normalise(text)
    if " uitstra" in normal or " straalt " in normal or " stralen " in normal:  # pain radiating from the hip
        return False
    denied = len(HIP_DENIED.findall(normal))
    mentions = sum(1 for word in normal.split() if is_hip_word(word))
    return denied > 0 and mentions <= denied


def names_hip_care(words: Sequence[str]) -> bool:
    """The hip, heupartrose, the therapist, a new hip or the operation is named."""
    return mentions_hip(words) or any(word in HIP_CARE_WORDS for word in words)


def _compound_part(word: str) -> str | None:
    for stem, canonical in COMPOUND_STEMS.items():
        if word.startswith(stem) and word[len(stem) :] in COMPOUND_SUFFIXES:
            return canonical
    return None


# An animal's hip is not for Heupwijzer: "mijn hond heeft heupdysplasie", "de dierenarts zegt ...".
# Read on the text with its punctuation: "ik wandel met mijn hond, heeft dat zin?" is about the walker.
ANIMAL = re.compile(
    r"\bdierenarts|\b(mijn|onze|ons|de|haar|zijn) (hond|hondje|kat|katje|poes|poesje|kater|paard|pony|konijn|"
    r"cavia|huisdier|labrador|herder|herdershond|retriever|teckel|rottweiler|reu|teef) "
    r"(heeft|kreeg|krijgt|mankt|loopt mank)\b"
)


def about_an_animal(text: str) -> bool:
    return bool(ANIMAL.search(fold(text)))


# Pelvic pain in pregnancy is not heupartrose: "mijn dochter is zwanger en heeft last van haar bekken".
PREGNANCY = re.compile(r"\b(zwanger|zwangere|zwangerschap|zwangerschapsbekken|bekkeninstabiliteit|pregnant)\b")


def about_a_pregnancy(text: str) -> bool:
    """Pregnancy named, and neither heupartrose nor the hip (the pelvis may be): then it is not
    Heupwijzer's subject. "mijn dochter is zwanger, mag ik met mijn kunstheup haar kindje tillen?" is."""
    folded = fold(text)
    hip = any(is_hip_word(word) and word != "bekken" for word in normalise(text).split())
    return bool(PREGNANCY.search(folded)) and "artrose" not in folded and not hip


def _body_part(word: str, sides: bool = True) -> str | None:
    if word in BODY_PARTS:
        return BODY_PARTS[word]
    side = word.removeprefix("linker").removeprefix("rechter")  # "rechterknie", "linkerschouder"
    if sides and side != word and side in BODY_PARTS:
        return BODY_PARTS[side]
    if len(word) >= 7:  # one typo in long words only ("eleboog", "schoudr"; not "moeten" ~ "voeten")
        for form, canonical in BODY_PARTS.items():
            if len(form) >= 8 and within_one_edit(word, form):
                return canonical
    return None


# "door mijn enkel gegaan", "door zijn rug gegaan": a sprain or a back gone in everyday words
GONE_THROUGH = re.compile(r" door (mijn|m n|me|zijn|haar|je|uw|de) (enkel|enkels|knie|rug) (gegaan|gezakt) ")


def other_body_part(text: str, lemmas: Iterable[str] = (), cautious: bool = False) -> str | None:
    """The non-hip body part a complaint is about, or None (no such complaint, or the hip is named).
    `cautious` (the red-flag net, which drops DIET's alarm on a complaint elsewhere) reads only the
    plainest cases: the decline-only words do not count."""
    found = words(text, lemmas)
    if mentions_hip(found) and not only_denies_the_hip(text):
        return None
    # Body parts are read from the words as written, not from their lemmas: spaCy's lemma of
    # "enkele" (enkele maanden) is "enkel", which is no ankle here.
    written = words(text, ())
    conditions = CONDITIONS if cautious else ALL_CONDITIONS
    for word in written:
        compound = conditions.get(word) or _compound_part(word)
        if compound:
            return compound
    gone = GONE_THROUGH.search(f" {' '.join(written)} ")
    if gone:
        return BODY_PARTS[gone.group(2)]
    if not cautious:
        for word, following in zip(written, written[1:], strict=False):
            if word == "nieuwe" and following in BODY_PARTS:  # "een nieuwe knie gekregen": replaced
                return BODY_PARTS[following]
    complaints = COMPLAINT_WORDS if cautious else ALL_COMPLAINTS
    if not any(word in complaints or word in SURFACE_WORDS for word in found):
        return None  # no complaint word: the body parts need not be looked up (typo checks)
    # The red-flag net does not read a side: pain in the left arm may be the heart.
    parts = [p for p in (_body_part(word, sides=not cautious) for word in written) if p]
    if len(set(parts)) == 1 and not SIGHT.intersection(found):
        complaints = complaints | SURFACE_COMPLAINTS.get(parts[0], frozenset())
    return parts[0] if parts and any(word in complaints for word in found) else None
