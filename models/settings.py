"""The one settings object: where the store, the policy and the outbox live.

Read once per process from environment variables prefixed ``COMPLAINTS_`` (and a
``.env`` file in the working directory, if present). The rules in ``models/`` never
read the environment; flows, tasks and the CLI pass what they need.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COMPLAINTS_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default=PROJECT_ROOT / "data",
        description="Folder for the embedded default: SQLite files, outbox, Prefect home.",
    )
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL of the case store; empty means SQLite in data_dir.",
    )
    policy_file: Path = Field(
        default=PROJECT_ROOT / "policy.yaml",
        description="The SLA policy an operator edits: tiers, deadlines, routing, contacts.",
    )
    outbox_dir: Path | None = Field(
        default=None, description="Where the file channel writes messages; default data_dir/outbox."
    )
    inbox_dir: Path | None = Field(
        default=None, description="Where letters (.eml) are dropped; default data_dir/inbox.",
    )
    # Delivery per role: "file" or an Apprise URL; {email} and {phone} are filled in
    # with the recipient's address, e.g. "mailto://smtp.local:25?from=cs@example.com&to={email}".
    channel_customer: str = "file"
    channel_handler: str = "file"
    channel_department_manager: str = "file"
    channel_general_manager: str = "file"
    channel_public_relations: str = "file"
    deployment: str = Field(
        default="complaint/complaint",
        description="The deployment that runs one complaint: '<flow name>/<deployment name>'.",
    )

    @property
    def store_url(self) -> str:
        """The URL given, else the embedded PostgreSQL while it runs (so a shell beside
        `complaints up` finds the cases), else the SQLite file of the data folder."""
        if self.database_url:
            return self.database_url
        return (embedded_url(self.data_dir / "postgres", "complaints", "psycopg")
                or f"sqlite:///{(self.data_dir / 'cases.db').as_posix()}")

    @property
    def outbox_path(self) -> Path:
        return self.outbox_dir or (self.data_dir / "outbox")

    @property
    def inbox_path(self) -> Path:
        return self.inbox_dir or (self.data_dir / "inbox")

    def channel_for(self, role: str) -> str:
        value = getattr(self, f"channel_{role}", None)
        if value is None:
            raise ValueError(f"unknown recipient role {role!r}")
        return str(value)


def socket_url(socket_dir: Path, database: str, driver: str) -> str:
    """A PostgreSQL URL over the Unix socket in `socket_dir`, as user postgres."""
    return f"postgresql+{driver}://postgres@/{database}?host={quote(str(socket_dir), safe='/')}"


def embedded_url(pgdata: Path, database: str, driver: str) -> str:
    """The URL of `database` on the embedded server of `pgdata` if it runs (its pid file
    names its socket folder on line 5), else ''."""
    try:
        lines = (pgdata / "postmaster.pid").read_text(encoding="utf-8").splitlines()
    except OSError:
        return ""
    return socket_url(Path(lines[4].strip()), database, driver) if len(lines) > 4 else ""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
