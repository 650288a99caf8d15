"""The case store: engine, sessions and schema migrations; beside them `db` (the tables),
`repo` (functions over a session) and `story` (a case as one JSON story). The only
database code of the project: the rules in `models/` import none of it.

SQLite (the embedded default) is opened in WAL mode with `BEGIN IMMEDIATE`, so the
many short-lived flow-run processes, the watchdog and the CLI can write the same file
without "database is locked" surprises; SAVEPOINTs then work as on PostgreSQL. The
schema is owned by Alembic (`models/store/migrations`); `migrate(url)` brings a database to
head and is called by the start command, the CLI and the tests, never by flow runs.

A database error leaving a unit of work becomes one `StoreError` line: the error, the
table, column or constraint, the first line of the database's message with its quoted
values taken out. Never the SQL, its parameters or the row (PostgreSQL's DETAIL shows the
failing row: the customer's name and phone), since that line reaches Prefect logs, state
messages and the CLI. Engines hide parameters as well, for SQLAlchemy's own logging.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, OperationalError, PendingRollbackError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from models.errors import StoreError
from models.privacy import mask_text

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
QUOTED = re.compile(r"\"([^\"]*)\"|'([^']*)'")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 60}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine
    # A server that does not answer fails a connection in 10 s (a transient error that
    # tasks retry) instead of hanging until the task's timeout.
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5,
                         connect_args={"connect_timeout": 10}, hide_parameters=True)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control away from pysqlite so BEGIN/SAVEPOINT are ours.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=60000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    return make_engine(url)


@lru_cache(maxsize=8)
def _sessions(url: str) -> sessionmaker[Session]:
    return sessionmaker(engine_for(url), expire_on_commit=False)


@contextmanager
def transaction(url: str) -> Iterator[Session]:
    """One unit of work: commits on success, rolls back on any exception; a database
    error leaves it as a one-line `StoreError` (transient if the store did not answer)."""
    sessions = _sessions(url)
    try:
        with sessions.begin() as session:
            yield session
    except (StatementError, PendingRollbackError) as exc:
        raise store_error(exc) from None


def store_error(exc: Exception) -> StoreError:
    """`exc` as one line without SQL, parameters or values."""
    orig = getattr(exc, "orig", None)
    kind = type(exc).__name__
    diag = getattr(orig, "diag", None)  # psycopg: names of what failed, no values
    table, column, constraint = (str(getattr(diag, name, None) or "") for name in
                                 ("table_name", "column_name", "constraint_name"))
    where = ".".join(n for n in (table, column) if n)
    head = (f"case store: {kind}"
            + (f" ({type(orig).__name__})" if orig is not None and type(orig).__name__ != kind
               else "")
            + (f" on {where}" if where else "") + (f" ({constraint})" if constraint else ""))
    said = ("the unit of work was rolled back after an earlier error"
            if orig is None else _without_values(str(orig), {table, column, constraint}))
    transient = isinstance(exc, OperationalError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated)
    return StoreError(f"{head}: {said}" if said else head, transient=transient, kind=kind)


def _without_values(message: str, names: set[str]) -> str:
    """The first line of a database message, quoted values replaced unless they are the
    names of the table, column or constraint."""
    first = (message.strip().splitlines() or [""])[0]
    kept = QUOTED.sub(lambda m: m.group() if (m.group(1) or m.group(2)) in names - {""}
                      else "\"…\"", first)
    return mask_text(kept)[:200]


def alembic_config(url: str) -> Any:
    """Alembic's configuration for the store at `url` (migrations of this package)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine_for(url)
    return config


def migrate(url: str) -> None:
    """Bring the store at `url` to the newest schema (idempotent)."""
    from alembic import command

    command.upgrade(alembic_config(url), "head")
