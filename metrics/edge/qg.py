"""Q_G: gradient-based fusion metric, Xydeas & Petrović as in Z. Liu's toolbox.

C. S. Xydeas, V. Petrović, "Objective pixel-level image fusion performance
measure", Proc. SPIE 4051:89-98, 2000; the form reported as Q_G by Z. Liu et
al., "Objective assessment of multiresolution image fusion algorithms for
context enhancement in night vision: a comparative study", IEEE TPAMI 34(1),
2012, whose toolbox (``metricXydeas.m``) defines it. Higher is better, in [0, 1].

Sobel responses (correlation, zero padding, 'same' size) of each image give
strength g = sqrt(sx² + sy²) and orientation α = atan(sy / sx). For X in {A, B}::

    G_XF = gF / gX if gX > gF else gX / gF
    A_XF = | |αX − αF| − π/2 | · 2/π                 (orientation modulo π)
    Q_XF = 1/(1 + exp(−10 (G_XF − 0.5))) · 1/(1 + exp(−20 (A_XF − 0.75)))
    Q_G  = mean over pixels of (Q_AF gA + Q_BF gB) / (gA + gB)

with zero strengths replaced by 1e-5 and sx = 0 by 1e-5 (so α = 0 on flat
ground), as in the toolbox.

How this differs from ``qabf`` (same paper, the MEFB/VIFB code and the
benchmark's Q^AB/F):

* sigmoid constants: Γ = 1, k = 10, σ = 0.5 (strength) and Γ = 1, k = 20,
  σ = 0.75 (orientation) instead of 0.9994/15/0.5 and 0.9879/22/0.8;
* orientation agreement ``||Δα| − π/2|·2/π`` treats α and α ± π as the same
  edge direction (qabf's ``1 − |Δα|/(π/2)`` can go negative there);
* normalisation: the *mean of the per-pixel weighted ratio*, so flat pixels
  (gA = gB = gF = 0, where Q_XF ≈ 0.987) count as much as edges, instead of
  the ratio of sums Σ Q g / Σ g in which flat pixels weigh nothing.
  Q_G is therefore higher than Q^AB/F on images with large flat areas.

    >>> import numpy as np
    >>> x = np.random.default_rng(0).uniform(0, 255, (32, 32))
    >>> round(qg_channel(x, x, x), 4)
    0.9867

Convention ``default`` only (scored on BT.601 luma): MEFB and VIFB have no Q_G.
"""

from __future__ import annotations

import numpy as np

from bench.matlab import sobel
from metrics.base import Convention, register_metric

_GUARD = 1e-5
_KG, _DG = 10.0, 0.5
_KA, _DA = 20.0, 0.75


def _strength_orientation(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Strength and orientation (atan, sx = 0 replaced by 1e-5); sx = −gx, sy = −gy of MATLAB's Sobel."""
    gx, gy = sobel(x, "zero")
    sx, sy = 0.0 - gx, 0.0 - gy  # zeros stay positive, as the correlation gives them
    g = np.sqrt(sx * sx + sy * sy)
    sx = np.where(sx == 0, _GUARD, sx)
    return g, np.arctan(sy / sx)


def _guard(g: np.ndarray) -> np.ndarray:
    return np.where(g == 0, _GUARD, g)


def _preservation(gx, ax, gf, af) -> tuple[np.ndarray, np.ndarray]:
    """(Q_XF map, guarded gX) for one source."""
    weaker_fused = gx > gf
    gx = _guard(gx)
    rel = np.where(weaker_fused, gf / gx, gx / _guard(gf))
    orient = np.abs(np.abs(ax - af) - np.pi / 2) * 2 / np.pi
    q = 1.0 / (1.0 + np.exp(-_KG * (rel - _DG))) / (1.0 + np.exp(-_KA * (orient - _DA)))
    return q, gx


def qg_channel(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
    """Q_G of one channel (Liu toolbox formula)."""
    ga, aa = _strength_orientation(np.asarray(a, dtype=np.float64))
    gb, ab = _strength_orientation(np.asarray(b, dtype=np.float64))
    gf, af = _strength_orientation(np.asarray(f, dtype=np.float64))
    qa, wa = _preservation(ga, aa, gf, af)
    qb, wb = _preservation(gb, ab, _guard(gf), af)
    return float(np.mean((qa * wa + qb * wb) / (wa + wb)))


qg = register_metric(
    "qg",
    latex=r"Q_{G}",
    higher_is_better=True,
    description="Q_G: per-pixel gradient strength and orientation preservation (Liu toolbox form)",
    citation="C. S. Xydeas, V. Petrovic, Proc. SPIE 4051, 2000; Z. Liu et al., IEEE TPAMI 34(1), 2012",
    # Q_XF at F = X: rel = 1 and orientation agreement 1 at every pixel.
    conventions={
        "default": Convention(
            qg_channel, "luma", identity=float(1.0 / (1.0 + np.exp(-_KG * 0.5)) / (1.0 + np.exp(-_KA * 0.25)))
        )
    },
    blur_worse=True,
)
