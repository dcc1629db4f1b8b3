"""
Sampling border delays: the stochastic side of a :class:`~transit.regimes.Delay`.

Each regime gives, per crossing and direction, a queue and a clearance delay
and, per crossing, a transshipment delay, each summarised by a median and a
90th percentile (P90). The deterministic model uses the medians; the
Monte Carlo model (:mod:`transit.uncertainty`) draws from these distributions:

``lognormal`` (the default, used wherever no dispersion is published)
    ``median * exp(sigma * Z)`` with ``sigma = ln(P90 / median) / z90`` and
    ``z90 = 1.2816`` the standard normal 90th percentile, so that the
    distribution has exactly the given median and P90. Lognormal is the usual
    model of border waiting times: positive, right-skewed, a long tail of bad
    days. With ``P90 == median`` every draw *is* the median, so the stochastic
    model reproduces the deterministic one exactly.
``lognormal`` with a zero median and a positive P90
    A lognormal cannot have a zero median. Half the trucks wait nothing; the
    other half wait an exponential time with rate ``ln(5) / P90``, so that
    ``P(X > P90) = 0.5 * exp(-ln 5) = 0.1``. This is a modelling choice
    (ESTIMATE), documented in ``routes/README.md``.
``fixed``
    Always the median.
``empirical``
    Drawn uniformly from the observed values (bootstrap).

Draws are independent across crossings and components; a network's regime
may make two delays identical, never correlated. All randomness comes from a
:class:`numpy.random.Generator` the caller passes in, never global state.

Examples
--------
>>> import numpy as np
>>> from transit.regimes import Delay
>>> d = Delay(median_h=2.0, p90_h=4.0)
>>> x = sample_h(d, 100_000, np.random.default_rng(1))
>>> bool(abs(np.median(x) - 2.0) < 0.05), bool(abs(np.quantile(x, 0.9) - 4.0) < 0.1)
(True, True)
>>> sample_h(Delay(median_h=1.5, p90_h=1.5), 3, np.random.default_rng(1))
array([1.5, 1.5, 1.5])
"""

from __future__ import annotations

import math

import numpy as np

from ._validate import short_repr
from .errors import ArgumentTypeError, InvalidArgumentError
from .regimes import Delay

__all__ = ["Z90", "as_generator", "lognormal_sigma", "quantile_h", "sample_h"]

#: The standard normal 90th percentile.
Z90 = 1.2815515655446004
#: Share of trucks that do not wait when a delay's median is zero and its P90 is not.
ZERO_SHARE = 0.5


def as_generator(rng: int | np.random.Generator | None) -> np.random.Generator:
    """
    Return a :class:`numpy.random.Generator` for ``rng``.

    Parameters
    ----------
    rng
        A seed (int), a generator (used as is), or ``None`` for fresh OS entropy.

    Raises
    ------
    ArgumentTypeError
        For anything else (the legacy ``numpy.random.RandomState`` included); a ``TypeError``.

    Examples
    --------
    >>> bool(as_generator(42).integers(100) == as_generator(42).integers(100))
    True
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, int | np.integer) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    msg = f"rng={short_repr(rng)} is not a seed or a numpy Generator; pass an int such as rng=42 or numpy.random.default_rng(42)"
    raise ArgumentTypeError(msg)


def lognormal_sigma(delay: Delay) -> float:
    """
    Return the log-scale spread of a lognormal delay (0 if it has no spread).

    Examples
    --------
    >>> round(lognormal_sigma(Delay(median_h=1.0, p90_h=2.0)), 4)
    0.5409
    """
    if delay.median_h <= 0 or delay.p90_h <= delay.median_h:
        return 0.0
    return math.log(delay.p90_h / delay.median_h) / Z90


def sample_h(delay: Delay, size: int, rng: np.random.Generator) -> np.ndarray:
    """
    Draw ``size`` delays in hours.

    Parameters
    ----------
    delay
        The distribution.
    size
        Number of draws.
    rng
        The generator to draw from.

    Returns
    -------
    numpy.ndarray
        Float64 hours, shape ``(size,)``.
    """
    if delay.distribution == "fixed" or delay.p90_h == delay.median_h:
        return np.full(size, delay.median_h)
    if delay.distribution == "empirical":
        return rng.choice(np.asarray(delay.values_h, dtype=float), size=size)
    if delay.median_h == 0.0:
        u = rng.random(size)
        rate = math.log((1 - ZERO_SHARE) / 0.1) / delay.p90_h
        tail = -np.log(np.maximum(1.0 - u, 1e-300) / (1 - ZERO_SHARE)) / rate
        return np.where(u <= ZERO_SHARE, 0.0, tail)
    return delay.median_h * np.exp(lognormal_sigma(delay) * rng.standard_normal(size))


def quantile_h(delay: Delay, q: float) -> float:
    """
    Return the ``q`` quantile (0-1) of a delay, in hours.

    Examples
    --------
    >>> round(quantile_h(Delay(median_h=1.0, p90_h=2.0), 0.9), 6)
    2.0
    >>> quantile_h(Delay(median_h=0.0, p90_h=1.0), 0.5)
    0.0
    """
    if not isinstance(q, int | float) or isinstance(q, bool) or not 0 <= q < 1:
        msg = f"q={short_repr(q)} must be a number in [0, 1), e.g. q=0.9 for the 90th percentile"
        raise InvalidArgumentError(msg)
    if delay.distribution == "fixed" or delay.p90_h == delay.median_h:
        return delay.median_h
    if delay.distribution == "empirical":
        return float(np.quantile(delay.values_h, q))
    if delay.median_h == 0.0:
        if q <= ZERO_SHARE:
            return 0.0
        rate = math.log((1 - ZERO_SHARE) / 0.1) / delay.p90_h
        return -math.log((1 - q) / (1 - ZERO_SHARE)) / rate
    from statistics import NormalDist

    return delay.median_h * math.exp(lognormal_sigma(delay) * NormalDist().inv_cdf(q))
