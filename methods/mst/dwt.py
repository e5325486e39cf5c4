"""Discrete wavelet transform as in the MST-SR toolbox (``dwt_fuse``).

S. Mallat, "A theory for multiresolution signal decomposition: the wavelet
representation", IEEE TPAMI 11(7):674–693, 1989. The toolbox calls MATLAB's
``dwt2(·, 'db1', 'mode', 'per')`` ``levels`` times: the Haar wavelet with
periodized borders (PyWavelets ``periodization``; an odd size is made even by
repeating the last sample, as MATLAB does, and cropped back on inversion).
Bands: the three detail bands (H, V, D) of every level, finest first, and the
approximation of the last level.

    >>> import numpy as np
    >>> x = np.random.default_rng(0).random((37, 50))
    >>> d = forward(x, 4)
    >>> len(d.highs), d.low.shape
    (12, (3, 4))
    >>> bool(np.abs(inverse(d) - x).max() < 1e-10)
    True
"""

from __future__ import annotations

import numpy as np
import pywt

from methods.mst.lp import Decomposition

__all__ = ["WAVELET", "forward", "inverse"]

WAVELET = "db1"
_MODE = "periodization"


def forward(x: np.ndarray, levels: int = 4, wavelet: str = WAVELET) -> Decomposition:
    """Detail bands of ``levels`` levels (3 per level, finest level first) and the approximation."""
    low = np.asarray(x, dtype=np.float64)
    highs, sizes = [], []
    for _ in range(levels):
        if min(low.shape) < 2:
            break
        sizes.append(low.shape)
        low, (ch, cv, cd) = pywt.dwt2(low, wavelet, mode=_MODE)
        highs += [ch, cv, cd]
    return Decomposition(low, highs, {"sizes": sizes, "wavelet": wavelet})


def inverse(d: Decomposition) -> np.ndarray:
    """Inverse DWT level by level, cropping each level to its stored size."""
    f = d.low
    for k in reversed(range(len(d.meta["sizes"]))):
        ch, cv, cd = d.highs[3 * k: 3 * k + 3]
        size = d.meta["sizes"][k]
        f = pywt.idwt2((f[: ch.shape[0], : ch.shape[1]], (ch, cv, cd)), d.meta["wavelet"], mode=_MODE)
        f = f[: size[0], : size[1]]
    return f
