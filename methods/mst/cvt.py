"""Discrete curvelet transform via wrapping (the MST-SR toolbox's CVT), real-valued curvelets.

E. Candès, L. Demanet, D. Donoho, L. Ying, "Fast discrete curvelet transforms",
Multiscale Modeling & Simulation 5(3):861–899, 2006 (the "wrapping" FDCT of
CurveLab's ``fdct_wrapping``, which the toolbox's ``curvelet_fuse`` calls with
``is_real = 1``, ``finest = 1`` (curvelets at the finest scale), ``nbscales =
levels + 1`` and 16 angles at the second-coarsest scale).

Construction (an N1×N2 image, X its unitary 2-D DFT, frequencies ξ):

1. **Periodic extension.** X is read on the odd, symmetric grid
   |ξ_i| ≤ ⌊2N_i/3⌋ (X(ξ) = X(ξ mod N)), tapered by the envelope
   e(ξ1)e(ξ2): e = 1 for |ξ| ≤ N/3, falls smoothly to 0 at 2N/3, and
   e(ξ)² + e(N − ξ)² = 1, so the squared envelope sums to 1 over the aliases
   of every DFT frequency (the finest curvelets wrap around the corners of the
   frequency square instead of being cut at Nyquist).
2. **Scales.** Separable low-passes Φ_j(ξ) = φ(ξ1/m_j1) φ(ξ2/m_j2),
   m_ji = N_i/3 · 2^{j−J} (j = 1…J−1, J = ``nbscales``); φ = 1 on [−1, 1],
   falls smoothly to 0 at ±2. Coarsest band Φ_1; band j = 2…J−1:
   W_j = √(Φ_j² − Φ_{j−1}²); finest band W_J = √(1 − Φ_{J−1}²) (Cartesian
   coronae, Φ_1² + Σ W_j² = 1).
3. **Angles.** A continuous angular coordinate t ∈ [0, 4) runs clockwise around
   the square from its top-left corner, linear in the slope ξ_⊥/ξ_∥ inside each
   of the four cones (top, right, bottom, left; slopes on frequencies
   normalised by N_i). Scale j has n_j = 16 · 2^{⌈(j−2)/2⌉} wedges (16, 32, 32,
   64, … from the second-coarsest scale: angular resolution doubles every
   other scale, the parabolic scaling width ≈ length²); wedge l covers
   [l·w, (l+1)·w], w = 4/n_j, with smooth transitions of width w around its
   ends: V_l² summed over l is 1 and V_{l+n/2}(−ξ) = V_l(ξ).
4. **Wrapping.** The window U = e·W_j·V_l is supported in a sheared
   wedge; its data are wrapped (indices mod L1, mod L2) onto the L1×L2
   rectangle whose height is the wedge's extent along its axis and whose width
   is its widest cross-section, so no two support points collide; the inverse
   unitary FFT of the rectangle gives the coefficients — the band-passed image
   sampled on an L1×L2 grid. The coarsest band is the same with Φ_1 on its
   odd symmetric box (real coefficients).
5. **Real curvelets.** For a real image the wedges t and t + 2 (antipodes)
   carry conjugate coefficients; only the top and right cones are computed and
   each complex array c gives two real arrays √2·Re c ("cosine", stored
   first) and √2·Im c ("sine"), as CurveLab's ``is_real = 1`` does.

Every step is an isometry onto its range (Σ U² = 1 over the extended grid's
aliases, wrapping injective), so the transform is a tight frame: Parseval
‖x‖² = Σ‖c‖², and :func:`inverse` (the adjoint) reconstructs exactly
(≈ 1e-13). Redundancy ≈ 7 (the extended grid with curvelets at the finest scale).

Differences from CurveLab (the same construction, other discretisation
choices): the smooth window profile (here sin/cos of a C∞ step), Cartesian
coronae with the slope coordinate continuous but only piecewise smooth across
the diagonals (CurveLab bends the corner wedges smoothly), and wrapping
rectangles sized by each wedge's actual support. Coefficient counts per
scale are the toolbox's; array sizes differ slightly. No CVT output of the
toolbox is published (MFIFB and VIFB ship none), so agreement is checked by
these properties only.

    >>> import numpy as np
    >>> x = np.random.default_rng(0).random((37, 50))
    >>> d = forward(x, 4)
    >>> [len(s) for s in d.meta["scales"]], d.low.shape
    ([16, 32, 32, 64], (3, 5))
    >>> bool(np.abs(inverse(d) - x).max() < 1e-10)
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from methods.mst.lp import Decomposition

__all__ = ["NBANGLES_COARSE", "forward", "inverse", "wedge_directions", "window_pair"]

#: angles at the second-coarsest scale (CurveLab's default, the toolbox's setting)
NBANGLES_COARSE = 16


def window_pair(r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rising, falling) halves of a C∞ window on r ∈ [0, 1]: rise² + fall² = 1,
    fall(r) = rise(1 − r); rise = 0 for r ≤ 0 and 1 for r ≥ 1.

        >>> up, down = window_pair(np.array([-1.0, 0.25, 0.5, 2.0]))
        >>> up.round(4).tolist(), bool(np.allclose(up ** 2 + down ** 2, 1))
        ([0.0, 0.1019, 0.7071, 1.0], True)
    """
    r = np.clip(np.asarray(r, dtype=np.float64), 0.0, 1.0)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        s0 = np.where(r > 0, np.exp(-1.0 / np.where(r > 0, r, 1.0)), 0.0)
        s1 = np.where(r < 1, np.exp(-1.0 / np.where(r < 1, 1.0 - r, 1.0)), 0.0)
    step = s0 / (s0 + s1)  # C∞, 0 → 1, step(1 − r) = 1 − step(r)
    return np.sin(0.5 * np.pi * step), np.where(step >= 1.0, 0.0, np.cos(0.5 * np.pi * step))


def _lowpass_1d(xi: np.ndarray, m: float) -> np.ndarray:
    """1 for |ξ| ≤ m, the falling half on m…2m, 0 beyond."""
    return window_pair((np.abs(xi) - m) / m)[1]


def _nbangles(nbscales: int, coarse: int) -> list[int]:
    """Wedges per scale j = 2…J: coarse · 2^⌈(j−2)/2⌉."""
    return [coarse * 2 ** ((s + 1) // 2) for s in range(nbscales - 1)]


def _angle_coordinate(u1: np.ndarray, u2: np.ndarray) -> np.ndarray:
    """t ∈ [0, 4), clockwise from the top-left corner (u1: vertical, u2: horizontal)."""
    a1, a2 = np.abs(u1), np.abs(u2)
    t = np.zeros(np.broadcast(u1, u2).shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        top = (u1 < 0) & (a2 <= a1)
        right = (u2 > 0) & (a1 < a2)
        bottom = (u1 > 0) & (a2 <= a1)
        left = (u2 < 0) & (a1 < a2)
        t = np.where(top, 0.5 * (1 + u2 / a1), t)
        t = np.where(right, 1 + 0.5 * (1 + u1 / a2), t)
        t = np.where(bottom, 2 + 0.5 * (1 - u2 / a1), t)
        t = np.where(left, 3 + 0.5 * (1 - u1 / a2), t)
    return np.nan_to_num(t) % 4.0


def _angular_window(t: np.ndarray, l: int, n: int) -> np.ndarray:
    """V_l(t) of wedge l of n: rises over [lw − w/2, lw + w/2], falls over the next w."""
    w = 4.0 / n
    d = (t - l * w + 2.0) % 4.0 - 2.0  # position relative to the wedge's start, in (−2, 2]
    rise = window_pair((d + w / 2) / w)[0]
    fall = window_pair((d - w / 2) / w)[1]
    return np.where(d <= w / 2, rise, fall) * ((d > -w / 2) & (d < 1.5 * w))


@dataclass(frozen=True)
class _Band:
    """One wrapped band: DFT indices of its support points, their wrapped indices, windows."""

    src: np.ndarray  # flat index into the N1×N2 DFT
    dst: np.ndarray  # flat index into the L1×L2 rectangle
    win: np.ndarray
    shape: tuple[int, int]
    direction: float  # the wedge's central frequency direction, degrees in [0, 180)


def _wrap(xi1: np.ndarray, xi2: np.ndarray, win: np.ndarray, n1: int, n2: int,
          direction: float = float("nan")) -> _Band:
    """Wrap the support points (ξ1, ξ2) onto the smaller of the two injective rectangles."""
    keep = win > 0
    xi1, xi2, win = xi1[keep], xi2[keep], win[keep]
    if not len(win):
        return _Band(np.zeros(0, np.intp), np.zeros(0, np.intp), np.zeros(0), (1, 1), direction)

    def extents(a, b):  # extent of a; widest cross-section of b at fixed a
        lo = np.full(a.max() - a.min() + 1, np.iinfo(np.int64).max)
        hi = np.full_like(lo, np.iinfo(np.int64).min)
        np.minimum.at(lo, a - a.min(), b)
        np.maximum.at(hi, a - a.min(), b)
        present = lo <= hi
        return len(lo), int((hi[present] - lo[present]).max()) + 1

    l1a, l2a = extents(xi1, xi2)  # rows along ξ1
    l2b, l1b = extents(xi2, xi1)  # columns along ξ2
    l1, l2 = (l1a, l2a) if l1a * l2a <= l1b * l2b else (l1b, l2b)
    src = (xi1 % n1) * n2 + (xi2 % n2)
    dst = (xi1 % l1) * l2 + (xi2 % l2)
    return _Band(src.astype(np.intp), dst.astype(np.intp), win, (l1, l2), direction)


@lru_cache(maxsize=8)
def _plan(n1: int, n2: int, nbscales: int, coarse: int) -> tuple[_Band, tuple[tuple[_Band, ...], ...]]:
    """(coarsest band, per scale 2…J the wedges of the top and right cones)."""
    k1, k2 = (2 * n1) // 3, (2 * n2) // 3
    xi1, xi2 = np.arange(-k1, k1 + 1), np.arange(-k2, k2 + 1)
    env1, env2 = _lowpass_1d(xi1, n1 / 3), _lowpass_1d(xi2, n2 / 3)

    def low(j):  # Φ_j as its two 1-D factors
        s = 2.0 ** (j - nbscales)
        return _lowpass_1d(xi1, n1 / 3 * s), _lowpass_1d(xi2, n2 / 3 * s)

    g1, g2 = np.meshgrid(xi1, xi2, indexing="ij")
    p1, p2 = low(1)
    coarse_band = _wrap(g1.ravel(), g2.ravel(), np.outer(p1 * env1, p2 * env2).ravel(), n1, n2)
    t = _angle_coordinate(g1 / n1, g2 / n2)
    scales = []
    prev = np.outer(p1, p2)
    for j, n_ang in zip(range(2, nbscales + 1), _nbangles(nbscales, coarse)):
        cur = np.outer(*low(j)) if j < nbscales else np.ones_like(prev)
        radial = np.sqrt(np.clip(cur ** 2 - prev ** 2, 0.0, None)) * np.outer(env1, env2)
        prev = cur
        on = radial > 0
        order = np.argsort(t[on], kind="stable")  # points by angle: each wedge is a t-range
        s1, s2, rad, tt = g1[on][order], g2[on][order], radial[on][order], t[on][order]
        w = 4.0 / n_ang
        wedges = []
        for wedge in range(n_ang // 2):  # top and right cones; the others are their antipodes
            lo, hi = wedge * w - w / 2, wedge * w + 1.5 * w
            spans = [(lo, hi)] if lo >= 0 else [(lo + 4.0, 4.0), (0.0, hi)]
            sel = np.concatenate([np.arange(*np.searchsorted(tt, span)) for span in spans])
            direction = _t_to_degrees((wedge + 0.5) * w, n1, n2)  # at the wedge's centre
            wedges.append(_wrap(s1[sel], s2[sel],
                                rad[sel] * _angular_window(tt[sel], wedge, n_ang), n1, n2,
                                direction))
        scales.append(tuple(wedges))
    return coarse_band, tuple(scales)


def _t_to_degrees(t: float, n1: int, n2: int) -> float:
    """Frequency direction (degrees from the horizontal axis, in [0, 180)) at coordinate t."""
    c, f = divmod(t, 1.0)
    s = 2 * f - 1  # slope inside the cone
    u1, u2 = {0: (-1.0, s), 1: (s, 1.0), 2: (1.0, -s), 3: (-s, -1.0)}[int(c) % 4]
    return float(np.degrees(np.arctan2(-u1 * n1, u2 * n2)) % 180.0)


def _analyse(xf: np.ndarray, band: _Band) -> np.ndarray:
    rect = np.zeros(band.shape[0] * band.shape[1], dtype=np.complex128)
    rect[band.dst] = xf[band.src] * band.win
    return np.fft.ifft2(rect.reshape(band.shape), norm="ortho")


def _synthesise(acc: np.ndarray, coef: np.ndarray, band: _Band, scale: float = 1.0) -> None:
    if not len(band.src):
        return
    r = np.fft.fft2(coef, norm="ortho").ravel()[band.dst] * (band.win * scale)
    acc += np.bincount(band.src, weights=r.real, minlength=acc.size)
    acc += 1j * np.bincount(band.src, weights=r.imag, minlength=acc.size)


def forward(x: np.ndarray, levels: int = 4, nbangles_coarse: int = NBANGLES_COARSE) -> Decomposition:
    """Real curvelet coefficients with ``levels + 1`` scales (the toolbox's ``nbscales``).

    ``highs``: every wedge array, coarse scale to fine, per scale the cosine arrays then the
    sine arrays; ``low``: the coarsest band; ``meta["scales"]``: the arrays' index ranges.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or min(x.shape) < 2:
        raise ValueError(f"cvt: need a 2-D image of at least 2×2, got {x.shape}")
    if nbangles_coarse < 8 or nbangles_coarse % 4:
        raise ValueError(f"cvt: nbangles_coarse must be a multiple of 4, >= 8, got {nbangles_coarse}")
    nbscales = max(int(levels), 1) + 1
    coarse, scales = _plan(x.shape[0], x.shape[1], nbscales, int(nbangles_coarse))
    xf = np.fft.fft2(x, norm="ortho").ravel()
    low = _analyse(xf, coarse).real
    highs, ranges = [], []
    for wedges in scales:
        c = [_analyse(xf, band) for band in wedges]
        start = len(highs)
        highs += [np.sqrt(2.0) * z.real for z in c] + [np.sqrt(2.0) * z.imag for z in c]
        ranges.append(range(start, len(highs)))
    meta = {"shape": x.shape, "nbscales": nbscales, "nbangles_coarse": int(nbangles_coarse),
            "scales": ranges}
    return Decomposition(low, highs, meta)


def inverse(d: Decomposition) -> np.ndarray:
    """The adjoint (= inverse, the frame is tight) of :func:`forward`."""
    n1, n2 = d.meta["shape"]
    coarse, scales = _plan(n1, n2, d.meta["nbscales"], d.meta["nbangles_coarse"])
    acc = np.zeros(n1 * n2, dtype=np.complex128)
    _synthesise(acc, d.low, coarse)
    for wedges, idx in zip(scales, d.meta["scales"]):
        arrays = [d.highs[i] for i in idx]
        half = len(wedges)
        for k, band in enumerate(wedges):
            _synthesise(acc, arrays[k] + 1j * arrays[half + k], band, np.sqrt(2.0))
    return np.fft.ifft2(acc.reshape(n1, n2), norm="ortho").real


def wedge_directions(shape: tuple[int, int], levels: int = 4,
                     nbangles_coarse: int = NBANGLES_COARSE) -> list[float]:
    """The central frequency direction (degrees in [0, 180), 0 = horizontal frequency, i.e.
    a vertical edge) of every array of ``forward(x, levels).highs``, in the same order."""
    _, scales = _plan(int(shape[0]), int(shape[1]), max(int(levels), 1) + 1, int(nbangles_coarse))
    out: list[float] = []
    for wedges in scales:
        out += [b.direction for b in wedges] * 2
    return out
