"""The monthly archive (issue #13, 8): cases closed longer ago than policy.retention.keep
(two years by default) go to data/archive/YYYY-MM/ as gzip JSON lines, are read back,
and only then lose the customer's contact details and free text in the store; their
figures stay countable. See tasks/archive.py for the batches and why a rerun after a
crash neither loses nor re-archives a case.

The module imports little: the serving process pre-imports every flow module, and the
store code is needed only once a month.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger


@flow(name="archive", log_prints=False)
def archive(dry_run: bool = False) -> dict[str, Any]:
    """Export, verify and scrub the cases closed over two years ago (policy.retention.keep);
    with dry_run, only count them and name the files it would write."""
    from tasks.archive import archive_closed_cases
    from tasks.runtime import now, patiently, policy, settings

    s = settings()
    # Safe to try again whole: a rerun takes only cases not yet archived.
    result = patiently(archive_closed_cases, store_url=s.store_url, data_dir=s.data_dir,
                       policy=policy(), now=now(), dry_run=dry_run)
    summary = result.summary(root=s.data_dir)
    get_run_logger().info(
        "%s %d case(s) closed before %s in %d file(s); by closing month: %s",
        "Would archive" if dry_run else "Archived", result.cases,
        summary["closed_before"][:10], len(result.files),
        ", ".join(f"{m} {n}" for m, n in summary["months"].items()) or "none")
    return summary
