"""``derive loss``: finding a derivation from a likelihood by searching the registered rules."""
from __future__ import annotations

from .api import from_likelihood
from .engine import SearchExhausted, SearchStats, search
from .likelihood import LikelihoodError, read_likelihood
from .moves import register_move, unregister_move

__all__ = ["from_likelihood", "search", "SearchExhausted", "SearchStats", "LikelihoodError",
           "read_likelihood", "register_move", "unregister_move"]
