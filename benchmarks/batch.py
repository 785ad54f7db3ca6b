"""Throughput of `derive check --batch`: pairs per second and peak memory.

The input is the public equivalence corpus cycled to --pairs lines (10,000 by
default), each line tagged with its number so the order can be checked. Each
--jobs setting runs the real command once, then (with --dask N, default 2; 0 for
none) a Dask LocalCluster of N worker processes is started here and the command
runs on it with --scheduler. Printed: wall time, pairs per second, the peak
resident memory per worker (local: the largest process; Dask: each worker process
and the checking process it keeps), the answers by verdict, and whether every line
was answered in order.

    .venv/bin/python benchmarks/batch.py [--pairs 10000] [--jobs 1 2] [--dask 2] [--timeout 10]
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


def run(source: Path, jobs: int, timeout: float, folder: Path, engine: list[str] | None = None) -> dict:
    out = folder / f"answers-{jobs}{'-dask' if engine else ''}.jsonl"
    command = [sys.executable, "-m", "derive.cli", "check", "--batch", str(source), "--out", str(out),
               "--jobs", str(jobs), "--timeout", str(timeout), "--quiet", *(engine or [])]
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", RUNNER, *command], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    code, peak_kib = proc.stderr.strip().splitlines()[-1].split()
    answers = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    return {"jobs": jobs, "seconds": seconds, "exit": int(code), "peak_mib": int(peak_kib) / 1024,
            "answers": len(answers), "in_order": [a.get("n") for a in answers] == list(range(len(answers))),
            "verdicts": collections.Counter(a["verdict"] for a in answers)}


def _peaks() -> dict:
    """On a Dask worker: the peak resident memory (MiB) of the worker process and
    of the largest process it started (the checking process it keeps)."""
    import os
    import psutil

    def hwm(pid: int) -> float:
        try:
            text = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return 0.0
        line = next((x for x in text.splitlines() if x.startswith("VmHWM:")), "VmHWM: 0 kB")
        return int(line.split()[1]) / 1024

    children = psutil.Process().children(recursive=True)
    return {"worker": hwm(os.getpid()), "checker": max((hwm(c.pid) for c in children), default=0.0)}


def run_dask(source: Path, workers: int, timeout: float, folder: Path) -> tuple[dict, float, dict]:
    """The command on a LocalCluster of ``workers`` processes started here: its result,
    the cluster's start time and each worker's peak memory."""
    import logging

    from distributed import Client, LocalCluster

    started = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        client.wait_for_workers(workers)
        start_s = time.perf_counter() - started
        r = run(source, workers, timeout, folder, ["--scheduler", cluster.scheduler_address])
        peaks = client.run(_peaks)
    return r, start_s, peaks


def _line(label: str, r: dict, pairs: int, memory: str) -> str:
    verdicts = ", ".join(f"{k} {v}" for k, v in sorted(r["verdicts"].items()))
    return (f"{label}: {r['seconds']:.1f} s, {pairs / r['seconds']:.1f} pairs/s, {memory}, exit {r['exit']}, "
            f"{r['answers']} answers{' in order' if r['in_order'] else ' OUT OF ORDER'} ({verdicts})")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pairs", type=int, default=10_000)
    p.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    p.add_argument("--dask", type=int, default=2, metavar="N", help="a Dask LocalCluster of N workers (0: none)")
    p.add_argument("--timeout", type=float, default=10.0)
    args = p.parse_args()
    print(f"{args.pairs} pairs cycled from {CORPUS.name}; {os.cpu_count()} cores; "
          f"load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        source = batch_file(args.pairs, Path(tmp))
        rates = {}
        for jobs in args.jobs:
            r = run(source, jobs, args.timeout, Path(tmp))
            rates[f"--jobs {jobs}"] = args.pairs / r["seconds"]
            print(_line(f"--jobs {jobs}", r, args.pairs,
                        f"peak memory (largest process) {r['peak_mib']:.0f} MiB"), flush=True)
        if args.dask:
            try:
                r, start_s, peaks = run_dask(source, args.dask, args.timeout, Path(tmp))
            except ImportError:
                print("Dask: not installed (pip install 'derive[dask]')")
                return
            rates["dask"] = args.pairs / r["seconds"]
            memory = "peak memory per worker " + "; ".join(
                f"{p['worker']:.0f} MiB + checker {p['checker']:.0f} MiB" for p in peaks.values())
            print(_line(f"Dask LocalCluster of {args.dask} (started in {start_s:.1f} s)", r, args.pairs, memory))
        base = rates.get("--jobs 1")
        if base:
            print("relative to --jobs 1: " + ", ".join(f"{k} {v / base:.2f}x" for k, v in rates.items()))

if __name__ == "__main__":
    main()
