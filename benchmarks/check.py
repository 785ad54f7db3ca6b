"""Accuracy and latency of `derive check` beside two peers, on the equivalence corpus.

Tools, each over every pair of the corpus (one JSON object a line: a, b,
expected, optional domains):

  derive (cold)    derive.check in this process, first pass (parse memo empty)
  derive (warm)    the same, second pass over the corpus (parse memo warm)
  sympy.simplify   simplify(A - B) == 0 on the raw latex2sympy2_extended parse
                   (a parse error counts as "unknown"; domains are not used)
  math-verify      HuggingFace math_verify: verify(parse(A), parse(B))

Then the derivative pairs (tests/data/derivatives/pairs.jsonl: each spelling of
a derivative with its right value and a wrong twin), the same table for each tool.

Then, where ../shared/peer-suites is beside the clone, other projects' suites
(answer checkers; parser expectations): for derive and math-verify, how many
pairs each reads (does not refuse), gets right, calls a false "equivalent",
and the median and p90 ms per pair.

A tool is right when its verdict equals the expected one; "unknown" and errors
are wrong, but they are not false "equivalent"s. Also timed: one whole
`derive check` command (process start, imports, answer), median of 5 runs.

math-verify is not a dependency of derive: it lives in the benchmark's own
virtual environment (`make bench-env`), so run this script with that
environment's Python:

    make bench-env
    .venv-bench/bin/python benchmarks/check.py [--corpus FILE] [--details]
"""
from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from timelimit import Late, limit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT / "tests" / "data" / "equivalence_public.jsonl"  # copy of ../shared/corpus
#: Derivative pairs: every spelling derive reads, each with its wrong twin.
DERIVATIVE_PAIRS = ROOT / "tests" / "data" / "derivatives" / "pairs.jsonl"
#: A peer that runs longer than this on one pair is stopped: verdict "unknown".
PAIR_LIMIT = 60.0
CLI_PAIR = (r"\frac{1}{1+e^{-x}}", r"\frac{e^x}{1+e^x}")


# -- the tools: each maps a pair to "equivalent", "not_equivalent" or "unknown" ------------------
def derive_tool(evidence: list | None = None):
    """``evidence`` (when given) collects, per ``equivalent``, whether it was proved."""
    from derive import check
    from derive.parsing import ParseError

    def run(pair: dict) -> str:
        try:
            verdict = check(pair["a"], pair["b"], pair.get("domains") or None)
        except ParseError:
            return "unknown"
        if evidence is not None and verdict.verdict == "equivalent":
            evidence.append(verdict.proved)
        return verdict.verdict
    return run


def derive_reading_tool():
    """derive, telling a refusal (``refused``) from an undecided pair."""
    from derive import check
    from derive.parsing import ParseError

    def run(pair: dict) -> str:
        try:
            return check(pair["a"], pair["b"], pair.get("domains") or None).verdict
        except ParseError:
            return "refused"
    return run


def math_verify_reading_tool():
    """math-verify, with a formula it cannot parse counted as ``refused``."""
    from math_verify import parse, verify

    def run(pair: dict) -> str:
        gold, answer = parse(f"${pair['a']}$"), parse(f"${pair['b']}$")
        if not gold or not answer:
            return "refused"
        return "equivalent" if verify(gold, answer) else "not_equivalent"
    return run


ANSWER_CHECKERS = ("math_verify", "nemo_skills", "mario_eval", "hendrycks_math")


def peer_suites_dir() -> Path | None:
    """``../shared/peer-suites`` beside this clone, or beside the clone a worktree belongs to."""
    candidates = [ROOT.parent / "shared" / "peer-suites"]
    git = ROOT / ".git"
    if git.is_file():
        line = git.read_text(encoding="utf-8").strip()
        if line.startswith("gitdir:"):
            candidates.append(Path(line.split(":", 1)[1].strip()).parents[2].parent / "shared" / "peer-suites")
    return next((c for c in candidates if c.is_dir()), None)


def peer_suites(directory: Path, tools: dict) -> None:
    """Other projects' suites (answer checkers, parser expectations): read, right, false
    `equivalent`, median and p90 ms per pair, for each tool."""
    groups: dict[str, list[dict]] = {"answer checkers": [], "parser expectations": []}
    for path in sorted(directory.glob("*.jsonl")):
        group = "answer checkers" if path.stem in ANSWER_CHECKERS else "parser expectations"
        groups[group] += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    print()
    print(f"other projects' suites ({directory}):")
    header = f"{'suite':<20} {'tool':<12} {'read':>11} {'right':>11} {'false equiv.':>12} {'median ms':>10} {'p90 ms':>9}"
    print(header)
    print("-" * len(header))
    for group, pairs in groups.items():
        for name, run in tools.items():
            results = measure(run, pairs)
            verdicts = [v for v, _ in results]
            ms = [t for _, t in results]
            read = sum(v != "refused" for v in verdicts)
            right = sum(v == p["expected"] for v, p in zip(verdicts, pairs))
            false = sum(v == "equivalent" and p["expected"] != "equivalent" for v, p in zip(verdicts, pairs))
            print(f"{group:<20} {name:<12} {f'{read}/{len(pairs)}':>11} {f'{right}/{len(pairs)}':>11} {false:>12} "
                  f"{statistics.median(ms):>10.1f} {p90(ms):>9.1f}")


def simplify_tool():
    import sympy as sp
    from latex2sympy2_extended import latex2sympy

    def run(pair: dict) -> str:
        try:
            a, b = latex2sympy(pair["a"]), latex2sympy(pair["b"])
        except Exception:  # noqa: BLE001 -- any parse failure is "unknown"
            return "unknown"
        try:
            return "equivalent" if sp.simplify(a - b) == 0 else "not_equivalent"
        except Exception:  # noqa: BLE001 -- e.g. a relation or a set, not an expression
            return "unknown"
    return run


def math_verify_tool():
    from math_verify import parse, verify

    def run(pair: dict) -> str:
        gold, answer = parse(f"${pair['a']}$"), parse(f"${pair['b']}$")
        if not gold or not answer:
            return "unknown"
        return "equivalent" if verify(gold, answer) else "not_equivalent"
    return run


def measure(run, pairs: list[dict]) -> list[tuple[str, float]]:
    """``(verdict, ms)`` per pair; an exception or an overrun counts as "unknown"."""
    out = []
    for pair in pairs:
        started = time.perf_counter()
        try:
            with limit(PAIR_LIMIT):
                verdict = run(pair)
        except (Late, Exception):  # noqa: BLE001 -- a crash is a wrong answer, not the end
            verdict = "unknown"
        out.append((verdict, (time.perf_counter() - started) * 1000))
    return out


# -- figures -----------------------------------------------------------------------------------
def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def summary(name: str, results: list[tuple[str, float]], pairs: list[dict]) -> dict:
    expected = [p["expected"] for p in pairs]
    verdicts = [v for v, _ in results]
    ms = [t for _, t in results]
    return {
        "tool": name,
        "correct": sum(v == e for v, e in zip(verdicts, expected)),
        "total": len(pairs),
        "false_equivalent": sum(v == "equivalent" and e != "equivalent" for v, e in zip(verdicts, expected)),
        "unknown": sum(v == "unknown" for v in verdicts),
        "median_ms": statistics.median(ms),
        "p90_ms": p90(ms),
    }


def print_rows(rows: list[dict]) -> None:
    header = f"{'tool':<16} {'correct/total':>13} {'false equiv.':>12} {'unknown':>8} {'median ms':>10} {'p90 ms':>9}"
    print(header)
    print("-" * len(header))
    for r in rows:
        print(f"{r['tool']:<16} {str(r['correct']) + '/' + str(r['total']):>13} {r['false_equivalent']:>12} "
              f"{r['unknown']:>8} {r['median_ms']:>10.1f} {r['p90_ms']:>9.1f}")


def derivative_table(derive_run, mv) -> None:
    """The derivative pairs, for derive (warm), sympy.simplify and math-verify when present."""
    pairs = [json.loads(line) for line in DERIVATIVE_PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()]
    tools = {"derive (warm)": derive_run, "sympy.simplify": simplify_tool()}
    if mv is not None:
        tools["math-verify"] = mv
    print()
    print(f"derivative pairs: {DERIVATIVE_PAIRS.relative_to(ROOT)} ({len(pairs)} pairs, each spelling with "
          "its wrong twin)")
    print_rows([summary(name, measure(run, pairs), pairs) for name, run in tools.items()])


def cli_seconds(runs: int = 5) -> tuple[float, list[float]]:
    """Whole-process time of one `derive check` command, median of ``runs``."""
    exe = Path(sys.executable).with_name("derive")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "derive"]
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.run(cmd + ["check", *CLI_PAIR], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
        if proc.returncode != 0:
            raise SystemExit(f"`derive check` exited {proc.returncode} on {CLI_PAIR}")
    return statistics.median(times), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, action="append",
                        help=f"a JSONL corpus; repeatable (default {DEFAULT_CORPUS.relative_to(ROOT)})")
    parser.add_argument("--details", action="store_true", help="also print every pair's verdicts")
    parser.add_argument("--runs", type=int, default=5, help="runs of the whole `derive check` command")
    parser.add_argument("--peer-suites", type=Path, default=peer_suites_dir(),
                        help="directory of other projects' suites (default: ../shared/peer-suites)")
    args = parser.parse_args()

    corpora = args.corpus or [DEFAULT_CORPUS]
    pairs = [json.loads(line) for corpus in corpora
             for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    print(f"corpus: {', '.join(map(str, corpora))} ({len(pairs)} pairs: "
          f"{sum(p['expected'] == 'equivalent' for p in pairs)} equivalent, "
          f"{sum(p['expected'] == 'not_equivalent' for p in pairs)} not equivalent)")

    # imports first, so that no tool's first pair pays for another's imports
    import sympy  # noqa: F401
    import latex2sympy2_extended  # noqa: F401
    try:
        mv = math_verify_tool()
    except ImportError:
        mv = None
        print("math-verify is not importable here; run `make bench-env`, then run this script "
              "with .venv-bench/bin/python", file=sys.stderr)

    evidence: list[bool] = []
    derive_run = derive_tool(evidence)
    rows, columns = [], {}
    columns["derive (cold)"] = measure(derive_run, pairs)
    evidence.clear()
    columns["derive (warm)"] = measure(derive_run, pairs)
    columns["sympy.simplify"] = measure(simplify_tool(), pairs)
    if mv is not None:
        columns["math-verify"] = measure(mv, pairs)
    for name, results in columns.items():
        rows.append(summary(name, results, pairs))

    print()
    print_rows(rows)
    if mv is None:
        print(f"{'math-verify':<16} {'not run: `make bench-env`':>13}")

    derivative_table(derive_run, mv)

    proved = sum(evidence)
    print()
    print(f"derive's equivalent verdicts: {len(evidence)}, proved {proved} "
          f"({100 * proved / max(1, len(evidence)):.0f}%), on points alone {len(evidence) - proved} "
          f"({100 * (len(evidence) - proved) / max(1, len(evidence)):.0f}%)")

    median, times = cli_seconds(args.runs)
    print()
    print(f"whole `derive check` command (process start to answer), median of {len(times)}: "
          f"{median * 1000:.0f} ms  (runs: {', '.join(f'{t * 1000:.0f}' for t in times)})")

    if args.peer_suites is not None and args.peer_suites.is_dir():
        tools = {"derive": derive_reading_tool()}
        if mv is not None:
            tools["math-verify"] = math_verify_reading_tool()
        peer_suites(args.peer_suites, tools)
    else:
        print("\nother projects' suites: not found (../shared/peer-suites beside the clone)")

    if args.details:
        print()
        names = list(columns)
        print(f"{'pair':<32} {'expected':<15} " + " ".join(f"{n:<16}" for n in names))
        for i, pair in enumerate(pairs):
            cells = []
            for n in names:
                verdict, ms = columns[n][i]
                short = {"equivalent": "eq", "not_equivalent": "not", "unknown": "unk"}[verdict]
                mark = "ok" if verdict == pair["expected"] else ("FALSE" if verdict == "equivalent" else "x")
                cells.append(f"{short:<3} {mark:<5} {ms:>5.0f}ms".ljust(16))
            print(f"{pair.get('id', i)[:32]:<32} {pair['expected']:<15} " + " ".join(cells))


if __name__ == "__main__":
    main()
