"""Certificates: writing, reading (allow-listed srepr) and rechecking, for derivations and refutations."""
