"""A rule of the user's own: registered, tried by the search, and checked like any other."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pytest
import sympy as sp

from derive import from_likelihood
from derive.checks.results import Status
from derive.checks.steps import check_derivation
from derive.core.rules import RULES, Rule, register
from derive.search import SearchExhausted, register_move, unregister_move

GAUSSIAN = r"\prod_{i=1}^{N} \frac{1}{\sqrt{2\pi}} e^{-\frac{(y_i-\mu_i)^2}{2}}"
EXPANDED = r"\frac{1}{N} \sum_{i=1}^{N} \left(\frac{y_i^2}{2} - y_i \mu_i + \frac{\mu_i^2}{2}\right)"


def _expand_square(square_of_difference):
    @register
    @dataclass(frozen=True)
    class ExpandSquare(Rule):
        """``(a - b)^2 -> a^2 - 2 a b + b^2`` (or a wrong twin of it)."""

        name: ClassVar[str] = "expand-square-test"

        def apply(self, expr, ctx):
            if isinstance(expr, sp.Pow) and expr.exp == 2 and isinstance(expr.base, sp.Add) \
                    and len(expr.base.args) == 2:
                a, b = expr.base.args
                return square_of_difference(a, b)
            return None

        def justification(self, ctx):
            return "expand the square"

    register_move("expand-square-test")
    return ExpandSquare


@pytest.fixture
def user_rule(request):
    yield lambda fn: _expand_square(fn)
    unregister_move("expand-square-test")
    RULES.pop("expand-square-test", None)


def test_without_the_rule_the_target_is_not_reached():
    with pytest.raises(SearchExhausted):
        from_likelihood(GAUSSIAN, {}, [r"\mu"], to=EXPANDED, max_nodes=80)


def test_registered_rule_is_used_and_checked(user_rule):
    user_rule(lambda a, b: a ** 2 + 2 * a * b + b ** 2)
    d = from_likelihood(GAUSSIAN, {}, [r"\mu"], to=EXPANDED)
    assert "expand-square-test" in [s.rule for s in d.steps]
    assert check_derivation(d).status is Status.PROVED


def test_wrong_user_rule_fails_its_check(user_rule):
    """Wrong twin: a rule that forgets the cross term makes a step that fails, with a counterexample."""
    user_rule(lambda a, b: a ** 2 + b ** 2)
    wrong_target = r"\frac{1}{N} \sum_{i=1}^{N} \left(\frac{y_i^2}{2} + \frac{\mu_i^2}{2}\right)"
    d = from_likelihood(GAUSSIAN, {}, [r"\mu"], to=wrong_target)
    report = check_derivation(d)
    assert report.status is Status.FAILED
    bad = next(s for s in report.steps if s.status is Status.FAILED)
    assert d.steps[bad.step - 1].rule == "expand-square-test"
    assert bad.failure.counterexample is not None


def test_register_move_needs_a_registered_rule():
    with pytest.raises(KeyError, match="register it first"):
        register_move("no-such-rule")
    with pytest.raises(ValueError, match="already"):
        register_move("take-log")
