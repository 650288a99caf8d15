"""`complaints triage`, `complaints forms` and `complaints --help` import what they use:
no SQLAlchemy, no httpx, no Prefect (issue #10, 4). Checked in a fresh interpreter, as a
person runs them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

PROBE = """
import json, sys
from cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
heavy = [m for m in ("sqlalchemy", "httpx", "prefect") if m in sys.modules]
print(json.dumps(heavy), file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["--help"], ["forms"],
                                  ["triage", "tests/data/letters/aircon_zh.eml"],
                                  ["triage", "tests/data/letters/monitor_en.eml"]])
def test_triage_forms_and_help_import_no_database_http_or_prefect_code(args: list[str]) -> None:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert json.loads(done.stderr.strip().splitlines()[-1]) == [], done.stderr
