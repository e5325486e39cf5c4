"""Ratio-of-low-pass pyramid (Toet 1989) as in the MST-SR toolbox (``rp_fuse``).

A. Toet, "Image fusion by a ratio of low-pass pyramid", Pattern Recognition
Letters 9(4):245–253, 1989. Same steps, kernel and borders as the toolbox's
Laplacian pyramid (:mod:`methods.mst.lp`), but each band is a ratio:

    R = M / (EXPAND(G↓2) + ε),   inverse M = (EXPAND(M') + ε) · R,

with ε = 1e-6 (the toolbox's guard against division by zero). Exact for any
image (up to rounding), including zero regions.

    >>> import numpy as np
    >>> x = np.random.default_rng(0).random((37, 50)) * 255
    >>> bool(np.abs(inverse(forward(x, 4)) - x).max() < 1e-9)
    True
"""

from __future__ import annotations

import numpy as np

from methods.mst.lp import Decomposition, _steps, expand

__all__ = ["EPS", "forward", "inverse"]

EPS = 1e-6


def forward(x: np.ndarray, levels: int = 4) -> Decomposition:
    """Ratio bands R_1..R_n (finest first) and the low-pass G_n."""
    highs, sizes, low = [], [], np.asarray(x, dtype=np.float64)
    for size, m, g in _steps(x, levels):
        highs.append(m / (expand(g) + EPS))
        sizes.append(size)
        low = g
    return Decomposition(low, highs, {"sizes": sizes})


def inverse(d: Decomposition) -> np.ndarray:
    """M_k = (EXPAND(M_{k+1}) + ε) · R_k, cropped to the stored size."""
    f = d.low
    for band, size in zip(reversed(d.highs), reversed(d.meta["sizes"])):
        f = ((expand(f) + EPS) * band)[: size[0], : size[1]]
    return f
