"""The practice's insights for a period, from the aggregate tables only (heupwijzer/insights/tables.py), with
every number passed through heupwijzer/insights/privacy.py. Each section has a chart (raw numbers, hidden ones
as 0) and a table of the strings shown, which is also its CSV."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Dict, List, Sequence, Tuple

import sqlalchemy as sa

from heupwijzer.content import read_file
from heupwijzer.insights import privacy
from heupwijzer.insights.facts import BEWEEGCHECK, FALLBACKS, PRACTICE_TIME, RED_FLAGS
from heupwijzer.insights.tables import counts, unanswered
from heupwijzer.stop_words import dutch_stop_words

PERIODS = (7, 30, 90)
CHANNELS = {
    "socketio": "Website",
    "telegram": "Telegram",
    "twilio": "WhatsApp",
    "whatsapp": "WhatsApp",
    "rest": "Overig (REST)",
}
SHOWN_GROUPS = 30


@dataclass
class Section:
    key: str  # also the CSV's name
    title: str
    header: List[str]
    rows: List[List[str]]
    chart: Dict[str, Any] = field(default_factory=dict)  # kind, labels, series {name: values}
    note: str = ""


@dataclass
class Report:
    days: int
    first: dt.date
    last: dt.date
    sections: List[Section]
    summary: List[Tuple[str, str]]


@lru_cache(maxsize=1)
def topic_labels() -> Dict[str, str]:
    topics = read_file("topics.yml")["topics"]
    return {key: str(value.get("label") or key) for key, value in topics.items()}


def today() -> dt.date:
    return dt.datetime.now(PRACTICE_TIME).date()


def last_full_day() -> dt.date:
    """Periods end with yesterday: a count that changes during the day would tell when someone
    asked something."""
    return today() - dt.timedelta(days=1)


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_label(start: dt.date) -> str:
    return f"wk {start.isocalendar()[1]} ({start.day}-{start.month})"


def read(engine: Any, first: dt.date, last: dt.date, texts_from: dt.date) -> Tuple[List[Any], List[str]]:
    """Count rows from `first`, unanswered texts from `texts_from`, both up to `last`."""
    if not sa.inspect(engine).has_table(counts.name):
        return [], []
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(counts.c.day, counts.c.channel, counts.c.metric, counts.c.key, counts.c.count).where(
                counts.c.day >= first, counts.c.day <= last
            )
        ).fetchall()
        texts = connection.execute(
            sa.select(unanswered.c.text).where(unanswered.c.day >= texts_from, unanswered.c.day <= last)
        ).fetchall()
    return [tuple(row) for row in rows], [row[0] for row in texts]


def as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def build(engine: Any, days: int, last: dt.date | None = None) -> Report:
    last = last or last_full_day()
    first = last - dt.timedelta(days=days - 1)
    previous_first = first - dt.timedelta(days=days)
    rows, texts = read(engine, previous_first, last, texts_from=first)  # counts of the period before: trends
    now: List[Tuple[dt.date, str, str, str, int]] = []
    before: Counter[Tuple[str, str]] = Counter()
    for day, channel, metric, key, n in rows:
        day = as_date(day)
        if day >= first:
            now.append((day, CHANNELS.get(channel, channel), metric, key, int(n)))
        else:
            before[(metric, key)] += int(n)
    weeks = sorted({monday(first + dt.timedelta(days=i)) for i in range(days)})
    total: Counter[Tuple[str, str]] = Counter()
    for _, _, metric, key, n in now:
        total[(metric, key)] += n
    sections = [
        usage(now, weeks),
        topics(total, before),
        fallbacks(total),
        backlog(texts),
        feedback(total),
        red_flags(now, weeks),
        beweegcheck(total),
    ]
    cells: Dict[str, Counter[Tuple[dt.date, str]]] = {"gesprek": Counter(), "bericht": Counter()}
    for day, channel, metric, _, n in now:
        if metric in cells:
            cells[metric][(monday(day), channel)] += n
    # The totals follow the rule of the week-and-channel table they would otherwise give away.
    summary = [
        ("Gesprekken", privacy.total({str(k): n for k, n in cells["gesprek"].items()})),
        ("Berichten van patiënten", privacy.total({str(k): n for k, n in cells["bericht"].items()})),
    ]
    return Report(days, first, last, sections, summary)


def usage(now: Sequence[Tuple[dt.date, str, str, str, int]], weeks: List[dt.date]) -> Section:
    channels = sorted({channel for _, channel, metric, _, _ in now if metric in ("gesprek", "bericht")})
    per: Dict[Tuple[dt.date, str, str], int] = defaultdict(int)
    for day, channel, metric, _, n in now:
        per[(monday(day), channel, metric)] += n
    rows: List[List[str]] = []
    series: Dict[str, List[int]] = {f"Gesprekken · {c}": [] for c in channels}
    for week in weeks:
        conv = {c: per[(week, c, "gesprek")] for c in channels}
        msg = {c: per[(week, c, "bericht")] for c in channels}
        rows.append([week_label(week), *privacy.row_with_total(conv), *privacy.row_with_total(msg)])
        for c in channels:
            series[f"Gesprekken · {c}"].append(privacy.plotted(conv[c]))
    header = [
        "Week",
        *[f"Gesprekken {c}" for c in channels],
        "Gesprekken totaal",
        *[f"Berichten {c}" for c in channels],
        "Berichten totaal",
    ]
    chart = {"kind": "stacked", "labels": [week_label(w) for w in weeks], "series": series}
    return Section("gebruik", "Gesprekken en berichten per week, per kanaal", header, rows, chart)


def topics(total: Counter[Tuple[str, str]], before: Counter[Tuple[str, str]]) -> Section:
    asked = sorted(((key, n) for (metric, key), n in total.items() if metric == "onderwerp"), key=lambda kv: -kv[1])
    labels = topic_labels()
    rows = [[labels.get(key, key), privacy.count(n), privacy.trend(n, before[("onderwerp", key)])] for key, n in asked]
    chart = {
        "kind": "barh",
        "labels": [labels.get(k, k) for k, _ in asked][:15],
        "series": {"Gevraagd": [privacy.plotted(n) for _, n in asked][:15]},
    }
    return Section(
        "onderwerpen",
        "Onderwerpen, meest gevraagd eerst",
        ["Onderwerp", "Gesprekken waarin gevraagd", "Trend t.o.v. de periode ervoor"],
        rows,
        chart,
    )


def fallbacks(total: Counter[Tuple[str, str]]) -> Section:
    messages = total[("bericht", "")]
    kinds = {
        "bedoel_je": "“Bedoel je …?”",
        "tweede_keer_niet": "Tweede keer niet begrepen",
        "geen_antwoord": "Geen antwoord gevonden",
    }
    assert set(kinds) == set(FALLBACKS.values())
    parts = {kind: total[("fallback", kind)] for kind in kinds}
    rows = [
        [label, privacy.count(total[("fallback", kind)]), privacy.share(total[("fallback", kind)], messages)]
        for kind, label in kinds.items()
    ]
    together = privacy.total(parts)
    rows.append(["Samen", together, privacy.share(sum(parts.values()), messages) if together.isdigit() else "–"])
    chart = {
        "kind": "barh",
        "labels": list(kinds.values()),
        "series": {"Berichten": [privacy.plotted(total[("fallback", k)]) for k in kinds]},
    }
    header = ["Wat Heupwijzer deed", "Berichten", "Deel van alle berichten"]
    return Section("niet_begrepen", "Niet (zeker) begrepen", header, rows, chart)


STOP_WORDS = dutch_stop_words() | {"hoi", "hallo", "graag", "dank", "bedankt"}
WORD = re.compile(r"[a-zà-ÿ]+")


def normalised(text: str) -> frozenset[str]:
    """The content words of a question, roughly stemmed: 'Kan ik zwemmen?' and 'zwemmen, kan dat' meet."""
    words = [w for w in WORD.findall(text.lower()) if w not in STOP_WORDS]
    return frozenset(
        w[:-2] if len(w) > 5 and w.endswith(("en", "er")) else w.rstrip("s") if len(w) > 4 else w for w in words
    )


def grouped(texts: Sequence[str]) -> List[Tuple[str, int, List[str]]]:
    """Similar questions together, the most frequent first: (example, count, other forms)."""
    exact: Dict[frozenset[str], Counter[str]] = defaultdict(Counter)
    for text in texts:
        exact[normalised(text)][text] += 1
    groups = sorted(exact.items(), key=lambda kv: -sum(kv[1].values()))
    merged: List[Tuple[frozenset[str], Counter[str]]] = []
    for key, forms in groups:
        for other_key, other_forms in merged[:300]:
            if key and other_key and len(key & other_key) / len(key | other_key) >= 0.6:
                other_forms.update(forms)
                break
        else:
            merged.append((key, Counter(forms)))
    result = [
        (forms.most_common(1)[0][0], sum(forms.values()), [f for f, _ in forms.most_common(4)[1:]])
        for _, forms in merged
    ]
    return sorted(result, key=lambda item: -item[1])


def backlog(texts: Sequence[str]) -> Section:
    groups = grouped(texts)
    rows = [[example, privacy.count(n), " · ".join(others)] for example, n, others in groups[:SHOWN_GROUPS]]
    note = (f"De {SHOWN_GROUPS} meest gestelde van {len(groups)} groepen. " if len(groups) > SHOWN_GROUPS else "") + (
        "Teksten zonder persoonsgegevens (namen, nummers en adressen zijn vervangen), zonder wie of wanneer. "
        "Ze worden net zo lang bewaard als de gesprekken."
    )
    return Section(
        "onbeantwoord",
        "Vragen zonder antwoord (de lijst voor nieuwe inhoud)",
        ["Vraag (voorbeeld)", "Keer", "Ook gesteld als"],
        rows,
        {},
        note,
    )


def feedback(total: Counter[Tuple[str, str]]) -> Section:
    labels = topic_labels()
    per: Dict[str, Counter[str]] = defaultdict(Counter)
    for (metric, key), n in total.items():
        if metric == "feedback":
            topic, _, rating = key.partition("|")
            per[topic][rating] += n
    ordered = sorted(per.items(), key=lambda kv: -sum(kv[1].values()))
    rows = [
        [
            labels.get(t, t),
            privacy.count(c["duim_omhoog"]),
            privacy.count(c["duim_omlaag"]),
            privacy.share(c["duim_omhoog"], c["duim_omhoog"] + c["duim_omlaag"]),
        ]
        for t, c in ordered
    ]
    chart = {
        "kind": "barh_pair",
        "labels": [labels.get(t, t) for t, _ in ordered][:12],
        "series": {
            "Duim omhoog": [privacy.plotted(c["duim_omhoog"]) for _, c in ordered][:12],
            "Duim omlaag": [privacy.plotted(c["duim_omlaag"]) for _, c in ordered][:12],
        },
    }
    return Section(
        "feedback",
        "Had de patiënt iets aan het antwoord? (duim omhoog of omlaag, per onderwerp)",
        ["Onderwerp", "Duim omhoog", "Duim omlaag", "Deel omhoog"],
        rows,
        chart,
    )


def red_flags(now: Sequence[Tuple[dt.date, str, str, str, int]], weeks: List[dt.date]) -> Section:
    kinds = {
        "spoed_112": "Spoed: bel 112",
        "vandaag_huisarts": "Vandaag naar de huisarts",
        "crisis_113": "Doorverwezen naar 113",
    }
    assert set(kinds) == set(RED_FLAGS.values())
    per: Counter[Tuple[dt.date, str]] = Counter()
    for day, _, metric, key, n in now:
        if metric == "rode_vlag":
            per[(monday(day), key)] += n
    rows = [[week_label(w), *(privacy.count(per[(w, k)]) for k in kinds)] for w in weeks]
    chart = {
        "kind": "stacked",
        "labels": [week_label(w) for w in weeks],
        "series": {name: [privacy.plotted(per[(w, k)]) for w in weeks] for k, name in kinds.items()},
    }
    return Section("rode_vlaggen", "Advies bij alarmsignalen, per week", ["Week", *kinds.values()], rows, chart)


def beweegcheck(total: Counter[Tuple[str, str]]) -> Section:
    assert set(BEWEEGCHECK.values()) == {"gedaan", "beweegnorm_gehaald"}
    done, met = total[("beweegcheck", "gedaan")], total[("beweegcheck", "beweegnorm_gehaald")]
    rows = [
        ["Beweegcheck gedaan", privacy.count(done)],
        ["Haalt de Beweegnorm", privacy.nested(met, done)],
        ["Deel dat de Beweegnorm haalt", privacy.share(met, done)],
    ]
    chart = {
        "kind": "barh",
        "labels": ["Gedaan", "Haalt de Beweegnorm"],
        "series": {
            "Patiënten": [privacy.plotted(done), privacy.plotted(met) if privacy.nested(met, done) != "–" else 0]
        },
    }
    return Section("beweegcheck", "Beweegcheck", ["", "Aantal"], rows, chart)
