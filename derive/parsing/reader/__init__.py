"""Read ML notation into flat pieces for latex2sympy, one bracket level at a time.

The reader walks the tokens once. Variables, indicators, function calls and
every bracketed group become placeholders (see :mod:`..nodes`); what is left
is a flat piece of arithmetic that latex2sympy parses. Each notation family
is read in one module:

========================  =====================================================
module                    reads
========================  =====================================================
:mod:`.names`             letters, Greek letters, decorations, words, primes, bare ``log``
:mod:`.scripts`           powers, indices, name subscripts
:mod:`.sums`              ``\\sum``, ``\\prod`` and the reach of their bodies
:mod:`.functions`         one table: ``\\log``, ``\\sin``, ``\\gcd``, ``\\max``, softmax, ...
:mod:`.delimiters`        brackets, ``|x|``, floor, ceiling, ``{n \\choose k}``, numerals
:mod:`.indicators`        ``\\mathbb{1}\\{..\\}``, ``[y=k]``, ``\\delta_{y,k}``
:mod:`.calls`             ``p(x_i)`` (a function at an element), ``p(y=1 \\mid x)`` (an event)
:mod:`.distributions`     ``\\mathcal{N}(x \\mid \\mu, \\sigma^2)``, ``\\mathrm{Bern}(y; p)``, ...: pmfs and densities
:mod:`.expectations`      ``\\mathbb{E}_{x \\sim p}[..]``: the sum over a discrete support
:mod:`.derivatives`       Leibniz fractions (refused)
:mod:`.base`              the cursor, the dispatch of items, the flat piece
========================  =====================================================

A new family is a mixin class in its own module, added to :class:`Reader`.
"""
from __future__ import annotations

from .base import ReaderBase
from .calls import CallReading
from .delimiters import DelimiterReading
from .derivatives import DerivativeReading
from .distributions import DistributionReading
from .expectations import ExpectationReading
from .functions import FUNCTION_COMMANDS, NAMED_FUNCTIONS, FunctionReading
from .indicators import IndicatorReading
from .names import BOLD, DECORATORS, GREEK, NameReading
from .scripts import ScriptReading
from .sums import SumReading

__all__ = ["Reader", "GREEK", "DECORATORS", "BOLD", "FUNCTION_COMMANDS", "NAMED_FUNCTIONS"]


class Reader(NameReading, ScriptReading, SumReading, FunctionReading, DelimiterReading, IndicatorReading,
             CallReading, DistributionReading, ExpectationReading, DerivativeReading, ReaderBase):
    """One formula: tokens in, an expression over placeholders out (see :mod:`..nodes`)."""
