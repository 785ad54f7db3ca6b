"""Many comparisons, from any engine: the batch-line contract as functions.

:func:`check_records` takes JSON-like objects (``a``, ``b``, optional
``domains`` and ``require_proof``; other keys pass through) and gives one
answer object per record, in input order: the record plus ``verdict``,
``method``, ``reason``, ``ms`` (and ``counterexample``, ``proved``... as the
verdict has them). A bad record is answered ``error``; a pair that runs past
``timeout`` seconds is stopped and answered ``unknown``. It has no effect
beyond its answers, so it runs as well in a script, a notebook or inside a
Dask task (each call's worker process is stopped when the call ends)::

    import dask.bag as db
    from derive.batch import check_records

    answers = db.from_sequence(records, partition_size=50).map_partitions(
        lambda part: list(check_records(part, timeout=10))).compute()

For a whole file on a Dask cluster, ``derive check --batch IN.jsonl --out
OUT.jsonl --scheduler ADDRESS`` (or :class:`DaskEngine`). One implementation
serves every engine: :mod:`derive.equivalence.batch`.
"""
from __future__ import annotations

from .equivalence.batch import answer_line, check_records, read_lines, run_batch
from .equivalence.dask_engine import DaskEngine, DaskUnavailable

__all__ = ["check_records", "run_batch", "read_lines", "answer_line", "DaskEngine", "DaskUnavailable"]
