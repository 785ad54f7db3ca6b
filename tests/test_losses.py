"""The numeric losses against independent implementations from scipy.

Every expected value below comes from scipy (``scipy.special``, ``scipy.stats``,
``scipy.spatial.distance``), never from the loss formulas written out again; the
gradients are also checked by central finite differences.
"""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from scipy import special, stats
from scipy.spatial import distance

from derive import catalogue, losses
from derive.losses import LOSSES, LossFunction, for_derivation

RTOL = 1e-12
SIZES = [(1, 2), (7, 3), (64, 10)]
EDGE = 1e-12


def rng(*key: int) -> np.random.Generator:
    return np.random.default_rng([20261123, *key])


def simplex_rows(gen: np.random.Generator, n: int, c: int, *, edges: bool = True) -> np.ndarray:
    """Random rows on the simplex; with ``edges``, some entries near 0 and near 1."""
    rows = gen.dirichlet(np.ones(c), size=n)
    if edges and n > 1:
        rows[0] = EDGE
        rows[0, 0] = 1.0 - EDGE * (c - 1)          # a nearly one-hot row
        if c > 2:
            rows[1:, -1] = EDGE                     # a tiny entry in every other row
            rows[1:] /= rows[1:].sum(axis=1, keepdims=True)
    return rows


def one_hot(labels: np.ndarray, c: int) -> np.ndarray:
    return np.eye(c)[labels]


def probabilities(gen: np.random.Generator, shape) -> np.ndarray:
    """Uniform probabilities with values at 1e-12 and 1 - 1e-12 mixed in."""
    values = gen.uniform(0.0, 1.0, size=shape)
    flat = values.reshape(-1)
    flat[: flat.size // 4] = EDGE
    flat[flat.size // 4: flat.size // 2] = 1.0 - EDGE
    gen.shuffle(flat)
    return flat.reshape(shape)


def scipy_cross_entropy(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """H(p, q) = H(p) + KL(p || q), from scipy's entr and rel_entr (per row)."""
    return special.entr(p).sum(axis=-1) + special.rel_entr(p, q).sum(axis=-1)


def central_difference(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += h
        down[index] -= h
        grad[index] = (f(up) - f(down)) / (2 * h)
    return grad


# --------------------------------------------------------------------------- cross-entropies

@pytest.mark.parametrize("n,c", SIZES)
def test_categorical_one_hot_against_scipy(n, c):
    gen = rng(1, n, c)
    labels = gen.integers(0, c, size=n)
    p, phat = one_hot(labels, c), simplex_rows(gen, n, c)
    expected = special.rel_entr(p, phat).sum(axis=1)       # H(onehot) = 0
    got = losses.categorical_cross_entropy(p, phat, reduction="none")
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=0)
    np.testing.assert_allclose(losses.categorical_cross_entropy(p, phat), expected.mean(),
                               rtol=RTOL, atol=0)
    np.testing.assert_allclose(losses.categorical_cross_entropy(p, phat, reduction="sum"),
                               expected.sum(), rtol=RTOL, atol=0)


@pytest.mark.parametrize("n,c", SIZES)
def test_categorical_is_the_multinomial_negative_log_likelihood(n, c):
    gen = rng(2, n, c)
    labels = gen.integers(0, c, size=n)
    p, phat = one_hot(labels, c), simplex_rows(gen, n, c, edges=False)
    expected = -stats.multinomial.logpmf(p, 1, phat)
    np.testing.assert_allclose(losses.categorical_cross_entropy(p, phat, reduction="sum"),
                               expected.sum(), rtol=RTOL, atol=0)


@pytest.mark.parametrize("n,c", SIZES)
def test_categorical_soft_rows_against_scipy(n, c):
    gen = rng(3, n, c)
    p, phat = simplex_rows(gen, n, c), simplex_rows(gen, n, c)
    np.testing.assert_allclose(losses.categorical_cross_entropy(p, phat, reduction="none"),
                               scipy_cross_entropy(p, phat), rtol=RTOL, atol=0)


def test_zero_log_zero_is_zero_and_a_missed_label_is_infinite():
    p = np.array([[1.0, 0.0], [0.0, 1.0]])
    q = np.array([[1.0, 0.0], [1.0, 0.0]])
    got = losses.categorical_cross_entropy(p, q, reduction="none")
    np.testing.assert_array_equal(got, special.rel_entr(p, q).sum(axis=1))
    assert got[0] == 0.0 and got[1] == np.inf


@pytest.mark.parametrize("shape", [(1,), (9,), (5, 4), (200,)])
def test_binary_cross_entropy_against_bernoulli(shape):
    gen = rng(4, *shape)
    y = gen.integers(0, 2, size=shape).astype(float)
    yhat = probabilities(gen, shape)
    expected = -stats.bernoulli.logpmf(y, yhat)
    np.testing.assert_allclose(losses.binary_cross_entropy(y, yhat, reduction="none"),
                               expected, rtol=RTOL, atol=0)
    np.testing.assert_allclose(losses.binary_cross_entropy(y, yhat), expected.mean(),
                               rtol=RTOL, atol=0)
    np.testing.assert_allclose(for_derivation("bernoulli-binary-cross-entropy")(y, yhat),
                               expected.mean(), rtol=RTOL, atol=0)


def test_binary_cross_entropy_soft_targets_and_boundaries():
    gen = rng(5)
    y, yhat = gen.uniform(size=50), probabilities(gen, (50,))
    expected = -(special.xlogy(y, yhat) + special.xlog1py(1 - y, -yhat))
    np.testing.assert_allclose(losses.binary_cross_entropy(y, yhat, reduction="none"),
                               expected, rtol=RTOL, atol=0)
    y, yhat = np.array([0.0, 1.0, 1.0, 0.0]), np.array([0.0, 1.0, 0.0, 1.0])
    np.testing.assert_array_equal(losses.binary_cross_entropy(y, yhat, reduction="none"),
                                  -stats.bernoulli.logpmf(y, yhat))


@pytest.mark.parametrize("n,c", SIZES)
def test_soft_label_cross_entropy_against_scipy_entropy(n, c):
    gen = rng(6, n, c)
    p, q = simplex_rows(gen, n, c, edges=False), simplex_rows(gen, n, c, edges=False)
    expected = stats.entropy(p, axis=1) + stats.entropy(p, q, axis=1)
    soft = for_derivation("soft-label-cross-entropy")
    np.testing.assert_allclose(soft(p, q, reduction="none"), expected, rtol=RTOL, atol=0)
    np.testing.assert_allclose(soft(p, q), expected.mean(), rtol=RTOL, atol=0)


def test_soft_labels_with_zeros_use_zero_log_zero():
    p = np.array([[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]])
    q = np.array([[0.25, 0.75, 0.0], [0.2, 0.3, 0.5]])
    np.testing.assert_allclose(losses.cross_entropy(p, q, reduction="none"),
                               scipy_cross_entropy(p, q), rtol=RTOL, atol=0)


@pytest.mark.parametrize("n,c", SIZES)
def test_kl_divergence_against_rel_entr_and_entropy(n, c):
    gen = rng(7, n, c)
    p, q = simplex_rows(gen, n, c), simplex_rows(gen, n, c)
    got = losses.kl_divergence(p, q, reduction="none")
    np.testing.assert_allclose(got, special.rel_entr(p, q).sum(axis=1), rtol=RTOL, atol=0)
    np.testing.assert_allclose(got, stats.entropy(p, q, axis=1), rtol=1e-10, atol=1e-15)
    assert (got >= 0).all()
    np.testing.assert_allclose(losses.kl_divergence(p, p, reduction="none"), 0.0, atol=0)


def test_kl_divergence_zero_entries():
    p = np.array([[0.0, 1.0], [0.5, 0.5]])
    q = np.array([[0.0, 1.0], [1.0, 0.0]])
    np.testing.assert_array_equal(losses.kl_divergence(p, q, reduction="none"),
                                  special.rel_entr(p, q).sum(axis=1))


def test_cross_entropy_asymmetry_is_documented_with_the_cross_entropy():
    entry = for_derivation("cross-entropy-asymmetry")
    assert entry.function is losses.cross_entropy and "refutation" in entry.description
    p, q = np.array([0.9, 0.1]), np.array([0.5, 0.5])
    forward, backward = entry(p, q), entry(q, p)
    np.testing.assert_allclose(forward, stats.entropy(p) + stats.entropy(p, q), rtol=RTOL)
    np.testing.assert_allclose(backward, stats.entropy(q) + stats.entropy(q, p), rtol=RTOL)
    assert abs(forward - backward) > 0.1


@pytest.mark.parametrize("n,c", SIZES)
def test_batch_cross_entropy_is_the_mean_of_per_example_losses(n, c):
    gen = rng(8, n, c)
    p, phat = simplex_rows(gen, n, c), simplex_rows(gen, n, c)
    batch = for_derivation("batch-cross-entropy")
    np.testing.assert_allclose(batch(p, phat), scipy_cross_entropy(p, phat).mean(),
                               rtol=RTOL, atol=0)


# --------------------------------------------------------------------------- bits

def test_entropy_in_bits_of_a_dyadic_distribution():
    assert losses.entropy_bits([0.5, 0.25, 0.25]) == 1.5
    assert for_derivation("entropy-in-bits")([0.5, 0.25, 0.25]) == 1.5
    assert losses.entropy_bits([1.0, 0.0]) == 0.0


@pytest.mark.parametrize("n,c", SIZES)
def test_entropy_and_cross_entropy_in_bits_against_scipy(n, c):
    gen = rng(9, n, c)
    p, q = simplex_rows(gen, n, c), simplex_rows(gen, n, c)
    h = stats.entropy(p, base=2, axis=1)
    np.testing.assert_allclose(losses.entropy_bits(p, reduction="none"), h,
                               rtol=1e-11, atol=1e-15)
    expected = h + stats.entropy(p, q, base=2, axis=1)
    # stats.entropy renormalises its rows, so its nearly-zero values differ absolutely.
    np.testing.assert_allclose(losses.cross_entropy_bits(p, q, reduction="none"), expected,
                               rtol=1e-11, atol=1e-15)
    np.testing.assert_allclose(losses.cross_entropy_bits(p, q, reduction="none"),
                               scipy_cross_entropy(p, q) / np.log(2), rtol=RTOL, atol=0)
    assert losses.cross_entropy_bits in for_derivation("entropy-in-bits").related


# --------------------------------------------------------------------------- logits

LOGIT_SCALES = [1.0, 50.0, 1000.0]


@pytest.mark.parametrize("scale", LOGIT_SCALES)
@pytest.mark.parametrize("n,c", SIZES)
def test_softmax_cross_entropy_against_log_softmax(n, c, scale):
    gen = rng(10, n, c, int(scale))
    z = gen.uniform(-scale, scale, size=(n, c))
    y = gen.integers(0, c, size=n)
    expected = -special.log_softmax(z, axis=1)[np.arange(n), y]
    got = losses.softmax_cross_entropy(z, y, reduction="none")
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=1e-300)
    lse = special.logsumexp(z, axis=1) - z[np.arange(n), y]
    np.testing.assert_allclose(got, lse, rtol=1e-12, atol=1e-12 * scale)
    np.testing.assert_allclose(losses.softmax_cross_entropy(z, y), expected.mean(),
                               rtol=RTOL, atol=1e-300)


def test_softmax_cross_entropy_matches_categorical_on_softmax_outputs():
    gen = rng(11)
    z, y = gen.normal(size=(20, 5)), gen.integers(0, 5, size=20)
    np.testing.assert_allclose(
        losses.softmax_cross_entropy(z, y),
        losses.categorical_cross_entropy(one_hot(y, 5), special.softmax(z, axis=1)),
        rtol=1e-12)


@pytest.mark.parametrize("scale", LOGIT_SCALES)
@pytest.mark.parametrize("n,c", SIZES)
def test_softmax_cross_entropy_gradient(n, c, scale):
    gen = rng(12, n, c, int(scale))
    z = gen.uniform(-scale, scale, size=(n, c))
    y = gen.integers(0, c, size=n)
    rows = special.softmax(z, axis=1) - one_hot(y, c)
    grad = losses.softmax_cross_entropy_grad(z, y, reduction="sum")
    np.testing.assert_allclose(grad, rows, rtol=RTOL, atol=1e-15)
    np.testing.assert_allclose(losses.softmax_cross_entropy_grad(z, y, reduction="none"), rows,
                               rtol=RTOL, atol=1e-15)
    np.testing.assert_allclose(losses.softmax_cross_entropy_grad(z, y), rows / n,
                               rtol=RTOL, atol=1e-15)
    assert for_derivation("softmax-cross-entropy").gradient is losses.softmax_cross_entropy_grad


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_softmax_cross_entropy_gradient_by_finite_differences(reduction):
    gen = rng(13)
    z, y = gen.normal(scale=3.0, size=(6, 4)), gen.integers(0, 4, size=6)
    numeric = central_difference(lambda x: losses.softmax_cross_entropy(x, y, reduction), z)
    np.testing.assert_allclose(losses.softmax_cross_entropy_grad(z, y, reduction), numeric,
                               rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("scale", LOGIT_SCALES)
@pytest.mark.parametrize("shape", [(1,), (10,), (8, 3), (500,)])
def test_sigmoid_binary_cross_entropy_against_log_expit(shape, scale):
    gen = rng(14, *shape, int(scale))
    z = gen.uniform(-scale, scale, size=shape)
    y = gen.integers(0, 2, size=shape).astype(float)
    expected = -(y * special.log_expit(z) + (1 - y) * special.log_expit(-z))
    got = losses.sigmoid_binary_cross_entropy(z, y, reduction="none")
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=1e-300)
    np.testing.assert_allclose(losses.sigmoid_binary_cross_entropy(z, y), expected.mean(),
                               rtol=RTOL, atol=1e-300)


def test_sigmoid_binary_cross_entropy_is_bernoulli_of_the_sigmoid():
    gen = rng(15)
    z, y = gen.normal(scale=4.0, size=100), gen.integers(0, 2, size=100).astype(float)
    np.testing.assert_allclose(losses.sigmoid_binary_cross_entropy(z, y, reduction="none"),
                               -stats.bernoulli.logpmf(y, special.expit(z)), rtol=1e-10)


def test_sigmoid_binary_cross_entropy_extreme_logits_keep_the_tail():
    z, y = np.array([-50.0, 50.0, -50.0, 50.0]), np.array([0.0, 1.0, 1.0, 0.0])
    np.testing.assert_allclose(losses.sigmoid_binary_cross_entropy(z, y, reduction="none"),
                               -special.log_expit(np.array([50.0, 50.0, -50.0, -50.0])),
                               rtol=RTOL, atol=0)


@pytest.mark.parametrize("scale", LOGIT_SCALES)
def test_sigmoid_binary_cross_entropy_gradient(scale):
    gen = rng(16, int(scale))
    z = gen.uniform(-scale, scale, size=(30, 2))
    y = gen.integers(0, 2, size=(30, 2)).astype(float)
    expected = special.expit(z) - y
    np.testing.assert_allclose(losses.sigmoid_binary_cross_entropy_grad(z, y, "none"),
                               expected, rtol=RTOL, atol=1e-300)
    np.testing.assert_allclose(losses.sigmoid_binary_cross_entropy_grad(z, y),
                               expected / z.size, rtol=RTOL, atol=1e-300)
    entry = for_derivation("sigmoid-binary-cross-entropy")
    assert entry.gradient is losses.sigmoid_binary_cross_entropy_grad


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_sigmoid_binary_cross_entropy_gradient_by_finite_differences(reduction):
    gen = rng(17)
    z, y = gen.normal(scale=3.0, size=12), gen.uniform(size=12)
    numeric = central_difference(
        lambda x: losses.sigmoid_binary_cross_entropy(x, y, reduction), z)
    np.testing.assert_allclose(losses.sigmoid_binary_cross_entropy_grad(z, y, reduction),
                               numeric, rtol=1e-6, atol=1e-8)


# --------------------------------------------------------------------------- two classes, multi-label, smoothing

@pytest.mark.parametrize("n", [1, 9, 300])
def test_two_class_reduction_against_the_two_category_multinomial(n):
    gen = rng(18, n)
    y = gen.integers(0, 2, size=n).astype(float)
    yhat = probabilities(gen, (n,))
    counts = np.stack([y, 1 - y], axis=1)
    expected = -stats.multinomial.logpmf(counts, 1, np.stack([yhat, 1 - yhat], axis=1))
    got = for_derivation("two-class-reduction")(y, yhat, reduction="none")
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=0)


def test_two_class_reduction_agrees_with_binary_cross_entropy():
    gen = rng(19)
    y, yhat = gen.uniform(size=40), gen.uniform(0.01, 0.99, size=40)
    np.testing.assert_allclose(losses.two_class_cross_entropy(y, yhat, reduction="none"),
                               losses.binary_cross_entropy(y, yhat, reduction="none"),
                               rtol=1e-13)
    np.testing.assert_allclose(losses.two_class_cross_entropy(y, yhat, reduction="none"),
                               -(special.xlogy(y, yhat) + special.xlog1py(1 - y, -yhat)),
                               rtol=1e-13)


@pytest.mark.parametrize("n,c", SIZES)
def test_multi_label_binary_cross_entropy_against_bernoulli(n, c):
    gen = rng(20, n, c)
    y = gen.integers(0, 2, size=(n, c)).astype(float)
    yhat = probabilities(gen, (n, c))
    per_sample = -stats.bernoulli.logpmf(y, yhat).sum(axis=1)
    entry = for_derivation("multi-label-binary-cross-entropy")
    np.testing.assert_allclose(entry(y, yhat, reduction="none"), per_sample, rtol=RTOL, atol=0)
    np.testing.assert_allclose(entry(y, yhat), per_sample.mean(), rtol=RTOL, atol=0)


@pytest.mark.parametrize("epsilon", [0.0, 0.1, 0.5, 1.0])
@pytest.mark.parametrize("n,c", SIZES)
def test_label_smoothing_against_scipy(n, c, epsilon):
    gen = rng(21, n, c, int(100 * epsilon))
    y = one_hot(gen.integers(0, c, size=n), c)
    phat = simplex_rows(gen, n, c)
    target = (1 - epsilon) * y + epsilon / c
    entry = for_derivation("label-smoothing")
    got = entry(y, phat, epsilon, reduction="none")
    np.testing.assert_allclose(got, scipy_cross_entropy(target, phat), rtol=RTOL, atol=0)
    if epsilon == 0.0:
        np.testing.assert_array_equal(got, losses.categorical_cross_entropy(y, phat, "none"))


# --------------------------------------------------------------------------- regression

@pytest.mark.parametrize("n", [1, 10, 1000])
def test_mean_squared_error_against_scipy(n):
    gen = rng(22, n)
    y, yhat = gen.normal(scale=10.0, size=n), gen.normal(scale=10.0, size=n)
    np.testing.assert_allclose(losses.mean_squared_error(y, yhat),
                               distance.sqeuclidean(y, yhat) / n, rtol=RTOL)
    np.testing.assert_allclose(for_derivation("gaussian-mean-squared-error")(y, yhat, "sum"),
                               distance.sqeuclidean(y, yhat), rtol=RTOL)
    # The Gaussian likelihood with sigma = 1 is the halved squared error plus a constant.
    nll = -stats.norm.logpdf(y, loc=yhat, scale=1.0)
    np.testing.assert_allclose(losses.mean_squared_error(y, yhat) / 2 + 0.5 * np.log(2 * np.pi),
                               nll.mean(), rtol=RTOL)


@pytest.mark.parametrize("sigma_shape", [(), (50,)])
def test_gaussian_negative_log_likelihood_against_norm_logpdf(sigma_shape):
    gen = rng(23, len(sigma_shape))
    y, mu = gen.normal(scale=5.0, size=50), gen.normal(scale=5.0, size=50)
    sigma = gen.uniform(0.01, 10.0, size=sigma_shape)
    expected = -stats.norm.logpdf(y, loc=mu, scale=sigma)
    got = losses.gaussian_negative_log_likelihood(y, mu, sigma, reduction="none")
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-13)
    assert losses.gaussian_negative_log_likelihood in \
        for_derivation("gaussian-mean-squared-error").related


@pytest.mark.parametrize("n", [1, 10, 1000])
def test_mean_absolute_error_against_scipy(n):
    gen = rng(24, n)
    y, yhat = gen.normal(scale=10.0, size=n), gen.normal(scale=10.0, size=n)
    np.testing.assert_allclose(for_derivation("laplace-mean-absolute-error")(y, yhat),
                               distance.cityblock(y, yhat) / n, rtol=RTOL)
    nll = -stats.laplace.logpdf(y, loc=yhat, scale=1.0)
    np.testing.assert_allclose(losses.mean_absolute_error(y, yhat) + np.log(2.0), nll.mean(),
                               rtol=RTOL)


@pytest.mark.parametrize("b_shape", [(), (40,)])
def test_laplace_negative_log_likelihood_against_laplace_logpdf(b_shape):
    gen = rng(25, len(b_shape))
    y, mu = gen.normal(scale=5.0, size=40), gen.normal(scale=5.0, size=40)
    b = gen.uniform(0.01, 10.0, size=b_shape)
    expected = -stats.laplace.logpdf(y, loc=mu, scale=b)
    got = losses.laplace_negative_log_likelihood(y, mu, b, reduction="none")
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("n", [1, 10, 500])
def test_poisson_negative_log_likelihood_against_poisson_logpmf(n):
    gen = rng(26, n)
    lam = gen.uniform(0.0, 60.0, size=n)
    lam[: n // 5] = EDGE
    y = gen.poisson(lam).astype(float)
    y[n // 5: n // 3] = 0.0
    expected = -stats.poisson.logpmf(y, lam)
    entry = for_derivation("poisson-negative-log-likelihood")
    np.testing.assert_allclose(entry(y, lam, reduction="none"), expected, rtol=1e-12, atol=0)
    np.testing.assert_allclose(entry(y, lam), expected.mean(), rtol=1e-12, atol=0)
    partial = expected - special.gammaln(y + 1)
    np.testing.assert_allclose(entry(y, lam, full=False, reduction="none"), partial,
                               rtol=1e-12, atol=1e-12)


def test_poisson_zero_rate():
    y, lam = np.array([0.0, 3.0]), np.array([0.0, 0.0])
    np.testing.assert_array_equal(losses.poisson_negative_log_likelihood(y, lam, reduction="none"),
                                  -stats.poisson.logpmf(y, lam))


# --------------------------------------------------------------------------- reductions and bad inputs

def test_reductions_are_consistent():
    gen = rng(27)
    p, q = simplex_rows(gen, 8, 3), simplex_rows(gen, 8, 3)
    per = losses.categorical_cross_entropy(p, q, reduction="none")
    assert per.shape == (8,)
    assert losses.categorical_cross_entropy(p, q, "sum") == pytest.approx(per.sum(), rel=1e-15)
    assert losses.categorical_cross_entropy(p, q, "mean") == pytest.approx(per.mean(), rel=1e-15)


ROWS = [[0.5, 0.5], [0.25, 0.75]]
BAD_INPUTS = [
    (losses.categorical_cross_entropy, ([[0.5, 0.6]], [[0.5, 0.5]]), "row 0 sums to 1.1"),
    (losses.categorical_cross_entropy, ([[1.5, -0.5]], [[0.5, 0.5]]), r"probabilities in \[0, 1\]"),
    (losses.categorical_cross_entropy, (ROWS, [[0.5, 0.5]]), "same shape"),
    (losses.categorical_cross_entropy, ([[[1.0]]], [[[1.0]]]), r"shape \(N, C\)"),
    (losses.categorical_cross_entropy, (ROWS, [[np.nan, 1.0], [0.5, 0.5]]), "NaN"),
    (losses.categorical_cross_entropy, ([], []), "empty"),
    (losses.categorical_cross_entropy, (ROWS, ROWS, "avg"), "reduction must be one of"),
    (losses.binary_cross_entropy, ([0.0, 1.0], [0.5, 1.2]), r"yhat must hold probabilities"),
    (losses.binary_cross_entropy, ([0.0, 2.0], [0.5, 0.5]), r"y must hold probabilities"),
    (losses.binary_cross_entropy, (["a"], [0.5]), "real numbers"),
    (losses.kl_divergence, (ROWS, [[0.9, 0.9], [0.5, 0.5]]), "must sum to 1"),
    (losses.entropy_bits, ([0.5, 0.4],), "must sum to 1"),
    (losses.softmax_cross_entropy, ([[1.0, 2.0]], [0.5]), "integer class labels"),
    (losses.softmax_cross_entropy, ([[1.0, 2.0]], [2]), r"labels in 0..1"),
    (losses.softmax_cross_entropy, ([[1.0, 2.0]], [-1]), r"labels in 0..1"),
    (losses.softmax_cross_entropy, ([[1.0, 2.0]], [0, 1]), r"shape \(1,\)"),
    (losses.softmax_cross_entropy, ([1.0, 2.0], [0]), r"z must have shape \(N, C\)"),
    (losses.softmax_cross_entropy, ([[np.inf, 2.0]], [0]), "finite"),
    (losses.softmax_cross_entropy_grad, ([[1.0, 2.0]], [1.5]), "integer class labels"),
    (losses.sigmoid_binary_cross_entropy, ([1.0, 2.0], [1.0, 3.0]), "probabilities"),
    (losses.sigmoid_binary_cross_entropy_grad, ([1.0], [1.0, 0.0]), "same shape"),
    (losses.two_class_cross_entropy, ([[1.0]], [[0.5]]), r"shape \(N,\)"),
    (losses.multi_label_binary_cross_entropy, ([1.0], [0.5]), r"shape \(N, C\)"),
    (losses.label_smoothing_cross_entropy, (ROWS, ROWS, 1.5), r"epsilon must be a number in \[0, 1\]"),
    (losses.label_smoothing_cross_entropy, (ROWS, ROWS, [0.1, 0.2]), "epsilon must be a number"),
    (losses.mean_squared_error, ([1.0, 2.0], [1.0]), "same shape"),
    (losses.gaussian_negative_log_likelihood, ([1.0], [1.0], 0.0), "sigma must be positive"),
    (losses.gaussian_negative_log_likelihood, ([1.0, 2.0], [1.0, 2.0], [1.0, 2.0, 3.0]),
     "does not broadcast"),
    (losses.laplace_negative_log_likelihood, ([1.0], [1.0], -1.0), "b must be positive"),
    (losses.mean_absolute_error, ([1.0, np.inf], [1.0, 2.0]), "finite"),
    (losses.poisson_negative_log_likelihood, ([1.5], [1.0]), "integer counts"),
    (losses.poisson_negative_log_likelihood, ([-1.0], [1.0]), "y must be non-negative"),
    (losses.poisson_negative_log_likelihood, ([1.0], [-1.0]), "lam must be non-negative"),
]


@pytest.mark.parametrize("function,args,message", BAD_INPUTS,
                         ids=[f"{f.__name__}-{i}" for i, (f, _, _) in enumerate(BAD_INPUTS)])
def test_bad_inputs_raise_a_clear_value_error(function, args, message):
    with pytest.raises(ValueError, match=message):
        function(*args)


# --------------------------------------------------------------------------- registry

def test_every_catalogue_derivation_has_a_numeric_loss():
    missing = [name for name in catalogue.names() if name not in LOSSES]
    assert not missing, f"catalogue derivations without a numeric loss: {missing}"


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_registry_entries_are_documented(name):
    entry = for_derivation(name)
    assert isinstance(entry, LossFunction) and entry.name == name
    assert callable(entry.function) and entry.function.__doc__
    assert entry.description and entry.returns
    assert [a for a, _ in entry.arguments][-1] == "reduction"
    for argument, _ in entry.arguments:
        assert argument in entry.function.__code__.co_varnames, (name, argument)


def test_unknown_derivation_is_a_clear_key_error():
    with pytest.raises(KeyError, match="no numeric loss for derivation 'nope'"):
        for_derivation("nope")


def test_losses_need_no_scipy_at_run_time():
    code = ("import sys, derive.losses; "
            "assert 'scipy' not in sys.modules, 'derive.losses imported scipy'")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("n_examples,classes", [(1, 2), (4, 3), (7, 5)])
def test_annotation_cross_entropy_against_scipy_multinomial(n_examples, classes):
    rng = np.random.default_rng(classes)
    counts = rng.integers(0, 6, size=(n_examples, classes))
    counts[:, 0] += 1  # at least one annotation per example
    phat = rng.dirichlet(np.ones(classes), size=n_examples)
    n = counts.sum(axis=1)
    # -log prod_k phat_k^{n_k} is the multinomial log-pmf without its coefficient
    coefficient = special.gammaln(n + 1) - special.gammaln(counts + 1).sum(axis=1)
    expected = -(stats.multinomial.logpmf(counts, n, phat) - coefficient) / n
    got = losses.annotation_cross_entropy(counts, phat, reduction="none")
    np.testing.assert_allclose(got, expected, rtol=1e-10)


def test_annotation_cross_entropy_rejects_bad_counts():
    with pytest.raises(ValueError, match="counts"):
        losses.annotation_cross_entropy([[1.5, 1.0]], [[0.5, 0.5]])
    with pytest.raises(ValueError, match="at least one annotation"):
        losses.annotation_cross_entropy([[0, 0]], [[0.5, 0.5]])


# --------------------------------------------------------------------------- gradients of the mean regression losses

@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_mean_squared_error_gradient_by_finite_differences(reduction):
    gen = rng(41)
    y, yhat = gen.normal(size=(5, 3)), gen.normal(size=(5, 3))
    numeric = central_difference(lambda x: losses.mean_squared_error(y, x, reduction), yhat)
    np.testing.assert_allclose(losses.mean_squared_error_grad(y, yhat, reduction), numeric, rtol=1e-6, atol=1e-8)
    assert for_derivation("gaussian-mean-squared-error-gradient").gradient is losses.mean_squared_error_grad
    # the catalogue's line: 2 (mu_j - y_j) / N, and not its sign slip
    assert np.allclose(losses.mean_squared_error_grad(y, yhat), 2 * (yhat - y) / y.size)
    assert not np.allclose(losses.mean_squared_error_grad(y, yhat), 2 * (y - yhat) / y.size)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_poisson_gradient_by_finite_differences(reduction):
    gen = rng(42)
    y, lam = gen.integers(0, 6, size=8).astype(float), gen.uniform(0.5, 4.0, size=8)
    numeric = central_difference(lambda x: losses.poisson_negative_log_likelihood(y, x, reduction=reduction), lam)
    np.testing.assert_allclose(losses.poisson_negative_log_likelihood_grad(y, lam, reduction=reduction), numeric,
                               rtol=1e-6, atol=1e-8)
    entry = for_derivation("poisson-negative-log-likelihood-gradient")
    assert entry.gradient is losses.poisson_negative_log_likelihood_grad
    # zero where the rate is the count: the sample's own maximum-likelihood rate
    hit = np.array([2.0, 3.0])
    assert np.allclose(losses.poisson_negative_log_likelihood_grad(hit, hit, reduction="none"), 0.0)


def test_poisson_gradient_refuses_a_zero_rate():
    with pytest.raises(ValueError, match="lam must be positive"):
        losses.poisson_negative_log_likelihood_grad([1.0], [0.0])
