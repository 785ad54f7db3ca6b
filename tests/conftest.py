"""Shared fixtures: the catalogue, checked once per session."""
from __future__ import annotations

import functools

import pytest

from derive import catalogue
from derive.checks.steps import check_derivation


@functools.lru_cache(maxsize=None)
def report_for(name: str):
    return check_derivation(catalogue.get(name))


@pytest.fixture(scope="session")
def derivations():
    return catalogue.all_derivations()
