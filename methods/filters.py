"""Edge-preserving and box filters for the classic fusion methods.

Not a plugin module (``methods/__init__`` skips it): import it explicitly.

- :func:`box_filter` / :func:`box_mean` — window sums / means with the window
  clipped at the borders (He's MATLAB ``boxfilter``), via cumulative sums.
- :func:`guided_filter` — He, Sun & Tang, "Guided Image Filtering", ECCV 2010 /
  TPAMI 2013, grey or colour guide.

MATLAB's ``fspecial``/``imfilter`` live in :mod:`bench.matlab`. All functions
take float arrays (any scale) and return float64; they work on H×W arrays and
on stacks H×W×C (every channel filtered alike).

    >>> import numpy as np
    >>> box_filter(np.ones((3, 4)), 1)[0]          # window sums, clipped at borders
    array([4., 6., 6., 4.])
    >>> x = np.arange(20.0).reshape(4, 5)
    >>> bool(np.allclose(guided_filter(x, x, 1, 1e-9), x, atol=1e-4))   # self-guided, tiny eps
    True
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

__all__ = ["box_filter", "box_mean", "guided_filter"]


def _box_sum_axis(x: np.ndarray, r: int, axis: int) -> np.ndarray:
    """Sum over [i−r, i+r] ∩ [0, n−1] along ``axis`` (zeros outside = clipped window)."""
    size = 2 * r + 1
    return ndimage.uniform_filter1d(x, size, axis=axis, mode="constant", cval=0.0) * size


def box_filter(x: np.ndarray, radius: int) -> np.ndarray:
    """Sum of ``x`` over the (2r+1)×(2r+1) window, clipped at the image borders.

    Same result as He's MATLAB ``boxfilter(imSrc, r)``: O(1) per pixel (running
    sums), no padding (border windows simply hold fewer pixels).
    ``x`` is H×W or H×W×C (channels filtered independently).

        >>> box_filter(np.ones((2, 2)), 5)
        array([[4., 4.],
               [4., 4.]])
    """
    x = np.asarray(x, dtype=np.float64)
    r = int(radius)
    if r < 0:
        raise ValueError(f"box_filter: radius must be >= 0, got {radius}")
    if r == 0:
        return x.copy()
    return _box_sum_axis(_box_sum_axis(x, r, 0), r, 1)


def _count(shape: tuple[int, int], r: int) -> np.ndarray:
    """Number of pixels in each clipped window (He's ``N``), H×W."""
    h, w = shape
    rows = np.minimum(np.arange(h) + r, h - 1) - np.maximum(np.arange(h) - r, 0) + 1
    cols = np.minimum(np.arange(w) + r, w - 1) - np.maximum(np.arange(w) - r, 0) + 1
    return np.outer(rows, cols).astype(np.float64)


def box_mean(x: np.ndarray, radius: int) -> np.ndarray:
    """Mean over the clipped (2r+1)×(2r+1) window: ``box_filter(x, r) / N``.

        >>> box_mean(np.array([[0.0, 3.0, 6.0]]), 1)
        array([[1.5, 3. , 4.5]])
    """
    x = np.asarray(x, dtype=np.float64)
    n = _count(x.shape[:2], int(radius))
    if x.ndim == 3:
        n = n[..., None]
    return box_filter(x, radius) / n


def guided_filter(guide: np.ndarray, src: np.ndarray, radius: int, eps: float) -> np.ndarray:
    """Guided filter q = mean(a)·I + mean(b) (He, Sun & Tang 2010, eqs. 7–8).

    In every (2r+1)² window ω_k (clipped at the borders, means normalised by
    the pixel count N as in He's MATLAB code):

        a_k = (mean(I·p) − μ_k p̄_k) / (σ_k² + ε),   b_k = p̄_k − a_k μ_k,
        q_i = mean_{k∋i}(a_k) · I_i + mean_{k∋i}(b_k).

    ``guide`` I: H×W (grey) or H×W×3 (colour guide: He's ``guidedfilter_color``,
    with a 3×3 covariance Σ_k + ε U inverted per pixel). ``src`` p: H×W or
    H×W×C, each channel filtered with the same guide. ``eps`` is in the units
    of the guide squared (so ε = 0.3 on 0..1 images is 0.3·255² on 0..255).

        >>> import numpy as np
        >>> I = np.tile(np.r_[np.zeros(5), np.ones(5)], (6, 1))
        >>> q = guided_filter(I, I, 2, 1e-6)       # edge preserved
        >>> bool(abs(q[0, 4]) < 1e-3 and abs(q[0, 5] - 1) < 1e-3)
        True
    """
    guide = np.asarray(guide, dtype=np.float64)
    src = np.asarray(src, dtype=np.float64)
    if guide.shape[:2] != src.shape[:2]:
        raise ValueError(
            f"guided_filter: guide is {guide.shape[0]}×{guide.shape[1]} but src is "
            f"{src.shape[0]}×{src.shape[1]}"
        )
    r = int(radius)
    n = _count(guide.shape[:2], r)
    if guide.ndim == 2:
        return _guided_gray(guide, src, r, float(eps), n)
    if guide.ndim == 3 and guide.shape[2] == 3:
        if src.ndim == 3:
            return np.stack(
                [_guided_color(guide, src[..., c], r, float(eps), n) for c in range(src.shape[2])],
                axis=-1,
            )
        return _guided_color(guide, src, r, float(eps), n)
    raise ValueError(f"guided_filter: guide must be H×W or H×W×3, got shape {guide.shape}")


def _guided_gray(I: np.ndarray, p: np.ndarray, r: int, eps: float, n: np.ndarray) -> np.ndarray:
    nn = n[..., None] if p.ndim == 3 else n
    Ie = I[..., None] if p.ndim == 3 else I
    mean_i = box_filter(I, r) / n
    var_i = box_filter(I * I, r) / n - mean_i * mean_i
    mean_ie = mean_i[..., None] if p.ndim == 3 else mean_i
    var_ie = var_i[..., None] if p.ndim == 3 else var_i
    mean_p = box_filter(p, r) / nn
    cov_ip = box_filter(Ie * p, r) / nn - mean_ie * mean_p
    a = cov_ip / (var_ie + eps)
    b = mean_p - a * mean_ie
    return box_filter(a, r) / nn * Ie + box_filter(b, r) / nn


def _guided_color(I: np.ndarray, p: np.ndarray, r: int, eps: float, n: np.ndarray) -> np.ndarray:
    nn = n[..., None]
    mean_i = box_filter(I, r) / nn  # H×W×3
    mean_p = box_filter(p, r) / n
    cov_ip = box_filter(I * p[..., None], r) / nn - mean_i * mean_p[..., None]  # H×W×3
    # Covariance of the guide, H×W×3×3, plus eps on the diagonal.
    prods = I[..., :, None] * I[..., None, :]
    h, w = I.shape[:2]
    sig = box_filter(prods.reshape(h, w, 9), r).reshape(h, w, 3, 3) / n[..., None, None]
    sig -= mean_i[..., :, None] * mean_i[..., None, :]
    sig += eps * np.eye(3)
    a = np.linalg.solve(sig, cov_ip[..., None])[..., 0]  # Σ symmetric: a = cov·Σ⁻¹
    b = mean_p - np.einsum("hwc,hwc->hw", a, mean_i)
    return np.einsum("hwc,hwc->hw", box_filter(a, r) / nn, I) + box_filter(b, r) / n
