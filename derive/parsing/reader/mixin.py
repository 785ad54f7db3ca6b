"""The base of the reader's family mixins.

Each family (names, scripts, sums, ...) is a mixin of :class:`..Reader` and
calls the cursor and the other families through ``self``; only the assembled
reader has them all. To a type checker the base is ``Any`` (attributes on
``self`` are those of the assembled reader); at run time it is ``object``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..lexer import Token

    class ReaderMixin(Any):  # type: ignore[misc]
        """What every family shares: the cursor (``tokens``, ``i``) and the rest, untyped."""

        text: str
        tokens: list[Token]
        i: int
        depth: int
else:
    ReaderMixin = object
