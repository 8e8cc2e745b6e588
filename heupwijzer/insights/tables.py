"""Two small tables beside Rasa's events, written in the same transaction as the events of a turn:

- `insights_counts`: one row per day, channel, kind of fact and key, with how often it happened;
- `insights_unanswered`: the scrubbed text of a question Heupwijzer could not answer, with its day.

The insights page reads only these (a year of conversations is a few thousand count rows), never a
conversation. Counts carry no personal data and stay; unanswered texts are deleted with the
conversations they came from (retention, `make purge`) and when a patient erases the conversation.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any, Iterable, Sequence

import sqlalchemy as sa

from heupwijzer.insights.facts import Fact, Unanswered

metadata = sa.MetaData()

counts = sa.Table(
    "insights_counts",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("channel", sa.String(32), primary_key=True),
    sa.Column("metric", sa.String(32), primary_key=True),
    sa.Column("key", sa.String(160), primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
)

unanswered = sa.Table(
    "insights_unanswered",
    metadata,
    sa.Column("id", sa.Integer, sa.Sequence("insights_unanswered_seq"), primary_key=True),
    sa.Column("day", sa.Date, nullable=False, index=True),
    sa.Column("text", sa.Text, nullable=False),
)


# Any fixed number: every instance takes the same PostgreSQL advisory lock while it creates the tables.
SCHEMA_LOCK = 0x4865_7570  # "Heup"


def create(engine: Any) -> None:
    """Create the tables that are missing. Instances that start together on an empty PostgreSQL
    database take turns (an advisory lock held until the transaction ends): two CREATE TABLEs of the
    same name at once make the second fail instead of finding the first's table."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
        metadata.create_all(connection, checkfirst=True)


def upsert(dialect: str) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        raise ValueError(f"insights: database {dialect!r} is not supported (SQLite or PostgreSQL)")
    return insert


def record(connection: Any, facts: Sequence[Fact], texts: Sequence[Unanswered]) -> None:
    """Add a turn's facts (in the caller's transaction: stored with the turn or not at all)."""
    if facts:
        bind = connection.get_bind() if hasattr(connection, "get_bind") else connection  # ORM session or connection
        insert = upsert(bind.dialect.name)
        tally = Counter(facts)
        rows = [  # in key order: concurrent turns on PostgreSQL lock the same rows in the same order
            {"day": f.day, "channel": f.channel[:32], "metric": f.metric, "key": f.key[:160], "count": n}
            for f, n in sorted(
                tally.items(), key=lambda item: (item[0].day, item[0].channel, item[0].metric, item[0].key)
            )
        ]
        statement = insert(counts).values(rows)
        statement = statement.on_conflict_do_update(
            index_elements=[counts.c.day, counts.c.channel, counts.c.metric, counts.c.key],
            set_={"count": counts.c.count + statement.excluded["count"]},
        )
        connection.execute(statement)
    if texts:
        connection.execute(unanswered.insert(), [{"day": t.day, "text": t.text} for t in texts])


def forget(connection: Any, texts: Iterable[Unanswered]) -> None:
    """Delete these unanswered texts (a patient erased the conversation they came from): one row per
    text and day, the oldest first."""
    for text in texts:
        row = connection.execute(
            sa.select(unanswered.c.id)
            .where(unanswered.c.day == text.day, unanswered.c.text == text.text)
            .order_by(unanswered.c.id)
            .limit(1)
        ).first()
        if row is not None:
            connection.execute(unanswered.delete().where(unanswered.c.id == row[0]))


def forget_before(connection: Any, day: dt.date) -> int:
    """Retention: unanswered texts older than the conversations that are kept."""
    return int(connection.execute(unanswered.delete().where(unanswered.c.day < day)).rowcount or 0)
