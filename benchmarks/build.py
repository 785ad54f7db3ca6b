"""Time `derive build` for the whole catalogue, whole process, several runs.

Prints the median and spread of the whole command, beside the floor it cannot
beat (starting Python and importing sympy), and an in-process breakdown per
derivation. Target (issue 2): the whole catalogue under 5 s on 2 cores.

    python benchmarks/build.py [--runs 7]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as out:
        build = [timed([sys.executable, "-m", "derive", "build", "--out", out]) for _ in range(args.runs)]
    floor = [timed([sys.executable, "-c", "import sympy, mpmath"]) for _ in range(args.runs)]

    med_build, med_floor = statistics.median(build), statistics.median(floor)
    print(f"runs: {args.runs}")
    print(f"{'command':<34} {'median s':>9} {'min s':>7} {'max s':>7}")
    print(f"{'derive build (whole catalogue)':<34} {med_build:>9.3f} {min(build):>7.3f} {max(build):>7.3f}")
    print(f"{'python -c import sympy (floor)':<34} {med_floor:>9.3f} {min(floor):>7.3f} {max(floor):>7.3f}")
    print(f"ratio build / floor: {med_build / med_floor:.2f}   target: build < 5 s -> "
          f"{'met' if med_build < 5 else 'NOT met'}")

    from derive import catalogue
    from derive.checks.steps import check_derivation

    print(f"\n{'derivation (in process)':<34} {'steps':>5} {'check s':>8}")
    for d in catalogue.all_derivations():
        times = []
        for _ in range(3):
            start = time.perf_counter()
            check_derivation(d)
            times.append(time.perf_counter() - start)
        print(f"{d.name:<34} {len(d.steps):>5} {statistics.median(times):>8.3f}")


if __name__ == "__main__":
    main()
