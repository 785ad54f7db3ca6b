"""derive: symbolic derivations from likelihoods to losses, checked step by step."""
from __future__ import annotations

__version__ = "0.1.0"
