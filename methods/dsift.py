"""``dsift`` — multi-focus image fusion with dense SIFT (Liu, Liu & Wang 2015).

Y. Liu, S. Liu, Z. Wang, "Multi-focus image fusion with dense SIFT",
Information Fusion 23:139–155, 2015 (authors' MATLAB release: DSIFT-MFIF).

1. **Descriptor** (:func:`dense_sift`, C. Liu's dense SIFT of SIFT flow, which the
   release uses — not VLFeat's ``vl_dsift``): the grey image (MATLAB ``rgb2gray``
   rounded to 8 bits) is zero-padded by ``scale/4 − 1`` pixels and divided by its
   maximum; gradients come from the x/y derivatives of a 5×5, σ = 1 Gaussian
   (each scaled so Σ|taps| = 2, zero borders); 8 orientation channels
   max(cos(θ − θ_k), 0)⁹·|∇| (θ_k = kπ/4) are pooled by the separable triangle
   window of half-width ``patch/4`` (bilinear binning, ``patch = scale/2``), and
   each pixel's descriptor is 4×4 cells × 8 orientations = 128 values sampled every
   ``patch/4`` pixels (one descriptor per pixel, grid spacing 1).
2. **Initial decision** (activity = Σ of the 128 descriptor values): over every
   ``block_size``² sliding block the source with the larger summed activity wins;
   a pixel goes to A (B) when all the blocks covering it chose A (B) (share > 0.99).
   Each map then loses its connected regions (8-connectivity) smaller than
   ``min_area`` pixels and has its holes smaller than ``min_area`` filled
   (MATLAB ``bwareaopen`` on the map, then on its complement).
3. **Refinement by matching** (``matching=True``): an undecided pixel p (more than 3
   pixels from the border) is matched — in the 7×7 neighbourhood, by the Euclidean
   distance of Lowe-normalised descriptors (norm > 1 → unit length, clipped at 0.2,
   renormalised) — to q₁₂ in B for A's descriptor at p and to q₂₁ in A for B's; with
   the spatial frequency SF of the 7×7 windows: SF_A(p) > SF_B(q₁₂) and SF_B(p) <
   SF_A(q₂₁) → A; both reversed → B; otherwise (and near the border) the mean.
   ``matching=False``: undecided pixels take the source with the larger SF.
4. F = d·A + (1 − d)·B per RGB channel, rounded half away from zero (MATLAB ``uint8``).

Parameters: ``scale`` = 48 (descriptor patch 24×24, a multiple of 8), ``block_size``
= 8, ``matching`` = True, ``min_area`` = 3600 (pixels; the release's fixed value).

Colour: ``gray-weights`` (decision on the grey image, applied to every channel).
``decision_map`` is d (1 = A, 0 = B, 0.5 = mean).

    >>> import numpy as np, methods
    >>> x = np.random.default_rng(0).integers(0, 256, (40, 48)).astype(float)
    >>> bool(np.array_equal(methods.get_method("dsift").fuse(x, x).image, x))
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from scipy import ndimage

from bench.errors import ParameterError
from bench.matlab import fspecial_gaussian, imfilter, rgb2gray, round_half_away
from methods.base import FusionMethod, FusionResult, register_method
from methods.cnn_patch.plugin import remove_small_regions

N_ANGLES = 8
N_BINS = 4
ALPHA = 9  # angular attenuation exponent (odd)
MATCH_RADIUS = 3  # 7×7 matching neighbourhood and 7×7 SF windows


def _gray_u8(x: np.ndarray) -> np.ndarray:
    return x if x.ndim == 2 else np.clip(round_half_away(rgb2gray(x)), 0, 255)


def _delta_gaussian() -> tuple[np.ndarray, np.ndarray]:
    """x and y derivatives (``gradient``) of the 5×5 σ = 1 Gaussian, each with Σ|taps| = 2."""
    g = fspecial_gaussian(5, 1.0)
    gx, gy = np.gradient(g, axis=1), np.gradient(g, axis=0)
    return gx * 2.0 / np.abs(gx).sum(), gy * 2.0 / np.abs(gy).sum()


def _pool(x: np.ndarray, taps: np.ndarray, offsets: np.ndarray, axis: int) -> np.ndarray:
    """out[n] = Σ_k taps[k]·x[n + offsets[k]] along ``axis`` (zeros outside)."""
    lo, hi = max(0, -int(offsets.min())), max(0, int(offsets.max()))
    pad = [(0, 0)] * x.ndim
    pad[axis] = (lo, hi)
    p = np.pad(x, pad)
    n = x.shape[axis]
    out = np.zeros_like(x)
    for t, d in zip(taps, offsets):
        sl = [slice(None)] * x.ndim
        sl[axis] = slice(lo + d, lo + d + n)
        out += t * p[tuple(sl)]
    return out


def orientation_maps(gray: np.ndarray, patch: int) -> np.ndarray:
    """The 8 pooled orientation channels of the padded, max-normalised grey image.

    Returns (H + 2e)×(W + 2e)×8 with e = patch/2 − 1; the descriptor of pixel (y, x)
    reads them at (y + c·patch/4, x + c'·patch/4), c, c' = 0..3.
    """
    ext = patch // 2 - 1
    img = np.pad(np.asarray(gray, dtype=np.float64), ext)
    peak = img.max()
    img = img / peak if peak > 0 else img
    gx, gy = _delta_gaussian()
    ex, ey = imfilter(img, gx, "zero"), imfilter(img, gy, "zero")
    mag = np.sqrt(ex * ex + ey * ey)
    theta = np.arctan2(ey, ex)
    c, s = np.cos(theta), np.sin(theta)
    # triangle window of the 4×4 bilinear binning, aligned as MATLAB conv2(..., 'same') puts
    # an even-length kernel: tap j (0-based) weighs x[n + patch/2 − j]
    j = np.arange(patch)
    wx = np.abs(j + 1 - (patch / 2 - 0.5)) / (patch / N_BINS)
    wx = (1.0 - wx) * (wx <= 1.0)
    keep = wx > 0
    taps, offsets = wx[keep], (patch // 2 - j)[keep]
    out = np.empty(img.shape + (N_ANGLES,))
    for k in range(N_ANGLES):
        ang = 2.0 * np.pi * k / N_ANGLES
        cos_k = (c * np.cos(ang) + s * np.sin(ang)) ** ALPHA
        chan = (np.maximum(cos_k, 0.0) * mag).astype(np.float32).astype(np.float64)
        out[..., k] = _pool(_pool(chan, taps, offsets, 0), taps, offsets, 1)
    return out


def dense_sift(gray: np.ndarray, patch: int = 24) -> np.ndarray:
    """One 128-value dense SIFT descriptor per pixel (H×W×128 float32, unnormalised).

    Layout: 4×4 cells (rows, then columns) × 8 orientations. ``patch`` is a multiple of 4.

    The derivative filters are *correlated* (MATLAB ``filter2``), so a ramp rising to the
    right reads θ = π: all its energy is in orientation 4, as in the release.

    >>> d = dense_sift(np.tile(np.arange(40.0), (40, 1)))
    >>> d.shape, int(np.argmax(d[20, 20].reshape(16, 8).sum(axis=0)))
    ((40, 40, 128), 4)
    """
    h, w = gray.shape
    ys, xs = np.mgrid[:h, :w]
    return _cells(orientation_maps(gray, patch), ys.ravel(), xs.ravel(), patch).reshape(h, w, -1)


def normalize_sift(d: np.ndarray) -> np.ndarray:
    """Lowe's normalisation of descriptors with norm > 1 (unit length, clip 0.2, renormalise)."""
    d = d.copy()
    norm = np.sqrt(np.einsum("...i,...i->...", d, d, dtype=np.float64))
    big = norm > 1
    v = d[big] / norm[big][:, None].astype(np.float32)
    np.minimum(v, np.float32(0.2), out=v)
    v /= np.sqrt(np.einsum("ij,ij->i", v, v, dtype=np.float64))[:, None].astype(np.float32)
    d[big] = v
    return d


def _cells(o: np.ndarray, ys: np.ndarray, xs: np.ndarray, patch: int) -> np.ndarray:
    """Descriptors (N×128 float32) of pixels (ys, xs) from the pooled orientation maps ``o``."""
    step = patch // N_BINS
    return np.concatenate([o[ys + cy * step, xs + cx * step] for cy in range(N_BINS)
                           for cx in range(N_BINS)], axis=1).astype(np.float32)


def _activity(o: np.ndarray, shape: tuple[int, int], patch: int) -> np.ndarray:
    """Σ of each pixel's 128 descriptor values (without building the descriptors)."""
    h, w = shape
    total = o.sum(axis=2)
    step = patch // N_BINS
    return sum(total[cy * step: cy * step + h, cx * step: cx * step + w]
               for cy in range(N_BINS) for cx in range(N_BINS))


class _SparseDescriptors:
    """Normalised descriptors of the pixels in ``mask`` only, indexed like an H×W×128 array."""

    def __init__(self, o: np.ndarray, mask: np.ndarray, patch: int):
        ys, xs = np.nonzero(mask)
        self.index = np.full(mask.shape, -1, dtype=np.int64)
        self.index[ys, xs] = np.arange(ys.size)
        self.data = normalize_sift(_cells(o, ys, xs, patch))

    def __getitem__(self, yx):
        return self.data[self.index[yx]]


def initial_maps(act_a: np.ndarray, act_b: np.ndarray, block: int,
                 min_area: float) -> tuple[np.ndarray, np.ndarray]:
    """Sure-A and sure-B maps from sliding-block activity sums (step 2 of the module docstring)."""
    h, w = act_a.shape
    ones = np.ones((block, block))
    if h < block or w < block:
        votes_a = votes_b = np.zeros((h, w))
        count = np.ones((h, w))
    else:
        sa = ndimage.correlate(act_a, ones, mode="constant")
        sb = ndimage.correlate(act_b, ones, mode="constant")
        o = block // 2  # scipy centres a block of size b at its index b // 2
        sa, sb = sa[o: o + h - block + 1, o: o + w - block + 1], sb[o: o + h - block + 1,
                                                                  o: o + w - block + 1]

        votes_a, votes_b = _cover((sa > sb) * 1.0, block), _cover((sb > sa) * 1.0, block)
        count = np.maximum(_cover(np.ones_like(sa), block), 1.0)
    maps = []
    for votes in (votes_a, votes_b):
        sure = votes / count > 0.99
        maps.append(remove_small_regions(sure, min_area))
    return maps[0], maps[1]


def _cover(v: np.ndarray, block: int) -> np.ndarray:
    """For block indicators ``v`` ((H−b+1)×(W−b+1)), Σ over the blocks covering each pixel."""
    c = np.cumsum(np.cumsum(np.pad(v, ((1, 0), (1, 0))), axis=0), axis=1)
    c = np.pad(c, ((0, block), (0, block)), mode="edge")
    hh, ww = v.shape[0] + block - 1, v.shape[1] + block - 1
    y, x = np.arange(hh), np.arange(ww)
    y0, y1 = np.clip(y - block + 1, 0, v.shape[0]), np.clip(y + 1, 0, v.shape[0])
    x0, x1 = np.clip(x - block + 1, 0, v.shape[1]), np.clip(x + 1, 0, v.shape[1])
    return (c[y1][:, x1] - c[y0][:, x1] - c[y1][:, x0] + c[y0][:, x0])


def _sf_map(g: np.ndarray, r: int) -> np.ndarray:
    """Spatial frequency of the (2r+1)² window centred on each pixel (valid where it fits)."""
    n = 2 * r + 1
    dv = np.zeros_like(g)
    dv[1:] = (g[1:] - g[:-1]) ** 2  # dv[y] = (g[y] − g[y−1])²: pairs inside rows y−r+1..y+r
    dh = np.zeros_like(g)
    dh[:, 1:] = (g[:, 1:] - g[:, :-1]) ** 2
    kv = np.zeros((n, n))
    kv[1:, :] = 1.0
    kh = np.zeros((n, n))
    kh[:, 1:] = 1.0
    # each mean divided on its own, then added, as SF(A) = √(Σdc²/mn + Σdr²/mn) is evaluated:
    # on 8-bit images the sums are exact integers, and two windows with equal totals but
    # other splits round differently there — which decides ties in the matching rule
    sv = ndimage.correlate(dv, kv, mode="constant")
    sh = ndimage.correlate(dh, kh, mode="constant")
    return np.sqrt(sv / (n * n) + sh / (n * n))


def refine_with_matching(ga: np.ndarray, gb: np.ndarray, sure_a: np.ndarray, sure_b: np.ndarray,
                         da: np.ndarray, db: np.ndarray, chunk: int = 8192) -> np.ndarray:
    """Decision map with undecided pixels settled by descriptor matching (step 3)."""
    h, w = ga.shape
    r = MATCH_RADIUS
    d = sure_a + 0.5 * (1.0 - sure_a - sure_b)
    inner = np.zeros((h, w), bool)
    inner[r: h - r, r: w - r] = True
    ys, xs = np.nonzero((d == 0.5) & inner)
    if ys.size == 0:
        return d
    sf_a, sf_b = _sf_map(ga, r), _sf_map(gb, r)
    # neighbours in MATLAB find()'s order (column-major over the 7×7 window): first minimum wins
    offs = [(dy, dx) for dx in range(-r, r + 1) for dy in range(-r, r + 1)]
    for s in range(0, ys.size, chunk):
        y, x = ys[s: s + chunk], xs[s: s + chunk]
        va, vb = da[y, x], db[y, x]
        best = [np.full(y.size, np.inf, np.float32), np.full(y.size, np.inf, np.float32)]
        arg = [np.zeros(y.size, int), np.zeros(y.size, int)]
        for k, (dy, dx) in enumerate(offs):
            for side, (v, other) in enumerate(((va, db), (vb, da))):
                diff = other[y + dy, x + dx] - v
                dist = np.einsum("ij,ij->i", diff, diff)
                better = dist < best[side]
                best[side][better] = dist[better]
                arg[side][better] = k
        off = np.array(offs)
        qy_ab, qx_ab = y + off[arg[0], 0], x + off[arg[0], 1]  # A's descriptor matched in B
        qy_ba, qx_ba = y + off[arg[1], 0], x + off[arg[1], 1]  # B's descriptor matched in A
        ok = (inner[qy_ab, qx_ab] & inner[qy_ba, qx_ba])
        f1, f12 = sf_a[y, x], sf_b[qy_ab, qx_ab]
        f2, f21 = sf_b[y, x], sf_a[qy_ba, qx_ba]
        to_a = ok & (f1 > f12) & (f2 < f21)
        to_b = ok & (f1 < f12) & (f2 > f21)
        d[y[to_a], x[to_a]] = 1.0
        d[y[to_b], x[to_b]] = 0.0
    return d


def refine_without_matching(ga: np.ndarray, gb: np.ndarray, sure_a: np.ndarray,
                            sure_b: np.ndarray) -> np.ndarray:
    """Undecided pixels (away from the border) take the source with the larger 7×7 SF."""
    h, w = ga.shape
    r = MATCH_RADIUS
    d = sure_a + 0.5 * (1.0 - sure_a - sure_b)
    inner = np.zeros((h, w), bool)
    inner[r: h - r, r: w - r] = True
    todo = (d == 0.5) & inner
    d[todo] = (_sf_map(ga, r) > _sf_map(gb, r))[todo]
    return d


def dsift_decision(ga: np.ndarray, gb: np.ndarray, scale: int = 48, block_size: int = 8,
                   matching: bool = True, min_area: float = 3600) -> np.ndarray:
    """Decision map d (1 = A, 0 = B, 0.5 = mean) of two grey images."""
    patch = scale // 2
    oa, ob = orientation_maps(ga, patch), orientation_maps(gb, patch)
    sure_a, sure_b = initial_maps(_activity(oa, ga.shape, patch), _activity(ob, gb.shape, patch),
                                  block_size, min_area)
    sure_a, sure_b = sure_a.astype(np.float64), sure_b.astype(np.float64)
    if not matching:
        return refine_without_matching(ga, gb, sure_a, sure_b)
    # descriptors only where matching reads them: undecided pixels and their 7×7 neighbours
    need = ndimage.binary_dilation(sure_a + sure_b != 1.0,
                                   np.ones((2 * MATCH_RADIUS + 1,) * 2, dtype=bool))
    da, db = _SparseDescriptors(oa, need, patch), _SparseDescriptors(ob, need, patch)
    return refine_with_matching(ga, gb, sure_a, sure_b, da, db)


@register_method
class DSIFT(FusionMethod):
    name = "dsift"
    version = "1"
    kind = "classic"
    modalities = ("multi-focus",)
    groups: ClassVar[tuple[str, ...]] = ("mfifb", "classic")
    published_names: ClassVar[dict[str, str]] = {"mfifb": "DSIFT"}
    colour = "gray-weights"
    citation = (
        "Y. Liu, S. Liu, Z. Wang, Multi-focus image fusion with dense SIFT, "
        "Information Fusion 23 (2015) 139-155"
    )

    @dataclass
    class Params:
        scale: int = 48  # descriptor patch = scale/2 pixels
        block_size: int = 8  # sliding blocks of the initial decision
        matching: bool = True  # refine undecided pixels by descriptor matching (else by SF)
        min_area: int = 3600  # regions/holes smaller than this (pixels) are removed

    def run(self, a, b, params):
        if params.scale < 8 or params.scale % 8:
            raise ParameterError(f"method 'dsift': scale must be a positive multiple of 8, "
                                 f"got {params.scale}")
        if params.block_size < 1:
            raise ParameterError(f"method 'dsift': block_size must be >= 1, got {params.block_size}")
        d = dsift_decision(_gray_u8(a), _gray_u8(b), params.scale, params.block_size,
                           params.matching, params.min_area)
        dd = d[..., None] if a.ndim == 3 else d
        fused = round_half_away(a * dd + b * (1.0 - dd))
        return FusionResult(image=fused, decision_map=d)
