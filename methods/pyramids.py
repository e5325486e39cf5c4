"""Burt & Adelson (1983) Gaussian and Laplacian pyramids for the classic fusion methods.

Not a plugin module (``methods/__init__`` skips it): import it explicitly.
REDUCE blurs with the separable 5-tap generating kernel (a = 0.4) and keeps
every other pixel; EXPAND inserts zeros and blurs with twice the kernel.

    >>> import numpy as np
    >>> x = np.random.default_rng(0).random((33, 20))
    >>> bool(np.allclose(reconstruct_laplacian(laplacian_pyramid(x, 4)), x))
    True
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

__all__ = [
    "gaussian_pyramid",
    "laplacian_pyramid",
    "max_levels",
    "pyr_expand",
    "pyr_reduce",
    "reconstruct_laplacian",
]

_BURT_1D = np.array([0.05, 0.25, 0.4, 0.25, 0.05])  # generating kernel, a = 0.4


def _sep_filter(x: np.ndarray, k1: np.ndarray, mode: str) -> np.ndarray:
    y = ndimage.correlate1d(x, k1, axis=0, mode=mode)
    return ndimage.correlate1d(y, k1, axis=1, mode=mode)


def pyr_reduce(x: np.ndarray, kernel1d: np.ndarray = _BURT_1D, mode: str = "reflect") -> np.ndarray:
    """Blur with the separable 5-tap kernel then keep every other pixel (REDUCE)."""
    x = np.asarray(x, dtype=np.float64)
    return _sep_filter(x, kernel1d, mode)[::2, ::2]


def pyr_expand(x: np.ndarray, shape: tuple[int, ...], kernel1d: np.ndarray = _BURT_1D,
               mode: str = "reflect") -> np.ndarray:
    """Upsample to ``shape[:2]`` by zero insertion and blurring with 2× the kernel (EXPAND)."""
    x = np.asarray(x, dtype=np.float64)
    up = np.zeros(tuple(shape[:2]) + x.shape[2:], dtype=np.float64)
    up[::2, ::2] = x[: (shape[0] + 1) // 2, : (shape[1] + 1) // 2]
    return _sep_filter(up, 2.0 * kernel1d, mode)


def gaussian_pyramid(x: np.ndarray, levels: int) -> list[np.ndarray]:
    """[G0 = x, G1, …, G_{levels−1}], each REDUCEd from the previous one."""
    pyr = [np.asarray(x, dtype=np.float64)]
    for _ in range(levels - 1):
        if min(pyr[-1].shape[:2]) < 2:
            break
        pyr.append(pyr_reduce(pyr[-1]))
    return pyr


def laplacian_pyramid(x: np.ndarray, levels: int) -> list[np.ndarray]:
    """[L0, …, L_{n−2}, G_{n−1}] with L_k = G_k − EXPAND(G_{k+1}); exact inverse below.

        >>> x = np.random.default_rng(0).random((33, 20))
        >>> bool(np.allclose(reconstruct_laplacian(laplacian_pyramid(x, 4)), x))
        True
    """
    g = gaussian_pyramid(x, levels)
    lap = [g[k] - pyr_expand(g[k + 1], g[k].shape) for k in range(len(g) - 1)]
    lap.append(g[-1])
    return lap


def reconstruct_laplacian(pyr: list[np.ndarray]) -> np.ndarray:
    """Collapse a Laplacian pyramid: G_k = L_k + EXPAND(G_{k+1})."""
    out = pyr[-1]
    for lap in reversed(pyr[:-1]):
        out = lap + pyr_expand(out, lap.shape)
    return out


def max_levels(shape: tuple[int, ...], requested: int, min_size: int = 8) -> int:
    """Largest level count ≤ ``requested`` keeping the coarsest level ≥ ``min_size`` px.

        >>> max_levels((520, 520), 10), max_levels((17, 23), 4)
        (7, 2)
    """
    n, s = 1, min(shape[:2])
    while n < requested and (s + 1) // 2 >= min_size:
        s = (s + 1) // 2
        n += 1
    return n
