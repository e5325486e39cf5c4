"""Laplacian pyramid as in the MST-SR toolbox (Rockinger's ``lp_fuse``).

Burt & Adelson 1983 with the 5-tap kernel w = [1 4 6 4 1]/16 and borders
mirrored without repeating the edge. At each of ``levels`` steps an odd-sized
image first gets one more mirrored row/column (Rockinger's ``adb``), then

    G = w ⊛ M,   E = M − EXPAND(G↓2),   M ← G↓2,

where EXPAND inserts zeros and filters with 2w. The inverse is
M = EXPAND(M') + E cropped to the stored size, exact for any image. REDUCE and
EXPAND are those of :mod:`methods.pyramids` (only the kernel and the border
mode are the toolbox's). Difference from the MATLAB code: its ``es2`` leaves
the four 2×2 corner blocks of the extension at zero; here they are mirrored
too (a few corner pixels per level differ, the transform is exact either way).

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

from methods.pyramids import pyr_expand, pyr_reduce

__all__ = ["KERNEL", "Decomposition", "forward", "inverse"]

KERNEL = np.array([1.0, 4.0, 6.0, 4.0, 1.0]) / 16.0
_MODE = "mirror"  # d c b | a b c d | c b a: no edge repetition


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


def expand(x: np.ndarray) -> np.ndarray:
    """Zero insertion to twice the size and filtering with 2w."""
    return pyr_expand(x, (2 * x.shape[0], 2 * x.shape[1]), KERNEL, _MODE)


def _steps(x: np.ndarray, levels: int):
    """Yield (size, padded M, G↓2) for each level the image is large enough for."""
    m = np.asarray(x, dtype=np.float64)
    for _ in range(levels):
        if min(m.shape) < 4:
            break
        size = m.shape
        m = _even(m)
        g = pyr_reduce(m, KERNEL, _MODE)
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
