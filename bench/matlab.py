"""MATLAB-exact numerics, in one place for methods and metrics.

Each function reproduces the MATLAB (Image Processing Toolbox) function it
is named after, in float64, so that reference code ported from MATLAB and
validated against its published numbers stays bit-compatible:

* :func:`gaussian_taps`, :func:`fspecial_gaussian` — ``fspecial('gaussian')``
  (and its separable 1-D factor); ``summation="sequential"`` normalises with
  Octave's/MATLAB's left-to-right column-major sum instead of numpy's
  pairwise sum (what Liu's metric code needs to match Octave bit for bit);
* :func:`imfilter`, :func:`imfilter_separable` — ``imfilter`` / ``filter2``
  (correlation) with MATLAB's borders (``zero``, ``replicate``,
  ``symmetric``, ``circular``; plus ``mirror``, the reflection without edge
  repeat that some ported code uses) and ``same`` / ``valid`` shapes;
* :data:`SOBEL`, :func:`sobel` — ``fspecial('sobel')`` and the two
  derivative images ``imfilter`` gives with it and its transpose;
* :func:`round_half_away` — ``round`` (halves away from zero; numpy rounds
  halves to even);
* :func:`rgb2gray` — ``rgb2gray`` on a double image (its rounded weights);
* :func:`im2double`, :func:`mat2gray`, :func:`im2uint8`;
* :func:`graythresh` — Otsu's threshold through ``im2uint8`` and a 256-bin histogram;
* :func:`imresize` — ``imresize(x, [M N], method)``: ``bicubic`` (MATLAB's
  default, Keys' kernel a = −0.5), ``bilinear``, ``nearest``, antialiased when
  shrinking as MATLAB does.

    >>> import numpy as np
    >>> round_half_away(np.array([-2.5, -0.5, 0.5, 1.5, 2.5])).tolist()
    [-3.0, -1.0, 1.0, 2.0, 3.0]
    >>> fspecial_gaussian(3, 0.5).round(4).tolist()
    [[0.0113, 0.0838, 0.0113], [0.0838, 0.6193, 0.0838], [0.0113, 0.0838, 0.0113]]
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from bench.errors import ParameterError

__all__ = [
    "BORDERS",
    "MATLAB_RGB2GRAY",
    "SOBEL",
    "fspecial_gaussian",
    "gaussian_taps",
    "graythresh",
    "im2double",
    "im2uint8",
    "imfilter",
    "imfilter_separable",
    "imresize",
    "mat2gray",
    "rgb2gray",
    "round_half_away",
    "sobel",
]

# MATLAB border option -> scipy.ndimage mode
BORDERS = {
    "zero": "constant",  # imfilter's default (X = 0), and filter2's only border
    "replicate": "nearest",
    "symmetric": "reflect",  # mirror that repeats the edge pixel: c b a | a b c
    "circular": "wrap",
    "mirror": "mirror",  # not a MATLAB option: c b | a b c (no edge repeat)
}
SHAPES = ("same", "valid")

SOBEL = np.array([[1.0, 2.0, 1.0], [0.0, 0.0, 0.0], [-1.0, -2.0, -1.0]])
"""``fspecial('sobel')``: emphasises horizontal edges (top row minus bottom row)."""

MATLAB_RGB2GRAY = np.array([0.298936021293776, 0.587043074451121, 0.114020904255103])
"""``rgb2gray``'s weights (the rounded inverse of the NTSC YIQ transform's first row)."""


def _axis(size: int) -> np.ndarray:
    if int(size) != size or size < 1:
        raise ParameterError(f"Gaussian size must be a positive integer, got {size}")
    return np.arange(int(size), dtype=np.float64) - (int(size) - 1) / 2.0


def gaussian_taps(size: int, sigma: float, *, normalize: bool = True) -> np.ndarray:
    """1-D Gaussian exp(−x² / 2σ²), x = −(size−1)/2 … (size−1)/2, divided by its sum.

    ``np.outer(g, g)`` is ``fspecial('gaussian', size, sigma)`` up to
    rounding (exactly so when no tap is below MATLAB's ``eps·max`` cut);
    separable filtering with it is the fast form. ``normalize=False`` leaves
    the peak at 1 (Liu's ``gaussian2d`` divides by 2πσ² itself).

    >>> gaussian_taps(3, 2.0).round(4).tolist()
    [0.3192, 0.3617, 0.3192]
    """
    if not sigma > 0:
        raise ParameterError(f"Gaussian sigma must be > 0, got {sigma}")
    x = _axis(size)
    g = np.exp(-(x * x) / (2.0 * sigma * sigma))
    return g / g.sum() if normalize else g


def fspecial_gaussian(size: int | tuple[int, int], sigma: float, *, summation: str = "pairwise") -> np.ndarray:
    """``fspecial('gaussian', size, sigma)``: exp(−(x² + y²) / 2σ²), taps below eps·max set to 0, sum 1.

    ``summation="sequential"`` divides by the sum taken left to right in
    column-major order (MATLAB's/Octave's ``sum(h(:))``); the default uses
    numpy's pairwise sum. The two differ at most in the last bit.

    >>> k = fspecial_gaussian(5, 1.0)
    >>> k.shape, round(float(k.sum()), 12), bool(k[2, 2] == k.max())
    ((5, 5), 1.0, True)
    """
    rows, cols = (size, size) if np.isscalar(size) else size
    if not sigma > 0:
        raise ParameterError(f"Gaussian sigma must be > 0, got {sigma}")
    y, x = _axis(rows), _axis(cols)
    h = np.exp(-(x[None, :] ** 2 + y[:, None] ** 2) / (2.0 * sigma * sigma))
    h[h < np.finfo(np.float64).eps * h.max()] = 0.0
    if summation == "pairwise":
        return h / h.sum()
    if summation == "sequential":
        return h / np.cumsum(h.T.ravel())[-1]
    raise ParameterError(f"summation must be 'pairwise' or 'sequential', got {summation!r}")


def _mode(border: str) -> str:
    mode = BORDERS.get(border)
    if mode is None:
        raise ParameterError(f"unknown border {border!r} (use {', '.join(BORDERS)})")
    return mode


def _crop(y: np.ndarray, kshape: tuple[int, int], shape: str) -> np.ndarray:
    if shape == "same":
        return y
    if shape != "valid":
        raise ParameterError(f"unknown shape {shape!r} (use {', '.join(SHAPES)})")
    (kh, kw), (h, w) = kshape, y.shape[:2]
    return y[kh // 2 : h - (kh - 1 - kh // 2), kw // 2 : w - (kw - 1 - kw // 2)]


def imfilter(x: np.ndarray, kernel: np.ndarray, border: str = "zero", shape: str = "same") -> np.ndarray:
    """``imfilter(x, kernel, border, shape)``: 2-D correlation (``filter2`` is ``border="zero"``).

    H×W×C inputs are filtered per channel. ``valid`` keeps the outputs whose
    window lies inside the image: (H − kh + 1) × (W − kw + 1). ``same`` needs
    odd kernel sizes (scipy and MATLAB centre even kernels differently).

    >>> x = np.arange(16.0).reshape(4, 4)
    >>> float(imfilter(x, np.ones((3, 3)), "replicate")[0, 0])   # 0+0+1 + 0+0+1 + 4+4+5
    15.0
    >>> imfilter(x, np.ones((3, 3)), shape="valid").tolist()
    [[45.0, 54.0], [81.0, 90.0]]
    """
    x = np.asarray(x, dtype=np.float64)
    k = np.asarray(kernel, dtype=np.float64)
    if k.ndim != 2 or (shape == "same" and (k.shape[0] % 2 == 0 or k.shape[1] % 2 == 0)):
        raise ParameterError(f"imfilter: need an odd-sized 2-D kernel for 'same', got shape {k.shape}")
    mode = _mode(border)
    if x.ndim == 3:
        y = np.stack([ndimage.correlate(x[..., c], k, mode=mode, cval=0.0) for c in range(x.shape[2])], axis=-1)
    else:
        y = ndimage.correlate(x, k, mode=mode, cval=0.0)
    return _crop(y, k.shape, shape)


def imfilter_separable(
    x: np.ndarray,
    k_rows: np.ndarray,
    k_cols: np.ndarray | None = None,
    border: str = "zero",
    shape: str = "same",
) -> np.ndarray:
    """:func:`imfilter` with the separable kernel ``outer(k_rows, k_cols)``: columns, then rows.

    Equal to the 2-D form up to rounding, much faster for large kernels.
    Filters the first two axes of H×W or H×W×C arrays.

    >>> x = np.random.default_rng(1).random((9, 7))
    >>> k = np.full(5, 0.2)
    >>> bool(np.allclose(imfilter_separable(x, k, k, "replicate"), imfilter(x, np.outer(k, k), "replicate")))
    True
    >>> imfilter_separable(np.ones((5, 5)), np.ones(3) / 3, shape="valid").shape
    (3, 3)
    """
    x = np.asarray(x, dtype=np.float64)
    k_rows = np.asarray(k_rows, dtype=np.float64)
    k_cols = k_rows if k_cols is None else np.asarray(k_cols, dtype=np.float64)
    if shape == "same" and (len(k_rows) % 2 == 0 or len(k_cols) % 2 == 0):
        raise ParameterError(
            f"imfilter_separable: need odd-length taps for 'same', got {len(k_rows)} and {len(k_cols)}"
        )
    mode = _mode(border)
    y = ndimage.correlate1d(x, k_rows, axis=0, mode=mode, cval=0.0)
    y = ndimage.correlate1d(y, k_cols, axis=1, mode=mode, cval=0.0)
    return _crop(y, (len(k_rows), len(k_cols)), shape)


def sobel(x: np.ndarray, border: str = "zero", *, separable: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """``(gx, gy)`` = ``imfilter(x, fspecial('sobel')', border)``, ``imfilter(x, fspecial('sobel'), border)``.

    gx = left column − right column ([1 0 −1; 2 0 −2; 1 0 −1]) and gy = top
    row − bottom row ([1 2 1; 0 0 0; −1 −2 −1]), both 'same' size: MATLAB's
    sign convention (a brightness ramp increasing to the right has gx < 0).

    Two evaluation orders, equal on integer images and otherwise within
    rounding: the 2-D correlation (default) and ``separable=True``, the
    [1 2 1] smoothing across then the difference along, on the padded image
    (how Kumar's ported code computes it). Each metric keeps the order its
    validated numbers were computed with.

    >>> ramp = np.tile(np.arange(5.0), (5, 1))
    >>> gx, gy = sobel(ramp, "replicate")
    >>> float(gx[2, 2]), float(gy[2, 2])
    (-8.0, 0.0)
    >>> bool(np.array_equal(sobel(ramp, "mirror", separable=True)[0], sobel(ramp, "mirror")[0]))
    True
    """
    x = np.asarray(x, dtype=np.float64)
    mode = _mode(border)
    if not separable and (x.ndim != 2 or min(x.shape) < 3):
        return imfilter(x, SOBEL.T, border), imfilter(x, SOBEL, border)
    p = np.pad(x, 1, mode=_PAD_MODES[mode])
    if not separable:
        return _correlate3(p, SOBEL.T), _correlate3(p, SOBEL)
    h, w = x.shape
    rows = np.multiply(p[1:-1, :], 2.0)  # smoothing down the columns: p0 + 2 p1 + p2
    rows += p[:-2, :]
    rows += p[2:, :]
    cols = np.multiply(p[:, 1:-1], 2.0)  # smoothing along the rows
    cols += p[:, :-2]
    cols += p[:, 2:]
    return np.subtract(rows[:, :-2], rows[:, 2:]), np.subtract(cols[:-2, :], cols[2:, :])


# ndimage mode -> np.pad mode giving the same one-pixel border
_PAD_MODES = {"constant": "constant", "nearest": "edge", "reflect": "symmetric", "wrap": "wrap", "mirror": "reflect"}


def _correlate3(p: np.ndarray, k: np.ndarray) -> np.ndarray:
    """'same' 3×3 correlation of the image padded by one pixel, ``p``, with kernel ``k``.

    Adds the taps in ``scipy.ndimage.correlate``'s order (from 0, row-major,
    non-zero taps), so the result has the same bits; for the Sobel kernels
    every product is exact (weights ±1, ±2). About 4× faster than the generic
    filter at 520².
    """
    h, w = p.shape[0] - 2, p.shape[1] - 2
    out = np.zeros((h, w))
    tmp = np.empty((h, w))
    for (i, j), kij in np.ndenumerate(k):
        if kij == 0:
            continue
        win = p[i : i + h, j : j + w]
        if kij == 1:
            out += win
        elif kij == -1:
            out -= win
        else:
            out += np.multiply(win, kij, out=tmp)
    return out


def round_half_away(x: np.ndarray) -> np.ndarray:
    """MATLAB ``round``: to the nearest integer, halves away from zero (float in, float out)."""
    x = np.asarray(x, dtype=np.float64)
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def rgb2gray(x: np.ndarray) -> np.ndarray:
    """``rgb2gray`` of a double H×W×3 image (no rounding); a grey H×W image is returned as is.

    >>> float(rgb2gray(np.array([[[1.0, 0.0, 0.0]]]))[0, 0])
    0.298936021293776
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 2:
        return x
    return x @ MATLAB_RGB2GRAY


def im2double(x: np.ndarray) -> np.ndarray:
    """``im2double``: uint8 / 255, uint16 / 65535, int16 shifted then / 65535, floats as they are.

    >>> im2double(np.array([0, 51, 255], dtype=np.uint8)).tolist()
    [0.0, 0.2, 1.0]
    """
    x = np.asarray(x)
    if x.dtype == np.uint8:
        return x.astype(np.float64) / 255.0
    if x.dtype == np.uint16:
        return x.astype(np.float64) / 65535.0
    if x.dtype == np.int16:
        return (x.astype(np.float64) + 32768.0) / 65535.0
    if x.dtype == np.bool_:
        return x.astype(np.float64)
    if x.dtype.kind == "f":
        return x.astype(np.float64)
    raise ParameterError(f"im2double: unsupported dtype {x.dtype}")


def mat2gray(x: np.ndarray, limits: tuple[float, float] | None = None) -> np.ndarray:
    """``mat2gray``: δ·x − lo·δ with δ = 1/(hi − lo) (``imlincomb``'s arithmetic), clipped to [0, 1].

    ``limits`` defaults to the image's min and max; a constant image
    (hi = lo) is returned as double, clipped to [0, 1], as MATLAB does.

    >>> mat2gray(np.array([2.0, 4.0, 6.0])).tolist()
    [0.0, 0.5, 1.0]
    """
    x = np.asarray(x, dtype=np.float64)
    lo, hi = (float(x.min()), float(x.max())) if limits is None else map(float, limits)
    if hi == lo:
        return np.clip(x, 0.0, 1.0)
    delta = 1.0 / (hi - lo)
    return np.clip(delta * x + (-lo * delta), 0.0, 1.0)


def _cubic(x: np.ndarray) -> np.ndarray:
    """Keys' cubic convolution kernel with a = −0.5 (MATLAB ``imresize``'s ``cubic``)."""
    ax = np.abs(x)
    ax2, ax3 = ax * ax, ax * ax * ax
    return ((1.5 * ax3 - 2.5 * ax2 + 1.0) * (ax <= 1)
            + (-0.5 * ax3 + 2.5 * ax2 - 4.0 * ax + 2.0) * ((ax > 1) & (ax <= 2)))


def _triangle(x: np.ndarray) -> np.ndarray:
    return (1.0 - np.abs(x)) * (np.abs(x) <= 1)


def _box(x: np.ndarray) -> np.ndarray:
    return ((x >= -0.5) & (x < 0.5)).astype(np.float64)


_RESIZE_KERNELS = {"bicubic": (_cubic, 4.0), "bilinear": (_triangle, 2.0), "nearest": (_box, 1.0)}


def imresize_taps(n_in: int, n_out: int, scale: float, method: str = "bicubic",
                  antialias: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """MATLAB ``imresize``'s ``contributions`` along one axis: (indices, weights), both
    n_out × taps; output x maps to u = x/scale + ½(1 − 1/scale) (1-based); weights
    normalised per output; taps outside the image mirrored into it (edge repeated).

    >>> idx, w = imresize_taps(4, 8, 2.0)          # ×2 bicubic: Keys' four weights
    >>> w[2, 1:5].tolist(), idx[2, 1:5].tolist()   # (taps 0 and 5 have weight 0)
    ([-0.0234375, 0.2265625, 0.8671875, -0.0703125], [0, 0, 1, 2])
    """
    kernel, width = _RESIZE_KERNELS[method]
    h = kernel
    if scale < 1 and antialias and method != "nearest":
        width = width / scale

        def h(x, _k=kernel, _s=scale):
            return _s * _k(_s * x)
    x = np.arange(1, n_out + 1, dtype=np.float64)
    u = x / scale + 0.5 * (1.0 - 1.0 / scale)
    left = np.floor(u - width / 2.0)
    idx = left[:, None] + np.arange(int(np.ceil(width)) + 2)[None, :]
    w = h(u[:, None] - idx)
    w = w / w.sum(axis=1, keepdims=True)
    aux = np.r_[np.arange(n_in), np.arange(n_in)[::-1]]
    return aux[np.mod(idx.astype(np.int64) - 1, 2 * n_in)], w


def imresize(x: np.ndarray, shape: tuple[int, int], method: str = "bicubic", *,
             antialias: bool = True, scale: tuple[float, float] | None = None) -> np.ndarray:
    """MATLAB ``imresize(x, [M N], method)`` of a double H×W (or H×W×C) array, in float64.

    Separable: each axis with :func:`imresize_taps`, the axis with the smaller scale first
    (MATLAB's order). No rounding or clipping (the double-input behaviour). ``scale``
    replaces out/in in the coordinate map: ``imresize(x, s)`` maps with ``s`` itself, and
    its output size ``ceil(s · size)`` is passed as ``shape``.

    >>> imresize(np.array([[1.0, 2.0]]), (1, 4), "bilinear").tolist()
    [[1.0, 1.25, 1.75, 2.0]]
    >>> bool(np.allclose(imresize(np.full((3, 5), 7.0), (10, 4)), 7.0))
    True
    >>> imresize(np.arange(1.0, 9.0)[None], (1, 4), "nearest", scale=(1.0, 0.5)).tolist()
    [[2.0, 4.0, 6.0, 8.0]]
    """
    if method not in _RESIZE_KERNELS:
        raise ParameterError(f"imresize: method must be one of {', '.join(_RESIZE_KERNELS)}, got {method!r}")
    out = np.asarray(x, dtype=np.float64)
    scales = [shape[d] / out.shape[d] for d in (0, 1)] if scale is None else list(scale)
    for axis in sorted((0, 1), key=lambda d: scales[d]):  # stable: rows first on ties
        if out.shape[axis] == shape[axis] and scales[axis] == 1.0:
            continue
        idx, w = imresize_taps(out.shape[axis], int(shape[axis]), scales[axis], method, antialias)
        acc = np.zeros(out.shape[:axis] + (int(shape[axis]),) + out.shape[axis + 1:])
        for t in range(idx.shape[1]):
            wt = w[:, t].reshape((-1,) + (1,) * (out.ndim - 1 - axis))
            acc += wt * np.take(out, idx[:, t], axis=axis)
        out = acc
    return out


def im2uint8(x: np.ndarray) -> np.ndarray:
    """``im2uint8`` of a double image: round(255·x) (halves up), saturated to 0..255; NaN → 0.

    >>> im2uint8(np.array([-0.1, 0.5, 1 / 255 * 2.5, 1.7])).tolist()
    [0, 128, 3, 255]
    """
    x = np.nan_to_num(np.asarray(x, dtype=np.float64), nan=0.0)
    return np.floor(np.clip(x * 255.0, 0.0, 255.0) + 0.5).astype(np.uint8)


def graythresh(x: np.ndarray) -> float:
    """``graythresh``: Otsu's threshold (0..1) of a double image through its 256-bin histogram.

    The image is quantised by :func:`im2uint8` (values above 1 saturate); the
    level maximises the between-class variance (ω μ_T − μ)² / (ω (1 − ω)) over
    the bins (the mean index when several bins tie), (idx − 1)/255; 0 when no
    split exists (a constant image).

    >>> two = np.r_[np.full(50, 0.2), np.full(50, 0.8)]   # bins 52 and 205: the splits after
    >>> round(graythresh(two) * 255, 1)       # bins 52..204 tie, mean 128, level (128 - 1)/255
    127.0
    >>> graythresh(np.full(10, 0.5))
    0.0
    """
    counts = np.bincount(im2uint8(x).ravel(), minlength=256).astype(np.float64)
    p = counts / counts.sum()
    omega = np.cumsum(p)
    mu = np.cumsum(p * np.arange(1, 257))
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = (mu[-1] * omega - mu) ** 2 / (omega * (1.0 - omega))
    finite = np.isfinite(sigma)
    if not finite.any():
        return 0.0
    best = np.max(sigma[finite])
    idx = np.mean(np.flatnonzero(finite & (sigma == best)) + 1)
    return float((idx - 1) / 255.0)
