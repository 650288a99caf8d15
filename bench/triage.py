"""`complaints triage letter.eml`, wall time as a person waits for it (issue #10 goal: ≤ 0.5 s).

    .venv/bin/python bench/triage.py [--runs 20] [FILE]

Runs the installed `complaints` command in a fresh process each time and prints the
median and p95 wall seconds and their ratio to the goal.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL = 0.5


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("--runs", type=int, default=20)
    args.add_argument("file", nargs="?", default=str(ROOT / "tests/data/letters/aircon_zh.eml"))
    options = args.parse_args()
    command = [str(Path(sys.executable).parent / "complaints"), "triage", options.file]
    subprocess.run(command, check=True, capture_output=True)  # warm the file cache
    walls = []
    for _ in range(options.runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
    walls.sort()
    median, p95 = statistics.median(walls), walls[int(0.95 * (len(walls) - 1))]
    print(f"complaints triage {Path(options.file).name}: {options.runs} runs, "
          f"median {median:.3f} s, p95 {p95:.3f} s; median / {GOAL} s goal: {median / GOAL:.2f}")


if __name__ == "__main__":
    main()
