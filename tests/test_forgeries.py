"""Forged certificates: every certificate in outputs/ with its last line changed.

Each forgery changes one line's ``srepr`` and re-renders its LaTeX with the
printer, so the LaTeX shown matches the expression checked and only the maths
can give it away. The changes are the ones that slip past checks that only
look at small sizes at 40 digits:

- ``+ 10^{-40}``: a constant far below the usual tolerance;
- ``+ (S-1)(S-2)...(S-16)`` for a size S: 0 at every size the exact and the
  numeric checks try (S <= 16), not at S = 17;
- ``+ [S > 16]``: an indicator of a large size;
- ``+ [S > 16] x`` (x the line itself): a difference the algebra cannot pin to
  the sizes, so only the status recorded (``proved``) against the one the
  recheck finds (``proved_at_sizes``) gives it away;
- an optimiser step's objective with its sign flipped (the line negated; the
  sense claimed flipped; a negation map added without turning min into max).

All must be rejected: exit status 1 and a message saying why.

The steps before the changed line are identical in every forgery of a
certificate, so their checks (deterministic: seeded by the derivation's name
and the step number) are computed once per certificate and reused; the changed
step and the steps after it are always checked afresh.
"""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import sympy as sp

from derive.certificates.derivation import FORMAT, from_json, recheck
from derive.checks import steps as step_checks
from derive.checks.results import Status
from derive.cli import recheck_file
from derive.core.context import Role
from derive.core.relations import MapKind, MonotoneMap, Relation
from derive.render.latex import to_latex

OUTPUTS = Path(__file__).resolve().parent.parent / "outputs"


def _certificates() -> dict[str, dict]:
    out = {}
    for path in sorted(OUTPUTS.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") == FORMAT:
            out[path.stem] = data
    return out


CERTIFICATES = _certificates()
SIZED = [name for name, data in CERTIFICATES.items()
         if any(s["role"] == "size" for s in data["symbols"])]
OPTIMISED = [name for name, data in CERTIFICATES.items()
             if any(s["relation"] in ("same_argmin", "same_argmax") for s in data["steps"])]


# -- caching the unchanged steps' checks --------------------------------------------------------
_REAL_CHECK_STEP = step_checks.check_step
_CACHE: dict = {}


def _key(step, ctx, seed, settings):
    maps = tuple((m.kind, sp.srepr(m.operand) if m.operand is not None else None) for m in step.maps)
    return (sp.srepr(step.before), sp.srepr(step.after), step.relation, step.sense_before, step.sense_after,
            maps, step.substitution, step.index, seed, settings,
            tuple((s.name, s.role, s.domain, s.indices, s.lower, s.upper) for s in ctx.symbols),
            tuple((d.symbol, sp.srepr(d.rhs)) for d in ctx.definitions))


def _cached_check_step(step, ctx, seed=(), settings=step_checks.DEFAULT):
    key = _key(step, ctx, seed, settings)
    if key not in _CACHE:
        _CACHE[key] = _REAL_CHECK_STEP(step, ctx, seed, settings)
    return _CACHE[key]


@pytest.fixture(autouse=True)
def reuse_unchanged_steps(monkeypatch):
    monkeypatch.setattr(step_checks, "check_step", _cached_check_step)


# -- forging ---------------------------------------------------------------------------------
def _size(derivation, line: sp.Expr) -> sp.Symbol:
    """A size the line mentions (else any declared size)."""
    ctx = derivation.context
    sizes = [ctx[s.name] for s in ctx.symbols if s.role is Role.SIZE]
    unfolded = ctx.unfold(line)
    mentioned = [s for s in sizes if unfolded.has(s)]
    return (mentioned or sizes)[-1]


def _replace_line(data: dict, n: int, new: sp.Expr, ctx) -> dict:
    out = copy.deepcopy(data)
    step = out["steps"][n - 1]
    step["srepr"] = sp.srepr(new)
    step["latex"] = to_latex(new, ctx)
    return out


def _add_to_last(data: dict, delta) -> dict:
    derivation = from_json(data)
    last = derivation.steps[-1]
    term = delta(derivation, last.after)
    return _replace_line(data, last.index, last.after + term, derivation.context)


ADDED = {
    "tiny constant": lambda d, line: sp.Rational(1, 10 ** 40),
    "polynomial zero at small sizes": lambda d, line: sp.Mul(*[_size(d, line) - k for k in range(1, 17)]),
    "indicator of a large size": lambda d, line: sp.Piecewise((1, _size(d, line) > 16), (0, True)),
    "indicator of a large size times the line": lambda d, line: sp.Piecewise((1, _size(d, line) > 16),
                                                                               (0, True)) * line,
}
NEEDS_A_SIZE = {"polynomial zero at small sizes", "indicator of a large size",
                "indicator of a large size times the line"}


def _optimiser_step(data: dict) -> int:
    """The last step if it is an optimiser step, otherwise the last optimiser step."""
    return max(n for n, s in enumerate(data["steps"], start=1) if s["relation"] in ("same_argmin", "same_argmax"))


def _negated(data: dict) -> dict:
    derivation = from_json(data)
    n = _optimiser_step(data)
    return _replace_line(data, n, -derivation.steps[n - 1].after, derivation.context)


def _sense_flipped(data: dict) -> dict:
    """The line negated and the sense claimed flipped, with the maps unchanged."""
    out = _negated(data)
    step = out["steps"][_optimiser_step(data) - 1]
    step["sense"] = "max" if step["sense"] == "min" else "min"
    step["relation"] = Relation.for_sense(step["sense"]).value
    return out


def _negation_map_added(data: dict) -> dict:
    """The line negated and a negation map recorded, but the sense kept."""
    out = _negated(data)
    step = out["steps"][_optimiser_step(data) - 1]
    step["maps"] = step["maps"] + [{"kind": MapKind.NEGATE.value, "operand": None,
                                    "description": MonotoneMap(MapKind.NEGATE).describe()}]
    return out


FLIPPED = {"line negated": _negated, "sense flipped": _sense_flipped,
           "negation map added": _negation_map_added}


def _assert_rejected(tmp_path, forged: dict) -> list[str]:
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(forged), encoding="utf-8")
    code, result, lines = recheck_file(str(path))
    assert code == 1, "\n".join(lines)
    assert result["holds"] is False
    assert lines[0].endswith(")") and ": REJECTED (" in lines[0]
    assert len(lines) > 1, "a rejection says why"
    return lines


CASES = [(name, kind) for name in CERTIFICATES for kind in ADDED
         if kind not in NEEDS_A_SIZE or name in SIZED]


@pytest.mark.parametrize("name,kind", CASES)
def test_recheck_rejects_a_changed_last_line(tmp_path, name, kind):
    lines = _assert_rejected(tmp_path, _add_to_last(CERTIFICATES[name], ADDED[kind]))
    last = len(CERTIFICATES[name]["steps"])
    text = "\n".join(lines)
    if kind == "indicator of a large size times the line" and CERTIFICATES[name]["steps"][-1]["relation"] != "specialise":
        # a gradient (or its root) whose exact check cannot fix every symbol at small sizes rechecks only
        # numeric; the root of a gradient may even be refuted at N = 17 (the gradient there is not 0)
        relation = CERTIFICATES[name]["steps"][-1]["relation"]
        weaker = ("proved_at_sizes", "numeric") if relation in ("derivative", "solves") else ("proved_at_sizes",)
        assert any(f"step {last} is recorded proved, but the recheck finds only {w}" in text for w in weaker) \
            or (relation == "solves" and f"step {last} failed" in text)
    else:
        assert f"step {last} failed" in text
    specialised = CERTIFICATES[name]["steps"][-1]["relation"] == "specialise"  # the size is fixed there
    if kind in ("polynomial zero at small sizes", "indicator of a large size") and not specialised:
        # the counterexample names a size beyond those sampled, and values there
        assert "differ by a function of the sizes alone" in text and "= 17" in text


@pytest.mark.parametrize("name,kind", [(n, k) for n in OPTIMISED for k in FLIPPED])
def test_recheck_rejects_a_flipped_optimiser_sense(tmp_path, name, kind):
    lines = _assert_rejected(tmp_path, FLIPPED[kind](CERTIFICATES[name]))
    assert any(" failed (" in line for line in lines[1:])


@pytest.mark.parametrize("name", ["kl-divergence", "softmax-cross-entropy"])
def test_recheck_json_shows_the_counterexample_at_a_large_size(tmp_path, capsys, name):
    forged = _add_to_last(CERTIFICATES[name], ADDED["indicator of a large size"])
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(forged), encoding="utf-8")
    _, result, _ = recheck_file(str(path))
    failure = result["failures"][0]
    assert failure["kind"] == "symbolic" and failure["status"] == Status.FAILED.value
    point = failure["counterexample"]["point"]
    assert point["sizes"]["C"] == 17 and point["values"], "the size and the values"


# -- honest weaker claims pass; other overclaims do not ---------------------------------------
HONEST = "kl-divergence"


def _weak_but_honest() -> dict:
    """The [C > 16] x forgery recorded as what it is: proved at the sizes its exact check covered."""
    forged = _add_to_last(CERTIFICATES[HONEST], ADDED["indicator of a large size times the line"])
    outcome = recheck(forged)
    last = outcome.report.steps[-1]
    assert last.status is Status.PROVED_AT_SIZES
    forged["steps"][-1]["status"] = last.status.value
    forged["steps"][-1]["checks"] = [r.to_json() for r in last.results]
    forged["status"] = outcome.report.status.value
    return forged


def test_a_step_recorded_as_weak_as_it_rechecks_is_accepted(tmp_path):
    path = tmp_path / "honest.json"
    path.write_text(json.dumps(_weak_but_honest()), encoding="utf-8")
    code, result, lines = recheck_file(str(path))
    assert code == 0 and result["holds"] and not result["overclaims"], lines


def test_exact_sizes_recorded_but_not_covered_again_are_rejected(tmp_path):
    data = _weak_but_honest()
    exact = next(c for c in data["steps"][-1]["checks"] if c["kind"] == "exact")
    exact["sizes"] = exact["sizes"] + [{"C": 12}]
    lines = _assert_rejected(tmp_path, data)
    assert "not the recorded C = 12" in "\n".join(lines)


def test_an_overall_status_stronger_than_its_steps_is_rejected(tmp_path):
    data = _weak_but_honest()
    data["status"] = Status.PROVED.value
    lines = _assert_rejected(tmp_path, data)
    assert "the certificate is recorded proved, but the recheck finds only proved_at_sizes" in lines[1]


@pytest.mark.parametrize("where", ["step", "certificate"])
def test_a_status_that_is_not_a_status_is_bad_input(tmp_path, capsys, where):
    from derive.cli import main

    data = copy.deepcopy(CERTIFICATES[HONEST])
    if where == "step":
        data["steps"][0]["status"] = "certainly"
    else:
        del data["status"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["recheck", str(path)]) == 2
    err = capsys.readouterr().err
    assert "'status' should be one of" in err and "Traceback" not in err
