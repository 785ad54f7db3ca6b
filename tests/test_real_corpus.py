"""``derive verify`` on real derivations taken verbatim from blogs, notes, Q&A and textbook
sources (``tests/data/real/``): never a step held that the hand judgement finds wrong, never
a step failed that it finds right."""
from __future__ import annotations

import json

import pytest

from .real_corpus import REAL, judgements, score

JUDGEMENTS = judgements()


def test_manifest_names_every_file_once():
    files = sorted(p.name for p in REAL.iterdir() if p.suffix in (".tex", ".md") and p.name != "README.md")
    assert sorted(j.file for j in JUDGEMENTS) == files
    for j in JUDGEMENTS:
        assert j.verdict in ("holds", "fails", "prose"), j.file
        assert (j.line is None) == (j.verdict == "holds"), j.file
        lines = (REAL / j.file).read_text(encoding="utf-8").splitlines()
        assert all(1 <= line <= len(lines) for line, _, _ in j.steps), j.file


KNOWN_FALSE_FAILS = json.loads((REAL / "KNOWN_FALSE_FAILS.json").read_text(encoding="utf-8"))["files"]


@pytest.mark.parametrize("j", JUDGEMENTS, ids=[j.file for j in JUDGEMENTS])
def test_no_false_holds_and_no_new_false_fails(j):
    s = score(j)
    assert not s.false_holds, f"{j.file}: derive holds lines {s.false_holds}, judged wrong by hand ({s.detail})"
    new = sorted(set(s.false_fails) - set(KNOWN_FALSE_FAILS.get(j.file, [])))
    assert not new, f"{j.file}: derive fails lines {new}, judged right by hand ({s.detail})"
