"""Throughput of `derive check --batch`: pairs per second and peak memory.

The input is the public equivalence corpus cycled to --pairs lines (10,000 by
default), each line tagged with its number so the order can be checked. Each
--jobs setting runs the real command once; printed: wall time, pairs per
second, the peak resident memory of the parent and of the largest worker, the
answers by verdict, and whether every line was answered in order.

    .venv/bin/python benchmarks/batch.py [--pairs 10000] [--jobs 1 2] [--timeout 10]
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "equivalence_public.jsonl"
#: Runs the command and prints the peak RSS (KiB) of itself and of its largest child.
RUNNER = """
import resource, subprocess, sys
proc = subprocess.run(sys.argv[1:])
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{proc.returncode} {children}", file=sys.stderr)
"""


def batch_file(pairs: int, folder: Path) -> Path:
    cases = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    path = folder / "pairs.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for n in range(pairs):
            case = cases[n % len(cases)]
            fh.write(json.dumps({"n": n, "a": case["a"], "b": case["b"], "domains": case.get("domains") or {}}) + "\n")
    return path


def run(source: Path, jobs: int, timeout: float, folder: Path) -> dict:
    out = folder / f"answers-{jobs}.jsonl"
    command = [sys.executable, "-m", "derive.cli", "check", "--batch", str(source), "--out", str(out),
               "--jobs", str(jobs), "--timeout", str(timeout), "--quiet"]
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", RUNNER, *command], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    code, peak_kib = proc.stderr.strip().splitlines()[-1].split()
    answers = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    return {"jobs": jobs, "seconds": seconds, "exit": int(code), "peak_mib": int(peak_kib) / 1024,
            "answers": len(answers), "in_order": [a.get("n") for a in answers] == list(range(len(answers))),
            "verdicts": collections.Counter(a["verdict"] for a in answers)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pairs", type=int, default=10_000)
    p.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    p.add_argument("--timeout", type=float, default=10.0)
    args = p.parse_args()
    print(f"{args.pairs} pairs cycled from {CORPUS.name}; {os.cpu_count()} cores; "
          f"load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        source = batch_file(args.pairs, Path(tmp))
        for jobs in args.jobs:
            r = run(source, jobs, args.timeout, Path(tmp))
            verdicts = ", ".join(f"{k} {v}" for k, v in sorted(r["verdicts"].items()))
            print(f"--jobs {jobs}: {r['seconds']:.1f} s, {args.pairs / r['seconds']:.1f} pairs/s, "
                  f"peak memory (largest process) {r['peak_mib']:.0f} MiB, exit {r['exit']}, "
                  f"{r['answers']} answers{' in order' if r['in_order'] else ' OUT OF ORDER'} ({verdicts})")


if __name__ == "__main__":
    main()
