"""Laplacian pyramid as in the MST-SR toolbox (Rockinger's ``lp_fuse``).

Burt & Adelson 1983 with the 5-tap kernel w = [1 4 6 4 1]/16 and borders
mirrored without repeating the edge. At each of ``levels`` steps an odd-sized
image first gets one more mirrored row/column (Rockinger's ``adb``), then

    G = w ⊛ M,   E = M − EXPAND(G↓2),   M ← G↓2,

where EXPAND inserts zeros and filters with 2w. The inverse is
M = EXPAND(M') + E cropped to the stored size, exact for any image.

Borders as Rockinger's ``es2``: the image is extended by 2 rows/columns on each
side, mirrored without repeating the edge, and the four 2×2 **corner blocks of
the extension stay zero** (:func:`es2`). The zeros pull every level's corner
pixels of G towards 0 (the corner pixel loses (5/16)² ≈ 10 % of its weight) and
EXPAND's corners alike, so E holds the deficit and the transform stays exact.
Fusion is not blind to it, though: four levels down, the corner of the low-pass
band is what the SR rule's corner patches (8×8 there, 128×128 pixels of the
image) compare, and mirrored corners flip their choice on VIFB's walkingnight,
labMan and carShadow (docs/methods/mst.md, "Borders").

    >>> import numpy as np
    >>> x = np.random.default_rng(0).random((37, 50))
    >>> d = forward(x, 4)
    >>> [h.shape for h in d.highs], d.low.shape
    ([(38, 50), (20, 26), (10, 14), (6, 8)], (3, 4))
    >>> bool(np.abs(inverse(d) - x).max() < 1e-12)
    True
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage

__all__ = ["KERNEL", "Decomposition", "es2", "forward", "inverse"]

KERNEL = np.array([1.0, 4.0, 6.0, 4.0, 1.0]) / 16.0


@dataclass
class Decomposition:
    """``low``: the coarsest low-pass band; ``highs``: high-pass bands, finest first
    (one array per band; a transform with several orientations lists them all)."""

    low: np.ndarray
    highs: list[np.ndarray]
    meta: dict = field(default_factory=dict)


def _even(x: np.ndarray) -> np.ndarray:
    ew = (x.shape[0] % 2, x.shape[1] % 2)
    return np.pad(x, ((0, ew[0]), (0, ew[1])), mode="reflect") if any(ew) else x


def es2(x: np.ndarray, n: int) -> np.ndarray:
    """Rockinger's symmetric extension by ``n`` on every side: mirrored without
    repeating the edge (numpy's ``"reflect"``), the four n×n corner blocks zero.

        >>> es2(np.arange(9.0).reshape(3, 3), 1)
        array([[0., 3., 4., 5., 0.],
               [1., 0., 1., 2., 1.],
               [4., 3., 4., 5., 4.],
               [7., 6., 7., 8., 7.],
               [0., 3., 4., 5., 0.]])
    """
    y = np.pad(np.asarray(x, dtype=np.float64), n, mode="reflect")
    y[:n, :n] = y[:n, -n:] = y[-n:, :n] = y[-n:, -n:] = 0.0
    return y


def _filter(x: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Separable 5-tap filtering of ``es2(x, 2)``, valid part (the size of x)."""
    y = ndimage.correlate1d(es2(x, 2), k, axis=0)
    return ndimage.correlate1d(y, k, axis=1)[2:-2, 2:-2]


def reduce(x: np.ndarray) -> np.ndarray:
    """G↓2: filtering with w, then every other row and column from the first."""
    return _filter(x, KERNEL)[::2, ::2]


def expand(x: np.ndarray) -> np.ndarray:
    """Zero insertion to twice the size and filtering with 2w."""
    up = np.zeros((2 * x.shape[0], 2 * x.shape[1]))
    up[::2, ::2] = x
    return _filter(up, 2.0 * KERNEL)


def _steps(x: np.ndarray, levels: int):
    """Yield (size, padded M, G↓2) for each level the image is large enough for."""
    m = np.asarray(x, dtype=np.float64)
    for _ in range(levels):
        if min(m.shape) < 4:
            break
        size = m.shape
        m = _even(m)
        g = reduce(m)
        yield size, m, g
        m = g


def forward(x: np.ndarray, levels: int = 4) -> Decomposition:
    """``levels`` band-pass levels E_1..E_n (fewer for tiny images) and the low-pass G_n."""
    highs, sizes, low = [], [], np.asarray(x, dtype=np.float64)
    for size, m, g in _steps(x, levels):
        highs.append(m - expand(g))
        sizes.append(size)
        low = g
    return Decomposition(low, highs, {"sizes": sizes})


def inverse(d: Decomposition) -> np.ndarray:
    """M_{k} = EXPAND(M_{k+1}) + E_k, cropped to the stored size."""
    f = d.low
    for band, size in zip(reversed(d.highs), reversed(d.meta["sizes"])):
        f = (expand(f) + band)[: size[0], : size[1]]
    return f
