"""SCD: sum of the correlations of differences (Aslantas & Bendes 2015).

V. Aslantas, E. Bendes, "A new image quality metric for image fusion: the sum
of the correlations of differences", AEU Int. J. Electron. Commun. 69(12):
1890-1896, 2015. Higher is better, range [−2, 2].

The difference F − B approximates what the fused image took from A (and
F − A what it took from B); SCD adds how well each "transferred" image
correlates with its source::

    SCD = r(F − B, A) + r(F − A, B),
    r(X, Y) = Σ (X − X̄)(Y − Ȳ) / sqrt(Σ (X − X̄)² · Σ (Y − Ȳ)²)

(Pearson correlation over the whole image, MATLAB ``corr2``). When either
image of a pair is constant the correlation is undefined; it is taken as 0
(no linear relation measurable) so SCD stays finite.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> a, b = rng.uniform(0, 255, (2, 32, 32))
    >>> round(scd_channel(a, b, a + b), 6)      # F − B = A exactly
    2.0

Convention ``default`` (BT.601 luma); MEFB and VIFB have no SCD.
"""

from __future__ import annotations

import numpy as np

from metrics.base import Convention, register_metric


def correlation(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson correlation of two equally shaped arrays; 0 if either is constant.

    >>> correlation(np.arange(5.0), 2 * np.arange(5.0) + 1)
    1.0
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    xc = x - x.mean()
    yc = y - y.mean()
    den = np.sqrt(np.dot(xc, xc) * np.dot(yc, yc))
    if den == 0:
        return 0.0
    return float(np.clip(np.dot(xc, yc) / den, -1.0, 1.0))


def scd_channel(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
    """SCD of one channel."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    f = np.asarray(f, dtype=np.float64)
    return correlation(f - b, a) + correlation(f - a, b)


scd = register_metric(
    "scd",
    latex=r"\mathrm{SCD}",
    higher_is_better=True,
    description="SCD: r(F−B, A) + r(F−A, B), correlation of what F took from each source (−2..2)",
    citation="V. Aslantas, E. Bendes, AEU Int. J. Electron. Commun. 69(12):1890-1896, 2015",
    # F = A = B: F − B = 0 is constant, so both correlations are taken as 0.
    conventions={"default": Convention(scd_channel, "luma", identity=0.0)},
)
