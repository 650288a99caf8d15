"""`complaints archive [--dry-run]`: the monthly archive by hand (flows/archive.py is the
scheduled one). Prints what it did, or with --dry-run what it would do, as JSON like the
other commands: cases per closing month and the files, relative to the data folder. No
customer data: counts, months and file names only."""

from __future__ import annotations

import json

from tasks.archive import archive_closed_cases
from tasks.runtime import now, policy, settings


def archive_command(dry_run: bool) -> int:
    """Archive (or, dry, plan) and print the summary; returns the exit status. Errors
    (ArchiveError, StoreError) are raised for `cli.main` to print in one line."""
    s = settings()
    result = archive_closed_cases(store_url=s.store_url, data_dir=s.data_dir,
                                  policy=policy(), now=now(), dry_run=dry_run)
    summary = result.summary(root=s.data_dir)
    summary["data_dir"] = str(s.data_dir)
    summary["written"] = ("nothing (dry run)" if dry_run else
                          f"{len(result.files)} file(s); customer details removed from "
                          f"{result.cases} case(s)")
    print(json.dumps(summary, ensure_ascii=False, indent=2), flush=True)
    return 0
