"""Shared fixtures: the catalogue, checked once per session."""
from __future__ import annotations

import functools
import os
import tempfile

import pytest

from derive import catalogue
from derive.checks.steps import check_derivation

# `derive list` keeps what it read in a cache folder: the tests (and the commands
# they start) use their own, never the user's.
os.environ.setdefault("DERIVE_CACHE_DIR", tempfile.mkdtemp(prefix="derive-test-cache-"))


@functools.lru_cache(maxsize=None)
def report_for(name: str):
    return check_derivation(catalogue.get(name))


@pytest.fixture(scope="session")
def derivations():
    return catalogue.all_derivations()
