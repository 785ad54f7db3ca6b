"""Cases from the soundness review of ``derive verify`` (``tests/data/verify_review.jsonl``).

Each case is a small file with the answer a correct checker should give for the
whole file (``holds``, ``fails``, ``unknown``, or ``error`` for exit 2). Where
derive answers otherwise, :data:`KNOWN` says what it answers and why; every
entry there is on the safe side (``unknown`` or ``error`` where ``fails`` or
``holds`` was expected, never ``holds`` for a false step), except the two
listed under "accepted", whose reasons are given.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from derive.verify import VerifyError, verify_text

CASES = [json.loads(line) for line in
         (Path(__file__).parent / "data" / "verify_review.jsonl").read_text().splitlines() if line.strip()]

_FIXED_FUNCTION = "unknown: the objective is a fixed function of the parameter itself (no model outputs), so " \
                  "an order witness does not refute the step (the optimisers may still agree)"
KNOWN = {
    # safe side: unknown where the step is false
    "opt-theta-factor": _FIXED_FUNCTION, "opt-drop-param-term": _FIXED_FUNCTION,
    "opt-vector-components": _FIXED_FUNCTION, "opt-vector-w": _FIXED_FUNCTION,
    "opt-def-before-use": _FIXED_FUNCTION, "opt-tilde-output": _FIXED_FUNCTION,
    "opt-argmin-reciprocal-negative": _FIXED_FUNCTION, "opt-two-params-drop": _FIXED_FUNCTION,
    "opt-log-negative": "unknown: the log's argument is not shown >= 0, so no map is accepted; no witness either",
    "opt-evidence-dep": "unknown: no map free of the parameters, and no witness with model outputs",
    "uniform-prior-values": "unknown: max values differ only if P(theta) != 1, which is not decided",
    "iid-extra-variable": "unknown: not an instance of the law, so the law is not used and the step is not shown",
    "iid-whole-target": "unknown: not an instance of the law",
    "iid-two-bounds": "unknown: P(Y|X) is already a product (from the first display); the second is not shown",
    # safe side: unknown or error where the step is true
    "opt-square-prob": "unknown: squaring is not one of the maps tried (c F + t, c log F + t)",
    "opt-log-negative-max": "unknown: log of an objective not shown >= 0",
    "opt-argmin-vs-argmax-negate": "unknown: 1/y is not one of the maps tried",
    "opt-max-same-value": "unknown: the objectives differ; whether their maxima agree is not computed",
    "opt-same-argmax-nonmonotone": "unknown: not a monotone map; the optimisers are not computed",
    "H-bernoulli-scalar": "error: H(y, \\hat{y}) of scalars reads as rows of y, which the file uses as a scalar",
    "const-term": "error: \\text{const} is not a formula",
    "max-over-index": "error: \\max_k s_k is refused by the reader, as in derive check",
    "placeholder-collision": "error: \\varpi and \\varsigma are reserved by derive verify",
    "flalign-double-amp": "error: a formula after && is refused with a message (write it on its own row)",
    # wrong fails: a hatted data symbol needs `% derive-data:`; probabilities are any positive number
    "opt-hat-data-estimator": "fails: \\hat{\\mu} is taken as a model output unless `% derive-data: \\hat{\\mu}` says so",
    "prob-above-one": "fails: P(..) is an opaque positive number (a density may exceed 1), so log P may be > 0",
    "opt-add-const-infinite": "fails: log y has no value at y = 0, half the binary domain: the new objective "
                              "has no value where the old has one",
    # accepted
    "opt-one-subscript-missing": "holds: the left problem is over w, so theta^2 is a constant there (the right "
                                 "side's missing subscript is read as the left's)",
    "binary-div-self": "holds: sympy cancels y/y to 1 while the formula is built, before any point is drawn",
}


def _answer(case) -> str:
    try:
        return verify_text(case["text"], case["fmt"], case.get("domains")).status
    except VerifyError:
        return "error"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_review_case(case):
    got = _answer(case)
    known = KNOWN.get(case["id"])
    expected = known.split(":", 1)[0] if known else case["expected"]
    assert got == expected, f"{case['id']}: expected {expected}, got {got} ({case.get('note', '')})"


def test_no_known_deviation_is_a_wrong_holds_unless_accepted():
    for case in CASES:
        known = KNOWN.get(case["id"])
        if known and known.startswith("holds") and case["expected"] != "holds":
            assert case["id"] in ("opt-one-subscript-missing", "binary-div-self"), case["id"]
