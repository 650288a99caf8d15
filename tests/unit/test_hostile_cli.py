"""The real edge of the command line, run as a process: whatever the file or the failure,
one line naming what is wrong, exit 2, no traceback and no customer data (issue #9,
defects 5 and 7); `triage` masks the customer unless `--reveal`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

LETTER = ROOT / "tests" / "data" / "letters" / "monitor_en.eml"
CUSTOMER = '"customer": {"name": "Anna Weber", "phone": "13755556666"}'
HOSTILE = {
    "invalid-utf8.json": ('{' + CUSTOMER + ', "subject": "caf').encode() + b'\xe9"}',
    "deep.json": ('{' + CUSTOMER + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}").encode(),
    "digits.json": ('{' + CUSTOMER + ', "claimed_loss": ' + "7" * 5_000 + "}").encode(),
}
COMMANDS = {"triage": ["triage"], "submit": ["submit"],
            "respond": ["respond", "C-20261124-0001", "investigation"]}


def complaints(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=ROOT,
                          env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=180)


def _one_line_exit_2(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    for value in ("Anna", "Weber", "13755556666", "7777777"):
        assert value not in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("name", sorted(HOSTILE))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_hostile_json_is_one_line_and_exit_2_never_a_traceback(
    tmp_path: Path, name: str, command: str,
) -> None:
    path = tmp_path / name
    path.write_bytes(HOSTILE[name])
    line = _one_line_exit_2(complaints(*COMMANDS[command], str(path)))
    assert line.startswith(f"complaints {command}: {path}: ")
    assert "internal error" not in line


def test_an_internal_error_is_one_line_and_its_trace_goes_to_the_log(tmp_path: Path) -> None:
    # A store URL naming a driver that does not exist: SQLAlchemy raises something that
    # is none of our errors, from deep inside.
    data = tmp_path / "data"
    done = complaints("show", "C-20261124-0001", COMPLAINTS_DATA_DIR=str(data),
                      COMPLAINTS_DATABASE_URL="nosuchdriver://anna:secret@db/cases")
    line = _one_line_exit_2(done)
    assert line.startswith("complaints show: internal error (") and "secret" not in line
    log = Path(line.rsplit("full trace in ", 1)[1])
    assert log.is_relative_to(data) and "Traceback" in log.read_text(encoding="utf-8")


def test_triage_of_a_letter_masks_the_customer_unless_revealed() -> None:
    masked = complaints("triage", str(LETTER))
    assert masked.returncode == 0, masked.stderr
    assert "Tomas Lindqvist" not in masked.stdout
    assert "tomas.lindqvist@" not in masked.stdout
    assert "T*** L***" in masked.stdout and "t***@example.se" in masked.stdout
    revealed = complaints("triage", "--reveal", str(LETTER))
    assert revealed.returncode == 0, revealed.stderr
    assert "Tomas Lindqvist" in revealed.stdout
    assert "tomas.lindqvist@example.se" in revealed.stdout
