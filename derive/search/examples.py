"""Likelihoods the search derives beyond the catalogue: the test cases, the benchmark's
workload, and worked examples for ``derive loss``.

Each entry: the likelihood in LaTeX, the domains, the parameters (None: the hatted
symbols) and a title.
"""
from __future__ import annotations

from typing import NamedTuple


class Example(NamedTuple):
    likelihood: str
    domains: dict[str, str]
    params: list[str] | None
    title: str


EXAMPLES: dict[str, Example] = {
    "exponential": Example(r"\prod_{i=1}^{N} \lambda e^{-\lambda x_i}", {r"\lambda": "positive"}, [r"\lambda"],
                           "Exponential waiting times, written out"),
    "exponential-named": Example(r"\prod_{i=1}^{N} \mathrm{Exp}(x_i \mid \lambda)", {}, [r"\lambda"],
                                 "Exponential waiting times, named"),
    "geometric": Example(r"\prod_{i=1}^{N} (1-p)^{k_i} p", {"p": "prob", "k": "natural"}, ["p"],
                         "Geometric counts of failures"),
    "gamma-known-shape": Example(r"\prod_{i=1}^{N} \frac{\beta^{a} x_i^{a-1} e^{-\beta x_i}}{G}",
                                 {r"\beta": "positive", "a": "positive", "x": "positive", "G": "positive"},
                                 [r"\beta"], "Gamma with known shape a (G the Gamma function at a)"),
    "poisson-rate": Example(r"\prod_{i=1}^{N} \mathrm{Pois}(k_i \mid \lambda)", {}, [r"\lambda"],
                            "Poisson counts with one rate"),
    "poisson-log-link": Example(r"\prod_{i=1}^{N} \frac{e^{y_i (w x_i + b)} e^{-e^{w x_i + b}}}{y_i!}",
                                {"y": "natural"}, ["w", "b"], "Poisson regression with a log link"),
    "multinomial-counts": Example(r"\prod_{i=1}^{N}\prod_{k=1}^{C} \hat{p}_{k}^{n_{ik}}",
                                  {"n": "natural", r"\hat{p}": "simplex+"}, None,
                                  "Multinomial counts (without the coefficient, free of the parameters)"),
    "class-weighted-cross-entropy": Example(r"\prod_{i=1}^{N}\prod_{k=1}^{C} \hat{y}_{ik}^{a_k y_{ik}}",
                                            {"y": "onehot", r"\hat{y}": "simplex+", "a": "positive"}, None,
                                            "Class-weighted categorical likelihood"),
    "gaussian-unknown-sigma": Example(r"\prod_{i=1}^{N} \mathcal{N}(y_i \mid \mu, \sigma^2)", {},
                                      [r"\mu", r"\sigma"], "Gaussian with unknown mean and sigma"),
    "heteroscedastic-gaussian": Example(
        r"\prod_{i=1}^{N} \frac{1}{\sqrt{2\pi}\sigma_i} e^{-\frac{(y_i-\mu_i)^2}{2\sigma_i^2}}",
        {r"\sigma": "positive"}, [r"\mu", r"\sigma"], "Heteroscedastic Gaussian"),
    "laplace-unknown-scale": Example(r"\prod_{i=1}^{N} \frac{1}{2b} e^{-\frac{|y_i-\mu|}{b}}",
                                     {"b": "positive"}, [r"\mu", "b"], "Laplace with unknown scale"),
    "logistic-regression": Example(r"\prod_{i=1}^{N} \mathrm{Bern}(y_i \mid \sigma(w x_i + b))", {},
                                   ["w", "b"], "Logistic regression, z_i = w x_i + b"),
    "rayleigh": Example(r"\prod_{i=1}^{N} \frac{x_i}{\sigma^2} e^{-\frac{x_i^2}{2\sigma^2}}",
                        {r"\sigma": "positive", "x": "positive"}, [r"\sigma"], "Rayleigh with unknown scale"),
}
