"""The base of the reader's family mixins.

Each family (names, scripts, sums, ...) is a mixin of :class:`..Reader` and
calls the cursor and the other families through ``self``; only the assembled
reader has them all. To a type checker the base is ``Any`` (attributes on
``self`` are those of the assembled reader); at run time it is ``object``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    ReaderMixin = Any
else:
    ReaderMixin = object
