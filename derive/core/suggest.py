"""Did-you-mean hints for a misspelt command, built-in name or domain kind."""
from __future__ import annotations

import difflib
from typing import Iterable


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice nearest to ``word`` (difflib's ratio of at least 0.6), or ``None``."""
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``" (did you mean 'x'?)"`` when a choice is near ``word``, else ``""``."""
    near = closest(word, choices)
    return f" (did you mean {near!r}?)" if near is not None else ""
