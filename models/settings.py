"""The one settings object: where the store, the policy and the outbox live.

Read once per process from environment variables prefixed ``COMPLAINTS_`` (and a
``.env`` file in the working directory, if present). The rules in ``models/`` never
read the environment; flows, tasks and the CLI pass what they need.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from pydantic import Field, SecretStr
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
    channel_service_director: str = "file"
    channel_service_centre: str = "file"
    customer_key_secret: SecretStr = Field(
        default=SecretStr(""),
        description="Secret of the customer keys (models.history); empty means the file "
                    "data_dir/secrets/customer-key, made on first use. Changing it unlinks "
                    "every stored case from the customer's later ones.",
    )
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

    def customer_secret(self) -> bytes:
        """The secret of the customer keys: the setting, else the file's text."""
        given = self.customer_key_secret.get_secret_value()
        if given:
            return given.encode()
        return secret_file(self.data_dir / "secrets" / "customer-key")

    def channels(self) -> dict[str, str]:
        """Every recipient role's channel, from the channel_<role> settings."""
        return {name.removeprefix("channel_"): str(getattr(self, name))
                for name in type(self).model_fields if name.startswith("channel_")}

    def channel_for(self, role: str) -> str:
        value = getattr(self, f"channel_{role}", None)
        if value is None:
            raise ValueError(f"unknown recipient role {role!r}")
        return str(value)


def secret_file(path: Path) -> bytes:
    """The secret in `path`, made on first use: 32 random bytes written as 64 hex digits
    (text, so the same value can move to COMPLAINTS_CUSTOMER_KEY_SECRET and keep every
    key), readable by its owner only. Race-safe: written whole to a file of this process,
    then linked to `path`, which fails if another process made it first; that one is read.
    """
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as out:
                out.write(secrets.token_hex(32) + "\n")
                out.flush()
                os.fsync(out.fileno())
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made it first: its secret is the one
        finally:
            draft.unlink(missing_ok=True)
    value = path.read_text(encoding="ascii").strip()
    if not value:
        raise ValueError(f"{path}: the customer-key secret file is empty; delete it to make "
                         "a new one (earlier cases then stay unlinked) or restore it")
    return value.encode()


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
