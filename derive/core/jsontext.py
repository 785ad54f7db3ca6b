"""JSON from files anywhere, read within stated bounds.

Python's reader turns a 5,000-digit integer into a conversion error, ``1e999``
into infinity, ``NaN`` into a float that no JSON writer may print back, and a
deep nesting into a RecursionError. Here each is :class:`JSONLimit`, a
``ValueError`` whose text says which bound was passed.
"""
from __future__ import annotations

import json
import math
import re

#: The default bounds: nesting of arrays and objects, digits of an integer.
MAX_DEPTH = 64
MAX_DIGITS = 4300


class JSONLimit(ValueError):
    """The text is not JSON, or passes a bound of this reader."""


_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


def depth(text: str) -> int:
    """How deeply the arrays and objects of a JSON text nest (strings skipped)."""
    level = deepest = 0
    for bracket in _BRACKETS.findall(_STRING.sub("", text)):
        level += 1 if bracket in "[{" else -1
        deepest = max(deepest, level)
    return deepest


def _bounded_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_DIGITS:
        raise JSONLimit(f"a number of {digits} digits; at most {MAX_DIGITS} are read")
    return int(text)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JSONLimit(f"the number {text[:40]} is out of range")
    return value


def _no_constant(text: str):
    raise JSONLimit(f"{text} is not a JSON value")


def _surrogate_free(value) -> None:
    strings = [value] if isinstance(value, str) else (
        [*value.keys(), *value.values()] if isinstance(value, dict) else value if isinstance(value, list) else [])
    for item in strings:
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as exc:
                code = ord(item[exc.start])
                raise JSONLimit(f"a string holds a lone surrogate \\u{code:04x}, which is not text") from None
        else:
            _surrogate_free(item)


def read_json(text: str, max_depth: int = MAX_DEPTH, *, text_only: bool = False):
    """The value of ``text``; :class:`JSONLimit` saying why it cannot be read.
    With ``text_only`` a string holding a lone surrogate (``"\\ud800"``, valid
    JSON but not text) is refused too."""
    if depth(text) > max_depth:
        raise JSONLimit(f"JSON nested too deeply (more than {max_depth} levels)")
    try:
        value = json.loads(text, parse_int=_bounded_int, parse_float=_finite_float, parse_constant=_no_constant)
        if text_only:
            _surrogate_free(value)
        return value
    except json.JSONDecodeError as exc:
        raise JSONLimit(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise JSONLimit(f"JSON nested too deeply (more than {max_depth} levels)") from None
