"""Checking a step: canonical forms, interval and finiteness oracles, evaluation, points, typed results."""
