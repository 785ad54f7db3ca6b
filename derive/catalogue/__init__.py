"""Built-in derivations, one module per family, registered by name."""
from __future__ import annotations

from typing import Callable

from ..derivation import Derivation
from ..refutation import Claim

_FACTORIES: dict[str, Callable[[], Derivation]] = {}
_BUILT: dict[str, Derivation] = {}


def entry(name: str):
    """Register a factory that builds the derivation ``name``."""

    def register(factory: Callable[[], Derivation]) -> Callable[[], Derivation]:
        if name in _FACTORIES or name in _REFUTATIONS:
            raise ValueError(f"derivation {name!r} registered twice")
        _FACTORIES[name] = factory
        return factory

    return register


def names() -> list[str]:
    _load()
    return list(_FACTORIES)


def get(name: str) -> Derivation:
    """The built-in derivation ``name`` (built once, then cached)."""
    _load()
    if name not in _FACTORIES:
        raise KeyError(f"no built-in derivation named {name!r}; `derive list` shows them")
    if name not in _BUILT:
        derivation = _FACTORIES[name]()
        if derivation.name != name:
            raise ValueError(f"factory for {name!r} built {derivation.name!r}")
        _BUILT[name] = derivation
    return _BUILT[name]


def all_derivations() -> list[Derivation]:
    return [get(n) for n in names()]


def _load() -> None:
    from . import cross_entropy  # noqa: F401  (registers its entries)
    from . import information  # noqa: F401
    from . import regression  # noqa: F401
    from . import multilabel  # noqa: F401
    from . import logits  # noqa: F401


# -- refutations: claims the engine refutes with a checked counterexample ----------
_REFUTATIONS: dict[str, Callable[[], "Claim"]] = {}
_BUILT_CLAIMS: dict[str, "Claim"] = {}


def refutation_entry(name: str):
    """Register a factory that builds the claim ``name``, to be refuted."""

    def register(factory):
        if name in _REFUTATIONS or name in _FACTORIES:
            raise ValueError(f"{name!r} registered twice")
        _REFUTATIONS[name] = factory
        return factory

    return register


def refutation_names() -> list[str]:
    _load()
    return list(_REFUTATIONS)


def get_refutation(name: str) -> "Claim":
    """The built-in claim ``name`` (built once, then cached)."""
    _load()
    if name not in _REFUTATIONS:
        raise KeyError(f"no built-in refutation named {name!r}; `derive list` shows them")
    if name not in _BUILT_CLAIMS:
        claim = _REFUTATIONS[name]()
        if claim.name != name:
            raise ValueError(f"factory for {name!r} built {claim.name!r}")
        _BUILT_CLAIMS[name] = claim
    return _BUILT_CLAIMS[name]


def all_names() -> list[str]:
    """Every built-in name: derivations, then refutations."""
    return names() + refutation_names()
