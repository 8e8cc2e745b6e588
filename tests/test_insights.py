"""The practice's insights without a running stack: the facts a turn adds, the privacy rules, the
numbers of the report against generated conversations, the login, read-only access, and how the
store keeps, erases and purges (tests/test_insights_page.py drives the real bot and browser)."""

from __future__ import annotations

import base64
import datetime as dt
import threading
import uuid
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import exc as sa_exc

from heupwijzer.insights import page, privacy, report, tables
from heupwijzer.insights.facts import Fact, day_of, turn_facts
from heupwijzer.insights.login import Login, client_of, trusted_proxies
from heupwijzer.insights.source import read_only_engine
from heupwijzer.paths import ROOT
from heupwijzer.settings import Settings
from tests.conftest import run_async
from tools.insights_bench import generate

LAST = dt.date(2026, 6, 30)
NOON = dt.datetime(2026, 6, 30, 12, 0, tzinfo=dt.timezone.utc).timestamp()


def said(text: str, channel: str = "telegram", at: float = NOON) -> UserUttered:
    return UserUttered(text, {"name": "x", "confidence": 0.5}, input_channel=channel, timestamp=at)


def bot(response: str, at: float = NOON) -> BotUttered:
    return BotUttered("...", metadata={"utter_action": response}, timestamp=at)


# --- facts ---------------------------------------------------------------------------------------
def test_a_turn_yields_counts_without_who_or_when_and_keeps_only_the_unanswered_text() -> None:
    events = [
        ActionExecuted("action_listen", timestamp=NOON),
        said("hoi"),
        bot("utter_greet"),
        said("[PERSOON] hier, mag ik zwemmen in zee?"),
        bot("utter_clarify"),
        said("/deny"),
        bot("utter_second_miss"),
        said("wat kan ik zelf doen"),
        SlotSet("topic", "ask_self_care", timestamp=NOON),
        said("/feedback_negative"),
        SlotSet("feedback", {"topic": "ask_self_care", "rating": "negative"}, timestamp=NOON),
        said("pijn op de borst"),
        bot("utter_red_flag_emergency"),
        bot("utter_beweegcheck_norm_met"),
        bot("utter_beweegcheck_closing"),
    ]
    facts, texts = turn_facts([], events)
    day = dt.date(2026, 6, 30)
    assert Counter(facts) == Counter(
        {
            Fact(day, "telegram", "gesprek"): 1,
            Fact(day, "telegram", "bericht"): 6,
            Fact(day, "telegram", "fallback", "bedoel_je"): 1,
            Fact(day, "telegram", "fallback", "tweede_keer_niet"): 1,
            Fact(day, "telegram", "onderwerp", "ask_self_care"): 1,
            Fact(day, "telegram", "feedback", "ask_self_care|duim_omlaag"): 1,
            Fact(day, "telegram", "rode_vlag", "spoed_112"): 1,
            Fact(day, "telegram", "beweegcheck", "beweegnorm_gehaald"): 1,
            Fact(day, "telegram", "beweegcheck", "gedaan"): 1,
        }
    )
    assert [t.text for t in texts] == ["[PERSOON] hier, mag ik zwemmen in zee?"], "a button payload is not a question"


def test_a_conversation_is_counted_once_on_its_first_message() -> None:
    first, _ = turn_facts([], [said("hoi"), bot("utter_greet")])
    later, _ = turn_facts([said("hoi"), bot("utter_greet")], [said("nog een vraag")])
    assert [f.metric for f in first] == ["gesprek", "bericht"]
    assert [f.metric for f in later] == ["bericht"]


def test_one_patient_asking_again_is_one_conversation_about_it() -> None:
    again = [SlotSet("topic", "ask_pain", timestamp=NOON), bot("utter_red_flag_urgent")]
    first, _ = turn_facts([said("hoi")], again)
    second, _ = turn_facts([said("hoi"), *again], [said("en nog eens"), *again])
    assert [f.metric for f in first] == ["onderwerp", "rode_vlag"]
    assert [f.metric for f in second] == ["bericht"], "the same topic and red flag again in the session"


def test_the_day_is_the_day_in_the_netherlands() -> None:
    late_evening = dt.datetime(2026, 6, 30, 22, 30, tzinfo=dt.timezone.utc).timestamp()  # 00:30 in NL
    assert day_of(late_evening) == dt.date(2026, 7, 1)


# --- privacy -------------------------------------------------------------------------------------
def test_no_count_below_5_and_nothing_that_gives_one_away() -> None:
    assert [privacy.count(n) for n in (0, 1, 4, 5, 12)] == ["< 5", "< 5", "< 5", "5", "12"]
    assert privacy.share(3, 40) == "–" and privacy.share(38, 40) == "–", "3 = 40 - 38 would show"
    assert privacy.share(10, 40) == "25%"
    assert privacy.row_with_total({"Website": 30, "WhatsApp": 3}) == ["30", "< 5", "≥ 30"]
    assert privacy.row_with_total({"Website": 30, "WhatsApp": 0}) == ["30", "< 5", "30"]
    assert privacy.row_with_total({"Website": 2, "WhatsApp": 2}) == ["< 5", "< 5", "< 5"]
    assert privacy.trend(20, 10) == "↑ 100%" and privacy.trend(20, 3) == "–"
    assert privacy.total({"Website": 20, "Telegram": 2}) == "≥ 20", "not 22: Telegram's 2 would follow"
    assert [privacy.nested(5, 7), privacy.nested(5, 10), privacy.nested(3, 5)] == ["–", "5", "< 5"]


# --- the report against generated conversations ---------------------------------------------------
@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Any]:
    database = tmp_path_factory.mktemp("insights") / "tracker.db"
    facts = generate(sa.create_engine(f"sqlite:///{database}"), 3000, 120, seed=7, last=LAST)
    engine = sa.create_engine(f"sqlite:///file:{database}?mode=ro&uri=true")
    return {"facts": facts, "engine": engine, "database": database}


def truth(facts: Counter, days: int, metric: str, key: str | None = None) -> int:
    first = LAST - dt.timedelta(days=days - 1)
    return sum(n for f, n in facts.items() if f.metric == metric and (key is None or f.key == key) and f.day >= first)


def section(built: report.Report, key: str) -> report.Section:
    return next(s for s in built.sections if s.key == key)


@pytest.mark.parametrize("days", report.PERIODS)
def test_the_report_counts_what_was_stored_in_the_period(generated: Dict[str, Any], days: int) -> None:
    built = report.build(generated["engine"], days, last=LAST)
    facts = generated["facts"]
    conversations = dict(built.summary)["Gesprekken"]
    exact = truth(facts, days, "gesprek")
    assert conversations == str(exact) or 0 < exact - int(conversations.removeprefix("≥ ")) < 5 * 4 * len(
        report.CHANNELS
    )
    labels = report.topic_labels()
    topics = {row[0]: row[1] for row in section(built, "onderwerpen").rows}
    for key, label in labels.items():
        if truth(facts, days, "onderwerp", key):
            assert topics[label] == privacy.count(truth(facts, days, "onderwerp", key)), label
    counts = [int(row[1]) for row in section(built, "onderwerpen").rows if row[1] != "< 5"]
    assert counts == sorted(counts, reverse=True), "most asked first"
    fallback = {row[0]: row[1] for row in section(built, "niet_begrepen").rows}
    assert fallback["“Bedoel je …?”"] == privacy.count(truth(facts, days, "fallback", "bedoel_je"))
    beweeg = {row[0]: row[1] for row in section(built, "beweegcheck").rows}
    assert beweeg["Beweegcheck gedaan"] == privacy.count(truth(facts, days, "beweegcheck", "gedaan"))
    weeks = section(built, "rode_vlaggen").rows
    assert len(weeks) in (days // 7 + 1, days // 7 + 2)
    shown = [cell for row in weeks for cell in row[1:]]
    assert all(cell == "< 5" or int(cell) >= 5 for cell in shown)


def test_the_page_and_its_csv_show_no_count_below_5(generated: Dict[str, Any]) -> None:
    built = report.build(generated["engine"], 7, last=LAST)
    for item in built.sections:
        for row in item.rows:
            for cell in row[1:]:
                assert not (cell.isdigit() and int(cell) < 5), (item.key, row)
        csv = page.csv_text(built, item.key)
        assert csv is not None and csv.splitlines()[0].split(";") == item.header
    html = page.html(built)
    assert "<svg" in html and "generated-" not in html, "charts inline, no conversation id"


def test_a_question_that_looks_like_a_formula_stays_text_in_a_spreadsheet() -> None:
    built = report.Report(
        7,
        LAST,
        LAST,
        [
            report.Section(
                "onbeantwoord",
                "t",
                ["Vraag", "Keer"],
                [['=HYPERLINK("http://x")', "< 5"], ["+31 6", "< 5"], ["@x", "< 5"], ["-1", "< 5"]],
            )
        ],
        [],
    )
    rows = (page.csv_text(built, "onbeantwoord") or "").splitlines()[1:]
    assert [row.split(";")[0].strip('"') for row in rows] == ['\'=HYPERLINK(""http://x"")', "'+31 6", "'@x", "'-1"]


def test_similar_unanswered_questions_are_grouped_most_frequent_first() -> None:
    texts = ["Kan ik zwemmen in zee?", "kan ik zwemmen in de zee", "zwemmen in zee, kan dat?"] * 3 + ["helpt gember?"]
    groups = report.grouped(texts)
    assert groups[0][1] == 9 and "zwemmen" in groups[0][0]
    assert groups[1] == ("helpt gember?", 1, [])


def test_the_store_is_read_only_for_the_insights(generated: Dict[str, Any], tmp_path: Path) -> None:
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(f"tracker_store:\n  type: sql\n  dialect: sqlite\n  db: {generated['database']}\n")
    engine = read_only_engine(endpoints)
    with pytest.raises(sa_exc.OperationalError, match="readonly"), engine.begin() as connection:
        connection.execute(tables.counts.delete())
    endpoints.write_text(f"tracker_store:\n  type: sql\n  dialect: sqlite\n  db: {tmp_path / 'none.db'}\n")
    assert report.build(read_only_engine(endpoints), 30).sections[0].rows[-1][1] == "< 5", "no store yet: empty"
    assert not (tmp_path / "none.db").exists(), "reading created no database"


def created_together(engines: List[Any]) -> List[str]:
    """Every engine creates the insights tables at the same moment; the errors they raised."""
    start, failures = threading.Barrier(len(engines)), []

    def create(engine: Any) -> None:
        start.wait()
        try:
            tables.create(engine)
        except sa_exc.DBAPIError as problem:
            failures.append(type(problem).__name__)

    threads = [threading.Thread(target=create, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


def test_instances_starting_together_on_an_empty_postgresql_database_all_start() -> None:
    """Production starts several Rasa instances at once; each creates the insights tables. Without
    taking turns, all but one failed to start (PostgreSQL's duplicate key on pg_type)."""
    import psycopg2

    admin = psycopg2.connect(dbname="postgres", host="127.0.0.1", port=5432, user="postgres")
    admin.autocommit = True
    for _ in range(3):  # before the fix, the race was lost in every one of 5 tries
        name = f"heupwijzer_schema_{uuid.uuid4().hex[:8]}"
        admin.cursor().execute(f'CREATE DATABASE "{name}"')
        engines = [sa.create_engine(f"postgresql://postgres@127.0.0.1:5432/{name}") for _ in range(6)]
        try:
            for engine in engines:
                engine.connect().close()  # connected before the start signal: the CREATEs meet
            assert created_together(engines) == []
            with engines[0].connect() as connection:
                assert connection.execute(sa.select(sa.func.count()).select_from(tables.counts)).scalar() == 0
        finally:
            for engine in engines:
                engine.dispose()
            admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


# --- login ---------------------------------------------------------------------------------------
def basic(password: str) -> str:
    return "Basic " + base64.b64encode(f"praktijk:{password}".encode()).decode()


def test_without_a_password_the_page_does_not_exist() -> None:
    assert Login(None).check(basic("iets"), "1.2.3.4").status == 404
    assert Login("   ").check(None, "1.2.3.4").status == 404


def test_guessing_the_password_is_slowed_per_client() -> None:
    now = [1000.0]
    login = Login("correct horse battery", clock=lambda: now[0])
    assert login.check(None, "a").status == 401
    assert login.check(basic("correct horse battery"), "a").status == 200
    for _ in range(5):
        assert login.check(basic("fout"), "a").status == 401
    blocked = login.check(basic("correct horse battery"), "a")
    assert blocked.status == 429 and blocked.retry_after >= 1, "even the right password waits"
    assert login.check(basic("correct horse battery"), "b").status == 200, "another client is not blocked"
    waits = []
    for _ in range(6):
        now[0] += 10_000
        login.check(basic("fout"), "a")
        waits.append(login.check(basic("fout"), "a").retry_after)
    assert waits == sorted(waits) and max(waits) <= 15 * 60 + 1
    now[0] += 10_000
    assert login.check(basic("correct horse battery"), "a").status == 200


def test_only_a_trusted_proxy_may_name_the_client() -> None:
    assert client_of("127.0.0.1", "203.0.113.9") == "203.0.113.9", "nginx on this host"
    assert client_of("192.168.1.20", "203.0.113.9") == "192.168.1.20", "a machine on the practice's network"
    compose = trusted_proxies(Settings.of({"HEUPWIJZER_TRUSTED_PROXIES": "172.16.0.0/12"}))
    assert client_of("172.18.0.5", "203.0.113.9", compose) == "203.0.113.9"
    assert client_of("93.184.216.34", "10.0.0.1") == "93.184.216.34"
    assert client_of("2001:db8:1:2::7", None) == client_of("2001:db8:1:2::99", None) == "2001:db8:1:2::/64"


def test_many_clients_cannot_wipe_their_own_record() -> None:
    from heupwijzer.insights import login as login_module

    now = [0.0]
    login = Login("correct horse battery", clock=lambda: now[0])
    for _ in range(6):
        login.check(basic("fout"), "attacker")
    for number in range(login_module.MOST_CLIENTS + 5):
        login.check(basic("fout"), f"other-{number}")
    assert login.check(basic("correct horse battery"), "attacker").status == 429


# --- what the store keeps, erases and purges ------------------------------------------------------
@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from heupwijzer.store.tracker_store import ScrubbingTrackerStore

    database = tmp_path_factory.mktemp("store") / "tracker.db"
    return ScrubbingTrackerStore(domain=Domain.load(str(ROOT / "domain.yml")), dialect="sqlite", db=str(database))


def rows(store: Any, table: sa.Table) -> List[Any]:
    with store.engine.connect() as connection:
        return list(connection.execute(sa.select(table)).fetchall())


def test_a_stored_turn_adds_its_facts_and_only_the_scrubbed_question(store: Any) -> None:
    tracker = DialogueStateTracker.from_events("p-facts", [ActionExecuted("action_listen")], store.domain.slots)
    tracker.update(said("Ik ben Jan de Vries, 0612345678, mag ik zwemmen in zee?", channel="twilio", at=NOON))
    tracker.update(bot("utter_clarify"))
    run_async(store.save(tracker))
    kept = [row.text for row in rows(store, tables.unanswered)]
    assert kept == ["Ik ben [PERSOON], [TELEFOON], mag ik zwemmen in zee?"]
    counted = {(row.channel, row.metric, row.key): row.count for row in rows(store, tables.counts)}
    assert counted[("twilio", "fallback", "bedoel_je")] == 1 and counted[("twilio", "gesprek", "")] == 1
    assert all("p-facts" not in str(row) for row in rows(store, tables.counts) + rows(store, tables.unanswered))


def test_erasing_a_conversation_erases_its_unanswered_questions_and_keeps_the_counts(store: Any) -> None:
    tracker = DialogueStateTracker.from_events("p-erase", [ActionExecuted("action_listen")], store.domain.slots)
    tracker.update(said("kan ik met mijn heup parachutespringen?", at=NOON))
    tracker.update(bot("utter_clarify"))
    run_async(store.save(tracker))
    assert "kan ik met mijn heup parachutespringen?" in [row.text for row in rows(store, tables.unanswered)]
    tracker.update(SlotSet("erase_conversation", True))
    run_async(store.save(tracker))
    assert "kan ik met mijn heup parachutespringen?" not in [row.text for row in rows(store, tables.unanswered)]
    assert rows(store, tables.counts), "the anonymous counts stay"


def test_erasing_removes_the_questions_of_earlier_sessions_too(store: Any) -> None:
    from rasa.shared.core.events import SessionStarted

    tracker = DialogueStateTracker.from_events("p-sessions", [ActionExecuted("action_listen")], store.domain.slots)
    tracker.update(said("mag ik met mijn heup paardrijden?", at=NOON - 3 * 86400))
    tracker.update(bot("utter_clarify", at=NOON - 3 * 86400))
    run_async(store.save(tracker))
    tracker.update(ActionExecuted("action_session_start", timestamp=NOON))
    tracker.update(SessionStarted(timestamp=NOON))
    tracker.update(said("hoi", at=NOON))
    run_async(store.save(tracker))
    later = run_async(store.retrieve("p-sessions"))
    assert [e.text for e in later.events if isinstance(e, UserUttered)] == ["hoi"], "only the new session is read"
    later.update(SlotSet("erase_conversation", True))
    run_async(store.save(later))
    assert "mag ik met mijn heup paardrijden?" not in [row.text for row in rows(store, tables.unanswered)]


def test_purge_removes_old_unanswered_questions_and_keeps_the_counts(store: Any) -> None:
    from heupwijzer.store.tracker_store import purge

    old = NOON - 60 * 86400
    tracker = DialogueStateTracker.from_events("p-old", [ActionExecuted("action_listen")], store.domain.slots)
    tracker.update(said("mag ik nog skiën?", at=old))
    tracker.update(bot("utter_second_miss", at=old))
    run_async(store.save(tracker))
    purge(store, 30, now=NOON)
    assert "mag ik nog skiën?" not in [row.text for row in rows(store, tables.unanswered)]
    assert any(row.day == day_of(old) for row in rows(store, tables.counts))


def counts_of(store: Any, channel: str) -> Dict[Any, int]:
    return {(row.metric, row.key): row.count for row in rows(store, tables.counts) if row.channel == channel}


def test_a_long_conversation_counts_each_turn_without_reading_its_session_again(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each save counts its turn from a summary kept since the last one (heupwijzer/insights/facts.py),
    not from every stored event: the same counts as the first save of the same events would give."""
    from heupwijzer.insights import facts
    from heupwijzer.store import tracker_store

    summaries: List[int] = []
    monkeypatch.setattr(tracker_store, "so_far", lambda events: summaries.append(len(events)) or facts.so_far(events))
    tracker = DialogueStateTracker.from_events("p-long", [ActionExecuted("action_listen")], store.domain.slots)
    for turn in range(30):
        tracker.update(said(f"vraag {turn}", channel="long", at=NOON + turn))
        tracker.update(SlotSet("topic", "ask_pain" if turn % 2 else "ask_exercise", timestamp=NOON + turn))
        tracker.update(bot("utter_clarify" if turn == 7 else "utter_ask_pain", at=NOON + turn))
        tracker.update(ActionExecuted("action_listen", timestamp=NOON + turn))
        run_async(store.save(tracker))
    assert summaries == [0], "summarised once, at the first save (when the store held nothing)"
    counted = counts_of(store, "long")
    assert counted[("bericht", "")] == 30 and counted[("gesprek", "")] == 1 and counted[("fallback", "bedoel_je")] == 1
    assert counted[("onderwerp", "ask_pain")] == 1 and counted[("onderwerp", "ask_exercise")] == 1, "once a session"
    # Another instance answered in between: its events are in the store, the kept summary is not used.
    other = tracker_store.ScrubbingTrackerStore(domain=store.domain, dialect="sqlite", db=store.engine.url.database)
    elsewhere = run_async(other.retrieve("p-long"))
    elsewhere.update(said("nog iets", channel="long", at=NOON + 100))
    elsewhere.update(SlotSet("topic", "ask_xray", timestamp=NOON + 100))
    run_async(other.save(elsewhere))
    here = run_async(store.retrieve("p-long"))
    here.update(said("en nu?", channel="long", at=NOON + 101))
    here.update(SlotSet("topic", "ask_xray", timestamp=NOON + 101))
    run_async(store.save(here))
    assert len(summaries) == 3 and summaries[-1] == len(here.events) - 2, "read again after another instance wrote"
    assert counts_of(store, "long")[("onderwerp", "ask_xray")] == 1 and counts_of(store, "long")[("bericht", "")] == 32


def test_make_insights_writes_the_same_page_as_files(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    database = tmp_path / "tracker.db"
    generate(sa.create_engine(f"sqlite:///{database}"), 400, 30, seed=3)  # up to today
    env = {**os.environ, "HEUPWIJZER_TRACKER_DB": str(database), "STATE_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "heupwijzer", "insights"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    out = ROOT / "reports" / "insights"
    assert str(out / "index.html") in done.stdout
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "inzichten voor de praktijk" in index and "<svg" in index
    for days in report.PERIODS:
        assert f'href="{days}-dagen.html"' in index and (out / f"{days}-dagen.html").is_file()
    assert 'href="30-dagen-onderwerpen.csv"' in index
    topics = (out / "30-dagen-onderwerpen.csv").read_text(encoding="utf-8-sig").splitlines()
    assert topics[0] == "Onderwerp;Gesprekken waarin gevraagd;Trend t.o.v. de periode ervoor" and len(topics) > 5
