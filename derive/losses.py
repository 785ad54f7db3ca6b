"""Numeric loss functions: each catalogue derivation's final loss, vectorised with numpy.

Every function takes float64-convertible arrays, validates shapes and domains (a
``ValueError`` names the argument and what is wrong) and reduces with the same
``reduction`` argument:

- ``"mean"`` (default): the mean over samples (over elements for elementwise losses),
- ``"sum"``: the sum over samples,
- ``"none"``: one value per sample (per element for elementwise losses).

Conventions: ``0 log 0 = 0`` (a zero target probability contributes nothing, even
against a zero prediction); a positive target against a zero prediction gives ``inf``,
which is the loss's value there, not an error. Distributions are rows of shape
``(N, C)`` (or a single row ``(C,)``), each in ``[0, 1]`` and summing to one within
``SIMPLEX_ATOL``. Logit-based losses are computed stably (max-shift, ``logaddexp``),
so logits of any finite size give finite losses and gradients.

``LOSSES`` maps each catalogue derivation name to a :class:`LossFunction`;
``for_derivation(name)`` looks one up. Only numpy is needed at run time.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Literal

import numpy as np

Reduction = Literal["mean", "sum", "none"]
REDUCTIONS: tuple[str, ...] = ("mean", "sum", "none")

SIMPLEX_ATOL = 1e-6
"""How far a row's sum may be from 1 (float32 softmax outputs pass, typos do not)."""

LOG2 = math.log(2.0)


# --------------------------------------------------------------------------- validation

def _float_array(name: str, value, *, finite: bool = True) -> np.ndarray:
    """``value`` as a non-empty float64 array (no NaN; no infinities if ``finite``)."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be an array of real numbers ({error})") from None
    if array.size == 0:
        raise ValueError(f"{name} is empty: at least one sample is needed")
    if np.isnan(array).any():
        raise ValueError(f"{name} contains NaN")
    if finite and not np.isfinite(array).all():
        raise ValueError(f"{name} contains an infinity; it must be finite")
    return array


def _probabilities(name: str, value) -> np.ndarray:
    """Probabilities: every entry in ``[0, 1]``."""
    array = _float_array(name, value)
    bad = (array < 0) | (array > 1)
    if bad.any():
        raise ValueError(f"{name} must hold probabilities in [0, 1]; found "
                         f"{float(array[bad].flat[0])!r}")
    return array


def _rows(name: str, value) -> np.ndarray:
    """Distributions over classes: shape ``(N, C)`` or ``(C,)``, rows on the simplex."""
    array = _probabilities(name, value)
    if array.ndim not in (1, 2):
        raise ValueError(f"{name} must have shape (N, C) or (C,), got {array.shape}")
    totals = array.sum(axis=-1)
    off = np.abs(totals - 1.0) > SIMPLEX_ATOL
    if off.any():
        where = int(np.flatnonzero(off)[0])
        raise ValueError(f"{name}: every row must sum to 1 (within {SIMPLEX_ATOL:g}); "
                         f"row {where} sums to {float(np.atleast_1d(totals)[where])!r}")
    return array


def _same_shape(names: tuple[str, str], a: np.ndarray, b: np.ndarray) -> None:
    if a.shape != b.shape:
        raise ValueError(f"{names[0]} and {names[1]} must have the same shape, "
                         f"got {a.shape} and {b.shape}")


def _broadcastable(names: tuple[str, str], a: np.ndarray, b: np.ndarray) -> None:
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(f"{names[0]} of shape {a.shape} does not broadcast against "
                         f"{names[1]} of shape {b.shape}") from None


def _labels(name: str, value, classes: int, samples: int) -> np.ndarray:
    """Integer class labels of shape ``(N,)`` with values in ``0 .. classes - 1``."""
    array = _float_array(name, value)
    if array.shape != (samples,):
        raise ValueError(f"{name} must have shape ({samples},) to match the logits, "
                         f"got {array.shape}")
    if (array != np.round(array)).any():
        raise ValueError(f"{name} must hold integer class labels; found "
                         f"{float(array[array != np.round(array)][0])!r}")
    if ((array < 0) | (array >= classes)).any():
        raise ValueError(f"{name} must hold labels in 0..{classes - 1}; found "
                         f"{float(array[(array < 0) | (array >= classes)][0])!r}")
    return array.astype(np.intp)


def _logits(name: str, value) -> np.ndarray:
    """Logits of shape ``(N, C)``: finite reals."""
    array = _float_array(name, value)
    if array.ndim != 2:
        raise ValueError(f"{name} must have shape (N, C), got {array.shape}")
    return array


def _positive(name: str, value, *, allow_zero: bool = False) -> np.ndarray:
    array = _float_array(name, value)
    bad = array < 0 if allow_zero else array <= 0
    if bad.any():
        kind = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{name} must be {kind}; found {float(array[bad].flat[0])!r}")
    return array


def _reduce(per_sample: np.ndarray, reduction: str):
    """Apply ``reduction`` to per-sample (or per-element) values."""
    if reduction == "mean":
        return np.float64(np.mean(per_sample))
    if reduction == "sum":
        return np.float64(np.sum(per_sample))
    if reduction == "none":
        return per_sample
    raise ValueError(f"reduction must be one of {', '.join(map(repr, REDUCTIONS))}, "
                     f"got {reduction!r}")


def _check_reduction(reduction: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {', '.join(map(repr, REDUCTIONS))}, "
                         f"got {reduction!r}")


# --------------------------------------------------------------------------- kernels

def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``x * log(y)`` with ``0 log 0 = 0`` (and ``0 * log(anything) = 0``)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 0, 0.0, x * np.log(y))


def _xlog1py(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``x * log(1 + y)`` with ``0 * log(0) = 0``; accurate for small ``y``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 0, 0.0, x * np.log1p(y))


def _softplus(t: np.ndarray) -> np.ndarray:
    """``log(1 + e^t)`` without overflow or loss of the small tail."""
    return np.logaddexp(0.0, t)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function, without overflow for large ``|z|``."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _log_softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise ``z - logsumexp(z)``, shifted by the row maximum."""
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _softmax(z: np.ndarray) -> np.ndarray:
    shifted = np.exp(z - z.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def _lgamma(x: np.ndarray) -> np.ndarray:
    """``math.lgamma`` elementwise (so that scipy is not needed at run time)."""
    return np.frompyfunc(math.lgamma, 1, 1)(x).astype(np.float64)


# --------------------------------------------------------------------------- cross-entropies

def cross_entropy(p, q, reduction: Reduction = "mean"):
    """Cross-entropy ``H(p, q) = -sum_k p_k log q_k`` (nats), one value per row.

    Args:
        p: target distributions, shape ``(N, C)`` or ``(C,)``; one-hot or soft rows,
            entries in ``[0, 1]``, rows summing to 1.
        q: predicted distributions, same shape, rows on the simplex.
        reduction: ``"mean"`` over the ``N`` rows, ``"sum"``, or ``"none"`` (shape ``(N,)``).

    Returns:
        A float (``"mean"``, ``"sum"``) or an array of per-row values, each in
        ``[0, inf]`` (``inf`` where ``p_k > 0`` meets ``q_k = 0``; ``0 log 0 = 0``).
    """
    return _row_cross_entropy(("p", p), ("q", q), reduction)


def categorical_cross_entropy(p, phat, reduction: Reduction = "mean"):
    """Categorical cross-entropy ``(1/N) sum_i -sum_k p_ik log phat_ik`` (nats).

    Args:
        p: labels, shape ``(N, C)``: one-hot rows or soft rows on the simplex.
        phat: predicted class probabilities, shape ``(N, C)``, rows on the simplex.
        reduction: ``"mean"`` over samples (the catalogue's loss), ``"sum"`` (the
            negative log-likelihood), or ``"none"`` (shape ``(N,)``).

    Returns:
        The reduced loss (float) or per-sample losses; ``0 log 0 = 0``.
    """
    return _row_cross_entropy(("p", p), ("phat", phat), reduction)


def _row_cross_entropy(target: tuple[str, object], predicted: tuple[str, object], reduction: Reduction):
    """``-sum_k p_k log q_k`` per row, the arguments checked under their own names."""
    _check_reduction(reduction)
    p, q = _rows(*target), _rows(*predicted)
    _same_shape((target[0], predicted[0]), p, q)
    return _reduce(-_xlogy(p, q).sum(axis=-1), reduction)


def binary_cross_entropy(y, yhat, reduction: Reduction = "mean"):
    """Binary cross-entropy ``-(y log yhat + (1 - y) log(1 - yhat))``, elementwise.

    Args:
        y: targets in ``[0, 1]`` (0/1 labels for the Bernoulli likelihood), any shape.
        yhat: predicted probabilities of the label 1, same shape, in ``[0, 1]``.
        reduction: ``"mean"`` over elements, ``"sum"``, or ``"none"`` (shape of ``y``).

    Returns:
        The reduced loss or per-element losses; ``log(1 - yhat)`` is taken with
        ``log1p`` so predictions near 0 and 1 keep full precision.
    """
    _check_reduction(reduction)
    y, yhat = _probabilities("y", y), _probabilities("yhat", yhat)
    _same_shape(("y", "yhat"), y, yhat)
    return _reduce(-(_xlogy(y, yhat) + _xlog1py(1.0 - y, -yhat)), reduction)


def multi_label_binary_cross_entropy(y, yhat, reduction: Reduction = "mean"):
    """Multi-label loss: per sample, the sum over classes of binary cross-entropies.

    Args:
        y: labels, shape ``(N, C)``, entries in ``[0, 1]`` (each class on or off).
        yhat: predicted probabilities, shape ``(N, C)``, entries in ``[0, 1]``
            (independent per class: rows need not sum to 1).
        reduction: ``"mean"`` over the ``N`` samples, ``"sum"``, or ``"none"`` (``(N,)``).

    Returns:
        The reduced loss or the per-sample sums over classes.
    """
    _check_reduction(reduction)
    y, yhat = _probabilities("y", y), _probabilities("yhat", yhat)
    _same_shape(("y", "yhat"), y, yhat)
    if y.ndim != 2:
        raise ValueError(f"y must have shape (N, C), got {y.shape}")
    terms = -(_xlogy(y, yhat) + _xlog1py(1.0 - y, -yhat))
    return _reduce(terms.sum(axis=-1), reduction)


def two_class_cross_entropy(y, yhat, reduction: Reduction = "mean"):
    """Binary cross-entropy computed as the categorical cross-entropy of two columns.

    The label ``y`` becomes the row ``(y, 1 - y)`` and the prediction the row
    ``(yhat, 1 - yhat)``; the result is :func:`categorical_cross_entropy` of those rows.
    It equals :func:`binary_cross_entropy` up to the rounding of ``1 - yhat``.

    Args:
        y: targets in ``[0, 1]``, shape ``(N,)``.
        yhat: predicted probabilities of the label 1, shape ``(N,)``, in ``[0, 1]``.
        reduction: ``"mean"`` over samples, ``"sum"``, or ``"none"`` (``(N,)``).
    """
    _check_reduction(reduction)
    y, yhat = _probabilities("y", y), _probabilities("yhat", yhat)
    _same_shape(("y", "yhat"), y, yhat)
    if y.ndim != 1:
        raise ValueError(f"y must have shape (N,), got {y.shape}")
    p = np.stack([y, 1.0 - y], axis=-1)
    phat = np.stack([yhat, 1.0 - yhat], axis=-1)
    return categorical_cross_entropy(p, phat, reduction)


def label_smoothing_cross_entropy(y, phat, epsilon: float, reduction: Reduction = "mean"):
    """Cross-entropy against the smoothed target ``(1 - epsilon) y + epsilon / C``.

    Args:
        y: labels, shape ``(N, C)`` (one-hot or soft rows on the simplex).
        phat: predicted class probabilities, shape ``(N, C)``, rows on the simplex.
        epsilon: smoothing weight in ``[0, 1]`` (``0``: plain cross-entropy).
        reduction: ``"mean"`` over samples, ``"sum"``, or ``"none"`` (``(N,)``).
    """
    _check_reduction(reduction)
    y, phat = _rows("y", y), _rows("phat", phat)
    _same_shape(("y", "phat"), y, phat)
    eps = _float_array("epsilon", epsilon)
    if eps.ndim != 0 or not 0.0 <= float(eps) <= 1.0:
        raise ValueError(f"epsilon must be a number in [0, 1], got {epsilon!r}")
    target = (1.0 - float(eps)) * y + float(eps) / y.shape[-1]
    return _reduce(-_xlogy(target, phat).sum(axis=-1), reduction)


def kl_divergence(p, q, reduction: Reduction = "mean"):
    """Kullback-Leibler divergence ``KL(p || q) = sum_k p_k log(p_k / q_k)`` (nats).

    Args:
        p, q: distributions, shape ``(N, C)`` or ``(C,)``, rows on the simplex.
        reduction: ``"mean"`` over rows, ``"sum"``, or ``"none"`` (``(N,)``).

    Returns:
        Values in ``[0, inf]``: ``0 log 0 = 0`` and ``p_k > 0 = q_k`` gives ``inf``.
    """
    _check_reduction(reduction)
    p, q = _rows("p", p), _rows("q", q)
    _same_shape(("p", "q"), p, q)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p == 0, 0.0, p * np.log(p / q))
    return _reduce(terms.sum(axis=-1), reduction)


def annotation_cross_entropy(counts, phat, reduction: Reduction = "mean"):
    """H(p, phat) with p_k = n_k / n, from annotation counts ``counts`` (N, C).

    Equals ``-log prod_k phat_k^{n_k} / n``: the negative log-likelihood of the n
    annotations of each example, per annotation.
    """
    n = _float_array("counts", counts)
    if n.ndim < 1 or np.any(n < 0) or np.any(n != np.round(n)):
        raise ValueError("counts: expected non-negative integer counts with classes along the last axis")
    totals = n.sum(axis=-1, keepdims=True)
    if np.any(totals == 0):
        raise ValueError("counts: every example needs at least one annotation")
    return cross_entropy(n / totals, phat, reduction)


def entropy_bits(p, reduction: Reduction = "mean"):
    """Shannon entropy in bits, ``H(p) / log 2 = -sum_k p_k log2 p_k``.

    Args:
        p: distributions, shape ``(N, C)`` or ``(C,)``, rows on the simplex.
        reduction: ``"mean"`` over rows, ``"sum"``, or ``"none"``. A single row
            ``(C,)`` gives its entropy whatever the reduction.

    Returns:
        Values in ``[0, log2 C]``; ``entropy_bits([1/2, 1/4, 1/4]) == 1.5``.
    """
    _check_reduction(reduction)
    p = _rows("p", p)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p == 0, 0.0, p * np.log2(p))
    return _reduce(-terms.sum(axis=-1), reduction)


def cross_entropy_bits(p, q, reduction: Reduction = "mean"):
    """Cross-entropy in bits, ``H(p, q) / log 2`` (arguments as :func:`cross_entropy`)."""
    _check_reduction(reduction)
    p, q = _rows("p", p), _rows("q", q)
    _same_shape(("p", "q"), p, q)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p == 0, 0.0, p * np.log2(q))
    return _reduce(-terms.sum(axis=-1), reduction)


# --------------------------------------------------------------------------- from logits

def softmax_cross_entropy(z, y, reduction: Reduction = "mean"):
    """Cross-entropy of ``softmax(z)`` against integer labels: ``-z_y + logsumexp(z)``.

    Args:
        z: logits, shape ``(N, C)``, finite reals of any size.
        y: class labels, shape ``(N,)``, integers in ``0 .. C - 1`` (integer-valued
            floats are accepted).
        reduction: ``"mean"`` over samples, ``"sum"``, or ``"none"`` (``(N,)``).

    Returns:
        Losses in ``[0, inf)``, computed after shifting each row by its maximum, so
        no exponential overflows.
    """
    _check_reduction(reduction)
    z = _logits("z", z)
    y = _labels("y", y, z.shape[1], z.shape[0])
    per_sample = -_log_softmax(z)[np.arange(z.shape[0]), y]
    return _reduce(per_sample, reduction)


def softmax_cross_entropy_grad(z, y, reduction: Reduction = "mean") -> np.ndarray:
    """Gradient of :func:`softmax_cross_entropy` with respect to the logits ``z``.

    Each row is ``softmax(z_i) - onehot(y_i)``: that is the gradient for
    ``reduction="sum"``, and, row by row, of each per-sample loss for ``"none"``
    (the Jacobian is block diagonal). For ``"mean"`` the rows are divided by ``N``.

    Args: as :func:`softmax_cross_entropy`.

    Returns:
        An array of shape ``(N, C)``; each row sums to 0 (``"sum"``, ``"none"``).
    """
    _check_reduction(reduction)
    z = _logits("z", z)
    y = _labels("y", y, z.shape[1], z.shape[0])
    grad = _softmax(z)
    grad[np.arange(z.shape[0]), y] -= 1.0
    return grad / z.shape[0] if reduction == "mean" else grad


def sigmoid_binary_cross_entropy(z, y, reduction: Reduction = "mean"):
    """Binary cross-entropy of ``sigmoid(z)`` against ``y``: ``log(1 + e^{-z}) + (1 - y) z``.

    Computed as ``y * softplus(-z) + (1 - y) * softplus(z)`` (the same function, with
    no cancellation), so logits of any finite size give accurate, finite losses.

    Args:
        z: logits, any shape, finite reals.
        y: targets in ``[0, 1]`` (0/1 labels), same shape as ``z``.
        reduction: ``"mean"`` over elements, ``"sum"``, or ``"none"`` (shape of ``z``).
    """
    _check_reduction(reduction)
    z, y = _float_array("z", z), _probabilities("y", y)
    _same_shape(("z", "y"), z, y)
    return _reduce(y * _softplus(-z) + (1.0 - y) * _softplus(z), reduction)


def sigmoid_binary_cross_entropy_grad(z, y, reduction: Reduction = "mean") -> np.ndarray:
    """Gradient of :func:`sigmoid_binary_cross_entropy` in ``z``: ``sigmoid(z) - y``.

    Elementwise for ``"sum"`` and ``"none"``; divided by the number of elements for
    ``"mean"``. Arguments as :func:`sigmoid_binary_cross_entropy`; returns ``z``'s shape.
    """
    _check_reduction(reduction)
    z, y = _float_array("z", z), _probabilities("y", y)
    _same_shape(("z", "y"), z, y)
    grad = _sigmoid(z) - y
    return grad / z.size if reduction == "mean" else grad


# --------------------------------------------------------------------------- regression

def mean_squared_error(y, yhat, reduction: Reduction = "mean"):
    """Squared error ``(y - yhat)^2``, elementwise; the mean is the MSE.

    Args:
        y: observed values, any shape, finite reals.
        yhat: predictions, same shape.
        reduction: ``"mean"`` over elements, ``"sum"``, or ``"none"``.
    """
    _check_reduction(reduction)
    y, yhat = _float_array("y", y), _float_array("yhat", yhat)
    _same_shape(("y", "yhat"), y, yhat)
    return _reduce((y - yhat) ** 2, reduction)


def mean_squared_error_grad(y, yhat, reduction: Reduction = "mean") -> np.ndarray:
    """Gradient of :func:`mean_squared_error` in ``yhat``: ``2 (yhat - y)``, elementwise.

    That is the gradient for ``"sum"`` and, element by element, for ``"none"``; for
    ``"mean"`` it is divided by the number of elements. Arguments as
    :func:`mean_squared_error`; returns ``yhat``'s shape.
    """
    _check_reduction(reduction)
    y, yhat = _float_array("y", y), _float_array("yhat", yhat)
    _same_shape(("y", "yhat"), y, yhat)
    grad = 2.0 * (yhat - y)
    return grad / yhat.size if reduction == "mean" else grad


def gaussian_negative_log_likelihood(y, mu, sigma=1.0, reduction: Reduction = "mean"):
    """Gaussian negative log-density ``log(sigma sqrt(2 pi)) + (y - mu)^2 / (2 sigma^2)``.

    Args:
        y: observations, any shape, finite reals.
        mu: means, same shape as ``y``.
        sigma: standard deviations, positive; a number or an array broadcasting
            against ``y``.
        reduction: ``"mean"`` over elements, ``"sum"`` (the NLL), or ``"none"``.
    """
    _check_reduction(reduction)
    y, mu, sigma = _gaussian_arguments(y, mu, sigma)
    standard = (y - mu) / sigma
    return _reduce(0.5 * standard**2 + np.log(sigma) + 0.5 * math.log(2 * math.pi), reduction)


def _gaussian_arguments(y, mu, sigma):
    """``y``, ``mu`` and ``sigma`` checked as :func:`gaussian_negative_log_likelihood` checks them."""
    y, mu = _float_array("y", y), _float_array("mu", mu)
    _same_shape(("y", "mu"), y, mu)
    sigma = _positive("sigma", sigma)
    _broadcastable(("sigma", "y"), sigma, y)
    if np.broadcast_shapes(sigma.shape, y.shape) != y.shape:
        raise ValueError(f"sigma of shape {sigma.shape} would change y's shape {y.shape}")
    return y, mu, sigma


def gaussian_negative_log_likelihood_grad_mu(y, mu, sigma=1.0, reduction: Reduction = "mean") -> np.ndarray:
    """Gradient of :func:`gaussian_negative_log_likelihood` in ``mu``: ``(mu - y) / sigma^2``.

    Elementwise for ``"sum"`` and ``"none"``; divided by the number of elements for
    ``"mean"``. Arguments as :func:`gaussian_negative_log_likelihood`; returns ``y``'s shape.
    """
    _check_reduction(reduction)
    y, mu, sigma = _gaussian_arguments(y, mu, sigma)
    grad = (mu - y) / sigma**2
    return grad / y.size if reduction == "mean" else grad


def gaussian_negative_log_likelihood_grad_sigma(y, mu, sigma=1.0, reduction: Reduction = "mean") -> np.ndarray:
    """Gradient of :func:`gaussian_negative_log_likelihood` in ``sigma`` (one standard deviation
    per element): ``1 / sigma - (y - mu)^2 / sigma^3``.

    Elementwise for ``"sum"`` and ``"none"``; divided by the number of elements for
    ``"mean"``. Arguments as :func:`gaussian_negative_log_likelihood`; returns ``y``'s shape.
    """
    _check_reduction(reduction)
    y, mu, sigma = _gaussian_arguments(y, mu, sigma)
    grad = 1.0 / sigma - (y - mu) ** 2 / sigma**3
    return grad / y.size if reduction == "mean" else grad


def mean_absolute_error(y, yhat, reduction: Reduction = "mean"):
    """Absolute error ``|y - yhat|``, elementwise; the mean is the MAE.

    Args: as :func:`mean_squared_error`.
    """
    _check_reduction(reduction)
    y, yhat = _float_array("y", y), _float_array("yhat", yhat)
    _same_shape(("y", "yhat"), y, yhat)
    return _reduce(np.abs(y - yhat), reduction)


def laplace_negative_log_likelihood(y, mu, b=1.0, reduction: Reduction = "mean"):
    """Laplace negative log-density ``log(2 b) + |y - mu| / b``.

    Args:
        y: observations, any shape, finite reals.
        mu: locations, same shape as ``y``.
        b: scales, positive; a number or an array broadcasting against ``y``.
        reduction: ``"mean"`` over elements, ``"sum"`` (the NLL), or ``"none"``.
    """
    _check_reduction(reduction)
    y, mu = _float_array("y", y), _float_array("mu", mu)
    _same_shape(("y", "mu"), y, mu)
    b = _positive("b", b)
    _broadcastable(("b", "y"), b, y)
    if np.broadcast_shapes(b.shape, y.shape) != y.shape:
        raise ValueError(f"b of shape {b.shape} would change y's shape {y.shape}")
    return _reduce(np.abs(y - mu) / b + np.log(2.0 * b), reduction)


def poisson_negative_log_likelihood(y, lam, full: bool = True,
                                    reduction: Reduction = "mean"):
    """Poisson negative log-pmf ``lam - y log lam + log y!``, elementwise.

    Args:
        y: counts, any shape, non-negative integers (integer-valued floats accepted).
        lam: rates, same shape, non-negative (``lam = 0`` gives 0 for ``y = 0`` and
            ``inf`` otherwise).
        full: keep the ``log y!`` term (``False`` drops it: it does not depend on
            ``lam``, so the minimiser is the same).
        reduction: ``"mean"`` over elements, ``"sum"``, or ``"none"``.
    """
    _check_reduction(reduction)
    y = _positive("y", y, allow_zero=True)
    if (y != np.round(y)).any():
        fraction = float(y[y != np.round(y)][0])
        raise ValueError(f"y must hold integer counts; found {fraction!r}")
    lam = _positive("lam", lam, allow_zero=True)
    _same_shape(("y", "lam"), y, lam)
    per_element = lam - _xlogy(y, lam)
    if full:
        per_element = per_element + _lgamma(y + 1.0)
    return _reduce(per_element, reduction)


def poisson_negative_log_likelihood_grad(y, lam, full: bool = True,
                                         reduction: Reduction = "mean") -> np.ndarray:
    """Gradient of :func:`poisson_negative_log_likelihood` in ``lam``: ``1 - y / lam``.

    Elementwise for ``"sum"`` and ``"none"``; divided by the number of elements for
    ``"mean"``. ``full`` changes nothing (``log y!`` is free of ``lam``). Rates must be
    positive here (the derivative has no value at ``lam = 0``). Arguments as
    :func:`poisson_negative_log_likelihood`; returns ``lam``'s shape.
    """
    _check_reduction(reduction)
    y = _positive("y", y, allow_zero=True)
    if (y != np.round(y)).any():
        fraction = float(y[y != np.round(y)][0])
        raise ValueError(f"y must hold integer counts; found {fraction!r}")
    lam = _positive("lam", lam)
    _same_shape(("y", "lam"), y, lam)
    grad = 1.0 - y / lam
    return grad / lam.size if reduction == "mean" else grad


# --------------------------------------------------------------------------- closed-form estimates

def _sample(name: str, value) -> np.ndarray:
    array = _float_array(name, value)
    if array.size == 0:
        raise ValueError(f"{name} must hold at least one observation")
    return array


def poisson_rate_estimate(y) -> np.float64:
    """The maximum-likelihood rate of i.i.d. Poisson counts ``y``: their mean."""
    y = _positive("y", _sample("y", y), allow_zero=True)
    return np.float64(np.mean(y))


def bernoulli_probability_estimate(y) -> np.float64:
    """The maximum-likelihood probability of i.i.d. binary outcomes ``y``: their mean."""
    y = _probabilities("y", _sample("y", y))
    return np.float64(np.mean(y))


def gaussian_mean_estimate(y) -> np.float64:
    """The maximum-likelihood mean of i.i.d. Gaussian observations ``y`` (any fixed sigma): their mean."""
    return np.float64(np.mean(_sample("y", y)))


def gaussian_variance_estimate(y, mean) -> np.float64:
    """The maximum-likelihood variance of i.i.d. Gaussian observations ``y`` with a known ``mean``:
    the mean squared deviation from it (divided by N, not N - 1)."""
    y = _sample("y", y)
    mean = _float_array("mean", mean)
    return np.float64(np.mean((y - mean) ** 2))


# --------------------------------------------------------------------------- registry

@dataclass(frozen=True)
class LossFunction:
    """A catalogue derivation's final loss as a numeric function.

    ``function`` is the loss; ``arguments`` names and describes each argument
    (shape, domain); ``returns`` says what comes back; ``gradient`` is the gradient
    in the prediction argument (the logits ``z``, the predictions ``yhat``, the rates
    ``lam``) where one is provided; ``related`` holds companion functions (e.g. the
    full negative log-likelihood beside the loss); ``estimate`` is the closed-form
    minimiser over one parameter shared by every sample, where the derivation gives one.
    """

    name: str
    function: Callable[..., object]
    description: str
    arguments: tuple[tuple[str, str], ...]
    returns: str
    gradient: Callable[..., np.ndarray] | None = None
    related: tuple[Callable[..., object], ...] = field(default=())
    estimate: Callable[..., object] | None = None

    def __call__(self, *args, **kwargs):
        return self.function(*args, **kwargs)


_REDUCTION_DOC = ("reduction", "'mean' (default), 'sum' or 'none'")
_ROWS = "(N, C), rows on the probability simplex"


def _entry(name, function, description, arguments, returns, **extra) -> LossFunction:
    return LossFunction(name, function, description, (*arguments, _REDUCTION_DOC),
                        returns, **extra)


LOSSES: dict[str, LossFunction] = {entry.name: entry for entry in [
    _entry("categorical-cross-entropy", categorical_cross_entropy,
           "mean over samples of -sum_k p_ik log phat_ik",
           [("p", f"labels {_ROWS} (one-hot or soft)"), ("phat", f"predictions {_ROWS}")],
           "float (mean or sum) or (N,) per-sample losses, in [0, inf]"),
    _entry("bernoulli-binary-cross-entropy", binary_cross_entropy,
           "mean of -(y log yhat + (1 - y) log(1 - yhat))",
           [("y", "labels in [0, 1], any shape"), ("yhat", "probabilities in [0, 1], same shape")],
           "float or per-element losses, in [0, inf]"),
    _entry("soft-label-cross-entropy", cross_entropy,
           "H(p, phat) = -sum_k p_k log phat_k per example, soft p, 0 log 0 = 0",
           [("p", f"soft labels {_ROWS}"), ("q", f"predictions {_ROWS}")],
           "float or (N,) per-example cross-entropies (reduction='none')"),
    _entry("kl-divergence", kl_divergence,
           "KL(p || q) = sum_k p_k log(p_k / q_k), 0 log 0 = 0",
           [("p", _ROWS), ("q", _ROWS)],
           "float or (N,) divergences, in [0, inf]"),
    _entry("map-to-mle", categorical_cross_entropy,
           "the summed cross-entropy the MAP estimate minimises under a uniform prior "
           "(call with reduction='sum'; the argmin is that of the mean)",
           [("p", f"labels {_ROWS}"), ("phat", f"predictions {_ROWS}")],
           "float (sum or mean) or (N,) per-sample losses"),
    _entry("kl-divergence-one-hot", kl_divergence,
           "KL(y || q) for one-hot y, which equals the cross-entropy -log q_y",
           [("p", f"one-hot labels {_ROWS}"), ("q", _ROWS)],
           "float or (N,) divergences, in [0, inf]",
           related=(categorical_cross_entropy,)),
    _entry("soft-label-annotations", annotation_cross_entropy,
           "H(p, phat) with p_k = n_k / n: the annotations' negative log-likelihood per annotation",
           [("counts", "annotation counts (N, C), non-negative integers"), ("phat", f"predictions {_ROWS}")],
           "float or (N,) per-example losses"),
    _entry("entropy-in-bits-example", entropy_bits,
           "the entropy in bits of one distribution; (1/2, 1/4, 1/4) has 1.5 bits",
           [("p", "one row (C,) on the simplex")],
           "float, in [0, log2 C]"),
    _entry("cross-entropy-asymmetry", cross_entropy,
           "a refutation (H(p, q) != H(q, p) in general), no loss of its own: H(p, q), "
           "to be evaluated in both orders",
           [("p", _ROWS), ("q", _ROWS)],
           "float or (N,) cross-entropies"),
    _entry("softmax-cross-entropy", softmax_cross_entropy,
           "mean over samples of -z_y + logsumexp(z), stable",
           [("z", "logits (N, C), finite"), ("y", "labels (N,), integers in 0..C-1")],
           "float or (N,) losses, in [0, inf)",
           gradient=softmax_cross_entropy_grad),
    _entry("softmax-cross-entropy-label-index", softmax_cross_entropy,
           "mean over samples of -z_c + logsumexp(z) for the class index c, stable",
           [("z", "logits (N, C), finite"), ("y", "class indices (N,), integers in 0..C-1")],
           "float or (N,) losses, in [0, inf)",
           gradient=softmax_cross_entropy_grad),
    _entry("sigmoid-binary-cross-entropy", sigmoid_binary_cross_entropy,
           "mean of log(1 + e^{-z}) + (1 - y) z, stable",
           [("z", "logits, any shape, finite"), ("y", "labels in [0, 1], same shape")],
           "float or per-element losses, in [0, inf)",
           gradient=sigmoid_binary_cross_entropy_grad),
    _entry("batch-cross-entropy", categorical_cross_entropy,
           "mean over the batch of the per-example cross-entropy",
           [("p", f"labels {_ROWS}"), ("phat", f"predictions {_ROWS}")],
           "float (batch mean) or (N,) per-example losses"),
    _entry("entropy-in-bits", entropy_bits,
           "H(p) / log 2, the entropy in bits",
           [("p", f"{_ROWS}, or one row (C,)")],
           "float or (N,) entropies in bits, in [0, log2 C]",
           related=(cross_entropy_bits,)),
    _entry("two-class-reduction", two_class_cross_entropy,
           "binary cross-entropy as the categorical cross-entropy of the rows "
           "(y, 1 - y) and (yhat, 1 - yhat)",
           [("y", "labels (N,) in [0, 1]"), ("yhat", "probabilities (N,) in [0, 1]")],
           "float or (N,) losses",
           related=(binary_cross_entropy,)),
    _entry("gaussian-mean-squared-error", mean_squared_error,
           "mean squared error (Gaussian likelihood with fixed sigma)",
           [("y", "reals, any shape"), ("yhat", "reals, same shape")],
           "float or per-element squared errors",
           related=(gaussian_negative_log_likelihood,)),
    _entry("gaussian-mean-squared-error-gradient", mean_squared_error,
           "mean squared error, with its gradient 2 (yhat - y) / N in the predictions",
           [("y", "reals, any shape"), ("yhat", "reals, same shape")],
           "float or per-element squared errors",
           gradient=mean_squared_error_grad),
    _entry("gaussian-nll-gradient-mean", gaussian_negative_log_likelihood,
           "Gaussian negative log-density, with its gradient (mu - y) / sigma^2 / N in the means",
           [("y", "reals, any shape"), ("mu", "means, same shape"), ("sigma", "standard deviations > 0")],
           "float or per-element negative log-densities",
           gradient=gaussian_negative_log_likelihood_grad_mu),
    _entry("gaussian-nll-gradient-sigma", gaussian_negative_log_likelihood,
           "Gaussian negative log-density, with its gradient (1 / sigma - (y - mu)^2 / sigma^3) / N "
           "in the standard deviations",
           [("y", "reals, any shape"), ("mu", "means, same shape"),
            ("sigma", "standard deviations > 0, same shape")],
           "float or per-element negative log-densities",
           gradient=gaussian_negative_log_likelihood_grad_sigma),
    _entry("laplace-mean-absolute-error", mean_absolute_error,
           "mean absolute error (Laplace likelihood with fixed scale)",
           [("y", "reals, any shape"), ("yhat", "reals, same shape")],
           "float or per-element absolute errors",
           related=(laplace_negative_log_likelihood,)),
    _entry("poisson-negative-log-likelihood", poisson_negative_log_likelihood,
           "mean of lam - y log lam + log y! (full=False drops log y!)",
           [("y", "counts, non-negative integers, any shape"),
            ("lam", "rates >= 0, same shape"), ("full", "keep log y! (default True)")],
           "float or per-element negative log-pmfs"),
    _entry("poisson-negative-log-likelihood-gradient", poisson_negative_log_likelihood,
           "mean of lam - y log lam + log y!, with its gradient (1 - y / lam) / N in the rates",
           [("y", "counts, non-negative integers, any shape"),
            ("lam", "rates > 0, same shape"), ("full", "keep log y! (default True)")],
           "float or per-element negative log-pmfs",
           gradient=poisson_negative_log_likelihood_grad),
    _entry("poisson-rate-estimate", poisson_negative_log_likelihood,
           "Poisson negative log-likelihood; with one rate for every count it is least at their mean",
           [("y", "counts, non-negative integers, any shape"),
            ("lam", "rates >= 0, same shape"), ("full", "keep log y! (default True)")],
           "float or per-element negative log-pmfs", estimate=poisson_rate_estimate),
    _entry("bernoulli-probability-estimate", binary_cross_entropy,
           "binary cross-entropy; with one probability for every outcome it is least at their mean",
           [("y", "labels in [0, 1], any shape"), ("yhat", "probabilities in [0, 1], same shape")],
           "float or per-element losses, in [0, inf]", estimate=bernoulli_probability_estimate),
    _entry("gaussian-mean-estimate", gaussian_negative_log_likelihood,
           "Gaussian negative log-density; with one mean for every observation it is least at their mean",
           [("y", "reals, any shape"), ("mu", "means, same shape"), ("sigma", "standard deviations > 0")],
           "float or per-element negative log-densities", estimate=gaussian_mean_estimate),
    _entry("gaussian-variance-estimate", gaussian_negative_log_likelihood,
           "Gaussian negative log-density; with a known mean and one sigma for every observation it is "
           "least at sigma^2 = the mean squared deviation",
           [("y", "reals, any shape"), ("mu", "means, same shape"), ("sigma", "standard deviations > 0")],
           "float or per-element negative log-densities", estimate=gaussian_variance_estimate),
    _entry("multi-label-binary-cross-entropy", multi_label_binary_cross_entropy,
           "mean over samples of the sum over classes of binary cross-entropies",
           [("y", "labels (N, C) in [0, 1]"), ("yhat", "probabilities (N, C) in [0, 1]")],
           "float or (N,) per-sample sums"),
    _entry("label-smoothing", label_smoothing_cross_entropy,
           "cross-entropy against the smoothed target (1 - eps) y + eps / C",
           [("y", f"labels {_ROWS}"), ("phat", f"predictions {_ROWS}"),
            ("epsilon", "smoothing weight in [0, 1]")],
           "float or (N,) per-sample losses"),
]}


def for_derivation(name: str) -> LossFunction:
    """The numeric loss for the catalogue derivation ``name``."""
    try:
        return LOSSES[name]
    except KeyError:
        raise KeyError(f"no numeric loss for derivation {name!r}; known: "
                       f"{', '.join(sorted(LOSSES))}") from None
