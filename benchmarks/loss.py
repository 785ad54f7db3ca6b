"""Time `derive loss`, whole process, for every example likelihood; nodes expanded per derivation.

Prints, per likelihood, the median whole-process time of `derive loss ... --format json`
(search, checks and certificate) and the lines the search expanded (in process).
Target: median under 3 s on 2 cores.

    python benchmarks/loss.py [--runs 3]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from derive.search import SearchStats, from_likelihood
from derive.search.examples import EXAMPLES


def argv_for(name: str) -> list[str]:
    ex = EXAMPLES[name]
    argv = [sys.executable, "-m", "derive", "loss", ex.likelihood, "--format", "json", "--name", name]
    for key, kind in ex.domains.items():
        argv += ["--domain", f"{key}={kind}"]
    for p in ex.params or []:
        argv += ["--param", p]
    return argv


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    medians = []
    print(f"{'likelihood':<30} {'median s':>9} {'expanded':>9} {'reached':>8} {'steps':>6}")
    for name, ex in EXAMPLES.items():
        med = statistics.median(timed(argv_for(name)) for _ in range(args.runs))
        stats = SearchStats()
        d = from_likelihood(ex.likelihood, ex.domains, ex.params, name=name, stats=stats)
        medians.append(med)
        print(f"{name:<30} {med:>9.3f} {stats.expanded:>9} {stats.reached:>8} {len(d.steps):>6}")
    overall = statistics.median(medians)
    print(f"median over likelihoods: {overall:.3f} s   target: < 3 s -> {'met' if overall < 3 else 'NOT met'}")


if __name__ == "__main__":
    main()
