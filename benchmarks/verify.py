"""Speed and accuracy of `derive verify` on the examples, beside two peers on the same steps.

  1. speed     verify_file on every example (good and broken): median of 5 in-process
               runs after one warm-up; one cold `derive verify FILE` process per good file
  2. accuracy  good files must hold; each broken copy (examples/broken/EXPECTED.json) must
               fail, or be unknown where the entry says so, at exactly its line
  2b. slips    each broken copy: the slip derive names at the failing line against the one
               planted (EXPECTED.json's `slip`), and the time spent looking for it per failing step
  3. peers     every step derive verify reports, minus `defines` rows, arg max / max / min
               rows and P(..)/p(..) probability notation, asked of
                 sympy.simplify  simplify(A - B) == 0 on latex2sympy2_extended's parse (5 s a step)
                 math-verify     verify(parse($A$), parse($B$)) (its own 5 s limits)
               counted on the steps of the good files and on the broken lines of the copies

math-verify is not a dependency of derive; it lives in the benchmark's own environment:

    make bench-env
    .venv-bench/bin/python benchmarks/verify.py      (.venv/bin/python skips math-verify)
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from timelimit import Late, limit

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
RUNS = 5
STEP_LIMIT = 5.0
#: P( / p( / \mathbb{P}( / P\big( ... : probability notation the peers cannot read as algebra
PROBABILITY = re.compile(r"(?<![A-Za-z\\])[Pp]\}?\s*(\\[Bb]ig+[lr]?\s*)?\(")


# -- the peers: each maps (before, after) to "holds", "fails", "unread" or "undecided" ----------
def sympy_tool():
    import sympy as sp
    from latex2sympy2_extended import latex2sympy

    def run(a: str, b: str) -> str:
        try:
            with limit(STEP_LIMIT):
                try:
                    x, y = latex2sympy(a), latex2sympy(b)
                except Exception:  # noqa: BLE001 -- any parse failure: could not read
                    return "unread"
                return "holds" if sp.simplify(x - y) == 0 else "fails"
        except (Late, Exception):  # noqa: BLE001 -- a timeout or e.g. a relation minus a number
            return "undecided"
    return run


def math_verify_tool():
    import sympy as sp
    from math_verify import parse, verify

    def run(a: str, b: str) -> str:
        gold, answer = parse(f"${a}$"), parse(f"${b}$")
        # a failed parse is the raw string alone: no sympy object to compare
        if not any(isinstance(v, sp.Basic) for v in gold) or not any(isinstance(v, sp.Basic) for v in answer):
            return "unread"
        return "holds" if verify(gold, answer) else "fails"
    return run


def comparable(step) -> bool:
    if step.verdict.value == "defines":
        return False
    sides = (step.before.strip(), step.after.strip())
    return not any(s.startswith(("\\arg", "\\max", "\\min")) or PROBABILITY.search(s) for s in sides)


# -- 1. speed ------------------------------------------------------------------------------------
def in_process(path: Path):
    from derive.verify import verify_file
    verify_file(path)  # warm-up
    times, report = [], None
    for _ in range(RUNS):
        started = time.perf_counter()
        report = verify_file(path)
        times.append(time.perf_counter() - started)
    return report, statistics.median(times), times


def cold(path: Path) -> tuple[float, int]:
    exe = Path(sys.executable).with_name("derive")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "derive"]
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    started = time.perf_counter()
    proc = subprocess.run(cmd + ["verify", str(path)], cwd=ROOT, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started, proc.returncode


def slips_named(expected: list[dict]) -> None:
    """2b: the slip named at each broken copy's failing line, against the planted one."""
    from derive.verify import steps as step_module, verify_file
    spent: list[tuple[float, float]] = []  # (processor s, wall s) per failing step
    real = step_module.slips.suggest

    def timed(*args, **kwargs):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return real(*args, **kwargs)
        finally:
            spent.append((time.process_time() - cpu, time.perf_counter() - wall))
    print("\n2b. the slip named at the failing line (planted: EXPECTED.json's `slip`; - = no single slip)")
    head = f"{'file':<38} {'planted':<14} {'named':<14} {'':>5}  suggestion"
    print(head + "\n" + "-" * len(head))
    planted = named_right = quiet = quiet_right = 0
    step_module.slips.suggest = timed
    try:
        for entry in expected:
            report = verify_file(EXAMPLES / entry["file"])
            hit = next((s for s in report.steps if not s.ok), None)
            found = hit.suggestion if hit is not None and hit.line == entry["line"] else None
            want = entry.get("slip")
            ok = (found is not None and found.kind == want) if want else found is None
            planted += want is not None
            named_right += bool(want) and ok
            quiet += want is None
            quiet_right += want is None and ok
            print(f"{entry['file']:<38} {want or '-':<14} {found.kind if found else '-':<14} "
                  f"{'ok' if ok else 'WRONG':>5}  {found.text if found else ''}")
    finally:
        step_module.slips.suggest = real
    cpu = sorted(c for c, _ in spent)
    wall = sorted(w for _, w in spent)
    print(f"named slip = planted slip: {named_right} of {planted} copies with a single planted slip; "
          f"no suggestion on {quiet_right} of {quiet} copies whose change is no single slip")
    if spent:
        print(f"looking for the slip, per failing step ({len(spent)} steps): median {statistics.median(cpu):.2f} s "
              f"processor / {statistics.median(wall):.2f} s wall, largest {cpu[-1]:.2f} s / {wall[-1]:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--details", action="store_true", help="also print every compared step's verdicts")
    args = parser.parse_args()

    good = sorted(p for p in EXAMPLES.glob("seed*") if p.suffix in (".tex", ".md"))
    expected = json.loads((EXAMPLES / "broken" / "EXPECTED.json").read_text(encoding="utf-8"))
    expected.sort(key=lambda e: e["file"])
    files = [(p, None) for p in good] + [(EXAMPLES / e["file"], e) for e in expected]
    print(f"examples: {len(good)} good derivations, {len(expected)} broken copies; "
          f"python: {Path(sys.executable).parent.parent.name}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cpus")

    import sympy  # noqa: F401 -- imports first, so that no file pays for them
    import latex2sympy2_extended  # noqa: F401
    from derive.verify import verify_file  # noqa: F401

    print(f"\n1. speed: verify_file in process, median of {RUNS} runs after one warm-up; "
          f"cold = one whole `derive verify FILE` process")
    head = f"{'file':<38} {'steps':>5} {'median ms':>10} {'min ms':>7} {'max ms':>7} {'cold s':>7} {'exit':>4}"
    print(head + "\n" + "-" * len(head))
    reports, per_file, per_step, colds = {}, {}, [], []
    for path, entry in files:
        report, med, times = in_process(path)
        reports[path], per_file[path] = report, med
        per_step.append(med / max(1, len(report.steps)))
        cold_cell = ""
        if entry is None:
            seconds, code = cold(path)
            colds.append(seconds)
            cold_cell = f"{seconds:>7.2f} {code:>4}"
        print(f"{path.relative_to(EXAMPLES).as_posix():<38} {len(report.steps):>5} {med * 1000:>10.0f} "
              f"{min(times) * 1000:>7.0f} {max(times) * 1000:>7.0f} {cold_cell}")
    n_steps = sum(len(r.steps) for r in reports.values())
    print(f"total: {sum(per_file.values()):.2f} s in process for {len(files)} files ({n_steps} steps); "
          f"{sum(colds):.2f} s cold for the {len(colds)} good files; "
          f"median per step {statistics.median(per_step) * 1000:.1f} ms (file median / its steps)")

    print("\n2. accuracy of derive verify (good: holds; broken: the expected verdict at exactly the line)")
    head = f"{'file':<38} {'expected':<14} {'got':<20} {'':>5}"
    print(head + "\n" + "-" * len(head))
    tally = {"good files holding": 0, "broken copies caught at the line": 0, "anything else": 0}
    for path, entry in files:
        r = reports[path]
        if entry is None:
            want, ok, got = "holds", r.status == "holds", r.status
            tally["good files holding" if ok else "anything else"] += 1
        else:
            verdict = entry.get("verdict", "fails")
            want = f"{verdict} @ {entry['line']}"
            hit = r.first_failure if verdict == "fails" else (r.undecided[0] if r.undecided else None)
            ok = r.status == verdict and hit is not None and hit.line == entry["line"]
            got = f"{r.status} @ {hit.line}" if hit is not None else r.status
            tally["broken copies caught at the line" if ok else "anything else"] += 1
        print(f"{path.relative_to(EXAMPLES).as_posix():<38} {want:<14} {got:<20} {'ok' if ok else 'WRONG':>5}")
    print("   ".join(f"{k}: {v}" for k, v in tally.items()))

    slips_named(expected)

    # -- 3. peers, on the same steps ---------------------------------------------------------------
    cases = []  # (kind, before, after, derive verdict, derive ms share)
    skipped = 0
    for path, entry in files:
        r = reports[path]
        share = per_file[path] / max(1, len(r.steps))
        for s in r.steps:
            if entry is not None and s.line != entry["line"]:
                continue
            if not comparable(s):
                skipped += s.verdict.value != "defines"
                continue
            cases.append(("good" if entry is None else "broken", s.before, s.after, s.verdict.value, share))
    n_good = sum(c[0] == "good" for c in cases)
    n_broken = len(cases) - n_good
    print(f"\n3. peers on the same steps: {n_good} steps of the good files, {n_broken} at the broken lines "
          f"({skipped} more steps left out: arg max / max / min or P(..) notation)")

    columns = {"derive verify": [(c[3], c[4] * 1000) for c in cases]}
    tools = {"sympy.simplify": sympy_tool}
    try:
        tools["math-verify"] = math_verify_tool
        math_verify_tool()
    except ImportError:
        del tools["math-verify"]
        print("   math-verify is not importable here: skipped (run `make bench-env`, then this "
              "script with .venv-bench/bin/python)")
    for name, make in tools.items():
        run, out = make(), []
        for _, a, b, _, _ in cases:
            started = time.perf_counter()
            verdict = run(a, b)
            out.append((verdict, (time.perf_counter() - started) * 1000))
        columns[name] = out

    head = (f"{'tool':<16} {'good steps confirmed':>21} {'broken steps caught':>20} {'false alarms':>13} "
            f"{'could not read':>15} {'median ms per step':>19}")
    print(head + "\n" + "-" * len(head))
    for name, out in columns.items():
        pairs = [(c[0], v) for c, (v, _) in zip(cases, out)]
        confirmed = sum(k == "good" and v == "holds" for k, v in pairs)
        caught = sum(k == "broken" and v == "fails" for k, v in pairs)
        alarms = sum(k == "good" and v == "fails" for k, v in pairs)
        unread = sum(v == "unread" for _, v in pairs)
        undecided = sum(v in ("undecided", "unknown") for _, v in pairs)
        print(f"{name:<16} {f'{confirmed}/{n_good}':>21} {f'{caught}/{n_broken}':>20} {alarms:>13} "
              f"{unread:>15} {statistics.median(t for _, t in out):>19.1f}"
              + (f"   ({undecided} undecided)" if undecided else ""))
    if args.details:
        names = list(columns)
        print(f"\n{'kind':<7} " + " ".join(f"{n[:14]:<14}" for n in names) + " step (before -> after)")
        for i, (kind, a, b, _, _) in enumerate(cases):
            print(f"{kind:<7} " + " ".join(f"{columns[n][i][0]:<14}" for n in names) + f" {a}  ->  {b}")
    print("derive verify's ms per step is its file's median time divided by the file's steps; "
          f"a peer that neither parses nor decides within {STEP_LIMIT:g} s is 'undecided'")
    real_corpus()


def real_corpus() -> None:
    """The real derivations of tests/data/real against their hand judgements: the counts,
    and the median time per step."""
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from real_corpus import judgements, score, summary
    scores, per_step = [], []
    for j in judgements():
        started = time.perf_counter()
        s = score(j)
        per_step.append((time.perf_counter() - started) * 1000 / max(1, len(j.steps)))
        scores.append(s)
    print("\nreal derivations (tests/data/real, verbatim, with the domains their authors state):")
    for key, value in summary(scores).items():
        print(f"  {key:<16} {value}")
    print(f"  median ms per step {statistics.median(per_step):.1f}")


if __name__ == "__main__":
    main()
