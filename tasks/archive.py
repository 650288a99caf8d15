"""Two-year retention (issue #13, 8): closed cases out to compressed JSON lines, read back,
then the customer's details and free text out of the store.

`archive_closed_cases` works in batches, each one unit of work of the store:
  1. the next `batch` closed, unarchived cases closed before now - policy.retention.keep,
     in order of closing (held: row locks on PostgreSQL, the write lock on SQLite);
  2. each with its children, grouped by the month it closed in (policy time zone);
  3. each month's part written to data/archive/YYYY-MM/cases-<run>-<nnnn>.jsonl.gz.part,
     one JSON object per case, synced, read back: every case there, each line's hash equal
     to the hash of what was loaded; then renamed to .jsonl.gz and the folder synced;
  4. the cases scrubbed and marked archived (models.store.archive), committed.
A check that fails deletes the batch's files and raises ArchiveError: nothing of that
batch is scrubbed, earlier batches stay archived, and a rerun goes on from there.

Why no case is lost or doubled: a file is final and synced before its scrub commits, and
a rerun takes only cases without archived_at. An error before the commit deletes the
batch's files; an error at the commit itself leaves them, since it may have committed.
So only a crash between rename and commit leaves a file whose cases are still
unarchived: the next run exports them again into its own file, and that case then
appears in two files as two identical closed cases; a reader keeps one line per number.
"""

from __future__ import annotations

import gc
import gzip
import hashlib
import json
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from models.errors import ComplaintError
from models.policy import Policy
from models.store import archive as store
from models.store import transaction

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

BATCH = 1000
ReadBack = Callable[[Path], list[str]]


class ArchiveError(ComplaintError):
    """An export did not read back as written: its batch was not scrubbed."""


@dataclass
class ArchiveResult:
    """What a run archived (or, dry, would archive): cases per closing month, files."""

    dry_run: bool
    closed_before: datetime
    months: dict[str, int] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)

    @property
    def cases(self) -> int:
        return sum(self.months.values())

    def summary(self, root: Path | None = None) -> dict[str, Any]:
        """Counts and file names only: no customer data. Paths relative to `root`."""
        return {"dry_run": self.dry_run, "closed_before": self.closed_before.isoformat(),
                "cases": self.cases, "months": dict(sorted(self.months.items())),
                "files": [str(f.relative_to(root) if root else f) for f in self.files]}


def archive_closed_cases(*, store_url: str, data_dir: Path, policy: Policy, now: datetime,
                         dry_run: bool = False, batch: int = BATCH,
                         read_back: ReadBack | None = None) -> ArchiveResult:
    """Export, verify and scrub every case closed longer than policy.retention.keep ago;
    with `dry_run`, only say which cases and files that would be: nothing is written.
    `read_back` reads a written file's line hashes (default `line_hashes`)."""
    result = ArchiveResult(dry_run=dry_run, closed_before=now - policy.retention.keep)
    names = FileNames(data_dir / "archive", now)
    tz = ZoneInfo(policy.calendar.timezone)
    after: store.Due | None = None
    while True:
        with _collected_after(), transaction(store_url) as session:
            due = store.due_cases(session, closed_before=result.closed_before, after=after,
                                  limit=batch, lock=not dry_run)
            if not due:
                return result
            months = {d.id: month_of(d.closed_at, tz) for d in due}
            if dry_run:
                written = [names(m) for m in dict.fromkeys(months.values())]
            else:
                written = _export(session, months, names, now, read_back or line_hashes,
                                  done=result.cases)
        after = due[-1]
        result.files += written
        for month in months.values():
            result.months[month] = result.months.get(month, 0) + 1


def _export(session: Session, months: Mapping[int, str], names: FileNames, at: datetime,
            read_back: ReadBack, *, done: int) -> list[Path]:
    """One batch: files written and verified, then the scrub (the caller commits).
    `done`: cases archived by the run's earlier batches, for the error's message."""
    found = store.records(session, ids=list(months))
    parts: dict[str, list[dict[str, Any]]] = {}
    for case_id, record in found.items():
        parts.setdefault(months[case_id], []).append(
            {"number": record["case"]["number"], "closed_month": months[case_id], **record})
    written: list[Path] = []
    try:
        for month, lines in parts.items():
            written.append(write_verified(names(month), lines, read_back=read_back))
        store.scrub(session, exported=found, at=at)
    except BaseException as exc:
        for path in written:  # the transaction rolls back: these cases go out again
            path.unlink(missing_ok=True)
        kept = f"the {done} case(s) archived before it stay archived"
        if isinstance(exc, ArchiveError):
            raise ArchiveError(f"{exc}; {kept}") from None
        if isinstance(exc, OSError):
            raise ArchiveError(f"archive: could not write {exc.filename or 'a file'}: "
                               f"{exc.strerror or type(exc).__name__}; nothing of this batch "
                               f"was scrubbed; {kept}") from exc
        raise
    return written


@contextmanager
def _collected_after() -> Iterator[None]:
    """The cyclic garbage collector off during a batch, then run on what is young: a
    batch makes some 100,000 small acyclic objects, which the collector would otherwise
    walk again and again (a fifth of the CPU of 100,000 cases); what cycles the batch
    left (the drivers' and SQLAlchemy's) are freed before the next one."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
            gc.collect(1)


def month_of(closed_at: datetime, tz: ZoneInfo) -> str:
    return closed_at.astimezone(tz).strftime("%Y-%m")


class FileNames:
    """This run's file names, numbered in order; a name taken (a run in the same second,
    or its .part left by a crash) is passed over, never overwritten."""

    def __init__(self, root: Path, now: datetime) -> None:
        self.root, self.number = root, 0
        self.stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    def __call__(self, month: str) -> Path:
        while True:
            self.number += 1
            path = self.root / month / f"cases-{self.stamp}-{self.number:04d}.jsonl.gz"
            if not path.exists() and not path.with_name(path.name + ".part").exists():
                return path


def canonical(record: Mapping[str, Any]) -> bytes:
    """One case's line: compact JSON, keys in the order the record was built."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def write_verified(path: Path, records: list[dict[str, Any]], *,
                   read_back: ReadBack | None = None) -> Path:
    """Write `records` as gzip JSON lines to `path`, or raise ArchiveError if they do not
    read back as written; the file is synced and final only once they do."""
    expected: list[tuple[str, str]] = []
    part = path.with_name(path.name + ".part")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(part, "xb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as out:
            for record in records:
                line = canonical(record)
                expected.append((record["number"], hashlib.sha256(line).hexdigest()))
                out.write(line + b"\n")
        raw.flush()
        os.fsync(raw.fileno())
    try:
        problem = _differences(expected, (read_back or line_hashes)(part))
    except (OSError, EOFError, ValueError) as exc:
        problem = f"unreadable ({type(exc).__name__})"
    if problem:
        part.unlink(missing_ok=True)
        raise ArchiveError(f"archive: {path.name} does not read back as written: {problem}; "
                           "nothing of its batch was scrubbed")
    os.link(part, path)  # fails rather than replace a file of another run
    part.unlink()
    _sync_folder(path.parent)
    return path


def line_hashes(path: Path) -> list[str]:
    """The hash of each line of an archive file, in order: equal hashes, equal bytes, so
    equal content, without parsing 100,000 cases a second time."""
    with gzip.open(path, "rb") as lines:
        return [hashlib.sha256(line.rstrip(b"\n")).hexdigest() for line in lines]


def read_archive(path: Path) -> Iterator[dict[str, Any]]:
    """The cases of an archive file, one dict per case, as written."""
    with gzip.open(path, "rb") as lines:
        for line in lines:
            yield json.loads(line)


def _differences(expected: list[tuple[str, str]], found: list[str]) -> str:
    """'' if the file holds every case of `expected` as written, in order; else what not."""
    said = []
    if len(found) != len(expected):
        said.append(f"{len(expected)} case(s) written, {len(found)} read")
    changed = [number for (number, want), got in zip(expected, found, strict=False)
               if want != got]
    if changed:
        said.append(f"{len(changed)} case(s) different (first {changed[0]})")
    return "; ".join(said)


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
