"""`complaints`: the command line of the complaint desk.

    complaints up [--auth U:P] [--sqlite]  start PostgreSQL, Prefect server, serve deployments
    complaints down                    stop the desk `complaints up` started (elsewhere)
    complaints serve                   serve the deployments against PREFECT_API_URL
    complaints deploy                  scale-out: `prefect deploy --all`, then the run
                                       forms in the staff's language, as served
    complaints triage FILE [--reveal]  offline preliminary judgment of an intake JSON
    complaints submit FILE [--by NAME] store a complaint and start its flow run
    complaints respond CASE STAGE FILE answer the stage form a case waits for
    complaints check-action ID --done yes|no --effective yes|no --by NAME [--note TEXT]
                                       answer whether a due corrective/preventive action
                                       was done and worked
    complaints show CASE [--reveal]    the case's whole story as JSON
    complaints clocks CASE             the case's SLA clocks and escalations as JSON
    complaints ack CASE --by NAME      acknowledge the case's escalations (stops the climb)
    complaints stalled [--older-than MIN]  open cases whose run cannot move them
    complaints rerun CASE [--force] | --all-stalled  continue stalled cases
    complaints migrate                 bring the case store to the newest schema
    complaints forms [STAGE] [--json]  each stage form's fields and an example answer
    complaints report weekly|monthly [--from DATE --to DATE] [--out DIR]
                                       run a report on the desk and print its files
    complaints archive [--dry-run]     export cases closed over policy retention.keep ago,
                                       read them back, remove the customer's details

Errors a user can cause print one line naming the field and exit 2; never a traceback.
Anything else that escapes a command prints one line naming only the exception's type and
where its trace was written, and exits 2: the trace goes to `<data dir>/logs/cli.log` (a
temp folder if that cannot be written). A trace can quote customer data; that file is
local, beside the case store that holds the same data, and never shown or sent.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from models.errors import ComplaintError


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="complaints", description="Customer-complaint desk.")
    sub = p.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start the whole system on the embedded default")
    up.add_argument("--port", type=int, default=4200)
    up.add_argument("--host", default="127.0.0.1",
                    help="address to listen on; other than 127.0.0.1 needs --auth")
    up.add_argument("--auth", default="", metavar="USER:PASSWORD",
                    help="require this auth string of the UI and every client")
    up.add_argument("--sqlite", action="store_true",
                    help="Prefect server and case store on SQLite files instead of PostgreSQL")
    sub.add_parser("down", help="stop the desk that `complaints up` started")
    sub.add_parser("serve", help="serve the deployments of prefect.yaml")
    sub.add_parser("deploy", help="register the deployments of prefect.yaml for their "
                   "work pool (scale-out), run forms in the staff's language")
    sub.add_parser("migrate", help="bring the case store to the newest schema")
    forms = sub.add_parser("forms", help="each stage form's fields and an example answer")
    forms.add_argument("stage", nargs="?", help="only this stage's form")
    forms.add_argument("--json", action="store_true", help="as JSON, for programs")
    triage = sub.add_parser("triage", help="offline preliminary judgment")
    triage.add_argument("file")
    triage.add_argument("--reveal", action="store_true",
                        help="show the customer's name and contact (masked by default)")
    submit = sub.add_parser("submit", help="store a complaint and start its run")
    submit.add_argument("file")
    submit.add_argument("--by", default="", help="who took the complaint (first contact); "
                        "overrides the file's taken_by")
    respond = sub.add_parser("respond", help="answer the form a case waits for")
    respond.add_argument("case")
    respond.add_argument("stage")
    respond.add_argument("file")
    check = sub.add_parser("check-action",
                           help="say whether a due action was done and worked")
    check.add_argument("action_id", type=int)
    check.add_argument("--done", required=True, choices=["yes", "no"])
    check.add_argument("--effective", required=True, choices=["yes", "no"],
                       help="did its check show that it worked (no if it was not done)")
    check.add_argument("--by", required=True, help="who answers")
    check.add_argument("--note", default="")
    show = sub.add_parser("show", help="a case's whole story as JSON")
    show.add_argument("case")
    show.add_argument("--reveal", action="store_true", help="show the customer's contact")
    sub.add_parser("clocks", help="the case's SLA clocks as JSON").add_argument("case")
    ack = sub.add_parser("ack", help="acknowledge the case's escalations")
    ack.add_argument("case")
    ack.add_argument("--by", required=True, help="who acknowledges")
    ack.add_argument("--note", default="")
    stalled = sub.add_parser("stalled", help="open cases whose run cannot move them")
    stalled.add_argument("--older-than", type=float, default=None, metavar="MINUTES",
                         help="no progress for this long counts as stalled (policy default)")
    rerun = sub.add_parser("rerun", help="continue stalled cases from their last stage")
    rerun.add_argument("case", nargs="?")
    rerun.add_argument("--all-stalled", action="store_true")
    rerun.add_argument("--force", action="store_true",
                       help="also a case whose run waits at a form as it should")
    archive = sub.add_parser("archive", help="archive cases closed over two years ago "
                             "(policy retention.keep): export, verify, remove customer data")
    archive.add_argument("--dry-run", action="store_true",
                         help="say how many cases per month and which files; write nothing")
    report = sub.add_parser("report", help="run the weekly or monthly report now")
    report.add_argument("kind", choices=["weekly", "monthly"])
    report.add_argument("--from", dest="start", metavar="DATE",
                        help="first day (YYYY-MM-DD); default: last week / last month")
    report.add_argument("--to", dest="end", metavar="DATE", help="last day, inclusive")
    report.add_argument("--out", metavar="DIR", help="also copy the files into DIR")
    return p


# The commands that talk to the desk's Prefect server: without PREFECT_API_URL they use
# the address `complaints up` wrote, and refuse when the desk is not up.
DESK_COMMANDS = {"submit", "respond", "check-action", "show", "clocks", "ack", "stalled",
                 "rerun", "serve", "report", "deploy"}


def run(args: argparse.Namespace) -> Any:
    if args.command in ("triage", "forms", "down"):
        return _without_prefect(args)
    if args.command in DESK_COMMANDS:  # before anything imports Prefect: see cli/desk.py
        from cli.desk import find
        from tasks.runtime import settings

        find(settings().data_dir)
    from cli import commands

    if args.command == "submit":
        return commands.submit(args.file, by=args.by)
    if args.command == "respond":
        return commands.respond(args.case, args.stage, args.file)
    if args.command == "check-action":
        from cli.actions import check_action

        return check_action(args.action_id, done=args.done, effective=args.effective,
                            by=args.by, note=args.note)
    if args.command == "deploy":
        from cli.deploy import deploy

        return deploy()
    if args.command == "show":
        return commands.show(args.case, reveal=args.reveal)
    if args.command == "report":
        from cli.reports import report

        return report(args.kind, start=args.start, end=args.end, out=args.out)
    if args.command in ("clocks", "ack", "stalled", "rerun"):
        return _operations(args)
    if args.command == "archive":
        from cli.archive import archive_command

        archive_command(dry_run=args.dry_run)  # prints its own JSON summary
        return None
    if args.command == "migrate":
        from models.store import migrate, transaction
        from tasks.history import backfill_keys
        from tasks.runtime import settings

        migrate(settings().store_url)
        with transaction(settings().store_url) as session:  # cases stored before 0005
            keyed = backfill_keys(session, settings().customer_secret())
        return {"migrated": True, "customer_keys_added": keyed}
    from cli import system

    if args.command == "up":
        return system.up(port=args.port, host=args.host, auth=args.auth, sqlite=args.sqlite)
    return system.serve()


def _without_prefect(args: argparse.Namespace) -> Any:
    """The commands that import no database, HTTP or Prefect code (a test holds triage
    and forms to that): they answer at once, desk or no desk."""
    if args.command == "triage":
        from cli import offline

        return offline.triage_file(args.file, reveal=args.reveal)
    if args.command == "forms":
        from cli import forms

        if args.json:
            return forms.forms(args.stage)
        print(forms.text(args.stage), end="")
        return None
    from cli.desk import down
    from tasks.runtime import settings

    print(down(settings().data_dir), flush=True)
    return None


def _operations(args: argparse.Namespace) -> Any:
    from datetime import timedelta

    from cli import commands
    from models.errors import InputError
    from tasks import operations

    if args.command == "clocks":
        return commands.clocks(args.case)
    if args.command == "ack":
        return operations.acknowledge(args.case, by=args.by, note=args.note)
    if args.command == "stalled":
        minutes = args.older_than
        found = operations.stalled(
            older_than=None if minutes is None else timedelta(minutes=minutes))
        return [{**c, "why_text": _in_words(c["why"])} for c in found]
    if bool(args.case) == bool(args.all_stalled):
        raise InputError("rerun: give one case number or --all-stalled")
    numbers = [args.case] if args.case else [c["case"] for c in operations.stalled()]
    return [operations.rerun(number, force=args.force) for number in numbers]


def _in_words(why: str) -> str:
    """Why a case is stalled, as the board says it, in the staff's language."""
    from zoneinfo import ZoneInfo

    from models.board import stalled_text
    from tasks.runtime import policy

    rules = policy()
    return stalled_text(why, language=rules.staff_language,
                        zone=ZoneInfo(rules.calendar.timezone))


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        result = run(args)
        if result is not None:
            print(json.dumps(result, ensure_ascii=False, indent=2))
    except ComplaintError as exc:
        print(f"complaints {args.command}: {' '.join(str(exc).splitlines())}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the edge: one line here, the trace only in the log file
        print(f"complaints {args.command}: internal error ({type(exc).__name__}); full trace "
              f"in {_log_trace(args.command)}", file=sys.stderr)
        return 2
    return 0


def _log_trace(command: str) -> str:
    """Append the exception being handled, with its trace, to the CLI's log file."""
    import tempfile
    import traceback
    from datetime import UTC, datetime
    from pathlib import Path

    entry = (f"--- {datetime.now(UTC).isoformat(timespec='seconds')} complaints {command}\n"
             f"{traceback.format_exc()}")
    folders = [Path(tempfile.gettempdir()) / "complaints-logs"]
    try:
        from tasks.runtime import settings

        folders.insert(0, settings().data_dir / "logs")
    except Exception:  # the settings may be what failed: the temp folder then
        pass
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with (folder / "cli.log").open("a", encoding="utf-8") as log:
                log.write(entry)
            return str(folder / "cli.log")
        except OSError:
            continue
    return "(nowhere: no log folder could be written)"


if __name__ == "__main__":
    sys.exit(main())
