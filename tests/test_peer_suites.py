"""Other projects' test suites (../shared/peer-suites, read where they are) through
`derive check --batch`: how much is read, and never a false `equivalent`."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ANSWER_CHECKERS = ("math_verify", "nemo_skills", "mario_eval", "hendrycks_math")
#: Pairs whose `equivalent` differs from the suite's expectation only by one of its
#: conventions (README of the suites; the table in README.md, "Read from other suites").
CONVENTIONS: dict[str, str] = {}


def _peer_suites() -> Path | None:
    """``../shared/peer-suites`` beside this clone, or beside the clone a worktree belongs to."""
    candidates = [ROOT.parent / "shared" / "peer-suites"]
    git = ROOT / ".git"
    if git.is_file():  # a worktree: .git names <clone>/.git/worktrees/<name>
        line = git.read_text(encoding="utf-8").strip()
        if line.startswith("gitdir:"):
            clone = Path(line.split(":", 1)[1].strip()).parent.parent.parent
            candidates.append(clone.parent / "shared" / "peer-suites")
    return next((c for c in candidates if c.is_dir() and any(c.glob("*.jsonl"))), None)


SUITES = _peer_suites()
pytestmark = pytest.mark.skipif(SUITES is None, reason="../shared/peer-suites is not beside this clone")


@pytest.fixture(scope="module")
def answers() -> list[dict]:
    lines = []
    for path in sorted(SUITES.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                row["suite"] = path.stem
                lines.append(json.dumps(row))
    proc = subprocess.run([sys.executable, "-m", "derive", "check", "--batch", "-", "--jobs", "2", "--quiet",
                           "--timeout", "10"], input="\n".join(lines) + "\n", capture_output=True, text=True,
                          timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(rows) == len(lines)
    return rows


def test_no_false_equivalent(answers):
    false = [r for r in answers if r["verdict"] == "equivalent" and r["expected"] != "equivalent"
             and r["id"] not in CONVENTIONS]
    assert not false, "\n".join(f"{r['id']}: {r['a']} | {r['b']}" for r in false)


def test_answer_checker_pairs_are_read(answers):
    rows = [r for r in answers if r["suite"] in ANSWER_CHECKERS]
    refused = [r for r in rows if r["verdict"] == "error"]
    assert len(rows) == 88
    assert len(refused) <= 2, "\n".join(f"{r['a']} | {r['b']}: {r['reason']}" for r in refused)


def test_parser_pairs_are_read(answers):
    rows = [r for r in answers if r["suite"] not in ANSWER_CHECKERS]
    refused = [r for r in rows if r["verdict"] == "error"]
    assert len(refused) <= 0.15 * len(rows), f"{len(refused)} of {len(rows)} refused"


def test_every_refusal_says_why(answers):
    for r in answers:
        if r["verdict"] == "error":
            assert r["reason"] and "Traceback" not in r["reason"]
