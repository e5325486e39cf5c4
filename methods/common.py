"""Shared building blocks for the classic fusion methods.

Not a plugin module (``methods/__init__`` skips it): import it explicitly.

- :func:`box_filter` / :func:`box_mean` — window sums / means with the window
  clipped at the borders (He's MATLAB ``boxfilter``), via cumulative sums.
- :func:`guided_filter` — He, Sun & Tang, "Guided Image Filtering", ECCV 2010 /
  TPAMI 2013, grey or colour guide.
- :func:`gaussian_kernel`, :func:`filter2` — MATLAB-style ``fspecial`` and
  ``imfilter`` (correlation, zero / replicate / symmetric borders).
- :func:`gaussian_pyramid`, :func:`laplacian_pyramid`,
  :func:`reconstruct_laplacian` — Burt & Adelson (1983) pyramids.
- :func:`per_channel`, :func:`weighted_blend` — colour helpers.

All functions take float arrays (any scale) and return float64; the filters
work on H×W arrays and on stacks H×W×C (every channel filtered alike).

    >>> import numpy as np
    >>> box_filter(np.ones((3, 4)), 1)[0]          # window sums, clipped at borders
    array([4., 6., 6., 4.])
    >>> x = np.arange(20.0).reshape(4, 5)
    >>> bool(np.allclose(guided_filter(x, x, 1, 1e-9), x, atol=1e-4))   # self-guided, tiny eps
    True
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import ndimage

__all__ = [
    "box_filter",
    "box_mean",
    "guided_filter",
    "gaussian_kernel",
    "filter2",
    "filter_separable",
    "gaussian_kernel_1d",
    "gaussian_pyramid",
    "laplacian_pyramid",
    "reconstruct_laplacian",
    "pyr_reduce",
    "pyr_expand",
    "adaptive_histeq",
    "per_channel",
    "weighted_blend",
]


# ---------------------------------------------------------------------------
# box filter and guided filter
# ---------------------------------------------------------------------------
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


# ---------------------------------------------------------------------------
# MATLAB-style linear filtering
# ---------------------------------------------------------------------------
def gaussian_kernel(size: int, sigma: float) -> np.ndarray:
    """Normalised size×size Gaussian, like MATLAB ``fspecial('gaussian', size, sigma)``.

        >>> k = gaussian_kernel(3, 1.0); round(float(k.sum()), 12), k.shape
        (1.0, (3, 3))
    """
    half = (size - 1) / 2.0
    ax = np.arange(size) - half
    g = np.exp(-(ax[:, None] ** 2 + ax[None, :] ** 2) / (2.0 * sigma * sigma))
    g[g < np.finfo(np.float64).eps * g.max()] = 0.0
    return g / g.sum()


_MODES = {"zero": "constant", "replicate": "nearest", "symmetric": "reflect", "circular": "wrap"}


def filter2(x: np.ndarray, kernel: np.ndarray, border: str = "zero") -> np.ndarray:
    """2-D correlation with a 'same'-size output, like MATLAB ``imfilter``.

    ``border``: ``"zero"`` (imfilter's default), ``"replicate"``,
    ``"symmetric"`` (MATLAB's mirror that repeats the edge pixel) or
    ``"circular"``. H×W×C inputs are filtered per channel.

        >>> float(filter2(np.eye(3), np.ones((3, 3)) / 9)[1, 1])
        0.3333333333333333
    """
    x = np.asarray(x, dtype=np.float64)
    k = np.asarray(kernel, dtype=np.float64)
    mode = _MODES.get(border)
    if mode is None:
        raise ValueError(f"filter2: unknown border {border!r} (use {', '.join(_MODES)})")
    # ndimage centres even kernels differently from MATLAB; our kernels are odd.
    if x.ndim == 3:
        return np.stack([ndimage.correlate(x[..., c], k, mode=mode, cval=0.0) for c in range(x.shape[2])], axis=-1)
    return ndimage.correlate(x, k, mode=mode, cval=0.0)


def gaussian_kernel_1d(size: int, sigma: float) -> np.ndarray:
    """1-D factor of :func:`gaussian_kernel` (outer(k, k) equals the 2-D kernel).

        >>> k = gaussian_kernel_1d(11, 5.0)
        >>> bool(np.allclose(np.outer(k, k), gaussian_kernel(11, 5.0)))
        True
    """
    ax = np.arange(size) - (size - 1) / 2.0
    g = np.exp(-(ax**2) / (2.0 * sigma * sigma))
    return g / g.sum()


def filter_separable(x: np.ndarray, k_rows: np.ndarray, k_cols: np.ndarray | None = None,
                     border: str = "zero") -> np.ndarray:
    """Correlate with the separable kernel outer(k_rows, k_cols) (same as :func:`filter2`).

    Much faster than :func:`filter2` for large kernels (e.g. the 31×31 mean).

        >>> x = np.random.default_rng(1).random((9, 7))
        >>> k = np.full(5, 0.2)
        >>> bool(np.allclose(filter_separable(x, k, k, "replicate"),
        ...                  filter2(x, np.outer(k, k), "replicate")))
        True
    """
    x = np.asarray(x, dtype=np.float64)
    mode = _MODES.get(border)
    if mode is None:
        raise ValueError(f"filter_separable: unknown border {border!r} (use {', '.join(_MODES)})")
    k_cols = k_rows if k_cols is None else k_cols
    y = ndimage.correlate1d(x, np.asarray(k_rows, dtype=np.float64), axis=0, mode=mode, cval=0.0)
    return ndimage.correlate1d(y, np.asarray(k_cols, dtype=np.float64), axis=1, mode=mode, cval=0.0)


# ---------------------------------------------------------------------------
# Burt & Adelson pyramids
# ---------------------------------------------------------------------------
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


# ---------------------------------------------------------------------------
# contrast-limited adaptive histogram equalisation
# ---------------------------------------------------------------------------
def _clip_histogram(hist: np.ndarray, clip_limit: int) -> np.ndarray:
    """Clip one tile histogram at ``clip_limit`` and redistribute the excess (Zuiderveld)."""
    nbins = hist.size
    hist = hist.astype(np.int64)
    excess = int(np.maximum(hist - clip_limit, 0).sum())
    avg_inc = excess // nbins
    upper = clip_limit - avg_inc
    over = hist > clip_limit
    mid = ~over & (hist > upper)
    low = ~over & ~mid
    excess -= int((clip_limit - hist[mid]).sum()) + avg_inc * int(low.sum())
    hist = np.where(over | mid, clip_limit, np.where(low, hist + avg_inc, hist))
    while excess > 0:  # spread what is left one count at a time, evenly strided
        free = np.flatnonzero(hist < clip_limit)
        if free.size == 0:
            break
        step = max(1, free.size // excess)
        pick = free[::step][:excess]
        hist[pick] += 1
        excess -= pick.size
    return hist


def adaptive_histeq(x: np.ndarray, tiles: tuple[int, int] = (8, 8), clip_limit: float = 0.01,
                    nbins: int = 256) -> np.ndarray:
    """CLAHE of an image in 0..1 (Zuiderveld 1994), tiled as MATLAB ``adapthisteq``.

    The image is padded symmetrically so that it splits into ``tiles`` tiles of
    even size; each tile's ``nbins``-bin histogram is clipped at
    ceil(n/nbins) + round(clip_limit·(n − ceil(n/nbins))) counts (n pixels per
    tile), the excess redistributed, and its cumulative sum is the tile's
    uniform mapping. Pixels are mapped by bilinear interpolation between the
    four nearest tile mappings (nearest tiles only at the borders).

        >>> y = adaptive_histeq(np.linspace(0, 0.5, 64 * 64).reshape(64, 64))
        >>> y.shape, bool(0.0 <= y.min() and y.max() <= 1.0)
        ((64, 64), True)
    """
    x = np.clip(np.asarray(x, dtype=np.float64), 0.0, 1.0)
    h, w = x.shape
    pads, tdim = [], []
    for size, n in ((h, tiles[0]), (w, tiles[1])):
        t = -(-size // n)
        pad = t * n - size
        if t % 2:
            t += 1
            pad += n
        pads.append((pad // 2, pad - pad // 2))
        tdim.append(t)
    xp = np.pad(x, pads, mode="symmetric")
    th, tw = tdim
    ny, nx = tiles
    bins = np.floor(xp * (nbins - 1) + 0.5).astype(np.int64)
    npix = th * tw
    min_clip = -(-npix // nbins)
    limit = min_clip + int(np.floor(clip_limit * (npix - min_clip) + 0.5))
    # per-tile histograms in one bincount
    tile_id = (np.arange(xp.shape[0]) // th)[:, None] * nx + (np.arange(xp.shape[1]) // tw)[None, :]
    hists = np.bincount((tile_id * nbins + bins).ravel(), minlength=ny * nx * nbins)
    hists = hists.reshape(ny * nx, nbins)
    maps = np.stack([np.minimum(np.cumsum(_clip_histogram(hh, limit)) / npix, 1.0) for hh in hists])
    maps = maps.reshape(ny, nx, nbins)
    # bilinear interpolation between tile mappings: pixel t/2 + k·t takes tile k alone
    def axis_weights(n_px, t, n_tiles):
        pos = np.clip((np.arange(n_px) - t / 2.0) / t, 0, n_tiles - 1)
        k0 = np.minimum(np.floor(pos).astype(np.int64), n_tiles - 1)
        k1 = np.minimum(k0 + 1, n_tiles - 1)
        return k0, k1, pos - k0

    r0, r1, fr = axis_weights(xp.shape[0], th, ny)
    c0, c1, fc = axis_weights(xp.shape[1], tw, nx)
    fr, fc = fr[:, None], fc[None, :]

    def look(rr, cc):
        return maps[rr[:, None], cc[None, :], bins]
    out = ((1 - fr) * ((1 - fc) * look(r0, c0) + fc * look(r0, c1))
           + fr * ((1 - fc) * look(r1, c0) + fc * look(r1, c1)))
    return out[pads[0][0]: pads[0][0] + h, pads[1][0]: pads[1][0] + w]


# ---------------------------------------------------------------------------
# colour helpers
# ---------------------------------------------------------------------------
def per_channel(fn: Callable[[np.ndarray, np.ndarray], np.ndarray], a: np.ndarray,
                b: np.ndarray) -> np.ndarray:
    """Apply a grey fusion rule ``fn(a2d, b2d) -> f2d`` to each channel of H×W×C inputs.

        >>> per_channel(np.maximum, np.zeros((2, 2, 3)), np.ones((2, 2, 3))).shape
        (2, 2, 3)
    """
    if a.ndim == 2:
        return fn(a, b)
    return np.stack([fn(a[..., c], b[..., c]) for c in range(a.shape[2])], axis=-1)


def weighted_blend(w: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """w·A + (1−w)·B with an H×W weight broadcast over colour channels.

        >>> weighted_blend(np.array([[1.0, 0.0]]), np.full((1, 2, 3), 9.0), np.zeros((1, 2, 3)))[..., 0]
        array([[9., 0.]])
    """
    w = np.asarray(w, dtype=np.float64)
    if a.ndim == 3 and w.ndim == 2:
        w = w[..., None]
    return w * a + (1.0 - w) * b
