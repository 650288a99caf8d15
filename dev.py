#!/usr/bin/env python3
"""The two commands: `python3 dev.py up` starts the system, `python3 dev.py test` tests it.

Needs only Python 3.11+. Creates .venv beside this file and installs the project into it
(again only when pyproject.toml changed), then hands over to the installed tools.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed"


def ensure_installed() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs before anything is installed
        sys.exit(f"dev.py: Python 3.11 or newer is needed, this is {sys.version.split()[0]}")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted and PYTHON.exists():
        return
    if not PYTHON.exists():
        print("dev.py: creating .venv", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("dev.py: installing the project and its test tools into .venv", flush=True)
    pip = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    for args in (["--upgrade", "pip"], ["-e", f"{ROOT}[test]"]):
        done = subprocess.run([*pip, *args], capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"dev.py: pip install {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    STAMP.write_text(wanted)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("up", "test"):
        print("usage: python3 dev.py up [--port N] | python3 dev.py test [pytest args]")
        return 2
    ensure_installed()
    os.chdir(ROOT)
    if argv[0] == "up":
        if os.name == "posix":  # become `complaints up`: SIGTERM to this pid stops the desk
            os.execv(BIN / "complaints", [str(BIN / "complaints"), "up", *argv[1:]])
        return subprocess.call([str(BIN / "complaints"), "up", *argv[1:]])
    code = subprocess.call([str(PYTHON), "-m", "pytest", *argv[1:]])
    if code == 5:
        print("dev.py: pytest collected no tests: that is a failure here", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
