"""Test-wide set-up: an isolated data folder and Prefect home, and the case-store fixtures.

The environment is set here, at import, before anything imports Prefect or reads the
settings, so every test process and every child it starts sees the same isolated paths.
PostgreSQL tests read COMPLAINTS_TEST_POSTGRES_URL and skip without it; each session
works in a schema of its own, dropped at the end.
"""

from __future__ import annotations

import os
import socket
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SESSION_DIR = Path(tempfile.mkdtemp(prefix="complaints-tests-"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


PREFECT_PORT = _free_port()
# The policy as shipped, except that a customer not reached at callback may be called
# again at once: the flow tests cannot wait callback.retry_after (4 h). The refusal of an
# early attempt is tested on the form's rules (tests/unit/test_stage_forms.py).
SESSION_DIR.joinpath("policy.yaml").write_text(
    (ROOT / "policy.yaml").read_text(encoding="utf-8").replace(
        "retry_after: 4h", "retry_after: 0m"), encoding="utf-8")
os.environ.update(
    COMPLAINTS_DATA_DIR=str(SESSION_DIR / "data"),
    COMPLAINTS_DATABASE_URL=f"sqlite:///{SESSION_DIR / 'data' / 'cases.db'}",
    COMPLAINTS_POLICY_FILE=str(SESSION_DIR / "policy.yaml"),
    PREFECT_HOME=str(SESSION_DIR / "prefect"),
    PREFECT_API_URL=f"http://127.0.0.1:{PREFECT_PORT}/api",
    PREFECT_SERVER_ANALYTICS_ENABLED="false",
    PREFECT_RESULTS_PERSIST_BY_DEFAULT="true",
    PREFECT_RUNNER_POLL_FREQUENCY="1",
    PREFECT_LOGGING_LEVEL="WARNING",
)
POSTGRES_URL = os.environ.get("COMPLAINTS_TEST_POSTGRES_URL", "")


def _sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture(scope="session")
def postgres_schema_url() -> Iterator[str]:
    """A fresh PostgreSQL schema for this session, as a URL whose search_path points at it."""
    if not POSTGRES_URL:
        pytest.skip("COMPLAINTS_TEST_POSTGRES_URL is not set")
    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty case store: SQLite, and PostgreSQL when its URL is given."""
    from models.store import engine_for, migrate

    if request.param == "sqlite":
        url = _sqlite_url(tmp_path)
        migrate(url)
        yield url
        engine_for(url).dispose()
        return
    url = request.getfixturevalue("postgres_schema_url")
    migrate(url)
    yield url
    _empty(url)


def _empty(url: str) -> None:
    from sqlalchemy import text

    from models.store import engine_for
    from models.store.db import Base

    # TRUNCATE, not DELETE: issued bulletins refuse DELETE (a row trigger, migration 0006)
    names = ", ".join(table.name for table in reversed(Base.metadata.sorted_tables))
    with engine_for(url).begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY"))
