"""Built-in derivations and refutations, one module per family, registered by name."""
from __future__ import annotations

from typing import Callable, Generic, TypeVar

from ..core.derivation import Derivation
from ..core.refutation import Claim
from ..core.suggest import did_you_mean

T = TypeVar("T", Derivation, Claim)


class _Registry(Generic[T]):
    """Factories by name, each built once on first use and then cached."""

    def __init__(self, kind: str):
        self.kind = kind
        self.factories: dict[str, Callable[[], T]] = {}
        self.built: dict[str, T] = {}

    def register(self, name: str):
        def add(factory: Callable[[], T]) -> Callable[[], T]:
            if any(name in r.factories for r in _REGISTRIES):
                raise ValueError(f"{self.kind} {name!r} registered twice")
            self.factories[name] = factory
            return factory

        return add

    def names(self) -> list[str]:
        """Every registered name, in registration order."""
        _load()
        return list(self.factories)

    def get(self, name: str) -> T:
        """The derivation (or claim) ``name``, built on first use; :class:`KeyError`
        with a did-you-mean when there is none."""
        _load()
        if name not in self.factories:
            hint = did_you_mean(name, [n for r in _REGISTRIES for n in r.factories])
            raise KeyError(f"no built-in {self.kind} named {name!r}{hint}; `derive list` shows them")
        if name not in self.built:
            made = self.factories[name]()
            if made.name != name:
                raise ValueError(f"factory for {name!r} built {made.name!r}")
            self.built[name] = made
        return self.built[name]


_DERIVATIONS: _Registry[Derivation] = _Registry("derivation")
_REFUTATIONS: _Registry[Claim] = _Registry("refutation")
_REGISTRIES = (_DERIVATIONS, _REFUTATIONS)

#: ``@entry(name)`` registers a derivation; ``@refutation_entry(name)`` a claim to refute.
entry = _DERIVATIONS.register
refutation_entry = _REFUTATIONS.register
names = _DERIVATIONS.names
get = _DERIVATIONS.get
refutation_names = _REFUTATIONS.names
get_refutation = _REFUTATIONS.get


def all_derivations() -> list[Derivation]:
    """Every built-in derivation, in the order of :func:`names`."""
    return [get(n) for n in names()]


def all_names() -> list[str]:
    """Every built-in name: derivations, then refutations."""
    return names() + refutation_names()


def _load() -> None:
    from . import cross_entropy  # noqa: F401  (registers its entries)
    from . import information  # noqa: F401
    from . import regression  # noqa: F401
    from . import multilabel  # noqa: F401
    from . import logits  # noqa: F401
    from . import estimates  # noqa: F401
